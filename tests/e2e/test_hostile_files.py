"""Hostile files through the whole pipeline: the run completes, each file is rejected with its reason and
quarantined, and nothing is written anywhere but the warehouse, the published files, the partners' reports and
the quarantine."""

import io
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
