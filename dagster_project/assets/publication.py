"""What the partnership may publish, after the warehouse is built: the scorecard through disclosure control."""

import dagster as dg

from dagster_project.lib.metering import stage
from dagster_project.lib.publishing import publish_scorecard
from dagster_project.resources import WarehouseResource

SCORECARD = "publication.partnership_scorecard"


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
        scorecard = connection.execute(
            """select la_code, metric_code, period_end, unit, value, crosses_series_break
               from marts.partnership_scorecard order by metric_code, la_code, period_end"""
        ).df()
        published = publish_scorecard(scorecard)
        connection.register("published", published)
        connection.execute("begin transaction")
        connection.execute("create schema if not exists publication")
        connection.execute(f"create or replace table {SCORECARD} as select * from published")
        connection.execute("commit")
    return dg.MaterializeResult(
        metadata={
            "rows": len(published),
            "suppressed": int((published["value"] == "c").sum()),
            "not_available": int((published["value"] == "x").sum()),
        }
    )
