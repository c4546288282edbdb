"""The job every automated run goes through: a quarter's raw extracts and the warehouse built on them."""

import dagster as dg

from dagster_project.partitions import quarters

refresh_warehouse = dg.define_asset_job(
    name="refresh_warehouse",
    selection=dg.AssetSelection.all(),
    partitions_def=quarters,
    description="Load a quarter's new landed files into the raw layer, then dbt build the warehouse.",
)
