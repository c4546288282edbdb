"""The landing sensor: a new or changed file in the landing area launches a run for its quarter."""

import dagster as dg

from dagster_project.automation import plan_refresh, warehouse_build_keys
from dagster_project.jobs import refresh_warehouse
from dagster_project.partitions import quarters
from dagster_project.resources import LandingResource, PostgresPublicationResource


@dg.sensor(
    job=refresh_warehouse,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Watches LANDING_DIR; launches a refresh_warehouse run for each quarter whose files changed.",
)
def landing_sensor(
    context: dg.SensorEvaluationContext, landing: LandingResource, postgres_publication: PostgresPublicationResource
) -> dg.SensorResult:
    warehouse_keys = warehouse_build_keys(publishes_to_postgres=bool(postgres_publication.url))
    scan = landing.scan()
    for path in scan.settling:
        context.log.info(f"{path.name} changed less than {landing.settle_seconds:.0f}s ago: next scan")
    plan = plan_refresh(context.instance, scan, warehouse_keys, reason="landing_sensor")
    reported = set(filter(None, (context.cursor or "").split("\n")))
    for rejected in plan.rejected:
        if str(rejected.path) not in reported:
            context.log.warning(f"left in place, not loaded: {rejected.reason}")
    return dg.SensorResult(
        run_requests=plan.run_requests,
        dynamic_partitions_requests=[quarters.build_add_request(plan.new_partitions)] if plan.new_partitions else [],
        cursor="\n".join(sorted(str(r.path) for r in plan.rejected)),
        skip_reason=None if plan.run_requests else "no new or changed files in the landing area",
    )
