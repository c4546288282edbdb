"""The warehouse file report tools and analysts open, published after every complete build (lib/serving.py)."""

from pathlib import Path

import dagster as dg

from dagster_project.lib.serving import STORAGE_VERSION, publish_warehouse
from dagster_project.resources import PublishedWarehouseResource, WarehouseResource


@dg.asset(
    key=["publication", "warehouse_file"],
    deps=[dg.AssetKey(["publication", "partnership_scorecard"])],
    group_name="publication",
    kinds={"duckdb"},
    description=(
        "A read-only copy of the marts, the publication and the reference data for report tools and analysts "
        f"(PUBLISHED_WAREHOUSE_PATH), DuckDB storage {STORAGE_VERSION}, replaced atomically after each build."
    ),
)
def published_warehouse_file(
    warehouse: WarehouseResource, published_warehouse: PublishedWarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as connection:
        rows = publish_warehouse(connection, Path(published_warehouse.path))
    return dg.MaterializeResult(
        metadata={"path": published_warehouse.path, "tables": len(rows), "rows": dg.MetadataValue.json(rows)}
    )
