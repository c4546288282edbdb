"""Each rule of the police expectation suite, broken once; every finding names its place."""

from datetime import date

import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.findings import Severity
from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR
from dagster_project.lib.validation import SuiteError, build_suite, load_suite_definition, validate_extract
from tests.builders import default_sheets, measure_rows, sheet_rows, write_scorecard

POLICE = load_contracts()["police_scorecard"]
MARCH = date(2023, 3, 31)


def findings_for(tmp_path, bristol_measures):
    sheets = default_sheets(MARCH) | {"Bristol": sheet_rows(MARCH, bristol_measures)}
    path = write_scorecard(tmp_path / "police_scorecard" / "police_scorecard_2023-03.xlsx", MARCH, sheets)
    parsed = parse_extract(POLICE, identify(POLICE, path))
    assert parsed.findings == []
    return validate_extract(POLICE, parsed)


def test_a_consistent_workbook_passes_the_suite(tmp_path):
    assert findings_for(tmp_path, measure_rows()) == []


@pytest.mark.parametrize(
    ("row", "rule", "severity", "column", "value"),
    [
        (["Number of Missing Children", -3, 73, -76, "-104.1%"], "negative_count", Severity.ERROR, "B", "-3"),
        (["Number of Missing Children", 59, 73, -10, "-19.2%"], "chg_disagrees", Severity.ERROR, "D", "-10"),
        (["Number of Missing Children", 59, 73, -14, "-25.0%"], "pct_chg_disagrees", Severity.ERROR, "E", "-25"),
        (["Number of Missing Children", 59, 73, -14, "-19.1%"], "pct_chg_rounding", Severity.QUERY, "E", "-19.1"),
        (["Number of Missing Children", 5, 0, 5, "100.0%"], "pct_chg_disagrees", Severity.ERROR, "E", "100"),
        (
            ["Number of Missing Children", 900, 73, 827, "1132.9%"],
            "authorities_exceed_force_area",
            Severity.QUERY,
            "B",
            "354",
        ),
    ],
)
def test_each_rule_with_an_input_that_breaks_it(tmp_path, row, rule, severity, column, value):
    findings = findings_for(tmp_path, [row, measure_rows()[1]])
    assert [(f.rule, f.severity, f.column_letter) for f in findings] == [(rule, severity, column)]
    (finding,) = findings
    assert finding.file_name == "police_scorecard_2023-03.xlsx"
    assert finding.value == value
    if rule != "authorities_exceed_force_area":
        assert (finding.sheet, finding.row_number) == ("Bristol", 6)
    else:
        assert (finding.sheet, finding.row_number) == ("Force", 6)


def test_a_measure_twice_on_one_sheet_is_an_error_on_both_rows(tmp_path):
    findings = findings_for(tmp_path, [*measure_rows(), measure_rows()[0]])
    assert [(f.rule, f.sheet, f.row_number) for f in findings] == [
        ("duplicate_measure", "Bristol", 6),
        ("duplicate_measure", "Bristol", 8),
    ]


@pytest.mark.parametrize("source", sorted(load_contracts()))
def test_every_suite_file_is_valid_gx_and_every_expectation_names_a_rule(source):
    definition = load_suite_definition(load_contracts()[source].suite)
    suite = build_suite(definition)
    assert len(suite.expectations) == len(definition["expectations"])
    assert all(e["meta"]["rule"] and e["severity"] in {"critical", "warning"} for e in definition["expectations"])


def test_an_invalid_expectation_is_not_dropped_silently():
    with pytest.raises(SuiteError):
        build_suite({"name": "broken", "expectations": [{"type": "expect_column_values_to_be_between", "kwargs": {}}]})


def test_an_expectation_gx_cannot_run_stops_validation_instead_of_reporting_the_data(tmp_path, monkeypatch):
    from dagster_project.lib import validation

    definition = load_suite_definition(POLICE.suite)
    broken = {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "no_such_column", "min_value": 0},
        "meta": {"rule": "broken"},
    }
    monkeypatch.setattr(validation, "load_suite_definition", lambda name: {**definition, "expectations": [broken]})
    with pytest.raises(SuiteError, match="could not run"):
        findings_for(tmp_path, measure_rows())


def test_the_validation_is_written_as_great_expectations_data_docs(tmp_path):
    parsed = parse_extract(
        POLICE, identify(POLICE, SAMPLE_EXTRACTS_DIR / "police_scorecard" / "police_scorecard_2023-03.xlsx")
    )
    validate_extract(POLICE, parsed, data_docs=tmp_path)
    (page,) = tmp_path.glob("*.html")
    assert "police_scorecard" in page.read_text()


def test_data_docs_never_show_a_personal_columns_values(tmp_path):
    import pandas as pd

    from dagster_project.lib.validation import _gx_validator, write_data_docs

    frame = pd.DataFrame({"child_id": ["a1b2c3d4e5", "f6a7b8c9d0"], "outcome": ["NFA", "UNKNOWN-CODE"]})
    suite = build_suite(
        {
            "name": "privacy",
            "expectations": [
                {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "child_id", "value_set": []}},
                {"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "outcome", "value_set": ["NFA"]}},
            ],
        }
    )
    result = _gx_validator().get_batch(batch_parameters={"dataframe": frame}).validate(suite, result_format="COMPLETE")
    html = write_data_docs(result, frozenset({"child_id"}), tmp_path / "t.html").read_text()
    assert "UNKNOWN-CODE" in html, "other columns' unexpected values are shown"
    assert "a1b2c3d4e5" not in html and "f6a7b8c9d0" not in html
