"""One landed file through the stages: hash → (already loaded?) → parse → validate → load."""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from dagster_project.lib.contracts import ContractError, SourceContract, UnknownCollectionYear
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile, sha256_of
from dagster_project.lib.loading import RAW_SCHEMA, LoadOutcome, Status, find_loaded, load_extract
from dagster_project.lib.metering import stage
from dagster_project.lib.parsing import ParsedExtract, ParsedTable, parse_extract, parser_format
from dagster_project.lib.privacy import PseudonymisationKeyMissing
from dagster_project.lib.resubmissions import TableChanges, record_resubmission_changes
from dagster_project.lib.validation import validate_extract

INTERNAL_ERROR = "internal_error"
# Faults of the deployment, not of a file: every file would fail the same way, so the run stops and says why.
DEPLOYMENT_ERRORS = (PseudonymisationKeyMissing, ContractError)
PACKAGE_DIR = Path(__file__).resolve().parents[1]


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
    parsed, findings = _parse_and_validate(contract, landed, data_docs)
    compared: list[tuple[str | None, list[TableChanges]]] = []

    def record_changes(connection: duckdb.DuckDBPyConnection, load_id: str) -> None:
        compared.append(record_resubmission_changes(connection, contract, load_id))

    with stage("loading") as loading:
        outcome = load_extract(connection, contract, parsed, findings, sha256, run_id, also=record_changes)
        loading.rows = outcome.rows
    replaced, changes = compared[0] if compared else (None, [])
    return IngestResult(landed, sha256, outcome, findings, replaced, changes)


def _parse_and_validate(
    contract: SourceContract, landed: LandedFile, data_docs: Path | None
) -> tuple[ParsedExtract, list[Finding]]:
    """The file parsed and validated, whatever it holds: an exception in either stage is our defect, never the
    partner's, so it becomes an `internal_error` finding that rejects the file (quarantined with its report)
    instead of failing the run and every other file in it. A deployment fault (no pseudonymisation key) still
    stops the run: no file could load."""
    try:
        contract = contract.for_period(landed.period_end)
    except UnknownCollectionYear as unknown:
        return _nothing_read(contract, landed), [unknown_collection_year(landed, unknown)]
    with stage("parsing") as parsing:
        try:
            parsed = parse_extract(contract, landed)
        except DEPLOYMENT_ERRORS:
            raise
        except Exception as error:
            return _nothing_read(contract, landed), [internal_error(landed, "parsing", error)]
        parsing.rows = parsed.row_count
    with stage("validation") as validation:
        try:
            findings = parsed.findings + validate_extract(contract, parsed, data_docs)
        except DEPLOYMENT_ERRORS:
            raise
        except Exception as error:
            findings = [*parsed.findings, internal_error(landed, "validation", error)]
        validation.rows = parsed.row_count
    return parsed, findings


def unknown_collection_year(landed: LandedFile, unknown: UnknownCollectionYear) -> Finding:
    return Finding(
        rule="unknown_collection_year",
        severity=Severity.ERROR,
        message=f"{unknown}; check the year in the file name, or ask the data team to add the year's schema",
        file_name=landed.name,
        value=unknown.year,
    )


def internal_error(landed: LandedFile, stage_name: str, error: Exception) -> Finding:
    """A finding for an exception of ours. It names the exception's type and where our code raised it, never its
    text, which may quote a cell (a raw identifier); the quarantined file reproduces it."""
    return Finding(
        rule=INTERNAL_ERROR,
        severity=Severity.ERROR,
        message=(
            f"the pipeline failed in its {stage_name} stage ({type(error).__name__} at {_raised_at(error)}): a "
            "defect of the platform, not of the file. The file is kept in quarantine for the data team, who "
            "have been alerted; do not resend unless they ask."
        ),
        file_name=landed.name,
    )


def _raised_at(error: Exception) -> str:
    """`module.py:line in function` of the innermost frame of this project's code in the traceback."""
    ours = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if Path(frame.filename).resolve().is_relative_to(PACKAGE_DIR)
    ]
    if not ours:
        return "an unknown place"
    frame = ours[-1]
    return f"{Path(frame.filename).resolve().relative_to(PACKAGE_DIR.parent)}:{frame.lineno} in {frame.name}"


def _nothing_read(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    """What a parser that failed read: the source's tables, empty."""
    tables = parser_format(contract).empty_tables(contract)
    return ParsedExtract(landed, {name: ParsedTable(name, frame) for name, frame in tables.items()})


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
