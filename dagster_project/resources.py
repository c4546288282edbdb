"""Resources: where the landing area and the warehouse are, configured once in definitions.py.

Paths are configured as the environment variable that names them (`dg.EnvVar`, shown in the UI as the variable's
name and read when a run starts) or their default relative to the repository; `resolve_path` makes them absolute.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.lib import loading, submissions
from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.landing import LandingScan, scan_landing
from dagster_project.lib.publishing.postgres import DEFAULT_READER_ROLE
from dagster_project.lib.settings import resolve_path


class LandingResource(dg.ConfigurableResource):
    """The landing area: a folder per source under `root` (LANDING_DIR). A file changed less than
    `settle_seconds` ago (LANDING_SETTLE_SECONDS) waits for the next scan: it may still be being written."""

    root: str
    settle_seconds: float = 0.0

    def scan(self) -> LandingScan:
        return scan_landing(self.folder(), load_contracts(), self.settle_seconds)

    def folder(self) -> Path:
        return resolve_path(self.root)


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse file (WAREHOUSE_PATH). Connections wait out another writer's lock."""

    path: str

    def file(self) -> Path:
        return resolve_path(self.path)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with loading.connect(self.file()) as connection:
            yield connection

    def ensure_raw_layer(self) -> None:
        """Every source's raw tables exist, so dbt finds its sources even before a file arrives, and the
        submissions expected by today are recorded for the submission tracker."""
        contracts = load_contracts().values()
        with self.connect() as connection:
            loading.ensure_raw_layer(connection, contracts)
            submissions.record_expected_submissions(
                connection, map(submissions.Delivery.of, contracts), submissions.today()
            )


class FeedbackResource(dg.ConfigurableResource):
    """Where each extract's issue report for its partner is written (`root`, FEEDBACK_DIR) and where a rejected
    file is quarantined with its report (`quarantine_root`, QUARANTINE_DIR), a folder per source in each."""

    root: str
    quarantine_root: str

    def folder(self, source: str) -> Path:
        return resolve_path(self.root) / source

    def quarantine_folder(self, source: str) -> Path:
        return resolve_path(self.quarantine_root) / source


class OfficialStatisticsResource(dg.ConfigurableResource):
    """The EES API (`base_url`, EES_API_URL; empty: work from the last good download) and the download cache."""

    base_url: str
    cache_dir: str

    def cache_path(self) -> Path:
        return resolve_path(self.cache_dir)


class PublishedWarehouseResource(dg.ConfigurableResource):
    """The read-only copy of the warehouse readers open (PUBLISHED_WAREHOUSE_PATH); lib/publishing/readers_copy.py."""

    path: str

    def file(self) -> Path:
        return resolve_path(self.path)


class PublishedPagesResource(dg.ConfigurableResource):
    """Where the run writes pages for people (PUBLISHED_PAGES_DIR): the scorecard report and the dbt docs."""

    root: str

    def folder(self, name: str) -> Path:
        return resolve_path(self.root) / name


class PostgresPublicationResource(dg.ConfigurableResource):
    """The PostgreSQL database report tools read: `url`, a SQLAlchemy URL (POSTGRES_PUBLICATION_URL; empty: nothing
    is published there), and the role report users are granted (POSTGRES_READER_ROLE)."""

    url: str = ""
    reader_role: str = DEFAULT_READER_ROLE


class AlertWebhookResource(dg.ConfigurableResource):
    """Where alerts go (`url`, ALERT_WEBHOOK_URL): a chat or incident tool's incoming webhook; empty: none."""

    url: str = ""
