"""Each quirk of the police workbook (../shared/spec/police.md) as the parser meets it."""

from datetime import date

import duckdb
import openpyxl
import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.findings import Severity
from dagster_project.lib.ingest import ingest_file
from dagster_project.lib.landing import identify
from dagster_project.lib.loading import Status
from dagster_project.lib.parsing import parse_extract
from tests.builders import HEADER, default_sheets, measure_rows, sheet_rows, write_scorecard

POLICE = load_contracts()["police_scorecard"]
MARCH = date(2023, 3, 31)


def parse(tmp_path, sheets=None, period_end=MARCH, name="police_scorecard_2023-03.xlsx"):
    path = write_scorecard(tmp_path / "police_scorecard" / name, period_end, sheets)
    return parse_extract(POLICE, identify(POLICE, path))


def rows_of(parsed):
    return parsed.tables["police_scorecard_rows"].frame


def rules(parsed):
    return sorted(f.rule for f in parsed.findings)


def test_a_clean_workbook_gives_one_row_per_area_and_measure(tmp_path):
    parsed = parse(tmp_path)
    assert parsed.findings == []
    assert len(rows_of(parsed)) == 12
    bath = rows_of(parsed)[
        (rows_of(parsed).la_code == "E06000022") & (rows_of(parsed).metric_code == "police_missing_children")
    ]
    assert bath[["current_12m", "previous_12m", "chg", "pct_chg", "row_number"]].iloc[0].tolist() == [
        59,
        73,
        -14,
        -19.2,
        6,
    ]


@pytest.mark.parametrize("alias", ["Bath & North East Somerset", "B&NES", "bath and north east  somerset"])
def test_sheet_aliases_map_to_the_authority(tmp_path, alias):
    sheets = default_sheets(MARCH)
    sheets[alias] = sheets.pop("B&NES")
    parsed = parse(tmp_path, sheets)
    assert parsed.findings == []
    assert set(rows_of(parsed).loc[rows_of(parsed).sheet_name == alias, "la_code"]) == {"E06000022"}


def test_notes_sheet_is_ignored_and_an_unknown_sheet_is_an_error_naming_it(tmp_path):
    sheets = default_sheets(MARCH) | {"Notes": [["anything"]], "Swindon": sheet_rows(MARCH)}
    parsed = parse(tmp_path, sheets)
    assert [(f.rule, f.sheet) for f in parsed.findings] == [("unknown_sheet", "Swindon")]


def test_a_missing_sheet_is_an_error_naming_the_area(tmp_path):
    sheets = default_sheets(MARCH)
    del sheets["Bristol"]
    parsed = parse(tmp_path, sheets)
    assert rules(parsed) == ["missing_sheet"]
    assert "E06000023" in parsed.findings[0].message and "'Bristol'" in parsed.findings[0].message


def test_a_missing_force_area_sheet_is_a_query_and_the_authorities_load(tmp_path):
    """police.md: the force checks apply "where the force-area figure is present"; a workbook without it is not
    held back, its 60 authority figures load and the force area's stay not available (issue 16)."""
    sheets = default_sheets(MARCH)
    del sheets["Force"]
    path = write_scorecard(tmp_path / "police_scorecard" / "police_scorecard_2023-03.xlsx", MARCH, sheets)
    with duckdb.connect() as connection:
        result = ingest_file(connection, POLICE, identify(POLICE, path))
    assert [(f.rule, f.severity) for f in result.findings] == [("missing_force_area_sheet", Severity.QUERY)]
    assert "E23000036" in result.findings[0].message and "'Force'" in result.findings[0].message
    assert result.outcome.status == Status.ACCEPTED and result.outcome.rows == 10
    assert "E23000036" not in set(rows_of(parse_extract(POLICE, identify(POLICE, path))).la_code)


def test_blocks_and_rows_in_any_order_with_blank_separators_and_footnotes(tmp_path):
    rows = [
        ["Title"],
        ["12 months to 31/03/2023"],
        [],
        ["Child Sexual Exploitation", "Current", "Previous", "Chg", "% Chg"],
        ["Number of Child Sexual Exploitation Crimes", 128, 203, -75, "-36.9%"],
        [],
        [None, "12 Month Rolling"],
        HEADER,
        *reversed(measure_rows()),
        [],
        ["* CSE flag changed in October 2021"],
        ["Note: provisional"],
    ]
    sheets = default_sheets(MARCH) | {"B&NES": rows}
    parsed = parse(tmp_path, sheets)
    assert parsed.findings == []
    bath = rows_of(parsed)[rows_of(parsed).la_code == "E06000022"].set_index("metric_code")
    assert bath.loc["police_cse_crimes", "section"] == "Child Sexual Exploitation"
    assert bath.loc["police_missing_children_reports", "row_number"] == 9


def test_a_sheet_may_leave_out_a_block(tmp_path):
    sheets = default_sheets(MARCH)
    sheets["Somerset"] = sheet_rows(MARCH, measures=[])
    parsed = parse(tmp_path, sheets)
    assert parsed.findings == []
    assert "E06000066" not in set(rows_of(parsed).la_code)


@pytest.mark.parametrize(
    "label",
    [
        "number of missing children",
        "Number of  Missing   Children",
        "Number of Missing Children*",
        "Number of Missing\nChildren",
        "Number of Missing Children †",
    ],
)
def test_label_matching_ignores_case_spacing_and_footnote_marks(tmp_path, label):
    sheets = default_sheets(MARCH)
    sheets["Bristol"] = sheet_rows(MARCH, [[label, 59, 73, -14, "-19.2%"]])
    parsed = parse(tmp_path, sheets)
    assert parsed.findings == []
    bristol = rows_of(parsed)[rows_of(parsed).la_code == "E06000023"].iloc[0]
    assert (bristol.measure, bristol.measure_label_raw) == ("Number of Missing Children", label)


def test_an_unknown_label_is_an_error_naming_sheet_row_and_label(tmp_path):
    sheets = default_sheets(MARCH)
    sheets["Bristol"] = sheet_rows(MARCH, [*measure_rows(), ["Number of Missing Adults", 1, 2, -1, "-50.0%"]])
    (finding,) = parse(tmp_path, sheets).findings
    assert (finding.rule, finding.sheet, finding.row_number, finding.value) == (
        "unknown_label",
        "Bristol",
        8,
        "Number of Missing Adults",
    )


def test_the_force_area_only_measure_is_refused_on_an_authority_sheet(tmp_path):
    label = "Number of Police Protection Records Not Linked to a Beat Code"
    sheets = default_sheets(MARCH)
    sheets["Force"] = sheet_rows(MARCH, [*measure_rows(6), [label, 20, 18, 2, "11.1%"]])
    sheets["Somerset"] = sheet_rows(MARCH, [*measure_rows(), [label, 2, 1, 1, "100.0%"]])
    (finding,) = parse(tmp_path, sheets).findings
    assert (finding.rule, finding.sheet) == ("unknown_label", "Somerset")


def test_text_numbers_signs_and_percentages_as_fractions(tmp_path):
    path = write_scorecard(
        tmp_path / "police_scorecard" / "police_scorecard_2023-03.xlsx",
        MARCH,
        default_sheets(MARCH)
        | {"Bristol": sheet_rows(MARCH, [["Number of Missing Children", "1,121", "1,185", "-64", 0.0]])},
    )
    workbook = openpyxl.load_workbook(path)
    cell = workbook["Bristol"]["E6"]
    cell.value, cell.number_format = -0.054, "0.0%"
    workbook.save(path)
    parsed = parse_extract(POLICE, identify(POLICE, path))
    assert parsed.findings == []
    row = rows_of(parsed)[rows_of(parsed).la_code == "E06000023"].iloc[0]
    assert [row.current_12m, row.previous_12m, row.chg, row.pct_chg] == [1121, 1185, -64, -5.4]


def test_blanks_and_dashes_are_not_available(tmp_path):
    sheets = default_sheets(MARCH)
    sheets["Bristol"] = sheet_rows(MARCH, [["Number of Missing Children", "-", None, " - ", ""]])
    parsed = parse(tmp_path, sheets)
    assert parsed.findings == []
    row = rows_of(parsed)[rows_of(parsed).la_code == "E06000023"].iloc[0]
    assert row[["current_12m", "previous_12m", "chg", "pct_chg"]].isna().all()


def test_text_in_a_number_cell_is_an_error_naming_the_cell(tmp_path):
    sheets = default_sheets(MARCH)
    sheets["Bristol"] = sheet_rows(MARCH, [["Number of Missing Children", 59, "seventy", -14, "-19.2%"]])
    (finding,) = parse(tmp_path, sheets).findings
    assert (
        finding.rule,
        finding.sheet,
        finding.row_number,
        finding.column_letter,
        finding.column_name,
        finding.value,
    ) == ("not_a_number", "Bristol", 6, "C", "Previous", "seventy")


def test_the_period_row_must_agree_with_the_file_name(tmp_path):
    sheets = default_sheets(MARCH)
    sheets["Bristol"] = sheet_rows(date(2022, 12, 31))
    (finding,) = parse(tmp_path, sheets).findings
    assert (finding.rule, finding.sheet, finding.row_number) == ("period_mismatch", "Bristol", 2)
    assert "31/12/2022" in finding.message and "31/03/2023" in finding.message


def test_a_corrupt_file_is_one_clear_error(tmp_path):
    path = tmp_path / "police_scorecard" / "police_scorecard_2023-03.xlsx"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    parsed = parse_extract(POLICE, identify(POLICE, path))
    assert rules(parsed) == ["unreadable_file"]
    assert rows_of(parsed).empty and list(rows_of(parsed).columns)
