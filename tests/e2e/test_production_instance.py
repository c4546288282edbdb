"""The production instance (deploy/production/) end to end, every part real: the Dagster instance in a PostgreSQL
database of the test's own through dagster-postgres, with deploy/production/dagster.yaml and workspace.yaml used
as they are (only DAGSTER_PG_* and the code server's address come from the test); a code server
(`dagster code-server start`), `dagster-webserver` and `dagster-daemon run` started as separate processes, as on
a server, sharing that instance. Two runs are submitted back to back through the webserver's GraphQL API before
any daemon runs, so both wait in the queue; the daemon then launches them through the default run launcher,
each a process of the code server. Both succeed, one after the other (max_concurrent_runs: 1: the second is
launched only after the first succeeded), and the runs, their events, the schedules' and sensors' state and
ticks and the daemons' heartbeats are rows in PostgreSQL, read back with SQL.

The job is `check_submissions`, the lightest real one: it succeeds on an empty landing area and an empty
warehouse (it creates the raw layer and finds every partner overdue, a warning), and it opens the warehouse
for writing, as every job here does, so two at once would contend for DuckDB's single writer. Its steps run in
the run worker's own process (run config `in_process`): under the job's default executor each of its five
steps would be a process of its own, each importing the project again, which only makes the test slower and
proves nothing more about the instance. Still slow (a minute or two): the project is imported by the code
server and again by each run's process, one after the other.
Skipped, loudly, where no PostgreSQL is reachable."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest
import requests
import sqlalchemy as sa
from dagster_graphql import DagsterGraphQLClient
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

from dagster_project.lib.contracts import load_contracts

pytestmark = pytest.mark.e2e

REPO_ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = REPO_ROOT / "deploy" / "production"
BIN = Path(sys.executable).parent
JOB = "check_submissions"
LOCATION = "safeguarding"  # deploy/production/workspace.yaml
STARTUP_SECONDS = 180  # the code server imports the project (dbt, pandas, GX): slow on a busy machine
RUNS_SECONDS = 180
IN_PROCESS = {"execution": {"config": {"in_process": {}}}}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(root: Path, postgres_url: str, code_server_port: int) -> dict[str, str]:
    """What every process of the deployment is given: the instance's DAGSTER_PG_* (from the test's database),
    the code server's address, and the project's own settings pointed at an empty tmp area."""
    url = sa.make_url(postgres_url)
    env = dict(os.environ)
    for name in ("EES_API_URL", "POSTGRES_PUBLICATION_URL", "ALERT_WEBHOOK_URL"):
        env.pop(name, None)  # never a live service, a real report server or a real webhook from a test
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",  # the code server launches runs with `dagster`
        DAGSTER_HOME=str(root / "dagster_home"),
        DAGSTER_PG_HOST=url.host or "127.0.0.1",
        DAGSTER_PG_PORT=str(url.port or 5432),
        DAGSTER_PG_USER=url.username or "postgres",
        DAGSTER_PG_PASSWORD=url.password or "",
        DAGSTER_PG_DB=url.database or "",
        DAGSTER_CODE_SERVER_HOST="127.0.0.1",
        DAGSTER_CODE_SERVER_PORT=str(code_server_port),
        LANDING_DIR=str(root / "landing"),
        WAREHOUSE_PATH=str(root / "warehouse.duckdb"),
        PUBLISHED_WAREHOUSE_PATH=str(root / "published" / "warehouse.duckdb"),
        PUBLISHED_PAGES_DIR=str(root / "published"),
        FEEDBACK_DIR=str(root / "feedback"),
        QUARANTINE_DIR=str(root / "quarantine"),
        OFFICIAL_STATISTICS_CACHE=str(root / "official_statistics"),
        LANDING_SETTLE_SECONDS="0",
        SUBMISSIONS_AS_OF="2023-06-15",
        GX_ANALYTICS_ENABLED="false",
    )
    return env


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path

    def check_alive(self) -> None:
        assert self.process.poll() is None, f"{self.name} exited with {self.process.returncode}"


class Deployment:
    """The deployment's processes, each in a process group of its own (the code server's children with it)."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env, self.logs, self.services = env, logs, []

    def start(self, name: str, *args: str) -> Service:
        log = self.logs / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                args, cwd=REPO_ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        service = Service(name, process, log)
        self.services.append(service)
        return service

    def stop(self) -> None:
        for service in self.services:
            signal_group(service.process, signal.SIGTERM)
        for service in self.services:
            try:
                service.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                signal_group(service.process, signal.SIGKILL)
                service.process.wait(timeout=15)
            signal_group(service.process, signal.SIGKILL)  # whatever it left behind in its group

    def print_logs(self) -> None:
        for service in self.services:
            print(f"----- {service.name} (exit {service.process.poll()}) -----")
            print(service.log.read_text(errors="replace")[-6000:])

    def wait_for(self, what: str, condition: Callable[[], bool], seconds: float) -> None:
        """Polls `condition` until it holds; fails, naming `what`, at the deadline or when a process died."""
        deadline = time.monotonic() + seconds
        while not condition():
            for service in self.services:
                service.check_alive()
            assert time.monotonic() < deadline, f"not within {seconds}s: {what}"
            time.sleep(0.5)


def signal_group(process: subprocess.Popen, sig: signal.Signals) -> None:
    with suppress(ProcessLookupError):  # the group is gone: nothing left of it
        os.killpg(process.pid, sig)  # the group this test started the process in (start_new_session)


@contextmanager
def deployment(env: dict[str, str], logs: Path) -> Iterator[Deployment]:
    running = Deployment(env, logs)
    try:
        yield running
    except BaseException:
        running.stop()
        running.print_logs()
        raise
    running.stop()


def accepts_connections(port: int) -> bool:
    """The code server opens its port once it has loaded the project."""
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


LOCATIONS = """{ workspaceOrError { ... on Workspace {
    locationEntries { name loadStatus locationOrLoadError { __typename } } } } }"""


def location_loaded(webserver_port: int) -> bool:
    """The webserver has loaded the code location (it retries by itself once the code server is up)."""
    try:
        answer = requests.post(f"http://127.0.0.1:{webserver_port}/graphql", json={"query": LOCATIONS}, timeout=10)
    except requests.ConnectionError:
        return False  # not listening yet
    (entry,) = answer.json()["data"]["workspaceOrError"]["locationEntries"]
    return entry["loadStatus"] == "LOADED" and entry["locationOrLoadError"]["__typename"] == "RepositoryLocation"


def submit(client: DagsterGraphQLClient) -> str:
    return client.submit_job_execution(JOB, repository_location_name=LOCATION, run_config=IN_PROCESS)


def rows(url: str, sql: str, **params: object) -> list[tuple]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql), params)]
    finally:
        engine.dispose()


def instigators(url: str) -> dict[str, set[str]]:
    """The schedules' and sensors' names, by kind, from their stored state."""
    found: dict[str, set[str]] = {}
    for kind, body in rows(url, "select instigator_type, instigator_body from instigators"):
        found.setdefault(kind, set()).add(json.loads(body)["origin"]["job_name"])
    return found


def ticked(url: str) -> set[str]:
    """The schedules and sensors with a tick stored."""
    sql = "select distinct i.instigator_body from job_ticks t join instigators i using (selector_id)"
    return {json.loads(body)["origin"]["job_name"] for (body,) in rows(url, sql)}


LIFECYCLE = (
    dg.DagsterEventType.RUN_ENQUEUED,
    dg.DagsterEventType.RUN_STARTING,
    dg.DagsterEventType.RUN_START,
    dg.DagsterEventType.RUN_SUCCESS,
)


def lifecycle(instance: dg.DagsterInstance, run_id: str) -> dict[dg.DagsterEventType, float]:
    """When each step of a run's life was stored: queued, launched (taken from the queue), started, succeeded."""
    entries = (r.event_log_entry for r in instance.get_records_for_run(run_id).records)
    return {e.dagster_event_type: e.timestamp for e in entries if e.dagster_event_type in LIFECYCLE}


def test_runs_queue_one_at_a_time_through_the_production_instance_in_postgres(postgres, tmp_path, monkeypatch):
    code_server_port, webserver_port = free_port(), free_port()
    env = production_env(tmp_path, postgres.url, code_server_port)
    home = Path(env["DAGSTER_HOME"])
    home.mkdir()
    shutil.copy(PRODUCTION / "dagster.yaml", home / "dagster.yaml")
    workspace = str(PRODUCTION / "workspace.yaml")
    for name in ("DAGSTER_HOME", *(n for n in env if n.startswith("DAGSTER_PG_"))):
        monkeypatch.setenv(name, env[name])  # this test's own view of the same instance

    with deployment(env, tmp_path) as running, dg.DagsterInstance.get() as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)

        running.start(
            "code-server",
            *(str(BIN / "dagster"), "code-server", "start", "-m", "dagster_project.definitions", "-a", "defs"),
            *("--host", "127.0.0.1", "--port", str(code_server_port), "--location-name", LOCATION),
        )
        running.start(
            "webserver", str(BIN / "dagster-webserver"), "-w", workspace, "-h", "127.0.0.1", "-p", str(webserver_port)
        )
        # the webserver starts while the code server loads the project, and loads it once it is up
        running.wait_for("the code server is up", lambda: accepts_connections(code_server_port), STARTUP_SECONDS)
        running.wait_for("the webserver loads the code location", lambda: location_loaded(webserver_port), 60)

        # submitted together, before any daemon runs: they wait in the queue, in PostgreSQL
        client = DagsterGraphQLClient("127.0.0.1", port_number=webserver_port)
        run_ids = [submit(client), submit(client)]
        assert {instance.get_run_by_id(r).status for r in run_ids} == {dg.DagsterRunStatus.QUEUED}
        running.start("daemon", str(BIN / "dagster-daemon"), "run", "-w", workspace)

        def finished() -> bool:
            return all(instance.get_run_by_id(r).is_finished for r in run_ids)

        running.wait_for("both runs finish", finished, RUNS_SECONDS)

        records = sorted(instance.get_run_records(dg.RunsFilter(run_ids=run_ids)), key=lambda r: r.start_time)
        assert [r.dagster_run.status for r in records] == [dg.DagsterRunStatus.SUCCESS] * 2
        first, second = records
        assert first.end_time <= second.start_time, "the runs overlapped"
        first_life, second_life = (lifecycle(instance, r.dagster_run.run_id) for r in records)
        assert set(first_life) == set(second_life) == set(LIFECYCLE), (first_life, second_life)
        # the second waited in the queue while the first ran: one at a time by the queue, not by chance
        assert second_life[dg.DagsterEventType.RUN_ENQUEUED] < first.end_time
        assert second_life[dg.DagsterEventType.RUN_STARTING] >= first_life[dg.DagsterEventType.RUN_SUCCESS]

        # all of it is in PostgreSQL, written there by the webserver, the daemon and the code server's runs
        stored = dict(rows(postgres.url, "select run_id, status from runs where pipeline_name = :job", job=JOB))
        assert stored == dict.fromkeys(run_ids, "SUCCESS")
        checks = rows(
            postgres.url,
            """select run_id, count(*) from event_logs
               where run_id = any(:ids) and dagster_event_type = 'ASSET_CHECK_EVALUATION' group by run_id""",
            ids=run_ids,
        )
        assert dict(checks) == dict.fromkeys(run_ids, len(load_contracts())), "every source's on-time check, twice"
        running.wait_for("a tick of the landing sensor is stored", lambda: "landing_sensor" in ticked(postgres.url), 60)
        assert instigators(postgres.url) == {
            "SCHEDULE": {"nightly_refresh", "daily_submission_checks"},
            "SENSOR": {"landing_sensor", "alert_on_failed_run", "alert_on_failed_checks"},
        }
        daemons = {d for (d,) in rows(postgres.url, "select daemon_type from daemon_heartbeats")}
        assert {"SCHEDULER", "SENSOR", "QUEUED_RUN_COORDINATOR", "MONITORING"} <= daemons, daemons
