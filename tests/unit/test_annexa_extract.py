"""Annex A workbooks: a sheet per list found by its name, headers in the template's wording whatever their case,
the template's values read as codes, privacy at the door, findings on the sheet, row and column letter, and the
suite's rules each broken on one row and kept on every other."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import duckdb
import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.lib.findings import Severity
from dagster_project.lib.ingest import INTERNAL_ERROR, ingest_file
from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.privacy import pseudonymisation_key, pseudonymise
from dagster_project.lib.settings import EXPECTATIONS_DIR
from dagster_project.lib.validation import validate_extract
from tests.annexa_builders import ANNEXA, PERIOD, Row, clean_lists, write_annexa

Lists = dict[str, Row]
Break = Callable[[Lists], None]
FILE = f"annexa_E06000023_{PERIOD}.xlsx"


def read(path):
    parsed = parse_extract(ANNEXA, identify(ANNEXA, path))
    return parsed, parsed.findings + validate_extract(ANNEXA, parsed)


def test_a_clean_workbook_gives_a_row_per_record_and_no_findings(tmp_path):
    parsed, findings = read(write_annexa(tmp_path / FILE, [clean_lists(1), clean_lists(2)]))
    assert findings == []
    assert {name: len(table.frame) for name, table in parsed.tables.items()} == {
        f"annexa_{module}": 2 for module in ANNEXA.terms.modules
    }


def test_the_templates_values_are_read_as_codes_and_the_child_keeps_the_zips_pseudonym(tmp_path):
    lists = clean_lists(1)
    lists["referrals"]["referral_source"] = "1A"  # the DfE's bare code reads the same as the template's value
    parsed, findings = read(write_annexa(tmp_path / FILE, [lists]))
    assert findings == []
    contacts = parsed.tables["annexa_contacts"].frame
    assert contacts["contact_source"].iloc[0] == "2A" and contacts["ethnicity"].iloc[0] == "WBRI"
    assert parsed.tables["annexa_referrals"].frame["referral_source"].iloc[0] == "1A"
    care = parsed.tables["annexa_children_in_care"].frame.iloc[0]
    assert (care["legal_status"], care["placement"], care["uasc"]) == ("C2", "U1", "No")
    assert care["placement_postcode"] == "BS1" and care["birth_month"] == "2010-03"
    zip_pseudonym = pseudonymise(pd.Series(["C00001"]), pseudonymisation_key(), "E06000023").iloc[0]
    assert contacts["child_id"].iloc[0] == zip_pseudonym


def test_headers_in_another_case_under_a_title_row_and_blank_rows_are_read(tmp_path):
    path = write_annexa(tmp_path / FILE, [clean_lists(1), clean_lists(2)])
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["List 3"]
    sheet.title = "LIST 3 - Referrals"
    for cell in sheet[1]:
        cell.value = f"  {str(cell.value).upper()} "
    sheet.insert_rows(1)
    sheet["A1"] = "Annex A list 3: referrals in the six months"
    sheet.insert_rows(4)  # a blank row between the two referrals
    workbook.save(path)
    parsed, findings = read(path)
    assert findings == []
    assert parsed.tables["annexa_referrals"].frame["row_number"].tolist() == [3, 5]


def test_team_and_worker_names_are_never_stored(tmp_path):
    path = write_annexa(tmp_path / FILE, [clean_lists(1)], {"referrals": ["Allocated Team", "Allocated Worker"]})
    parsed, findings = read(path)
    assert findings == []
    assert not {"Allocated Team", "Allocated Worker"} & set(parsed.tables["annexa_referrals"].frame.columns)
    assert "x" not in parsed.tables["annexa_referrals"].frame.to_numpy().tolist()


def test_a_missing_list_an_unknown_sheet_and_a_second_sheet_for_a_list_are_reported(tmp_path):
    path = write_annexa(tmp_path / FILE, [clean_lists(1)])
    workbook = openpyxl.load_workbook(path)
    del workbook["List 9"]
    workbook.create_sheet("Notes")
    workbook.copy_worksheet(workbook["List 1"]).title = "List 1 (2)"
    workbook.save(path)
    parsed, findings = read(path)
    found = {(f.rule, f.severity, f.sheet) for f in findings}
    assert found == {
        ("module_absent", Severity.QUERY, "List 9"),
        ("unknown_sheet", Severity.QUERY, "Notes"),
        ("duplicate_sheet", Severity.ERROR, "List 1 (2)"),
    }
    assert "annexa_care_leavers" in parsed.absent


def test_a_missing_column_and_a_date_in_the_wrong_form_name_the_sheet_row_and_column(tmp_path):
    lists = clean_lists(1)
    lists["referrals"]["referral_date"] = "2023-05-10"
    path = write_annexa(tmp_path / FILE, [lists])
    workbook = openpyxl.load_workbook(path)
    workbook["List 1"].delete_cols(6)  # Contact Source
    workbook.save(path)
    _, findings = read(path)
    places = {(f.rule, f.sheet, f.row_number, f.column_letter, f.column_name) for f in findings}
    assert ("impossible_date", "List 3", 2, "E", "Date of referral") in places
    assert ("missing_column", "List 1", None, None, "Contact Source") in places


@pytest.mark.parametrize(
    "content",
    [b"Child Unique ID,Gender\nC1,a) Male\n", b"PK\x03\x04 not really a zip", "Child ID".encode("utf-16")],
    ids=["csv", "broken zip", "utf-16 text"],
)
def test_a_file_that_is_not_a_workbook_is_one_finding(tmp_path, content):
    path = tmp_path / FILE
    path.write_bytes(content)
    parsed, findings = read(path)
    assert [(f.rule, f.severity) for f in findings] == [("unreadable_file", Severity.ERROR)]
    assert parsed.row_count == 0


def _set(module: str, **values: object) -> Break:
    return lambda lists: lists[module].update(values)


# (rule, the list whose row breaks it, how): each case's child keeps every other rule.
CASES: list[tuple[str, str, Break]] = [
    ("missing_value", "contacts", _set("contacts", contact_date=None)),
    ("impossible_date", "referrals", _set("referrals", referral_date="31/02/2023")),
    ("not_a_number", "referrals", _set("referrals", referrals_in_12_months="two")),
    ("not_a_postcode", "children_in_care", _set("children_in_care", placement_postcode="nope")),
    ("annexa_unknown_code", "contacts", _set("contacts", contact_source="z) 99: Martians")),
    ("annexa_unknown_code", "cp_plans", _set("cp_plans", latest_category="f) Bullying")),
    ("annexa_unknown_code", "children_in_care", _set("children_in_care", legal_status="Z9: Unknown order")),
    ("annexa_negative_count", "cp_plans", _set("cp_plans", previous_plans=-1)),
    ("annexa_after_period_end", "referrals", _set("referrals", referral_date=date(2023, 10, 2))),
    ("annexa_after_period_end", "children_in_care", _set("children_in_care", care_end_date=date(2023, 10, 2),
                                                          reason_ceased="t) E8: Care ceased for any other reason")),
    ("annexa_before_the_six_months", "contacts", _set("contacts", contact_date=date(2023, 3, 1))),
    ("annexa_before_the_six_months", "cp_plans", _set("cp_plans", start_date=date(2022, 7, 5),
                                                      end_date=date(2023, 3, 1))),
    ("annexa_date_order", "assessments", _set("assessments", authorised_date=date(2023, 5, 1))),
    ("annexa_date_order", "cp_plans", _set("cp_plans", end_date=date(2023, 7, 1))),
    ("annexa_date_order", "children_in_care", _set("children_in_care", placement_start_date=date(2023, 4, 1))),
    ("annexa_date_order", "section47", _set("section47", icpc_date=date(2023, 6, 1))),
    ("annexa_reason_ceased_missing", "children_in_care", _set("children_in_care", care_end_date=date(2023, 9, 1))),
    ("annexa_reason_ceased_missing", "children_in_care", _set("children_in_care", reason_ceased="t) E8: Other")),
    ("annexa_closure_reason_missing", "children_in_need",
     _set("children_in_need", cin_closure_date=date(2023, 9, 1), case_status="e) Closed episode")),
    ("annexa_before_birth", "referrals", _set("referrals", birth_month=date(2023, 8, 1))),
    ("annexa_adult", "contacts", _set("contacts", birth_month=date(2000, 1, 1))),
    ("annexa_adult", "children_in_care", _set("children_in_care", birth_month=date(2004, 2, 1))),
]  # fmt: skip
SEVERITY = {
    "annexa_before_the_six_months": Severity.QUERY,
    "annexa_closure_reason_missing": Severity.QUERY,
    "annexa_before_birth": Severity.QUERY,
    "annexa_adult": Severity.QUERY,
}


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Every case broken its own way in one workbook (case n on row n + 2 of each list); and the same clean."""
    folder = tmp_path_factory.mktemp("annexa_rules")
    cases = []
    for n, (_, _, breaks) in enumerate(CASES):
        lists = clean_lists(n)
        breaks(lists)
        cases.append(lists)
    _, broken = read(write_annexa(folder / "broken" / FILE, cases))
    _, clean = read(write_annexa(folder / "clean" / FILE, [clean_lists(n) for n in range(len(CASES))]))
    return broken, clean


def test_clean_lists_keep_every_rule(validated):
    assert validated[1] == []


@pytest.mark.parametrize(("n", "rule", "module"), [(n, rule, module) for n, (rule, module, _) in enumerate(CASES)])
def test_the_broken_row_breaks_its_rule(validated, n, rule, module):
    sheet = str(ANNEXA.terms.modules[module].sheet)
    on_the_row = {(f.rule, f.severity) for f in validated[0] if f.row_number == n + 2 and f.sheet == sheet}
    assert (rule, SEVERITY.get(rule, Severity.ERROR)) in on_the_row
    elsewhere = {f.rule for f in validated[0] if f.row_number == n + 2 and f.sheet != sheet}
    assert elsewhere == set()


def test_every_rule_of_the_suite_is_tested():
    suite = json.loads((EXPECTATIONS_DIR / "annexa.json").read_text(encoding="utf-8"))
    rules = {e["meta"]["rule"] for e in suite["expectations"]}
    assert rules - {rule for rule, *_ in CASES} == {"annexa_duplicate_child"}


def test_a_care_leaver_listed_twice_is_an_error_on_both_rows(tmp_path):
    first, second = clean_lists(1), clean_lists(2)
    second["care_leavers"] = first["care_leavers"]
    _, findings = read(write_annexa(tmp_path / FILE, [first, second]))
    assert {(f.rule, f.sheet, f.row_number) for f in findings} == {
        ("annexa_duplicate_child", "List 9", 2),
        ("annexa_duplicate_child", "List 9", 3),
    }


CELL = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),  # what a cell can hold
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=False),
    st.dates(min_value=date(1900, 1, 1)),
    st.booleans(),
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_lists_with_any_cells_end_in_findings(tmp_path_factory, data):
    """Lists dropped or renamed, headers blanked or respelt, any cell any value Excel can hold: through parse,
    validation and load, never an exception."""
    path = write_annexa(tmp_path_factory.mktemp("fuzz") / FILE, [clean_lists(1), clean_lists(2)])
    workbook = openpyxl.load_workbook(path)
    for sheet in list(workbook.worksheets):
        action = data.draw(st.sampled_from(["keep", "drop", "rename", "edit"]), label=sheet.title)
        if action == "drop":
            workbook.remove(sheet)
        elif action == "rename":
            sheet.title = data.draw(st.sampled_from(["List", "list 1", "Sheet1", f"{sheet.title} copy"]))
        elif action == "edit":
            for _ in range(data.draw(st.integers(1, 6), label="cells")):
                row, column = data.draw(st.integers(1, 4)), data.draw(st.integers(1, sheet.max_column + 1))
                sheet.cell(row, column).value = data.draw(CELL, label=f"{sheet.title}!{row},{column}")
    workbook.save(path)
    with duckdb.connect() as connection:
        result = ingest_file(connection, ANNEXA, identify(ANNEXA, path))
    assert not [f for f in result.findings if f.rule == INTERNAL_ERROR]
    assert all(f.file_name == FILE for f in result.findings)
