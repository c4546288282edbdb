"""One landed file through the stages: hash → (already loaded?) → parse → validate → load."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile, sha256_of
from dagster_project.lib.loading import RAW_SCHEMA, LoadOutcome, Status, find_loaded, load_extract
from dagster_project.lib.metering import stage
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.resubmissions import TableChanges, record_resubmission_changes
from dagster_project.lib.validation import validate_extract


@dataclass(frozen=True)
class IngestResult:
    landed: LandedFile
    sha256: str
    outcome: LoadOutcome
    findings: list[Finding]
    # The version this one replaces, and what it changed (a resubmission).
    replaced_load_id: str | None = None
    changes: list[TableChanges] = field(default_factory=list)

    def summary(self) -> str:
        outcome = self.outcome
        if not outcome.loaded:
            return f"{self.landed.name}: unchanged, already loaded as {outcome.load_id}"
        return (
            f"{self.landed.name}: {outcome.status} - {outcome.rows} rows, "
            f"{outcome.errors} errors, {outcome.queries} queries (load {outcome.load_id})"
        )


def ingest_file(
    connection: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    landed: LandedFile,
    run_id: str | None = None,
    data_docs: Path | None = None,
) -> IngestResult:
    """Load one landed file (unless its bytes were loaded before); with `data_docs`, its validation's GX Data Docs
    pages go to that folder."""
    with stage("landing"):
        sha256 = sha256_of(landed.path)
        existing = find_loaded(connection, contract.source, sha256)
    if existing is not None:
        return _already_loaded(connection, landed, sha256, existing)
    with stage("parsing") as parsing:
        parsed = parse_extract(contract, landed)
        parsing.rows = parsed.row_count
    with stage("validation") as validation:
        findings = parsed.findings + validate_extract(contract, parsed, data_docs)
        validation.rows = parsed.row_count
    compared: list[tuple[str | None, list[TableChanges]]] = []

    def record_changes(connection: duckdb.DuckDBPyConnection, load_id: str) -> None:
        compared.append(record_resubmission_changes(connection, contract, load_id))

    with stage("loading") as loading:
        outcome = load_extract(connection, contract, parsed, findings, sha256, run_id, also=record_changes)
        loading.rows = outcome.rows
    replaced, changes = compared[0] if compared else (None, [])
    return IngestResult(landed, sha256, outcome, findings, replaced, changes)


def _already_loaded(
    connection: duckdb.DuckDBPyConnection, landed: LandedFile, sha256: str, load_id: str
) -> IngestResult:
    """The same bytes again: nothing is written; the earlier load's findings still describe it."""
    rows = connection.execute(
        f"""select rule, severity, message, file_name, sheet, row_number, column_name, column_letter, value
            from {RAW_SCHEMA}.findings where load_id = ?""",
        [load_id],
    ).fetchall()
    findings = [
        Finding(
            rule=r[0],
            severity=Severity(r[1]),
            message=r[2],
            file_name=r[3],
            sheet=r[4],
            row_number=r[5],
            column_name=r[6],
            column_letter=r[7],
            value=r[8],
        )
        for r in rows
    ]
    errors = sum(f.severity is Severity.ERROR for f in findings)
    outcome = LoadOutcome(load_id, Status.DUPLICATE, errors, len(findings) - errors, 0)
    return IngestResult(landed, sha256, outcome, findings)
