"""Adult social care zips: both files, privacy at the door, and every rule of asc.md broken once."""

from pathlib import Path

import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.findings import Severity
from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.validation import validate_extract
from tests.asc_builders import clean_modules, write_asc_zip
from tests.module_zips import append_copy, set_values

ASC = load_contracts()["asc"]


def extract(tmp_path: Path, modules=None, la_code="E06000022", period="2021-12", extra=None):
    path = write_asc_zip(tmp_path / "asc" / f"asc_{la_code}_{period}.zip", modules, extra)
    parsed = parse_extract(ASC, identify(ASC, path))
    return parsed, parsed.findings + validate_extract(ASC, parsed)


def test_a_clean_extract_gives_both_tables_and_no_findings(tmp_path):
    parsed, findings = extract(tmp_path)
    assert findings == []
    assert {name: len(t.frame) for name, t in parsed.tables.items()} == {"asc_concerns": 5, "asc_enquiries": 3}


def test_case_numbers_are_keyed_hashes_that_still_join(tmp_path):
    parsed, _ = extract(tmp_path)
    concerns, enquiries = parsed.tables["asc_concerns"].frame, parsed.tables["asc_enquiries"].frame
    for column in ("concern_id", "person_id"):
        assert all(len(v) == 32 and not v.startswith(("SC", "AP")) for v in concerns[column])
    assert set(enquiries["concern_id"]) <= set(concerns["concern_id"])
    assert enquiries["risk_types"].tolist()[0] == "NEGLECT|PHYSICAL"


def test_somerset_keeps_its_pseudonyms_across_the_change_of_code(tmp_path):
    county, findings = extract(tmp_path / "a", la_code="E10000027")
    unitary, _ = extract(tmp_path / "b", la_code="E06000066")
    assert findings == []
    assert county.tables["asc_concerns"].frame["person_id"].equals(unitary.tables["asc_concerns"].frame["person_id"])


def test_both_files_are_required_and_a_missing_one_is_one_error_not_a_flood(tmp_path):
    modules = clean_modules()
    del modules["enquiries"]
    _, findings = extract(tmp_path, modules)
    # March's concern is there for its open enquiry: without enquiries.csv that cannot be checked, nor reported.
    assert [(f.rule, f.severity, f.sheet) for f in findings] == [("missing_module", Severity.ERROR, "enquiries.csv")]


E, Q = Severity.ERROR, Severity.QUERY
LAST_MARCH = {"received_date": "2021-03-30", "decision_date": "2021-04-02"}
CLOSED_LAST_MARCH = {"end_date": "2021-03-31", "risk_identified": "NO"}
CONCERNS, ENQUIRIES = "concerns.csv", "enquiries.csv"
RULES = [
    ("unknown_code", E, CONCERNS, 2, "D", set_values("concerns", 0, concern_source="NEIGHBOUR")),
    ("unknown_code", E, CONCERNS, 2, "G", set_values("concerns", 0, care_home="Yes")),
    ("unknown_code", E, ENQUIRIES, 2, "I", set_values("enquiries", 0, risk_types="NEGLECT|CYBER")),
    ("unknown_code", E, ENQUIRIES, 3, "J", set_values("enquiries", 1, risk_identified="MAYBE")),
    ("impossible_date", E, CONCERNS, 2, "C", set_values("concerns", 0, received_date="2021-02-30")),
    ("missing_value", E, CONCERNS, 2, "F", set_values("concerns", 0, outcome="")),
    ("duplicate_id", E, CONCERNS, (2, 7), "A", append_copy("concerns", 0)),
    ("decision_before_receipt", E, CONCERNS, 2, "E", set_values("concerns", 0, decision_date="2021-05-01")),
    ("late_decision", Q, CONCERNS, 3, "E", set_values("concerns", 1, decision_date="2021-10-20")),
    ("enquiry_before_concern", E, ENQUIRIES, 2, "E", set_values("enquiries", 0, start_date="2021-05-02")),
    ("enquiry_end_before_start", E, ENQUIRIES, 2, "F", set_values("enquiries", 0, end_date="2021-05-05")),
    ("unknown_concern", E, ENQUIRIES, 2, "B", set_values("enquiries", 0, concern_id="SC00000099")),
    ("concern_not_for_enquiry", E, ENQUIRIES, 2, "B", set_values("concerns", 0, outcome="NOT_CARE_ACT")),
    ("enquiry_type_mismatch", Q, ENQUIRIES, 2, "D", set_values("enquiries", 0, enquiry_type="OTHER")),
    ("enquiry_person_differs", E, ENQUIRIES, 2, "C", set_values("enquiries", 0, person_id="AP0000002")),
    ("date_outside_financial_year", E, CONCERNS, 6, "C", set_values("concerns", 4, **LAST_MARCH)),
    ("date_outside_financial_year", E, ENQUIRIES, 4, "F", set_values("enquiries", 2, **CLOSED_LAST_MARCH)),
    ("date_after_period_end", E, ENQUIRIES, 2, "F", set_values("enquiries", 0, end_date="2022-01-04")),
    ("msp_achieved_without_expressed", E, ENQUIRIES, 3, "M", set_values("enquiries", 1, msp_achieved="FULLY")),
    ("risk_result_without_risk", E, ENQUIRIES, 3, "K", set_values("enquiries", 1, risk_result="REMOVED")),
    ("advocate_without_incapacity", E, ENQUIRIES, 3, "O", set_values("enquiries", 1, advocate="N")),
    ("under_18", E, CONCERNS, 4, "I", set_values("concerns", 2, age="17")),
    ("incomplete_enquiry", Q, ENQUIRIES, 2, "K", set_values("enquiries", 0, risk_result="")),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "severity", "module", "row", "column", "mutate"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_with_an_input_that_breaks_it(tmp_path, rule, severity, module, row, column, mutate):
    modules = clean_modules()
    mutate(modules)
    _, findings = extract(tmp_path, modules)
    rows = row if isinstance(row, tuple) else (row,)
    assert [(f.rule, f.severity, f.sheet, f.row_number, f.column_letter) for f in findings] == [
        (rule, severity, module, r, column) for r in rows
    ]
    assert findings[0].file_name == "asc_E06000022_2021-12.zip"


def test_an_open_enquiry_from_last_year_and_its_concern_belong_in_this_years_extract(tmp_path):
    parsed, findings = extract(tmp_path)
    assert findings == []
    enquiries = parsed.tables["asc_enquiries"].frame
    assert enquiries["start_date"].min().date().isoformat() == "2021-03-25"


def test_findings_never_carry_a_case_number(tmp_path):
    modules = clean_modules()
    append_copy("concerns", 0)(modules)
    modules["enquiries"][1]["concern_id"] = "SC00000077"
    modules["enquiries"][0]["person_id"] = "AP0000002"
    _, findings = extract(tmp_path, modules)
    assert {"duplicate_id", "unknown_concern", "enquiry_person_differs"} <= {f.rule for f in findings}
    text = " ".join(str(f) for f in findings)
    for raw in ("SC00000001", "SC00000077", "AP0000002", "AP0000001"):
        assert raw not in text
