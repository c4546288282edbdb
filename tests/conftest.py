"""Shared set-up: the dbt manifest is parsed once per session, before anything imports the Dagster
definitions (the manifest defines the dbt assets); every test that runs the pipeline gets its own
landing area, warehouse file and Dagster instance."""

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PSEUDONYMISATION_KEY", "key-for-tests-only")

from dagster_project.lib.dbt_project import parse_dbt_project
from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR

SAMPLES = SAMPLE_EXTRACTS_DIR / "police_scorecard"


def pytest_sessionstart(session: pytest.Session) -> None:
    # Under pytest-xdist the controller parses before it starts the workers, which only read the manifest.
    if "PYTEST_XDIST_WORKER" not in os.environ:
        parse_dbt_project()


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep what shares a build on one pytest-xdist worker (`--dist loadgroup`): every test of the session's
    sample warehouse together, and each module's tests together (module fixtures build their own)."""
    for item in items:
        shared = "sample_warehouse" in getattr(item, "fixturenames", ())
        item.add_marker(pytest.mark.xdist_group("sample_warehouse" if shared else item.module.__name__))


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
    from dagster_project.demo import land_samples
    from tests.ees_server import EesStandIn, start

    service = EesStandIn()
    server = start(service)
    with pytest.MonkeyPatch.context() as monkeypatch:
        for pipeline in _pipeline(tmp_path_factory.mktemp("samples"), monkeypatch):
            monkeypatch.setenv("EES_API_URL", service.url)
            land_samples(SAMPLE_EXTRACTS_DIR, pipeline.landing)
            outcome = pipeline.refresh()
            assert outcome.success, outcome.report()
            yield pipeline
    server.shutdown()


def built_once(root: Path, land: Callable[[Pipeline], object]) -> Pipeline:
    """A pipeline built once for the tests of a module that only read its warehouse. The environment is the
    session's again when it returns, so a module's pipeline never leaks into another fixture's."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        for pipeline in _pipeline(root, monkeypatch):
            land(pipeline)
            outcome = pipeline.refresh()
            assert outcome.success, outcome.report()
    return pipeline


def _pipeline(root: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Pipeline]:
    import dagster as dg

    landing, warehouse = root / "landing", root / "warehouse.duckdb"
    monkeypatch.setenv("LANDING_DIR", str(landing))
    monkeypatch.setenv("WAREHOUSE_PATH", str(warehouse))
    monkeypatch.setenv("OFFICIAL_STATISTICS_CACHE", str(root / "official_statistics"))
    monkeypatch.setenv("PUBLISHED_WAREHOUSE_PATH", str(root / "published" / "warehouse.duckdb"))
    monkeypatch.setenv("PUBLISHED_PAGES_DIR", str(root / "published"))
    monkeypatch.setenv("FEEDBACK_DIR", str(root / "feedback"))
    monkeypatch.setenv("QUARANTINE_DIR", str(root / "quarantine"))
    monkeypatch.setenv("LANDING_SETTLE_SECONDS", "0")  # tests land files and run at once
    monkeypatch.delenv("EES_API_URL", raising=False)  # never the live service from a test
    monkeypatch.delenv("POSTGRES_PUBLICATION_URL", raising=False)  # nor a real report server
    (root / "dagster_home").mkdir()
    with dg.instance_for_test(temp_dir=str(root / "dagster_home")) as instance:
        yield Pipeline(landing=landing, warehouse=warehouse, instance=instance)


# A PostgreSQL server the tests may create databases and roles on (these machines run one with trust auth).
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@dataclass
class PostgresTarget:
    """A database and a report users' role of a test's own on the test server."""

    url: str
    reader_role: str

    def login_as_reader(self) -> str:
        """A SQLAlchemy URL for a report tool's login: a new role that is a member of the readers' role."""
        import sqlalchemy as sa

        login = f"{self.reader_role}_tool"
        with sa.create_engine(self.url, isolation_level="AUTOCOMMIT").connect() as connection:
            connection.execute(sa.text(f"create role {login} login in role {self.reader_role}"))
        return sa.make_url(self.url).set(username=login).render_as_string(hide_password=False)


@pytest.fixture
def postgres() -> Iterator[PostgresTarget]:
    """An empty database and role names of the test's own, dropped after it. Skipped, loudly, without a server."""
    import uuid

    import sqlalchemy as sa

    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"sdp_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"create database {name}"))
    except sa.exc.OperationalError as error:
        admin.dispose()
        where = sa.make_url(POSTGRES_ADMIN_URL).render_as_string(hide_password=True)
        pytest.skip(f"NO POSTGRESQL: none reachable at {where} (set TEST_POSTGRES_URL): {error.orig}")
    target = PostgresTarget(
        url=sa.make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False),
        reader_role=f"{name}_reader",
    )
    try:
        yield target
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f"drop database {name} with (force)"))
            for role in (f"{target.reader_role}_tool", target.reader_role):
                connection.execute(sa.text(f"drop role if exists {role}"))
        admin.dispose()
