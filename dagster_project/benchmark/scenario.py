"""One benchmark scenario, in a process of its own (so its peak memory is its own): land the extracts of the
history periods and run the pipeline unmeasured, then land the rest and run it again, measured stage by stage,
then the DuckDB floor over the same files. Writes the figures as JSON for `python -m dagster_project.benchmark`.

Run by the benchmark with the working directory and PYTHONPATH set to a copy of the project (benchmark.national).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict
from pathlib import Path

from dagster_project.lib.privacy import DEMO_KEY, KEY_VARIABLE


def point_everything_at(work: Path) -> None:
    """Every path the pipeline writes, inside the scenario's folder; nothing online, no server to publish to."""
    for variable, path in {
        "LANDING_DIR": "landing",
        "WAREHOUSE_PATH": "warehouse.duckdb",
        "PUBLISHED_WAREHOUSE_PATH": "published/warehouse.duckdb",
        "PUBLISHED_PAGES_DIR": "published",
        "FEEDBACK_DIR": "feedback",
        "QUARANTINE_DIR": "quarantine",
        "OFFICIAL_STATISTICS_CACHE": "official_statistics",
    }.items():
        os.environ[variable] = str(work / path)
    os.environ |= {"LANDING_SETTLE_SECONDS": "0", KEY_VARIABLE: os.environ.get(KEY_VARIABLE) or DEMO_KEY}
    for variable in ("EES_API_URL", "POSTGRES_PUBLICATION_URL", "ALERT_WEBHOOK_URL"):
        os.environ.pop(variable, None)


def run(extracts: Path, work: Path, history_periods: int) -> dict:
    import dagster as dg

    from dagster_project.benchmark.floor import measure_floor
    from dagster_project.demo import land_samples
    from dagster_project.lib.contracts import load_contracts
    from dagster_project.lib.dbt_project import parse_dbt_project
    from dagster_project.lib.landing import identify
    from dagster_project.lib.metering import recording
    from dagster_project.lib.settings import DBT_PROJECT_DIR, landing_dir, warehouse_path

    parse_dbt_project()
    from dagster_project.runner import run_refresh

    contracts = load_contracts()
    files = [identify(c, p) for s, c in contracts.items() for p in sorted((extracts / s).glob("*")) if p.is_file()]
    periods = sorted({f.period_end for f in files})
    history, measured = set(periods[:history_periods]), set(periods[history_periods:])
    figures: dict = {"history_periods": len(history), "measured_periods": [f"{p:%Y-%m}" for p in sorted(measured)]}
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    with dg.DagsterInstance.local_temp(str(work / "dagster_home")) as instance:
        if history:
            started = time.monotonic()
            land_samples(extracts, landing_dir(), history)
            outcome = run_refresh(instance=instance, progress=print)
            figures["history_seconds"] = time.monotonic() - started
            if not outcome.success:
                raise SystemExit(f"the history runs failed:\n{outcome.report()}")
        land_samples(extracts, landing_dir(), measured)
        with recording() as record:
            started = time.monotonic()
            outcome = run_refresh(instance=instance, progress=print)
            figures["seconds"] = time.monotonic() - started
    figures |= {
        "success": outcome.success,
        "peak_bytes": record.peak_bytes,
        "stages": {name: asdict(f) for name, f in record.figures().items()},
        "files": sum(f.period_end in measured for f in files),
    }
    print("Measuring the DuckDB floor over the same files ...", flush=True)
    measured_files = [f for f in files if f.period_end in measured]
    floor = measure_floor(measured_files, contracts, warehouse_path(), DBT_PROJECT_DIR, work / "floor")
    figures["floor"] = asdict(floor)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.benchmark.scenario", description=__doc__)
    parser.add_argument("--extracts", type=Path, required=True, help="a folder per source, as the landing area")
    parser.add_argument("--work", type=Path, required=True, help="the scenario's own folder (emptied first)")
    parser.add_argument("--history-periods", type=int, default=0, help="the oldest periods loaded unmeasured")
    parser.add_argument("--result", type=Path, required=True, help="where the figures go (JSON)")
    args = parser.parse_args(argv)
    point_everything_at(args.work)
    figures = run(args.extracts, args.work, args.history_periods)
    args.result.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
