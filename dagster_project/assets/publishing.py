"""The publishing stage's assets, after every complete build: the scorecard through disclosure control
(publication.partnership_scorecard), the readers' copy of the warehouse, its copy in PostgreSQL for report tools
that need a server, and the scorecard as pages (lib/publishing/)."""

import dagster as dg
from sqlalchemy.engine import make_url

from dagster_project.lib.metering import stage
from dagster_project.lib.publishing.postgres import publish_to_postgres
from dagster_project.lib.publishing.readers_copy import STORAGE_VERSION, publish_warehouse
from dagster_project.lib.publishing.report import render_report
from dagster_project.lib.publishing.scorecard import write_published_scorecard
from dagster_project.resources import (
    PostgresPublicationResource,
    PublishedPagesResource,
    PublishedWarehouseResource,
    WarehouseResource,
)


@dg.asset(
    key=["publication", "partnership_scorecard"],
    deps=[dg.AssetKey(["marts", "partnership_scorecard"])],
    group_name="publication",
    kinds={"duckdb", "python"},
    description=(
        "marts.partnership_scorecard as it may be published: counts 1-4 shown as c (and any cell that would give "
        "one away), not available x, not applicable z, rounding half up (lib/disclosure.py, "
        "lib/publishing/scorecard.py)."
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
@stage("publishing")
def published_warehouse_file(
    warehouse: WarehouseResource, published_warehouse: PublishedWarehouseResource
) -> dg.MaterializeResult:
    with warehouse.connect() as connection:
        rows = publish_warehouse(connection, published_warehouse.file())
    return dg.MaterializeResult(
        metadata={"path": str(published_warehouse.file()), "tables": len(rows), "rows": dg.MetadataValue.json(rows)}
    )


@dg.asset(
    key=["publication", "postgres_tables"],
    deps=[published_warehouse_file],
    group_name="publication",
    kinds={"postgres"},
    output_required=False,
    description=(
        "The published file's marts, publication and reference tables in PostgreSQL (POSTGRES_PUBLICATION_URL), "
        "replaced in one transaction, readable by the report users' role. Skipped when no URL is configured."
    ),
)
def postgres_tables(
    context: dg.AssetExecutionContext,
    published_warehouse: PublishedWarehouseResource,
    postgres_publication: PostgresPublicationResource,
):
    if not postgres_publication.url:
        context.log.info("POSTGRES_PUBLICATION_URL is not set: nothing is published to PostgreSQL.")
        return
    server = postgres_publication
    with stage("publishing"):
        rows = publish_to_postgres(published_warehouse.file(), server.url, server.reader_role)
    yield dg.MaterializeResult(
        metadata={
            "database": make_url(server.url).render_as_string(hide_password=True),
            "reader_role": server.reader_role,
            "tables": len(rows),
            "rows": dg.MetadataValue.json(rows),
        }
    )


@dg.asset(
    key=["publication", "scorecard_report"],
    deps=[published_warehouse_file],
    group_name="publication",
    kinds={"html"},
    description=(
        "The partnership scorecard as web pages for people who never open a database (PUBLISHED_PAGES_DIR/report/"
        "index.html): per area, trend charts, RAG against targets, comparators, caveats and the published-figure "
        "reconciliation; printable, no scripts. Every figure comes from the disclosure-controlled publication."
    ),
)
@stage("publishing")
def scorecard_report(
    published_warehouse: PublishedWarehouseResource, pages: PublishedPagesResource
) -> dg.MaterializeResult:
    written = render_report(published_warehouse.file(), pages.folder("report"))
    index = pages.folder("report") / "index.html"
    return dg.MaterializeResult(metadata={"index": dg.MetadataValue.path(str(index)), "pages": len(written)})
