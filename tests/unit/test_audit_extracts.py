"""Audit files (audits.md): section 175 survey exports — items found from their headers, the survey tool's
columns never stored — and agency KPI returns matched to the published indicators; every rule broken once."""

from pathlib import Path

import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.findings import Severity
from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.validation import validate_extract
from tests.module_zips import csv_bytes

S175, KPIS = load_contracts()["s175"], load_contracts()["agency_kpis"]
E, Q = Severity.ERROR, Severity.QUERY
SURVEY = {
    "Respondent ID": "1140001",
    "IP Address": "192.0.2.17",
    "Start time": "2022-01-14 09:31:07",
    "Collector": "Web",
}
# Two settings of Bath and North East Somerset's register (dbt/seeds/s175_settings.csv), one returned.
SETTING_COLUMNS = ["urn", "setting_name", "setting_type", "academic_year", "submitted_date"]


def s175_rows() -> list[dict[str, str]]:
    first, second = BANES_URNS[:2]
    returned = dict(zip(SETTING_COLUMNS, [first, "First School", "MAINTAINED", "2021-22", "2022-01-14"], strict=True))
    waiting = dict(zip(SETTING_COLUMNS, [second, "Second School", "ACADEMY", "2021-22", ""], strict=True))
    return [
        SURVEY | returned | {"1.1": "Green", "1.2": "Amber", "2.1": "N/A", "2.2": ""},
        {k: "" for k in SURVEY} | waiting | {"1.1": "", "1.2": "", "2.1": "", "2.2": ""},
    ]


def _register_urns(la_code: str) -> list[str]:
    import csv

    from dagster_project.lib.settings import DBT_PROJECT_DIR

    with (DBT_PROJECT_DIR / "seeds" / "s175_settings.csv").open(encoding="utf-8") as handle:
        return [row["urn"] for row in csv.DictReader(handle) if row["la_code"] == la_code]


BANES_URNS = _register_urns("E06000022")


def read_csv_file(tmp_path: Path, contract, file_name: str, rows: list[dict[str, str]]):
    """Write rows as the file, parse and validate it as the pipeline would; the parsed tables and all findings."""
    path = tmp_path / contract.source / file_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_bytes(rows, list(rows[0])))
    parsed = parse_extract(contract, identify(contract, path))
    return parsed, parsed.findings + validate_extract(contract, parsed)


def s175(tmp_path: Path, rows=None):
    return read_csv_file(tmp_path, S175, "s175_E06000022_2022-03.csv", s175_rows() if rows is None else rows)


def test_items_are_found_from_their_headers_and_the_survey_tools_columns_are_not_kept(tmp_path):
    parsed, findings = s175(tmp_path)
    assert findings == []
    returns, ratings = parsed.tables["s175_returns"].frame, parsed.tables["s175_ratings"].frame
    assert list(returns.columns) == ["row_number", *SETTING_COLUMNS]
    assert ratings[["urn", "item_ref", "rating", "cell_letter"]].values.tolist() == [
        [BANES_URNS[0], "1.1", "Green", "J"],
        [BANES_URNS[0], "1.2", "Amber", "K"],
        [BANES_URNS[0], "2.1", "N/A", "L"],
    ]
    assert "192.0.2.17" not in repr(parsed)


def test_an_extra_survey_column_is_reported_and_not_kept(tmp_path):
    rows = [{"Email Address": "head@example.org", **row} for row in s175_rows()]
    parsed, findings = s175(tmp_path, rows)
    assert [(f.rule, f.severity, f.column_name, f.column_letter) for f in findings] == [
        ("unknown_column", Q, "Email Address", "A")
    ]
    assert "head@example.org" not in repr(parsed) + repr(findings)


def _set(row: int, **values: str):
    def mutate(rows):
        rows[row].update(values)

    return mutate


S175_RULES = [
    ("unknown_code", E, 2, "K", _set(0, **{"1.2": "Yellow"})),
    ("unknown_urn", Q, 2, "E", _set(0, urn="999999")),
    ("invalid_urn", E, 2, "E", _set(0, urn="12345")),
    ("wrong_academic_year", E, 3, "H", _set(1, academic_year="2020-21")),
    ("date_after_period_end", E, 2, "I", _set(0, submitted_date="2022-04-02")),
    ("duplicate_id", E, 3, "E", _set(1, urn=BANES_URNS[0])),
]


@pytest.mark.parametrize(("rule", "severity", "row", "column", "mutate"), S175_RULES, ids=[r[0] for r in S175_RULES])
def test_each_s175_rule_with_an_input_that_breaks_it(tmp_path, rule, severity, row, column, mutate):
    rows = s175_rows()
    mutate(rows)
    _, findings = s175(tmp_path, rows)
    found = [(f.rule, f.severity, f.row_number, f.column_letter) for f in findings]
    assert (rule, severity, row, column) in found
    assert {f[0] for f in found} <= {rule, "duplicate_id", "unknown_urn"}


def kpi_rows() -> list[dict[str, str]]:
    texts = list(KPIS.terms.indicators)
    return [
        {"agency": "Police", "indicator": texts[0], "staff_in_scope": "120", "staff_compliant": "97"},
        {"agency": "Council", "indicator": texts[0], "staff_in_scope": "40", "staff_compliant": "40"},
        {"agency": "Council", "indicator": texts[1], "staff_in_scope": "1,200", "staff_compliant": "1,031"},
    ]


def kpis(tmp_path: Path, rows=None):
    return read_csv_file(tmp_path, KPIS, "agency_kpis_E06000022_2022-03.csv", kpi_rows() if rows is None else rows)


def test_indicators_are_matched_to_the_catalogue_by_their_published_text(tmp_path):
    parsed, findings = kpis(tmp_path)
    assert findings == []
    frame = parsed.tables["agency_kpis_returns"].frame
    assert frame["metric_code"].tolist() == [
        "kpi_prevent_wrap_training",
        "kpi_prevent_wrap_training",
        "kpi_prevent_awareness_training",
    ]
    assert frame["staff_in_scope"].tolist() == [120, 40, 1200]


KPI_RULES = [
    ("unknown_indicator", E, 2, "B", _set(0, indicator="Relevant staff have undertaken Prevent training.")),
    ("compliant_exceeds_scope", E, 3, "D", _set(1, staff_compliant="41")),
    ("negative_count", E, 2, "D", _set(0, staff_compliant="-3")),
    ("no_staff_in_scope", Q, 2, "C", _set(0, staff_in_scope="0", staff_compliant="0")),
    ("duplicate_record", E, 3, "B", _set(1, agency="Police")),
]


@pytest.mark.parametrize(("rule", "severity", "row", "column", "mutate"), KPI_RULES, ids=[r[0] for r in KPI_RULES])
def test_each_kpi_rule_with_an_input_that_breaks_it(tmp_path, rule, severity, row, column, mutate):
    rows = kpi_rows()
    mutate(rows)
    _, findings = kpis(tmp_path, rows)
    assert (rule, severity, row, column) in [(f.rule, f.severity, f.row_number, f.column_letter) for f in findings]


def test_an_unknown_indicator_names_the_nearest_published_one(tmp_path):
    rows = kpi_rows()
    rows[2]["indicator"] = "Relevant staff have undertaken Prevent awareness training."
    _, findings = kpis(tmp_path, rows)
    (finding,) = findings
    assert "did you mean 'Relevant staff have undertaken Prevent awareness training'" in finding.message
