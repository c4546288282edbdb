"""The dbt project's manifest, which Dagster reads to know the models. `dagster dev` keeps it fresh by
itself; everything else (the demo, tests, CI) parses the project first with this."""

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
