"""The Dagster UI as a person opens it: the command the demo prints, run from the repository as it is printed, on a
PATH without uv (pip's `--user` install puts it where PATH often does not look). It must start `dagster dev` on
127.0.0.1 with the code location loaded, every asset, check, sensor and schedule in it, and no secret shown."""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from dagster_project.demo import UI_COMMAND
from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.settings import DEFAULT_PATHS, REPO_ROOT
from tests.e2e.test_secrets_out_of_ui import SECRETS, leaked

pytestmark = pytest.mark.e2e

STARTUP_SECONDS = 240  # uv's check of the environment, dbt parse, then dagster dev imports the project twice
WORKSPACE_QUERY = """
{ workspaceOrError { __typename ... on Workspace { locationEntries { name loadStatus
    locationOrLoadError { __typename ... on PythonError { message stack }
      ... on RepositoryLocation { repositories { name
          assetNodes { assetKey { path } assetChecksOrError { ... on AssetChecks { checks { name } } } }
          sensors { name sensorState { status } }
          schedules { name scheduleState { status } }
          allTopLevelResourceDetails { name configuredValues { key value type } }
} } } } } } }
"""


@dataclass
class RunningUI:
    url: str
    output: Path

    def query(self, query: str) -> dict:
        response = requests.post(f"{self.url}/graphql", json={"query": query}, timeout=60)
        response.raise_for_status()
        return response.json()["data"]


def path_without_uv() -> str:
    """PATH as a fresh machine's shell may have it: no folder that holds a `uv`."""
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(f for f in folders if f and not (Path(f) / "uv").exists())


def ui_env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DAGSTER_UI_PORT", "EES_API_URL", "VIRTUAL_ENV"}}
    env |= {variable: str(root / default) for variable, default in DEFAULT_PATHS.items()}
    env |= SECRETS | {"PATH": path_without_uv(), "DAGSTER_HOME": str(root / "dagster_home")}
    return env


def wait_for_ui(process: subprocess.Popen, output: Path) -> str:
    """The address the command says it serves on, once its GraphQL endpoint answers."""
    deadline = time.monotonic() + STARTUP_SECONDS
    url = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{UI_COMMAND} exited with {process.returncode}:\n{output.read_text()}")
        if url is None and (said := re.search(r"http://127\.0\.0\.1:\d+", output.read_text())):
            url = said.group(0)
        if url is not None:
            try:
                if requests.get(f"{url}/server_info", timeout=5).ok:
                    return url
            except requests.ConnectionError:
                pass
        time.sleep(1)
    pytest.fail(f"{UI_COMMAND} did not serve within {STARTUP_SECONDS} s:\n{output.read_text()}")


def stop(process: subprocess.Popen) -> None:
    for sig, grace in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        if process.poll() is not None:
            return
        os.killpg(process.pid, sig)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="module")
def running_ui(tmp_path_factory) -> Iterator[RunningUI]:
    root = tmp_path_factory.mktemp("ui")
    output = root / "ui.log"
    assert shutil.which("uv", path=path_without_uv()) is None
    with output.open("w") as log:
        process = subprocess.Popen(
            ["bash", "-c", UI_COMMAND],
            cwd=REPO_ROOT,
            env=ui_env(root),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        yield RunningUI(wait_for_ui(process, output), output)
    finally:
        stop(process)


def test_the_printed_command_serves_the_ui_on_loopback(running_ui):
    assert running_ui.url.startswith("http://127.0.0.1:")
    assert requests.get(running_ui.url, timeout=30).status_code == 200
    assert "command not found" not in running_ui.output.read_text()


def test_the_code_location_loads_with_its_assets_checks_sensors_and_schedules(running_ui):
    (entry,) = running_ui.query(WORKSPACE_QUERY)["workspaceOrError"]["locationEntries"]
    location = entry["locationOrLoadError"]
    assert location["__typename"] == "RepositoryLocation", location.get("message", "") + location.get("stack", "")
    assert entry["loadStatus"] == "LOADED"
    (repository,) = location["repositories"]
    assets = {"/".join(node["assetKey"]["path"]) for node in repository["assetNodes"]}
    for source in load_contracts():
        assert {f"landing/{source}", f"raw/{source}"} <= assets
    assert {"marts/partnership_scorecard", "publication/scorecard_report", "publication/dbt_docs"} <= assets
    checks = {
        ("/".join(node["assetKey"]["path"]), check["name"])
        for node in repository["assetNodes"]
        for check in (node["assetChecksOrError"] or {}).get("checks", [])
    }
    assert ("raw/police_scorecard", "errors") in checks and ("raw/csc", "queries") in checks
    assert any(name.startswith("not_null") for _, name in checks), "the dbt tests are asset checks"
    assert {s["name"] for s in repository["sensors"]} >= {"landing_sensor", "alert_on_failed_run"}
    assert {s["name"] for s in repository["schedules"]} >= {"nightly_refresh", "daily_submission_checks"}


def test_the_ui_shows_the_variables_that_hold_secrets_never_their_values(running_ui):
    data = running_ui.query(WORKSPACE_QUERY)
    assert leaked(str(data)) == []
    (entry,) = data["workspaceOrError"]["locationEntries"]
    (repository,) = entry["locationOrLoadError"]["repositories"]
    configured = {
        (resource["name"], value["key"]): (value["type"], value["value"])
        for resource in repository["allTopLevelResourceDetails"]
        for value in resource["configuredValues"]
    }
    assert configured[("alert_webhook", "url")] == ("ENV_VAR", "ALERT_WEBHOOK_URL")
    assert configured[("postgres_publication", "url")] == ("ENV_VAR", "POSTGRES_PUBLICATION_URL")
    assert configured[("warehouse", "path")] == ("ENV_VAR", "WAREHOUSE_PATH")


def test_a_port_asked_for_that_is_taken_is_refused_with_a_clear_message_and_3000_taken_moves_on():
    from dagster_project.ui import DEFAULT_PORT, PortTaken, choose_port

    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        with pytest.raises(PortTaken, match=f"127.0.0.1:{taken} .*DAGSTER_UI_PORT"):
            choose_port(str(taken))
    with socket.socket() as holder:
        with suppress(OSError):  # already taken (by the UI above, say): as good for this test
            holder.bind(("127.0.0.1", DEFAULT_PORT))
        assert choose_port(None) > DEFAULT_PORT
