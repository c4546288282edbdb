"""One extract asset per source contract: a quarter's landed files parsed, validated and loaded raw.

The expectation suite's outcome is reported as two asset checks on the asset: `errors` (severity
ERROR: an extract with errors is kept out of the marts) and `queries` (WARN: it loads, flagged).
"""

from collections import defaultdict
from collections.abc import Iterator

import dagster as dg
import pandas as pd

from dagster_project.assets.landing import landing_key
from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.feedback import IssueReport, write_issue_report
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.ingest import IngestResult, ingest_file
from dagster_project.lib.landing import partition_fingerprint
from dagster_project.lib.loading import Status
from dagster_project.lib.parsing import parser_format
from dagster_project.lib.quarantine import quarantine
from dagster_project.partitions import quarters
from dagster_project.resources import FeedbackResource, LandingResource, PublishedPagesResource, WarehouseResource

ERRORS_CHECK = "errors"
QUERIES_CHECK = "queries"
FINGERPRINT_KEY = "landing_fingerprint"
PREVIEW_FINDINGS = 50


def raw_key(contract: SourceContract) -> dg.AssetKey:
    """The extract asset: every version of the source's files, with the checks on them."""
    return dg.AssetKey(["raw", contract.source])


def table_keys(contract: SourceContract) -> list[dg.AssetKey]:
    """The raw-layer tables the extract asset writes (the dbt sources): one per module or sheet layout."""
    return [dg.AssetKey(["raw", name]) for name in parser_format(contract).empty_tables(contract)]


def extract_keys(contract: SourceContract) -> list[dg.AssetKey]:
    """Everything one materialization of the extract asset produces (it cannot be split)."""
    return [raw_key(contract), *table_keys(contract)]


def build_extract_asset(contract: SourceContract) -> dg.AssetsDefinition:
    key = raw_key(contract)
    specs = [
        dg.AssetSpec(
            key=key,
            deps=[landing_key(contract)],
            group_name="raw",
            kinds={"python", "duckdb"},
            description=f"{contract.description} Every file of the quarter, parsed, validated and loaded into `raw`.",
            metadata={"contract": f"sources/{contract.source}.yaml", "suite": f"expectations/{contract.suite}"},
        ),
        *(
            dg.AssetSpec(
                key=table_key,
                deps=[key],
                group_name="raw",
                kinds={"duckdb"},
                description=f"raw.{table_key.path[-1]}: rows of every {contract.source} extract version, by load_id.",
            )
            for table_key in table_keys(contract)
        ),
    ]

    @dg.multi_asset(
        name=f"load_{contract.source}",
        specs=specs,
        partitions_def=quarters,
        check_specs=[
            dg.AssetCheckSpec(ERRORS_CHECK, asset=key, description="No extract of the quarter has an error finding."),
            dg.AssetCheckSpec(QUERIES_CHECK, asset=key, description="No extract of the quarter has a query finding."),
        ],
    )
    def extract(
        context: dg.AssetExecutionContext,
        landing: LandingResource,
        warehouse: WarehouseResource,
        feedback: FeedbackResource,
        pages: PublishedPagesResource,
    ) -> Iterator[dg.MaterializeResult]:
        files = landing.scan().by_partition(contract.source).get(context.partition_key, [])
        if not files:
            raise dg.Failure(f"no {contract.source} file for {context.partition_key} in {landing.folder()}")
        files.sort(key=lambda landed: landed.received_at())
        results: list[IngestResult] = []
        reports: dict[str, IssueReport] = {}
        with warehouse.connect() as connection:
            for position, landed in enumerate(files, start=1):
                context.log.info(f"[{position}/{len(files)}] reading {landed.name}")
                docs = pages.folder("data-docs") / contract.source / landed.name
                result = ingest_file(connection, contract, landed, context.run_id, data_docs=docs)
                _log_result(context, result)
                results.append(result)
                if result.outcome.loaded:
                    reports[landed.name] = _report_to_partner(context, contract.source, result, feedback)
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                FINGERPRINT_KEY: partition_fingerprint(files),
                "files": dg.MetadataValue.md(_files_table(results)),
                "rows_loaded": sum(r.outcome.rows for r in results),
                "issue_reports": dg.MetadataValue.md(_reports_table(reports)),
                **{f"issue_report {name}": dg.MetadataValue.path(str(r.workbook)) for name, r in reports.items()},
                "data_docs": dg.MetadataValue.path(str(pages.folder("data-docs") / contract.source)),
            },
            check_results=_check_results(results),
        )
        for table_key in table_keys(contract):
            yield dg.MaterializeResult(asset_key=table_key)

    return extract


def _report_to_partner(
    context: dg.AssetExecutionContext, source: str, result: IngestResult, feedback: FeedbackResource
) -> IssueReport:
    """The file's issue report for its partner; a rejected file is quarantined with it."""
    report = write_issue_report(result.landed.name, result.findings, feedback.folder(source))
    if result.outcome.status == Status.REJECTED:
        copy = quarantine(result.landed.path, result.sha256, report, feedback.quarantine_folder(source))
        context.log.warning(f"{result.landed.name} rejected: quarantined as {copy} with its issue report")
    return report


def _log_result(context: dg.AssetExecutionContext, result: IngestResult) -> None:
    context.log.info(result.summary())
    for finding in result.findings[:PREVIEW_FINDINGS]:
        log = context.log.error if finding.severity is Severity.ERROR else context.log.warning
        log(str(finding))


def _current_results(results: list[IngestResult]) -> list[IngestResult]:
    """The newest file per authority decides the partition's state; older versions are history."""
    newest: dict[str | None, IngestResult] = {}
    for result in results:
        newest[result.landed.la_code] = result
    return list(newest.values())


def _check_results(results: list[IngestResult]) -> list[dg.AssetCheckResult]:
    current = _current_results(results)
    by_severity: dict[Severity, list[Finding]] = defaultdict(list)
    for result in current:
        for finding in result.findings:
            by_severity[finding.severity].append(finding)
    return [
        _check_result(ERRORS_CHECK, by_severity[Severity.ERROR], dg.AssetCheckSeverity.ERROR),
        _check_result(QUERIES_CHECK, by_severity[Severity.QUERY], dg.AssetCheckSeverity.WARN),
    ]


def _check_result(name: str, findings: list[Finding], severity: dg.AssetCheckSeverity) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=name,
        passed=not findings,
        severity=severity,
        metadata={"count": len(findings), "findings": dg.MetadataValue.md(_findings_table(findings))},
    )


def _files_table(results: list[IngestResult]) -> str:
    frame = pd.DataFrame(
        [
            {
                "file": r.landed.name,
                "status": r.outcome.status,
                "rows": r.outcome.rows,
                "errors": r.outcome.errors,
                "queries": r.outcome.queries,
                "load_id": r.outcome.load_id,
                "sha256": r.sha256[:12],
                "changed from the version it replaces": _changes_summary(r),
            }
            for r in results
        ]
    )
    return frame.to_markdown(index=False)


def _reports_table(reports: dict[str, IssueReport]) -> str:
    """The partner's issue report for each file loaded in this run (CSV and Excel, one row per finding)."""
    if not reports:
        return "No new file loaded: the earlier reports stand."
    rows = [
        {"file": name, "findings": r.findings, "csv": str(r.csv), "excel": str(r.workbook)}
        for name, r in reports.items()
    ]
    return pd.DataFrame(rows).to_markdown(index=False)


def _changes_summary(result: IngestResult) -> str:
    """Rows added (+), removed (−) and changed (~) per raw table against the replaced version; empty if none."""
    if result.replaced_load_id is None:
        return ""
    changed = [c for c in result.changes if c.rows_added or c.rows_removed or c.rows_changed]
    if not changed:
        return f"nothing (replaces {result.replaced_load_id[:8]})"
    parts = [f"{c.table} +{c.rows_added} −{c.rows_removed} ~{c.rows_changed}" for c in changed]
    return f"{'; '.join(parts)} (replaces {result.replaced_load_id[:8]})"


def _findings_table(findings: list[Finding]) -> str:
    if not findings:
        return "No findings."
    shown = pd.DataFrame(
        [
            {
                "file": f.file_name,
                "sheet": f.sheet,
                "row": f.row_number,
                "column": f.column_letter,
                "rule": f.rule,
                "value": f.value,
                "message": f.message,
            }
            for f in findings[:PREVIEW_FINDINGS]
        ]
    )
    more = (
        f"\n\n…and {len(findings) - PREVIEW_FINDINGS} more (see marts.extract_findings)."
        if len(findings) > PREVIEW_FINDINGS
        else ""
    )
    return shown.to_markdown(index=False) + more
