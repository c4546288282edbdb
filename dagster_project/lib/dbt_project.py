"""The dbt project's manifest, which Dagster reads to know the models. Loading the definitions never makes it:
whatever starts Dagster parses the project first (scripts/ui, the demo, the tests, an image build), with
`python -m dagster_project.lib.dbt_project` or `parse_dbt_project`."""

import os
import subprocess
import sys
from pathlib import Path

from dagster_project.lib.settings import DBT_PROJECT_DIR

MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
# The dbt installed beside this Python: found without PATH, which a code server or `.venv/bin/python` may lack.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")


def parse_dbt_project(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """Run `dbt parse`; returns the manifest's path. Raises CalledProcessError with dbt's output."""
    command = [
        str(DBT_EXECUTABLE),
        "parse",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
        "--quiet",
    ]
    subprocess.run(command, check=True, cwd=project_dir, env=os.environ | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"})
    return project_dir / "target" / "manifest.json"


class ManifestMissing(FileNotFoundError):
    """The definitions were loaded before the dbt project was parsed."""


def require_manifest(manifest: Path) -> None:
    if not manifest.exists():
        raise ManifestMissing(
            f"No dbt manifest at {manifest}: the dbt models are assets, and Dagster reads them from it. Start the UI "
            "with scripts/ui (it prepares the manifest), or run `.venv/bin/python -m dagster_project.lib.dbt_project` "
            "first (again after changing a dbt model)."
        )


if __name__ == "__main__":
    print(f"dbt manifest written: {parse_dbt_project()}")
