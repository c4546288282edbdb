"""Nothing lost, nothing doubled under faults: a run killed while it loads or while dbt builds leaves the warehouse
consistent and what readers see unchanged, and the next run completes; two runs started together end as one would.
The runs are real processes (scripts/demo's in-process refresh), killed with SIGKILL: inside a file's load
transaction, with its rows written and not yet committed, and once dbt has started writing models."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.e2e

REFRESH = (
    "import dagster as dg\n"
    "from dagster_project.runner import run_refresh\n"
    "outcome = run_refresh(instance=dg.DagsterInstance.get(), progress=lambda line: print(line, flush=True))\n"
    "raise SystemExit(0 if outcome.success else 1)\n"
)
# Before the refresh: the Nth file loaded by the process stops inside its load transaction, every row of it
# written and nothing committed, says so and waits to be killed. The files before it load as usual.
INSIDE_LOAD = "inside the load transaction of"
PAUSE_IN_NTH_LOAD = (
    "import sys, time\n"
    "import dagster_project.lib.ingest as ingest\n"
    "load, loads = ingest.load_extract, []\n"
    "def load_and_maybe_pause(connection, contract, parsed, *args, also=None, **kwargs):\n"
    "    loads.append(parsed.landed.name)\n"
    "    def then_pause(connection, load_id):\n"
    "        if also is not None:\n"
    "            also(connection, load_id)\n"
    "        if len(loads) == int(sys.argv[1]):\n"
    f"            print('{INSIDE_LOAD}', parsed.landed.name, flush=True)\n"
    "            time.sleep(600)\n"
    "    return load(connection, contract, parsed, *args, also=then_pause, **kwargs)\n"
    "ingest.load_extract = load_and_maybe_pause\n"
)
QUARTERS = ["2022-03", "2022-06", "2022-09", "2022-12"]


@pytest.fixture
def dagster_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "dagster_home_for_processes"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    # The instance exists before any run starts, as a deployment's does (two processes creating its SQLite
    # storage at the same moment would race on its schema, which is not what this tests).
    import dagster as dg

    dg.DagsterInstance.get().dispose()
    return home


def start_refresh(log: Path, pause_in_load: int | None = None) -> subprocess.Popen:
    """The refresh in a process of its own (and its own process group, so dbt dies with it); with `pause_in_load`
    N, the Nth file it loads waits inside its load transaction."""
    script = REFRESH if pause_in_load is None else PAUSE_IN_NTH_LOAD + REFRESH
    return subprocess.Popen(
        [sys.executable, "-c", script, str(pause_in_load)],
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill_when(process: subprocess.Popen, ready, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the run ended before the fault could be injected"
        assert time.monotonic() < deadline, "the run never reached the point of the fault"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def dbt_is_building() -> bool:
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"dbt") for a in arguments) and b"build" in arguments:
            return True
    return False


def dbt_has_written(warehouse: Path) -> bool:
    """dbt is building and has committed models: DuckDB's write-ahead log beside the file (the pipeline's own
    connections checkpoint it away when they close, before dbt starts)."""
    return dbt_is_building() and warehouse.with_name(warehouse.name + ".wal").exists()


def raw_is_consistent(warehouse: Path) -> tuple[int, int]:
    """Every raw row belongs to a recorded extract and every extract has all its rows; (extracts, rows)."""
    with duckdb.connect(str(warehouse)) as connection:
        orphans = connection.execute(
            """select count(*) from raw.police_scorecard_rows
               where load_id not in (select load_id from raw.extracts)"""
        ).fetchone()[0]
        short = connection.execute(
            """select count(*) from raw.extracts as e
               where row_count <> (select count(*) from raw.police_scorecard_rows as r where r.load_id = e.load_id)"""
        ).fetchone()[0]
        assert (orphans, short) == (0, 0)
        return connection.execute(
            "select count(*), (select count(*) from raw.police_scorecard_rows) from raw.extracts"
        ).fetchone()


def published_scorecard(pipeline) -> list[tuple]:
    with duckdb.connect(str(pipeline.published), read_only=True) as connection:
        return connection.execute(
            "select period_end, count(*) from marts.police_scorecard group by all order by all"
        ).fetchall()


def test_runs_killed_while_they_load_leave_nothing_half_loaded_and_the_next_two_complete_together(
    pipeline, dagster_home, tmp_path
):
    for quarter in QUARTERS:
        pipeline.land_sample(quarter)
    # Killed inside the first file's load transaction, then (the first one loaded) inside the second's.
    for position in (1, 2):
        log = tmp_path / f"killed{position}.log"
        process = start_refresh(log, pause_in_load=position)
        kill_when(process, lambda log=log: INSIDE_LOAD in log.read_text())
        extracts, _ = raw_is_consistent(pipeline.warehouse)
        assert extracts == position - 1, "the killed load left nothing; the one before it stays"

    # Then two runs started together: they wait for each other's lock and load every file once.
    runs = [start_refresh(tmp_path / f"run{i}.log") for i in range(2)]
    codes = [run.wait(timeout=900) for run in runs]
    assert 0 in codes, [(tmp_path / f"run{i}.log").read_text()[-3000:] for i in range(2)]
    extracts, rows = raw_is_consistent(pipeline.warehouse)
    assert extracts == len(QUARTERS), "every file loaded once"
    again = start_refresh(tmp_path / "again.log")
    assert again.wait(timeout=900) == 0, (tmp_path / "again.log").read_text()[-3000:]
    assert raw_is_consistent(pipeline.warehouse) == (extracts, rows)
    assert [str(period) for period, _ in published_scorecard(pipeline)][-1] == "2022-12-31"


def test_a_run_killed_while_dbt_builds_leaves_readers_the_last_build_and_the_next_completes(
    pipeline, dagster_home, tmp_path
):
    pipeline.land_sample(QUARTERS[0])
    first = start_refresh(tmp_path / "first.log")
    assert first.wait(timeout=900) == 0, (tmp_path / "first.log").read_text()[-3000:]
    before = published_scorecard(pipeline)

    for quarter in QUARTERS[1:]:
        pipeline.land_sample(quarter)
    killed = start_refresh(tmp_path / "killed.log")
    kill_when(killed, lambda: dbt_has_written(pipeline.warehouse))

    assert published_scorecard(pipeline) == before, "readers still see the last complete build"
    raw_is_consistent(pipeline.warehouse)
    completed = start_refresh(tmp_path / "next.log")
    assert completed.wait(timeout=900) == 0, (tmp_path / "next.log").read_text()[-3000:]
    assert len(published_scorecard(pipeline)) == len(QUARTERS)
