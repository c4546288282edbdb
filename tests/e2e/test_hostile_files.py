"""Hostile files through the whole pipeline: the run completes, each file is rejected with its reason and
quarantined, and nothing is written anywhere but the warehouse, the published files, the partners' reports and
the quarantine."""

import io
import shutil
import zipfile

import pytest

from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR

pytestmark = pytest.mark.e2e

CSC = SAMPLE_EXTRACTS_DIR / "csc" / "csc_E06000024_2023-03.zip"


def rezip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_hostile_files_are_rejected_quarantined_and_write_nothing_elsewhere(pipeline):
    with zipfile.ZipFile(CSC) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    folder = pipeline.landing / "csc"
    folder.mkdir(parents=True)
    bomb = members | {"contacts.csv": b"0" * (64 * 1024**2)}
    (folder / "csc_E06000024_2023-03.zip").write_bytes(rezip(bomb))
    escape = dict(members)
    escape["../../../escaped/children.csv"] = escape.pop("children.csv")
    (folder / "csc_E06000025_2023-03.zip").write_bytes(rezip(escape))
    s175 = pipeline.landing / "s175"
    s175.mkdir()
    text = (SAMPLE_EXTRACTS_DIR / "s175" / "s175_E06000022_2023-03.csv").read_text(encoding="utf-8")
    (s175 / "s175_E06000022_2023-03.csv").write_bytes(text.encode("utf-16"))
    before = {p for p in pipeline.landing.parent.rglob("*")}

    outcome = pipeline.refresh()

    assert outcome.success, outcome.report()
    rules = dict(
        pipeline.query(
            """select file_name, string_agg(distinct rule, ',' order by rule) from marts.extract_findings
               where severity = 'error' group by all"""
        )
    )
    assert "suspicious_compression" in rules["csc_E06000024_2023-03.zip"]
    assert "unsafe_member_name" in rules["csc_E06000025_2023-03.zip"]
    assert "unreadable_module" in rules["s175_E06000022_2023-03.csv"]
    quarantined = {p.name for p in (pipeline.landing.parent / "quarantine").rglob("*") if p.is_file()}
    assert {"csc_E06000024_2023-03.zip", "csc_E06000025_2023-03.zip", "s175_E06000022_2023-03.csv"} <= quarantined
    written = {
        p.relative_to(pipeline.landing.parent).parts[0] for p in set(pipeline.landing.parent.rglob("*")) - before
    }
    allowed = {"warehouse.duckdb", "warehouse.duckdb.wal", "published", "feedback", "quarantine", "dagster_home"}
    assert written <= allowed | {"official_statistics"}, written
    assert not any(p.name == "escaped" for p in pipeline.landing.parent.parent.rglob("escaped"))


def test_a_fault_of_ours_on_one_file_rejects_that_file_and_the_others_of_the_run_load(pipeline, monkeypatch):
    """A defect in validation (or parsing, or a check column) injected for one file: that file ends rejected with
    an `internal_error` finding, quarantined with its issue report; the run succeeds and the next file loads."""
    import dagster as dg

    from dagster_project.assets.extracts import extract_keys
    from dagster_project.definitions import build_definitions
    from dagster_project.lib import ingest
    from dagster_project.lib.contracts import load_contracts
    from dagster_project.partitions import quarters

    faulty, sound = "s175_E06000022_2023-03.csv", "s175_E06000024_2023-03.csv"
    folder = pipeline.landing / "s175"
    folder.mkdir(parents=True)
    for name in (faulty, sound):
        shutil.copy(SAMPLE_EXTRACTS_DIR / "s175" / name, folder / name)
    real_validate = ingest.validate_extract

    def validate_or_fail(contract, parsed, data_docs=None):
        if parsed.landed.name == faulty:
            raise ZeroDivisionError("a defect injected by the test")
        return real_validate(contract, parsed, data_docs)

    monkeypatch.setattr(ingest, "validate_extract", validate_or_fail)
    pipeline.instance.add_dynamic_partitions(quarters.name, ["2023-03"])
    job = build_definitions().resolve_job_def("refresh_warehouse")
    result = job.execute_in_process(
        instance=pipeline.instance,
        partition_key="2023-03",
        asset_selection=extract_keys(load_contracts()["s175"]),
        raise_on_error=False,
    )

    assert result.success
    loaded = dict(pipeline.query("select file_name, status from raw.extracts"))
    assert loaded == {faulty: "rejected", sound: "accepted"}
    [(message,)] = pipeline.query("select message from raw.findings where rule = 'internal_error'")
    assert "validation stage (ZeroDivisionError at dagster_project/" in message
    assert "injected" not in message, "an exception's text may quote a cell: it stays out of the finding"
    quarantined = {p.name for p in (pipeline.landing.parent / "quarantine" / "s175").iterdir()}
    reports = {name for name in quarantined - {faulty} if name.startswith(faulty.removesuffix(".csv"))}
    assert faulty in quarantined and reports, quarantined
    assert sound not in quarantined
    failed_checks = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert "errors" in failed_checks
    assert dg.AssetKey(["raw", "s175"]) in {e.asset_key for e in result.get_asset_materialization_events()}
