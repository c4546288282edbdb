"""Secrets and machine paths never reach what the Dagster UI shows: resources are configured with the name of
the environment variable that holds each deployment value (`dg.EnvVar`), read when a run starts, so neither the
repository snapshot the UI reads (jobs' config schemas and defaults, resources, assets) nor a run's stored
config, tags and event log holds a value."""

import shutil

import dagster as dg
import pytest
from dagster._core.remote_representation.external_data import RepositorySnap
from dagster._serdes import serialize_value

from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR

pytestmark = pytest.mark.e2e

SECRETS = {
    "ALERT_WEBHOOK_URL": "https://hooks.example.invalid/services/SENTINEL-WEBHOOK-7f3a",
    "POSTGRES_PUBLICATION_URL": "postgresql+psycopg://publisher:SENTINEL-PASSWORD-91c2@127.0.0.1:9/safeguarding",
    "PSEUDONYMISATION_KEY": "SENTINEL-KEY-5d1e",
}
SENTINELS = ("SENTINEL-WEBHOOK-7f3a", "SENTINEL-PASSWORD-91c2", "SENTINEL-KEY-5d1e")


def leaked(text: str) -> list[str]:
    return [sentinel for sentinel in SENTINELS if sentinel in text]


@pytest.fixture
def secrets_set(pipeline, monkeypatch):
    for variable, value in SECRETS.items():
        monkeypatch.setenv(variable, value)
    return pipeline


def test_the_repository_snapshot_the_ui_reads_names_variables_never_values(secrets_set):
    from dagster_project.definitions import build_definitions

    snapshot = serialize_value(RepositorySnap.from_def(build_definitions().get_repository_def()))

    assert leaked(snapshot) == []
    machine = str(secrets_set.landing.parent)  # every path the fixture set lives under it
    assert machine not in snapshot, "a machine's path is configuration shown in the UI"
    for variable in ("ALERT_WEBHOOK_URL", "POSTGRES_PUBLICATION_URL", "LANDING_DIR", "WAREHOUSE_PATH"):
        shown_as_variable = f'"__class__": "ExternalResourceConfigEnvVar", "name": "{variable}"'
        assert shown_as_variable in snapshot, f"{variable} is not configured as an environment variable"


def test_a_run_stores_no_secret_in_its_config_tags_or_events(secrets_set):
    """A run that reads a partner's file (the key in use) and opens every resource it needs, from the UI's job."""
    from dagster_project.assets.extracts import extract_keys
    from dagster_project.definitions import build_definitions
    from dagster_project.lib.contracts import load_contracts
    from dagster_project.partitions import quarters

    folder = secrets_set.landing / "s175"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE_EXTRACTS_DIR / "s175" / "s175_E06000022_2023-03.csv", folder)
    instance: dg.DagsterInstance = secrets_set.instance
    instance.add_dynamic_partitions(quarters.name, ["2023-03"])
    result = (
        build_definitions()
        .resolve_job_def("refresh_warehouse")
        .execute_in_process(
            instance=instance, partition_key="2023-03", asset_selection=extract_keys(load_contracts()["s175"])
        )
    )

    assert result.success
    run = instance.get_run_by_id(result.run_id)
    assert leaked(serialize_value(run)) == []
    events = instance.all_logs(result.run_id)
    assert events and leaked("\n".join(serialize_value(event) for event in events)) == []
