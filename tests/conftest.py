"""Shared set-up: the dbt manifest is parsed once per session, before anything imports the Dagster
definitions (the manifest defines the dbt assets); every test that runs the pipeline gets its own
landing area, warehouse file and Dagster instance."""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PSEUDONYMISATION_KEY", "key-for-tests-only")

from dagster_project.lib.dbt_project import parse_dbt_project
from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR

SAMPLES = SAMPLE_EXTRACTS_DIR / "police_scorecard"


def pytest_sessionstart(session: pytest.Session) -> None:
    parse_dbt_project()


@dataclass
class Pipeline:
    """A landing area, a warehouse and a Dagster instance of a test's own."""

    landing: Path
    warehouse: Path
    instance: object

    @property
    def published(self) -> Path:
        return self.warehouse.parent / "published" / "warehouse.duckdb"

    @property
    def police_folder(self) -> Path:
        folder = self.landing / "police_scorecard"
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def land_sample(self, period: str) -> Path:
        return Path(shutil.copy2(SAMPLES / f"police_scorecard_{period}.xlsx", self.police_folder))

    def refresh(self):
        from dagster_project.runner import run_refresh

        return run_refresh(instance=self.instance)

    def query(self, sql: str, *params: object) -> list[tuple]:
        import duckdb

        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.execute(sql, list(params)).fetchall()


@pytest.fixture
def pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    yield from _pipeline(tmp_path, monkeypatch)


@pytest.fixture(scope="session")
def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    """Every sample extract of every source landed and run through the pipeline once, for all e2e tests, with
    the official statistics fetched over HTTP from a stand-in for the EES API on 127.0.0.1."""
    from tests.ees_server import EesStandIn, start

    service = EesStandIn()
    server = start(service)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for pipeline in _pipeline(tmp_path_factory.mktemp("samples"), monkeypatch):
            monkeypatch.setenv("EES_API_URL", service.url)
            shutil.copytree(SAMPLE_EXTRACTS_DIR, pipeline.landing)
            outcome = pipeline.refresh()
            assert outcome.success, outcome.report()
            yield pipeline
    server.shutdown()


def _pipeline(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    import dagster as dg

    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    monkeypatch.setenv("LANDING_DIR", str(landing))
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("OFFICIAL_STATISTICS_CACHE", str(root / "official_statistics"))
    monkeypatch.setenv("PUBLISHED_WAREHOUSE_PATH", str(root / "published" / "warehouse.duckdb"))
    monkeypatch.delenv("EES_API_URL", raising=False)  # never the live service from a test
    (root / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(root / "dagster_home")) as instance:
        yield Pipeline(landing=landing, warehouse=warehouse, instance=instance)
