"""The DfE's official statistics, fetched over HTTP from the EES API (lib/comparators.py) into the raw layer:
the scorecard's England and South West comparators and each authority's official annual figures."""

import dagster as dg
import pandas as pd

from dagster_project.lib.comparators import areas, fetch_all, load_config, official_figures
from dagster_project.lib.loading import replace_table
from dagster_project.resources import OfficialStatisticsResource, WarehouseResource

RAW_TABLE = "raw.dfe_statistics"


@dg.asset(
    key=["raw", "dfe_statistics"],
    group_name="raw",
    kinds={"duckdb", "python"},
    description=(
        "DfE children's social care statistics and ONS populations for England, the South West and each authority, "
        "from the Explore Education Statistics API (sources/http/dfe_statistics.yaml); the last good download serves "
        "when the service fails."
    ),
)
def dfe_statistics(
    context: dg.AssetExecutionContext, official_statistics: OfficialStatisticsResource, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    config = load_config()
    fetched = fetch_all(config, official_statistics.base_url or None, official_statistics.cache_path())
    for item in fetched:
        if item.status == "stale":
            context.log.warning(f"{item.data_set.title}: the service failed ({item.detail}); the last good data serves")
    figures = official_figures(fetched, areas(config)).assign(fetched_at=pd.Timestamp.now(tz="UTC").tz_localize(None))
    with warehouse.connect() as connection:
        replace_table(connection, RAW_TABLE, figures)
    statuses = {item.data_set.title: item.status for item in fetched}
    return dg.MaterializeResult(
        metadata={
            "rows": len(figures),
            "data_sets": dg.MetadataValue.json(statuses),
            "stale": sum(status == "stale" for status in statuses.values()),
            "downloaded": sum(status == "downloaded" for status in statuses.values()),
            "source": official_statistics.base_url or "snapshot (EES_API_URL not set)",
        }
    )
