"""The adult social care sample generator: its files are the shipped ones, each error it can inject is caught by
the rule asc.md names for it, and Bath and North East Somerset's 2021-12 extract gives the published figures."""

import io
import zipfile
from datetime import date

import pandas as pd
import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR
from dagster_project.lib.validation import validate_extract
from tools.samples import asc

pytestmark = pytest.mark.e2e

ASC = load_contracts()["asc"]
BANES, DECEMBER_2021 = "E06000022", date(2021, 12, 31)
WINDOW = ("2021-04-01", "2021-12-31")
# The generator's name for an injected error → the rule that must catch it.
CAUGHT_BY = {
    "unknown_code": "unknown_code",
    "unknown_risk_type": "unknown_code",
    "impossible_date": "impossible_date",
    "missing_column": "missing_column",
    "duplicate_id": "duplicate_id",
    "decision_before_receipt": "decision_before_receipt",
    "late_decision": "late_decision",
    "enquiry_before_concern": "enquiry_before_concern",
    "enquiry_end_before_start": "enquiry_end_before_start",
    "orphan_enquiry": "unknown_concern",
    "enquiry_for_not_care_act_concern": "concern_not_for_enquiry",
    "enquiry_type_mismatch": "enquiry_type_mismatch",
    "enquiry_other_person": "enquiry_person_differs",
    "date_outside_year": "date_outside_financial_year",
    "date_after_period_end": "date_after_period_end",
    "msp_achieved_without_expressed": "msp_achieved_without_expressed",
    "risk_result_without_risk": "risk_result_without_risk",
    "advocate_without_incapacity": "advocate_without_incapacity",
    "under_18": "under_18",
    "missing_module": "missing_module",
    "extra_file": "unknown_file",
}


def _percent(part: int, whole: int) -> int:
    """Rounded half up, as the published report rounds."""
    return (200 * part + whole) // (2 * whole)


def test_every_injection_is_named_here():
    assert set(asc.INJECTIONS) == set(CAUGHT_BY)


def test_file_names_follow_somerset_reorganisation():
    assert asc.file_name(BANES, DECEMBER_2021) == "asc_E06000022_2021-12.zip"
    assert asc.file_name("E06000066", date(2023, 3, 31)) == "asc_E10000027_2023-03.zip"
    assert asc.file_name("E06000066", date(2023, 6, 30)) == "asc_E06000066_2023-06.zip"


def test_the_shipped_samples_are_what_the_generator_makes(tmp_path):
    """Every authority and quarter, byte for byte (clean through the pipeline: test_asc_end_to_end.py)."""
    written = asc.write_samples(tmp_path)
    shipped = sorted((SAMPLE_EXTRACTS_DIR / "asc").iterdir())
    assert sorted(p.name for p in written) == [p.name for p in shipped]
    assert [p.name for p in written] == [asc.file_name(la, p) for la in asc.AUTHORITIES for p in asc.QUARTERS]
    for path in written:
        assert path.read_bytes() == (SAMPLE_EXTRACTS_DIR / "asc" / path.name).read_bytes(), path.name


@pytest.mark.parametrize("injection", sorted(CAUGHT_BY))
def test_each_injected_error_is_caught_by_its_rule(tmp_path, injection):
    path = asc.write_extract(BANES, DECEMBER_2021, tmp_path, inject=injection)
    parsed = parse_extract(ASC, identify(ASC, path))
    rules = {f.rule for f in parsed.findings + validate_extract(ASC, parsed)}
    assert CAUGHT_BY[injection] in rules
    assert zipfile.is_zipfile(path)


@pytest.fixture(scope="module")
def banes_december() -> tuple[pd.DataFrame, pd.DataFrame]:
    members = asc.build_extract(BANES, DECEMBER_2021)
    concerns, enquiries = (
        pd.read_csv(io.BytesIO(members[name]), dtype=str, keep_default_na=False)
        for name in ("concerns.csv", "enquiries.csv")
    )
    return concerns, enquiries


def test_banes_december_2021_gives_the_published_concern_figures(banes_december):
    concerns, _ = banes_december
    window = concerns[concerns["received_date"].between(*WINDOW)]
    assert len(window) == 1021
    assert window["person_id"].nunique() == 756
    assert window["outcome"].value_counts().to_dict() == {
        "S42_ENQUIRY": 253,
        "OTHER_ENQUIRY": 28,
        "S42_1_ACTIONS": 469,
        "NOT_CARE_ACT": 271,
    }
    assert window.loc[window["outcome"] == "S42_1_ACTIONS", "person_id"].nunique() == 386
    care_home = window[window["care_home"] == "Y"]
    assert len(care_home) == 491
    assert care_home["outcome"].isin(["S42_ENQUIRY", "OTHER_ENQUIRY", "S42_1_ACTIONS"]).sum() == 400
    assert (window["placed_out_of_area"] == "Y").sum() == 24
    days = pd.to_datetime(window["decision_date"]) - pd.to_datetime(window["received_date"])
    assert days.dt.days.max() <= 4


def test_banes_december_2021_gives_the_published_enquiry_figures(banes_december):
    _, enquiries = banes_december
    started = enquiries[enquiries["start_date"].between(*WINDOW)]
    assert started["enquiry_type"].value_counts().to_dict() == {"S42": 253, "OTHER": 28}
    assert started.loc[started["enquiry_type"] == "S42", "person_id"].nunique() == 247

    concluded = enquiries[enquiries["end_date"].between(*WINDOW) & (enquiries["enquiry_type"] == "S42")]
    expressed = concluded[(concluded["msp_asked"] == "ASKED_EXPRESSED") & (concluded["msp_achieved"] != "")]
    achieved = expressed["msp_achieved"].value_counts()
    shares = {code: _percent(int(achieved.get(code, 0)), len(expressed)) for code in ("FULLY", "PARTIALLY", "NOT")}
    assert shares == {"FULLY": 54, "PARTIALLY": 44, "NOT": 2}

    risk = concluded[concluded["risk_identified"] == "YES"]
    lowered = risk["risk_result"].isin(["REDUCED", "REMOVED"]).sum()
    assert _percent(int(lowered), len(risk)) == 71
