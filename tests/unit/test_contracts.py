"""The contracts in sources/, the metric catalogue and the published figures agree with each other."""

import csv
import filecmp
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from dagster_project.lib.contracts import ContractError, SourceContract, load_contracts
from dagster_project.lib.registry import load_registry
from dagster_project.lib.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR, REPO_ROOT, SOURCES_DIR

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
    for name, codes in load_contracts()[source].terms.codes.items():
        assert all(isinstance(code, str) for code in codes), f"{source}: codes {name} holds {codes}"


def test_every_police_measure_is_in_the_catalogue_and_nothing_else_is():
    police = load_contracts()["police_scorecard"]
    codes = {m.metric_code for m in police.terms.measures}
    catalogued = {code for code, row in catalogue().items() if row["source"] == "police_scorecard"}
    assert codes == catalogued


def contract_as_written(source: str) -> dict:
    return yaml.safe_load((SOURCES_DIR / f"{source}.yaml").read_text(encoding="utf-8"))


def test_a_contract_whose_example_does_not_match_its_pattern_is_refused():
    spec = contract_as_written("police_scorecard") | {"file_example": "y_2023-03"}
    with pytest.raises(ContractError, match="file_example"):
        SourceContract.from_mapping(spec, origin="police_scorecard.yaml")


def test_a_misspelt_key_fails_the_load_naming_the_file_the_key_and_the_nearest_known_one(tmp_path):
    """`personal_colums:` used to be read as "no personal columns": findings would have shown the values."""
    for path in SOURCES_DIR.glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        (tmp_path / path.name).write_text(text.replace("personal_columns:", "personal_colums:"), encoding="utf-8")
    with pytest.raises(ContractError) as raised:
        load_contracts(tmp_path)
    message = str(raised.value)
    # Contracts load in name order: the first that has the key fails.
    first = min(path.name for path in SOURCES_DIR.glob("*.yaml") if "personal_columns:" in path.read_text())
    assert message.startswith(f"{first}: personal_colums: not a key")
    assert "did you mean 'personal_columns'?" in message


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda s: s["personal_columns"].append("chlid_id"),
            "personal_columns: 'chlid_id' is no module's column; did you mean 'child_id'?",
        ),
        (
            lambda s: s["modules"]["children"]["columns"]["sex"].update(codes="gender"),
            "modules.children.columns.sex.codes: 'gender' is no list",
        ),
        (
            lambda s: s["modules"]["missing"]["columns"]["start_date"].update(knid="date"),
            "modules.missing.columns.start_date.knid: not a key the contract knows; did you mean 'kind'?",
        ),
        (
            lambda s: s["modules"]["children"]["columns"]["sex"].update(kind="gender"),
            "modules.children.columns.sex.kind: Input should be 'id'",
        ),
        (
            lambda s: s["checks"]["lookups"][0].update(module="assesments"),
            "checks.lookups: 'assesments' is no module; did you mean 'assessments'?",
        ),
        (
            lambda s: s["layouts"]["bristol_case_system"]["headers"]["children"].update({"Sex": "sexx"}),
            "maps to 'sexx', not a column; did you mean 'sex'?",
        ),
        (
            lambda s: s["delivery"].update(period_months=[13]),
            "delivery.period_months.0: Input should be less than or equal to 12",
        ),
    ],
    ids=["personal column", "code list", "column key", "column kind", "check module", "partner header", "month"],
)
def test_a_name_that_points_nowhere_is_refused(edit, expected):
    spec = contract_as_written("csc")
    edit(spec)
    with pytest.raises(ContractError, match=re.escape(expected)):
        SourceContract.from_mapping(spec, origin="csc.yaml")


@pytest.mark.skipif(not SHARED_SPEC.is_dir(), reason="../shared/spec is not beside this checkout")
@pytest.mark.parametrize(
    "name", ["published_police_figures.csv", "published_other_figures.csv", "published_kpi_targets.csv"]
)
def test_the_published_figures_seeds_are_the_specs_own_files(name):
    assert filecmp.cmp(DBT_PROJECT_DIR / "seeds" / name, SHARED_SPEC / name, shallow=False)


def test_samples_are_what_the_generator_makes(tmp_path: Path):
    from tests.conftest import SAMPLES
    from tools.samples.police_scorecard import write_samples

    written = write_samples(tmp_path)
    assert [p.name for p in written] == sorted(p.name for p in SAMPLES.iterdir())
    for path in written:
        assert path.read_bytes() == (SAMPLES / path.name).read_bytes(), f"{path.name} differs from the shipped sample"


def test_the_sac_table_layout_uses_the_adult_contracts_code_lists():
    codes = load_contracts()["asc"].terms.codes
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
    indicators = load_contracts()["agency_kpis"].terms.indicators
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


def code_columns(contract: SourceContract) -> dict[tuple[str, str], str]:
    """(raw table, column) → the code list the contract holds it to."""
    from dagster_project.lib.parsing.csv_modules import table_name

    columns = {}
    for module in contract.terms.modules.values():
        for column in module.columns.values():
            if column.kind == "code":
                columns[table_name(contract, module.name), column.name] = column.codes
        items = module.item_columns
        if items is not None and items.value in contract.terms.codes:
            columns[table_name(contract, items.table), items.value] = items.value
    return columns


@pytest.mark.parametrize("source", sorted(s for s, c in load_contracts().items() if c.format != "block_workbook"))
def test_a_suite_holds_a_code_column_to_the_contracts_own_list_never_a_copy(source):
    """One definition per code list: the suite names it (`{"$PARAMETER": "codes_<list>"}`), the contract holds it."""
    contract = load_contracts()[source]
    suite = json.loads((EXPECTATIONS_DIR / contract.suite).read_text(encoding="utf-8"))
    held = code_columns(contract)
    in_set = [e for e in suite["expectations"] if e["type"] == "expect_column_values_to_be_in_set"]
    checked = set()
    for expectation in in_set:
        key = (expectation["meta"]["table"], expectation["kwargs"]["column"])
        if key in held:
            assert expectation["kwargs"]["value_set"] == {"$PARAMETER": f"codes_{held[key]}"}, key
            checked.add(key)
    assert checked == set(held), f"code columns no expectation holds to their list: {set(held) - checked}"


@pytest.mark.parametrize("source", sorted(load_contracts()))
def test_every_parameter_a_suite_names_is_one_validation_gives(source):
    from dagster_project.lib.validation import suite_parameters

    contract = load_contracts()[source]
    suite = json.loads((EXPECTATIONS_DIR / contract.suite).read_text(encoding="utf-8"))
    named = {
        value["$PARAMETER"]
        for e in suite["expectations"]
        for value in e["kwargs"].values()
        if isinstance(value, dict) and "$PARAMETER" in value
    }
    assert named <= set(suite_parameters(contract, date(2023, 3, 31)))


def test_the_registry_is_the_one_list_of_authorities_no_contract_names_one():
    """A national deployment lists its authorities in dbt/seeds/authorities.csv and nowhere else. A contract's
    `file_example` shows a file name (an example, not a partner list); no other line carries an area code."""
    codes = set(load_registry().areas) | set(load_registry().predecessors())
    for path in sorted(SOURCES_DIR.rglob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.startswith("file_example:"):
                named = codes & set(re.findall(r"E\d{8}", line))
                assert not named, f"{path.name}:{number} names {named}: list it in the partner registry instead"


def test_every_layout_the_registry_assigns_is_one_its_contract_describes():
    registry, contracts = load_registry(), load_contracts()
    for (source, la_code), layout in registry.layouts.items():
        assert la_code in registry.authorities(), la_code
        assert layout in contracts[source].terms.layouts, f"{source} has no layout {layout!r}"


def test_predecessor_codes_resolve_to_the_series_they_continue():
    registry = load_registry()
    assert registry.current_code("E10000027") == "E06000066" == registry.current_code("E06000066")
    assert "E10000027" in registry.known_authority_codes() and registry.force_area() == "E23000036"
