"""Everything Dagster loads, assembled in one place: one extract asset per contract in sources/, the
official statistics fetched over HTTP, the dbt warehouse, the landing sensor, the nightly schedule and their
resources."""

import os
from collections.abc import Iterable

import dagster as dg
from dagster_dbt import DbtCliResource

from dagster_project.alerts import alert_on_failed_checks, alert_on_failed_run
from dagster_project.assets.extracts import build_extract_asset, raw_key
from dagster_project.assets.landing import build_landing_spec
from dagster_project.assets.official_statistics import dfe_statistics
from dagster_project.assets.publishing import (
    postgres_tables,
    published_partnership_scorecard,
    published_warehouse_file,
    scorecard_report,
)
from dagster_project.assets.submissions import build_submission_check
from dagster_project.assets.warehouse import dbt_docs, dbt_project, warehouse_models
from dagster_project.jobs import refresh_warehouse, submission_checks_job
from dagster_project.lib.contracts import SourceContract, load_contracts
from dagster_project.lib.dbt_project import DBT_EXECUTABLE
from dagster_project.lib.publishing.postgres import DEFAULT_READER_ROLE
from dagster_project.lib.settings import DEFAULT_PATHS
from dagster_project.resources import (
    AlertWebhookResource,
    FeedbackResource,
    LandingResource,
    OfficialStatisticsResource,
    PostgresPublicationResource,
    PublishedPagesResource,
    PublishedWarehouseResource,
    WarehouseResource,
)
from dagster_project.schedules import daily_submission_checks, nightly_refresh
from dagster_project.sensors import landing_sensor


def raw_log(contracts: Iterable[SourceContract]) -> list[dg.AssetSpec]:
    """The raw layer's shared tables. Every source's extract asset writes raw.extracts, raw.findings and
    raw.resubmission_changes, and an asset key has one producer, so they are specs of their own whose upstream is
    every extract asset: the lineage runs from each load through them to the staging models. The warehouse build
    writes raw.expected_submissions."""
    loads = [raw_key(contract) for contract in contracts]
    shared = {
        "extracts": "Every extract version loaded, written by each source's extract asset (raw.extracts).",
        "findings": "Every finding on every extract version, written by each source's extract asset (raw.findings).",
        "resubmission_changes": "What each new version of a file changed against the one it replaced, written with "
        "its load.",
    }
    specs = [
        dg.AssetSpec(key=["raw", table], deps=loads, description=text, group_name="raw", kinds={"duckdb"})
        for table, text in shared.items()
    ]
    expected = "The submissions expected by the build day (sources/*.yaml delivery), written by each build."
    return [
        *specs,
        dg.AssetSpec(key=["raw", "expected_submissions"], description=expected, group_name="raw", kinds={"duckdb"}),
    ]


def _from_env_or_default(variable: str, default: str | None = None) -> str:
    """A deployment value as the UI and every run's config show it: the name of the variable that holds it
    (`dg.EnvVar`, read when a run starts), never its value, which may be a secret or a machine's path. Where the
    variable is not set, the default (for a path, relative to the repository)."""
    if os.environ.get(variable):
        return dg.EnvVar(variable)
    return DEFAULT_PATHS[variable] if default is None else default


def build_definitions() -> dg.Definitions:
    contracts = load_contracts().values()
    submission_checks = [build_submission_check(c) for c in contracts]
    return dg.Definitions(
        assets=[
            *(build_landing_spec(c) for c in contracts),
            *(build_extract_asset(c) for c in contracts),
            *raw_log(contracts),
            dfe_statistics,
            warehouse_models,
            published_partnership_scorecard,
            published_warehouse_file,
            postgres_tables,
            scorecard_report,
            dbt_docs,
        ],
        asset_checks=submission_checks,
        jobs=[refresh_warehouse, submission_checks_job(submission_checks)],
        sensors=[landing_sensor, alert_on_failed_run, alert_on_failed_checks],
        schedules=[nightly_refresh, daily_submission_checks],
        resources={
            "landing": LandingResource(
                root=_from_env_or_default("LANDING_DIR"),
                settle_seconds=float(os.environ.get("LANDING_SETTLE_SECONDS", "60")),
            ),
            "warehouse": WarehouseResource(path=_from_env_or_default("WAREHOUSE_PATH")),
            "published_warehouse": PublishedWarehouseResource(path=_from_env_or_default("PUBLISHED_WAREHOUSE_PATH")),
            "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
            "feedback": FeedbackResource(
                root=_from_env_or_default("FEEDBACK_DIR"), quarantine_root=_from_env_or_default("QUARANTINE_DIR")
            ),
            "alert_webhook": AlertWebhookResource(url=_from_env_or_default("ALERT_WEBHOOK_URL", "")),
            "pages": PublishedPagesResource(root=_from_env_or_default("PUBLISHED_PAGES_DIR")),
            "postgres_publication": PostgresPublicationResource(
                url=_from_env_or_default("POSTGRES_PUBLICATION_URL", ""),
                reader_role=_from_env_or_default("POSTGRES_READER_ROLE", DEFAULT_READER_ROLE),
            ),
            "official_statistics": OfficialStatisticsResource(
                base_url=_from_env_or_default("EES_API_URL", ""),
                cache_dir=_from_env_or_default("OFFICIAL_STATISTICS_CACHE"),
            ),
        },
    )


defs = build_definitions()
