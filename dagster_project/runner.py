"""Run the refresh in this process: what the sensor would launch, one quarter after another, then dbt.

Used by the README's first command (dagster_project.demo) and by the end-to-end tests, so both
go through the same job, assets and checks as the UI's runs. Parse the dbt project
(lib.dbt_project.parse_dbt_project) before importing this module: the manifest defines the assets.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import dagster as dg

from dagster_project.automation import plan_refresh, warehouse_build_keys, warehouse_is_stale
from dagster_project.definitions import build_definitions
from dagster_project.partitions import quarters

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


@dataclass
class RefreshOutcome:
    runs: list[dg.ExecuteInProcessResult] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def success(self) -> bool:
        return all(run.success for run in self.runs)

    def report(self) -> str:
        return "\n".join(self.lines)


def _extract_lines(result: dg.ExecuteInProcessResult) -> list[str]:
    lines = []
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        if materialization.partition and "rows_loaded" in materialization.metadata:
            lines.append(
                f"    {materialization.asset_key.to_user_string()}: "
                f"{materialization.metadata['rows_loaded'].value} rows loaded"
            )
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            count = evaluation.metadata.get("count")
            what = f"{count.value} finding(s) - see marts.extract_findings" if count else evaluation.description
            lines.append(f"    check {evaluation.check_name} on {evaluation.asset_key.to_user_string()} failed: {what}")
    return lines


def run_refresh(
    instance: dg.DagsterInstance | None = None, progress: Callable[[str], None] = lambda _: None
) -> RefreshOutcome:
    """Load every quarter whose landed files changed, then build the warehouse if anything changed."""
    instance = instance or dg.DagsterInstance.get()
    defs = build_definitions()
    job = defs.resolve_job_def("refresh_warehouse")
    # As a run sees them: configured values, environment variables read now.
    landing = defs.resources["landing"].process_config_and_initialize()
    publication = defs.resources["postgres_publication"].process_config_and_initialize()
    scan = landing.scan()
    warehouse_keys = warehouse_build_keys(publishes_to_postgres=bool(publication.url))
    plan = plan_refresh(instance, scan, warehouse_keys, reason="in_process")
    outcome = RefreshOutcome()
    for rejected in plan.rejected:
        outcome.lines.append(f"Not loaded (file left in place): {rejected.reason}")
    instance.add_dynamic_partitions(quarters.name, plan.new_partitions)
    for position, request in enumerate(plan.run_requests, start=1):
        raw_keys = [key for key in request.asset_selection if key not in warehouse_keys]
        progress(f"[{position}/{len(plan.run_requests)}] quarter {request.partition_key}: {request.tags['sources']}")
        result = job.execute_in_process(
            instance=instance,
            partition_key=request.partition_key,
            asset_selection=raw_keys,
            run_config=QUIET,
            tags=request.tags,
            raise_on_error=False,
        )
        outcome.runs.append(result)
        for line in _extract_lines(result):
            progress(line)
    known = sorted(instance.get_dynamic_partitions(quarters.name))
    if known and warehouse_is_stale(instance, warehouse_keys):
        progress(
            f"Building the warehouse ({len(warehouse_keys)} assets: official statistics, dbt models and seeds with "
            "their tests, the publication) ..."
        )
        result = job.execute_in_process(
            instance=instance,
            partition_key=known[-1],
            asset_selection=warehouse_keys,
            run_config=QUIET,
            tags={"trigger": "in_process"},
            raise_on_error=False,
        )
        outcome.runs.append(result)
        built = len(result.get_asset_materialization_events())
        failed = [e.check_name for e in result.get_asset_check_evaluations() if not e.passed]
        progress(
            f"    {built} assets materialized; {len(failed)} failed dbt test(s){': ' if failed else ''}"
            f"{', '.join(failed)}"
        )
    outcome.lines.append(
        f"{len(plan.run_requests)} quarter(s) loaded; runs {'succeeded' if outcome.success else 'FAILED'}."
    )
    return outcome
