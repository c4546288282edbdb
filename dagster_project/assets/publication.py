"""What the partnership may publish, after the warehouse is built: the scorecard through disclosure control."""

import dagster as dg

from dagster_project.lib.metering import stage
from dagster_project.lib.publishing import write_published_scorecard
from dagster_project.resources import WarehouseResource


@dg.asset(
    key=["publication", "partnership_scorecard"],
    deps=[dg.AssetKey(["marts", "partnership_scorecard"])],
    group_name="publication",
    kinds={"duckdb", "python"},
    description=(
        "marts.partnership_scorecard as it may be published: counts 1-4 shown as c (and any cell that would give "
        "one away), not available x, not applicable z, rounding half up (lib/disclosure.py, lib/publishing.py)."
    ),
)
@stage("publishing")
def published_partnership_scorecard(warehouse: WarehouseResource) -> dg.MaterializeResult:
    with warehouse.connect() as connection:
        published = write_published_scorecard(connection)
    return dg.MaterializeResult(
        metadata={
            "rows": len(published),
            "suppressed": int((published["value"] == "c").sum()),
            "not_available": int((published["value"] == "x").sum()),
        }
    )
