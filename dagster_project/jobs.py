"""The job every automated run goes through: a quarter's raw extracts and the warehouse built on them."""

import dagster as dg

from dagster_project.partitions import quarters

refresh_warehouse = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    partitions_def=quarters,
    description="Load a quarter's new landed files into the raw layer, then dbt build the warehouse.",
)


def submission_checks_job(checks: list[dg.AssetChecksDefinition]) -> dg.JobDefinition:
    """Only the checks that partners are sending on time: they need no new file to run."""
    return dg.define_asset_job(
        name="check_submissions",
        selection=dg.AssetSelection.checks(*checks),
        description="Check every source's partners sent their latest period by its due day (submission tracker).",
    )
