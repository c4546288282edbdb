"""SSDA903 returns: the schema of the file's collection year, headers in any case, privacy at the door (postcodes
as districts, a UPN's shape checked before it is hashed), and who is expected to send the return."""

import zipfile
from datetime import date
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.findings import Severity
from dagster_project.lib.ingest import ingest_file
from dagster_project.lib.landing import FileNameError, identify
from dagster_project.lib.loading import ensure_raw_layer
from dagster_project.lib.parsing import parse_extract, parser_format
from dagster_project.lib.privacy import WITHHELD
from dagster_project.lib.registry import load_registry
from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR
from dagster_project.lib.submissions import Delivery
from tests.csc903_builders import Child, contract_for, write_return

CSC903 = load_contracts()["csc903"]


def parsed_return(tmp_path, children=None, period="2023-03"):
    path = tmp_path / f"csc903_E06000024_{period}.zip"
    write_return(path, children or [Child.clean(1)], period)
    contract = contract_for(period)
    return parse_extract(contract, identify(contract, path))


def test_each_collection_year_has_its_own_tables_and_codes():
    years = {year: CSC903.terms.for_collection_year(year) for year in CSC903.terms.collection_years.years()}
    assert list(years) == ["2021-22", "2022-23", "2023-24", "2024-25", "2025-26"]
    assert "sw_episodes" not in years["2022-23"].modules and "sw_episodes" in years["2023-24"].modules
    assert years["2023-24"].codes["sex"] == ["1", "2"] and years["2024-25"].codes["sex"] == ["M", "F", "U"]
    placements = {year: set(terms.codes["placement"]) for year, terms in years.items()}
    assert {"H5", "P2", "Z1"} <= placements["2023-24"] and "K3" not in placements["2023-24"]
    assert "K3" in placements["2024-25"] and not {"H5", "P2"} & placements["2024-25"]
    assert "Z1" in placements["2024-25"] and "Z1" not in placements["2025-26"]
    assert {"Z11", "Z14"} <= placements["2025-26"]


def test_a_return_of_a_year_with_no_schema_is_rejected_naming_the_years_known(tmp_path):
    path = tmp_path / "csc903_E06000024_2019-03.zip"
    write_return(path, [Child.clean(1)], "2023-03")
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_layer(connection, [CSC903])
    result = ingest_file(connection, CSC903, identify(CSC903, path))
    (finding,) = result.findings
    assert finding.rule == "unknown_collection_year" and finding.severity is Severity.ERROR
    assert "2018-19" in finding.message and "2021-22, 2022-23, 2023-24, 2024-25, 2025-26" in finding.message
    assert result.outcome.status == "rejected"


def test_a_file_name_for_another_month_than_march_is_refused():
    with pytest.raises(FileNameError, match=r"csc903_<la_code>_YYYY-03\.zip"):
        identify(CSC903, Path("csc903_E06000024_2023-06.zip"))


def test_a_table_of_a_later_year_is_an_unknown_file_of_an_earlier_return(tmp_path):
    path = tmp_path / "csc903_E06000024_2023-03.zip"
    write_return(path, [Child.clean(1)], "2023-03")
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("SWEpisodes.csv", "CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n")
    contract = contract_for("2023-03")
    parsed = parse_extract(contract, identify(contract, path))
    assert [(f.rule, f.severity, f.sheet) for f in parsed.findings] == [
        ("unknown_file", Severity.QUERY, "SWEpisodes.csv")
    ]
    assert "csc903_sw_episodes" not in parsed.tables


def test_headers_match_whatever_their_case(tmp_path):
    path = tmp_path / "csc903_E06000024_2023-03.zip"
    write_return(path, [Child.clean(1)], "2023-03")
    lowered = tmp_path / "lower" / path.name
    lowered.parent.mkdir()
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(lowered, "w") as target:
        for info in source.infolist():
            head, _, body = source.read(info).decode().partition("\n")
            target.writestr(info.filename.lower(), f"{head.lower()}\n{body}")
    contract = contract_for("2023-03")
    parsed = parse_extract(contract, identify(contract, lowered))
    assert parsed.findings == []
    assert len(parsed.tables["csc903_episodes"].frame) == 2


def test_postcodes_are_kept_as_districts_and_a_bad_one_is_withheld(tmp_path):
    child = Child.clean(1)
    child.tables["episodes"][0].update(HOME_POST="bs1  4dj", PL_POST="TA1 1AA")
    child.tables["episodes"][1].update(PL_POST="NOT A POSTCODE")
    parsed = parsed_return(tmp_path, [child])
    episodes = parsed.tables["csc903_episodes"].frame
    assert list(episodes["HOME_POST"]) == ["BS1", "BS1"]
    assert episodes["PL_POST"].iloc[0] == "TA1" and episodes["PL_POST"].isna().iloc[1]
    (finding,) = parsed.findings
    assert (finding.rule, finding.row_number, finding.column_name, finding.value) == (
        "not_a_postcode",
        3,
        "PL_POST",
        WITHHELD,
    )


def test_a_upn_is_checked_before_it_is_hashed_and_never_shown(tmp_path):
    child = Child.clean(1)
    child.tables["header"][0]["UPN"] = "O12345678901"
    parsed = parsed_return(tmp_path, [child])
    (finding,) = parsed.findings
    assert (finding.rule, finding.column_name, finding.value) == ("903_168", "UPN", WITHHELD)
    upn = parsed.tables["csc903_header"].frame["UPN"].iloc[0]
    assert len(upn) == 32 and "O12345678901" not in upn


def test_the_return_keeps_the_zip_pseudonym_and_a_month_of_birth(tmp_path):
    parsed = parsed_return(tmp_path)
    header = parsed.tables["csc903_header"].frame
    assert header["DOB"].iloc[0] == "2012-06"
    assert header["CHILD"].iloc[0] != "C00001" and len(header["CHILD"].iloc[0]) == 32


def test_ages_from_a_month_of_birth_flag_only_what_is_certain(tmp_path):
    child = Child.clean(1)
    child.tables["header"][0]["DOB"] = "20/09/2012"  # 10 on 20 September 2022: the episode starts on the 1st
    contract = contract_for("2023-03")
    parsed = parsed_return(tmp_path, [child])
    episodes = parser_format(contract).add_check_columns(contract, parsed)["csc903_episodes"]
    second = episodes.iloc[1]
    assert (second["age_at_DECOM_at_most"], second["age_at_DECOM_at_least"]) == (10, 9)


def test_the_return_is_expected_only_from_authorities_registered_to_send_it(monkeypatch):
    assert Delivery.of(CSC903).partners == ()
    registry = load_registry()
    registered = registry.__class__(registry.areas, registry.layouts, {"csc903": ("E06000024",)})
    monkeypatch.setattr("dagster_project.lib.submissions.load_registry", lambda: registered)
    delivery = Delivery.of(CSC903)
    assert delivery.partners == ("E06000024",)
    assert delivery.periods(date(2024, 7, 1)) == [date(2022, 3, 31), date(2023, 3, 31), date(2024, 3, 31)]
    assert delivery.due_date(date(2024, 3, 31)) == date(2024, 6, 30)


def test_the_shipped_returns_and_censuses_are_what_the_generators_make(tmp_path):
    from tools.samples import cin, csc903

    for generator, source in ((csc903, "csc903"), (cin, "cin")):
        written = generator.write_samples(tmp_path)
        shipped = sorted(p.name for p in (SAMPLE_EXTRACTS_DIR / source).iterdir())
        assert sorted(p.name for p in written) == shipped
        for path in written:
            assert path.read_bytes() == (SAMPLE_EXTRACTS_DIR / source / path.name).read_bytes(), path.name


def test_a_return_of_headers_only_is_accepted_with_nothing_to_report(tmp_path):
    from tools.samples import csc903

    path = csc903.write_extract("E06000024", date(2023, 3, 31), tmp_path, inject="header_only")
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_layer(connection, [CSC903])
    result = ingest_file(connection, CSC903, identify(CSC903, path))
    assert (result.outcome.status, result.outcome.rows, result.findings) == ("accepted", 0, [])
