"""The children's social care sample generator: its files are the shipped ones, and each error it can inject
is caught by the rule csc.md names for it."""

import zipfile
from datetime import date

import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR
from dagster_project.lib.validation import validate_extract
from tools.samples import csc

pytestmark = pytest.mark.e2e

CSC = load_contracts()["csc"]
NORTH_SOMERSET, MARCH_2023 = "E06000024", date(2023, 3, 31)
# The generator's name for an injected error → the rule that must catch it.
CAUGHT_BY = {
    "unknown_code": "unknown_code",
    "impossible_date": "impossible_date",
    "missing_column": "missing_column",
    "duplicate_id": "duplicate_id",
    "orphan_child": "unknown_child",
    "assessment_before_referral": "assessment_before_referral",
    "cp_end_before_start": "cp_end_before_start",
    "closure_before_referral": "closure_before_referral",
    "missing_end_before_start": "missing_end_before_start",
    "episode_end_before_start": "episode_end_before_start",
    "overlapping_cp_plans": "overlapping_cp_plans",
    "overlapping_cla_episodes": "overlapping_cla_episodes",
    "date_after_period_end": "date_after_period_end",
    "sex_unknown_share": "unknown_sex_share",
    "stale_open_referral": "stale_open_referral",
    "missing_module": "module_absent",
    "extra_file": "unknown_file",
}


def test_every_injection_is_named_here():
    assert set(csc.INJECTIONS) == set(CAUGHT_BY)


def test_the_shipped_sample_is_what_the_generator_makes(tmp_path):
    written = csc.write_extract(NORTH_SOMERSET, MARCH_2023, tmp_path)
    shipped = SAMPLE_EXTRACTS_DIR / "csc" / written.name
    assert written.read_bytes() == shipped.read_bytes()


@pytest.mark.parametrize("injection", sorted(CAUGHT_BY))
def test_each_injected_error_is_caught_by_its_rule(tmp_path, injection):
    path = csc.write_extract(NORTH_SOMERSET, MARCH_2023, tmp_path, inject=injection)
    parsed = parse_extract(CSC, identify(CSC, path))
    rules = {f.rule for f in parsed.findings + validate_extract(CSC, parsed)}
    assert CAUGHT_BY[injection] in rules
    assert zipfile.is_zipfile(path)
