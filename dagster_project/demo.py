"""Run the whole pipeline once on the sample extracts, as the README's first command does.

Copies the samples shipped in sample_extracts/ into the landing area (as a partner drop would),
then runs the `refresh_warehouse` job for every quarter on the persistent Dagster instance in
DAGSTER_HOME, so `dagster dev` afterwards shows every materialization and check.
"""

import os
import shutil
import sys
import time
from collections.abc import Collection
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.dbt_project import parse_dbt_project
from dagster_project.lib.landing import identify
from dagster_project.lib.privacy import DEMO_KEY, KEY_VARIABLE
from dagster_project.lib.settings import (
    REPO_ROOT,
    SAMPLE_EXTRACTS_DIR,
    landing_dir,
    published_pages_dir,
    published_warehouse_path,
    warehouse_path,
)

DAGSTER_HOME = REPO_ROOT / ".dagster_home"
# What the demo tells a person to run next, from the repository; both work whatever PATH holds (no uv on it).
UI_COMMAND = "scripts/ui"
PYTHON = ".venv/bin/python"
SAMPLE_SENT_AFTER_DAYS = 20


def land_samples(samples: Path, landing: Path, periods: Collection[date] | None = None) -> int:
    """Copy every sample file (of `periods`, or all) into the landing area unless an identical file is already
    there, each dated as if its partner had sent it SAMPLE_SENT_AFTER_DAYS after its period end (the submission
    tracker reads the date). `samples` holds a folder per source, as the landing area does."""
    copied = 0
    for source, contract in load_contracts().items():
        for sample in sorted(p for p in (samples / source).glob("*") if p.is_file()):
            landed = identify(contract, sample)
            target = landing / source / sample.name
            if periods is not None and landed.period_end not in periods:
                continue
            if target.exists() and target.read_bytes() == sample.read_bytes():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sample, target)
            sent = datetime.combine(landed.period_end + timedelta(days=SAMPLE_SENT_AFTER_DAYS), dt_time(9), UTC)
            os.utime(target, (sent.timestamp(), sent.timestamp()))
            copied += 1
    return copied


def use_local_instance() -> None:
    """A persistent Dagster instance in .dagster_home, configured by the repo's dagster.yaml (linked)."""
    os.environ.setdefault("DAGSTER_HOME", str(DAGSTER_HOME))
    home = Path(os.environ["DAGSTER_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.symlink_to(REPO_ROOT / "dagster.yaml")


def use_demo_key() -> None:
    """The samples' identifiers are invented; a public key is enough for them, and never for partner data."""
    if not os.environ.get(KEY_VARIABLE):
        os.environ[KEY_VARIABLE] = DEMO_KEY
        print(f"{KEY_VARIABLE} not set: using the public demo key (fine for the samples, never for partner data)")


def main() -> int:
    started = time.monotonic()
    use_demo_key()
    landing, warehouse = landing_dir(), warehouse_path()
    print(f"Landing sample extracts in {landing} ...", flush=True)
    print(f"  {land_samples(SAMPLE_EXTRACTS_DIR, landing)} new or changed file(s) copied")
    use_local_instance()
    print("Parsing the dbt project and loading the Dagster definitions ...", flush=True)
    parse_dbt_project()
    from dagster_project.runner import run_refresh

    outcome = run_refresh(progress=lambda line: print(line, flush=True))
    print()
    print(outcome.report())
    print(f"\nDone in {time.monotonic() - started:.0f}s.")
    published = published_warehouse_path()
    print(f"Warehouse for readers (read-only, DuckDB 1.x or later): {published}")
    print(
        f"  e.g. {PYTHON} -c \"import duckdb; print(duckdb.connect('{published}', read_only=True)"
        ".sql('from marts.partnership_scorecard limit 5'))\""
    )
    pages = published_pages_dir()
    print(f"The scorecard, as pages (any browser; printable): {pages / 'report' / 'index.html'}")
    print(f"The dbt docs (models, tests, lineage to the report): {pages / 'dbt-docs' / 'index.html'}")
    print(f"The pipeline's own build file (never open it while a run may write): {warehouse}")
    print(f"Dagster UI, on this instance with every run above: {UI_COMMAND}  → http://127.0.0.1:3000")
    return 0 if outcome.success else 1


if __name__ == "__main__":
    sys.exit(main())
