"""Children's social care zips: every mapping quirk, privacy at the door, and every rule of csc.md broken once."""

from pathlib import Path

import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.findings import Severity
from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.privacy import PseudonymisationKeyMissing
from dagster_project.lib.validation import validate_extract
from tests.csc_builders import as_bristol, clean_modules, write_csc_zip
from tests.module_zips import append_copy, set_values

CSC = load_contracts()["csc"]


def extract(tmp_path: Path, modules=None, la_code="E06000024", extra=None):
    path = write_csc_zip(tmp_path / "csc" / f"csc_{la_code}_2023-03.zip", modules, extra)
    parsed = parse_extract(CSC, identify(CSC, path))
    return parsed, parsed.findings + validate_extract(CSC, parsed)


def test_a_clean_extract_gives_seven_tables_and_no_findings(tmp_path):
    parsed, findings = extract(tmp_path)
    assert findings == []
    assert {name: len(t.frame) for name, t in parsed.tables.items()} == {
        "csc_children": 2,
        "csc_contacts": 1,
        "csc_referrals": 1,
        "csc_assessments": 1,
        "csc_cp_plans": 1,
        "csc_cla_episodes": 2,
        "csc_missing": 1,
    }


def test_identifiers_are_keyed_hashes_and_birth_dates_months(tmp_path):
    parsed, _ = extract(tmp_path)
    children = parsed.tables["csc_children"].frame
    assert children["birth_month"].tolist() == ["2012-05", "2008-11"]
    assert all(len(v) == 32 and v != "NSC0000001" for v in children["child_id"])
    referral = parsed.tables["csc_referrals"].frame.iloc[0]
    assert referral.child_id == children.child_id.iloc[0], "the same case number gives the same pseudonym"


def test_no_key_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("PSEUDONYMISATION_KEY")
    with pytest.raises(PseudonymisationKeyMissing, match="PSEUDONYMISATION_KEY is not set"):
        extract(tmp_path)


def test_bristol_headers_codes_and_dates_map_to_the_same_model(tmp_path):
    canonical, _ = extract(tmp_path / "a", la_code="E06000024")
    bristol, findings = extract(tmp_path / "b", as_bristol(clean_modules()), la_code="E06000023")
    assert findings == []
    for name, table in canonical.tables.items():
        ids = [c for c, s in CSC.terms.modules[name.removeprefix("csc_")].columns.items() if s.kind == "id"]
        assert table.frame.drop(columns=ids).equals(bristol.tables[name].frame.drop(columns=ids)), name
    assert bristol.tables["csc_children"].frame["sex"].tolist() == ["F", "M"]


def test_a_missing_module_is_read_as_nothing_to_report_but_children_are_required(tmp_path):
    modules = clean_modules()
    del modules["missing"]
    _, findings = extract(tmp_path / "a", modules)
    assert [(f.rule, f.severity, f.sheet) for f in findings] == [("module_absent", Severity.QUERY, "missing.csv")]
    modules = clean_modules()
    del modules["children"]
    _, findings = extract(tmp_path / "b", modules)
    assert ("missing_module", Severity.ERROR, "children.csv") in [(f.rule, f.severity, f.sheet) for f in findings]


def test_an_unknown_extra_file_is_ignored_and_reported(tmp_path):
    _, findings = extract(tmp_path, extra={"notes.txt": b"call me"})
    assert [(f.rule, f.severity, f.sheet) for f in findings] == [("unknown_file", Severity.QUERY, "notes.txt")]


def test_an_absent_column_is_an_error_naming_it(tmp_path):
    modules = clean_modules()
    for row in modules["referrals"]:
        del row["referral_source"]
    _, findings = extract(tmp_path, modules)
    assert [(f.rule, f.sheet, f.column_name) for f in findings] == [
        ("missing_column", "referrals.csv", "referral_source")
    ]


RULES = [
    ("unknown_code", Severity.ERROR, "contacts.csv", 2, "D", set_values("contacts", 0, contact_source="99")),
    ("unknown_code", Severity.ERROR, "assessments.csv", 2, "F", set_values("assessments", 0, factors="3A,99Z")),
    ("unknown_code", Severity.ERROR, "children.csv", 2, "E", set_values("children", 0, disability="Maybe")),
    (
        "impossible_date",
        Severity.ERROR,
        "referrals.csv",
        2,
        "C",
        set_values("referrals", 0, referral_date="2023-02-30"),
    ),
    ("impossible_date", Severity.ERROR, "children.csv", 2, "C", set_values("children", 0, birth_month="2012-13")),
    ("missing_value", Severity.ERROR, "cp_plans.csv", 2, "E", set_values("cp_plans", 0, initial_category="")),
    ("duplicate_id", Severity.ERROR, "contacts.csv", (2, 3), "A", append_copy("contacts", 0)),
    ("unknown_child", Severity.ERROR, "contacts.csv", 2, "B", set_values("contacts", 0, child_id="NSC0000099")),
    (
        "assessment_before_referral",
        Severity.ERROR,
        "assessments.csv",
        2,
        "D",
        set_values("assessments", 0, start_date="2022-06-01"),
    ),
    ("cp_end_before_start", Severity.ERROR, "cp_plans.csv", 2, "D", set_values("cp_plans", 0, end_date="2022-07-01")),
    (
        "closure_before_referral",
        Severity.ERROR,
        "referrals.csv",
        2,
        "G",
        set_values("referrals", 0, closure_date="2022-06-01", closure_reason="RC1"),
    ),
    (
        "missing_end_before_start",
        Severity.ERROR,
        "missing.csv",
        2,
        "D",
        set_values("missing", 0, end_date="2022-08-31"),
    ),
    (
        "episode_end_before_start",
        Severity.ERROR,
        "cla_episodes.csv",
        2,
        "G",
        set_values("cla_episodes", 0, episode_end="2021-01-01"),
    ),
    (
        "overlapping_cp_plans",
        Severity.ERROR,
        "cp_plans.csv",
        3,
        "C",
        append_copy("cp_plans", 0, plan_id="NSCPP000002", start_date="2022-09-01"),
    ),
    (
        "overlapping_cla_episodes",
        Severity.ERROR,
        "cla_episodes.csv",
        3,
        "B",
        set_values("cla_episodes", 1, episode_start="2022-01-01"),
    ),
    (
        "date_after_period_end",
        Severity.ERROR,
        "missing.csv",
        2,
        "C",
        set_values("missing", 0, start_date="2023-04-01", end_date=""),
    ),
]


@pytest.mark.parametrize(("rule", "severity", "module", "row", "column", "mutate"), RULES, ids=[r[0] for r in RULES])
def test_each_rule_with_an_input_that_breaks_it(tmp_path, rule, severity, module, row, column, mutate):
    modules = clean_modules()
    mutate(modules)
    _, findings = extract(tmp_path, modules)
    rows = row if isinstance(row, tuple) else (row,)
    assert [(f.rule, f.severity, f.sheet, f.row_number, f.column_letter) for f in findings] == [
        (rule, severity, module, r, column) for r in rows
    ]
    assert findings[0].file_name == "csc_E06000024_2023-03.zip"


def test_a_referral_open_two_years_without_activity_is_a_query(tmp_path):
    modules = clean_modules()
    modules["contacts"][0]["contact_date"] = "2020-01-01"
    modules["referrals"][0]["referral_date"] = "2020-01-02"
    modules["assessments"][0].update(start_date="2020-01-03", authorised_date="2020-02-01")
    modules["cp_plans"] = []
    _, findings = extract(tmp_path, modules)
    assert [(f.rule, f.severity, f.row_number) for f in findings] == [("stale_open_referral", Severity.QUERY, 2)]


def test_more_than_two_percent_sex_unknown_is_one_query_for_the_extract(tmp_path):
    modules = clean_modules()
    modules["children"][1]["sex"] = "U"
    _, findings = extract(tmp_path, modules)
    assert [(f.rule, f.severity, f.row_number) for f in findings] == [("unknown_sex_share", Severity.QUERY, None)]
    assert "50.0%" in findings[0].message


def test_findings_never_carry_an_identifier_or_a_birth_date(tmp_path):
    modules = clean_modules()
    append_copy("contacts", 0)(modules)
    modules["children"][0]["birth_month"] = "2012-13"
    modules["referrals"][0]["child_id"] = "NSC0000077"
    _, findings = extract(tmp_path, modules)
    text = " ".join(str(f) for f in findings)
    assert {"duplicate_id", "impossible_date", "unknown_child"} <= {f.rule for f in findings}
    for raw in ("NSCON000001", "NSC0000077", "2012-13"):
        assert raw not in text


def test_a_file_from_an_authority_outside_the_partnership_is_an_error(tmp_path):
    _, findings = extract(tmp_path, la_code="E06000099")
    assert [(f.rule, f.value) for f in findings] == [("unknown_authority", "E06000099")]


def test_somersets_former_county_code_is_accepted(tmp_path):
    _, findings = extract(tmp_path, la_code="E10000027")
    assert findings == []
