"""The code location as the UI loads it: the asset graph from landing to marts, checks, sensor, schedule."""

import json
import os
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from dagster_project.lib.settings import REPO_ROOT

pytestmark = pytest.mark.e2e

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "asset_graph.txt"


def graph_lines(defs: dg.Definitions) -> list[str]:
    graph = defs.resolve_asset_graph()
    lines = []
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        parents = ", ".join(sorted(p.to_user_string() for p in node.parent_keys))
        lines.append(f"{key.to_user_string()} <- [{parents}]")
    for check in sorted(graph.asset_check_keys, key=lambda c: c.to_user_string()):
        lines.append(f"check {check.to_user_string()}")
    return lines


def test_the_asset_graph_is_the_one_we_meant(monkeypatch):
    """A changed graph fails here; if the change is intended, regenerate with UPDATE_SNAPSHOTS=1."""
    from dagster_project.definitions import build_definitions

    lines = graph_lines(build_definitions())
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text("\n".join(lines) + "\n")
    assert lines == SNAPSHOT.read_text().splitlines()
    assert "raw/police_scorecard <- [landing/police_scorecard]" in lines
    assert "check raw/police_scorecard:errors" in lines


def test_definitions_load_as_dagster_dev_loads_them():
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dagster")), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


SPAWNED_WHILE_IMPORTING = """
import json, sys
spawned = []
sys.addaudithook(lambda event, args: spawned.append(str(args[1])) if event == "subprocess.Popen" else None)
import dagster_project.definitions
print(json.dumps(spawned))
"""


def test_loading_the_definitions_runs_no_dbt_even_under_dagster_dev():
    """The manifest is prepared by the commands that start Dagster, never as a side effect of an import (which
    under `dagster dev` ran `dbt parse` with a dbt looked up on PATH, and failed where it was not there)."""
    env = os.environ | {"DAGSTER_IS_DEV_CLI": "1", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-c", SPAWNED_WHILE_IMPORTING], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    spawned = json.loads(result.stdout.splitlines()[-1])
    assert [command for command in spawned if "dbt" in command] == []


def test_definitions_without_a_manifest_say_how_to_make_one(tmp_path):
    from dagster_project.lib.dbt_project import ManifestMissing, require_manifest

    with pytest.raises(ManifestMissing, match=r"scripts/ui.*python -m dagster_project\.lib\.dbt_project"):
        require_manifest(tmp_path / "target" / "manifest.json")


def test_sensor_launches_one_run_per_new_quarter_and_reports_bad_names(pipeline):
    from dagster_project.resources import LandingResource, PostgresPublicationResource
    from dagster_project.sensors import landing_sensor

    pipeline.land_sample("2022-03")
    pipeline.land_sample("2023-03")
    (pipeline.police_folder / "police scorecard.xlsx").write_bytes(b"x")
    resources = {
        "landing": LandingResource(root=str(pipeline.landing)),
        "postgres_publication": PostgresPublicationResource(url="postgresql+psycopg://reports.example/warehouse"),
    }
    with dg.build_sensor_context(instance=pipeline.instance, resources=resources) as context:
        result = landing_sensor(context)
    assert [r.partition_key for r in result.run_requests] == ["2022-03", "2023-03"]
    assert all(dg.AssetKey(["raw", "police_scorecard"]) in r.asset_selection for r in result.run_requests)
    assert all(dg.AssetKey(["marts", "police_scorecard"]) in r.asset_selection for r in result.run_requests)
    # A PostgreSQL server is configured: its copy is part of every build.
    assert all(dg.AssetKey(["publication", "postgres_tables"]) in r.asset_selection for r in result.run_requests)
    assert result.dynamic_partitions_requests[0].partition_keys == ["2022-03", "2023-03"]
    assert "police scorecard.xlsx" in result.cursor


def test_the_nightly_schedule_runs_at_two_in_london():
    from dagster_project.definitions import defs

    schedule = defs.resolve_schedule_def("nightly_refresh")
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "Europe/London")


def test_the_nightly_schedule_loads_new_quarters_and_rebuilds_a_stale_warehouse(pipeline):
    from dagster_project.assets.warehouse import warehouse_models
    from dagster_project.automation import warehouse_build_keys
    from dagster_project.lib.landing import partition_fingerprint
    from dagster_project.resources import LandingResource, PostgresPublicationResource
    from dagster_project.schedules import nightly_refresh

    resources = {
        "landing": LandingResource(root=str(pipeline.landing)),
        "postgres_publication": PostgresPublicationResource(),
    }

    def evaluate():
        # Used as a context manager, the schedule context closes the instance it opens from the ref.
        with dg.build_schedule_context(instance=pipeline.instance, resources=resources) as context:
            return nightly_refresh(context)

    assert isinstance(evaluate(), dg.SkipReason)
    pipeline.land_sample("2023-03")
    requests = evaluate()
    assert [r.partition_key for r in requests] == ["2023-03"]
    assert set(warehouse_models.keys) <= set(requests[0].asset_selection)
    assert pipeline.instance.get_dynamic_partitions("quarter") == ["2023-03"]

    # The quarter is loaded (its files recorded) but dbt has not run since: only the warehouse is rebuilt.
    fingerprint = partition_fingerprint(resources["landing"].scan().files)
    pipeline.instance.report_runless_asset_event(
        dg.AssetMaterialization(
            dg.AssetKey(["raw", "police_scorecard"]), partition="2023-03", metadata={"landing_fingerprint": fingerprint}
        )
    )
    (request,) = evaluate()
    # The warehouse build: the official statistics, every dbt asset and the publication.
    assert set(request.asset_selection) == set(warehouse_build_keys(publishes_to_postgres=False))
