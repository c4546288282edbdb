"""The contracts in sources/, the metric catalogue and the published figures agree with each other."""

import csv
import filecmp
from pathlib import Path

import pytest

from dagster_project.lib.contracts import ContractError, SourceContract, load_contracts
from dagster_project.lib.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, REPO_ROOT

SHARED_SPEC = REPO_ROOT.parent / "shared" / "spec"


def catalogue() -> dict[str, dict[str, str]]:
    with (DBT_PROJECT_DIR / "seeds" / "metric_catalogue.csv").open(encoding="utf-8") as handle:
        return {row["metric_code"]: row for row in csv.DictReader(handle)}


def test_every_contract_names_an_existing_suite():
    for contract in load_contracts().values():
        assert (EXPECTATIONS_DIR / contract.suite).is_file()


@pytest.mark.parametrize("source", sorted(load_contracts()))
def test_every_code_is_a_string_as_written(source):
    """YAML reads an unquoted YES or NO as a boolean: a code list must hold the partner's text."""
    for name, codes in load_contracts()[source].spec.get("codes", {}).items():
        assert all(isinstance(code, str) for code in codes), f"{source}: codes {name} holds {codes}"


def test_every_police_measure_is_in_the_catalogue_and_nothing_else_is():
    police = load_contracts()["police_scorecard"]
    codes = {m["metric_code"] for m in police.spec["measures"]}
    catalogued = {code for code, row in catalogue().items() if row["source"] == "police_scorecard"}
    assert codes == catalogued


def test_a_contract_whose_example_does_not_match_its_pattern_is_refused():
    with pytest.raises(ContractError, match="file_example"):
        SourceContract.from_mapping(
            {
                "source": "x",
                "description": "x",
                "format": "block_workbook",
                "file_pattern": r"x_(?P<period>\d{4}-\d{2})",
                "file_example": "y_2023-03",
                "file_form": "x_YYYY-MM",
                "suite": "x.json",
            },
            origin="x.yaml",
        )


@pytest.mark.skipif(not SHARED_SPEC.is_dir(), reason="../shared/spec is not beside this checkout")
@pytest.mark.parametrize(
    "name", ["published_police_figures.csv", "published_other_figures.csv", "published_kpi_targets.csv"]
)
def test_the_published_figures_seeds_are_the_specs_own_files(name):
    assert filecmp.cmp(DBT_PROJECT_DIR / "seeds" / name, SHARED_SPEC / name, shallow=False)


def test_samples_are_what_the_generator_makes(tmp_path: Path):
    from dagster_project.samples.police_scorecard import write_samples
    from tests.conftest import SAMPLES

    written = write_samples(tmp_path)
    assert [p.name for p in written] == sorted(p.name for p in SAMPLES.iterdir())
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.name).read_bytes(), f"{path.name} differs from the shipped sample"


def test_the_sac_table_layout_uses_the_adult_contracts_code_lists():
    codes = load_contracts()["asc"].spec["codes"]
    with (DBT_PROJECT_DIR / "seeds" / "sac_table_layout.csv").open(encoding="utf-8") as handle:
        cells = list(csv.DictReader(handle))
    categories = {(c["table_reference"], c["category"]) for c in cells if c["subcategory"] == "ALL"}
    by_table: dict[str, set[str]] = {}
    for table, category in categories:
        by_table.setdefault(table, set()).add(category)
    assert by_table == {
        "SG1a": {"18-64", "65-74", "75-84", "85-94", "95+"},
        "SG1b": set(codes["sex"]),
        "SG1c": set(codes["ethnicity"]),
        "SG1d": set(codes["primary_support_reason"]),
        "SG2c": set(codes["risk_identified"]),
        "SG2e": set(codes["risk_result"]),
        "SG3a": set(codes["lacked_capacity"]),
        "SG4a": set(codes["msp_asked"]),
    }
    cross = {(c["table_reference"], c["category"], c["subcategory"]) for c in cells if c["subcategory"] != "ALL"}
    assert {(c, s) for t, c, s in cross if t == "SG2a"} == {
        (r, s) for r in codes["risk_type"] for s in codes["source_of_risk"]
    }
    assert {(c, s) for t, c, s in cross if t == "SG2b"} == {
        (r, s) for r in codes["location"] for s in codes["source_of_risk"]
    }
    assert {s for t, c, s in cross if t == "SG4a"} == set(codes["msp_achieved"])


def test_every_kpi_indicator_is_catalogued_with_its_published_text_and_target():
    indicators = load_contracts()["agency_kpis"].spec["indicators"]
    rows = {code: row for code, row in catalogue().items() if row["source"] == "agency_kpis"}
    assert set(indicators.values()) == set(rows)
    for text, code in indicators.items():
        assert rows[code]["metric_label"] == text
        assert rows[code]["target_direction"] == "at_least"
    if SHARED_SPEC.is_dir():
        with (SHARED_SPEC / "published_kpi_targets.csv").open(encoding="utf-8") as handle:
            published = {row["indicator"]: row["target_pct"] for row in csv.DictReader(handle)}
        assert {text: float(rows[code]["target_value"]) for text, code in indicators.items()} == {
            text: float(target) for text, target in published.items()
        }
