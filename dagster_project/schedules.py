"""The nightly schedule: whatever is new or stale gets materialized, even if the sensor was off."""

import dagster as dg

from dagster_project.automation import plan_refresh, warehouse_build_keys, warehouse_is_stale
from dagster_project.jobs import refresh_warehouse
from dagster_project.partitions import quarters
from dagster_project.resources import LandingResource, PostgresPublicationResource


@dg.schedule(
    job=refresh_warehouse,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="02:00 every night: load any quarter whose landed files changed; rebuild a stale warehouse.",
)
def nightly_refresh(
    context: dg.ScheduleEvaluationContext, landing: LandingResource, postgres_publication: PostgresPublicationResource
) -> list[dg.RunRequest] | dg.SkipReason:
    warehouse_keys = warehouse_build_keys(publishes_to_postgres=bool(postgres_publication.url))
    plan = plan_refresh(context.instance, landing.scan(), warehouse_keys, reason="nightly_refresh")
    for rejected in plan.rejected:
        context.log.warning(f"left in place, not loaded: {rejected.reason}")
    run_requests = list(plan.run_requests)
    known = sorted(set(context.instance.get_dynamic_partitions(quarters.name)) | set(plan.new_partitions))
    if not run_requests and known and warehouse_is_stale(context.instance, warehouse_keys):
        run_requests.append(
            dg.RunRequest(partition_key=known[-1], asset_selection=warehouse_keys, tags={"trigger": "nightly_refresh"})
        )
    if not run_requests:
        return dg.SkipReason("nothing new or stale")
    # Schedules cannot return partition requests as sensors do; adding a partition is idempotent.
    context.instance.add_dynamic_partitions(quarters.name, plan.new_partitions)
    return run_requests


@dg.schedule(
    job_name="check_submissions",
    cron_schedule="0 7 * * *",
    execution_timezone="Europe/London",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="07:00 every day: is any partner's latest file overdue? (a warning per source; see alerting)",
)
def daily_submission_checks() -> dg.RunRequest:
    return dg.RunRequest()
