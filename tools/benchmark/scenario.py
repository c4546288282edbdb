"""One benchmark scenario, in a process of its own (so its peak memory is its own): with a history, load it
unmeasured (the real authorities' files through the pipeline, copied in SQL to the synthetic ones: see
benchmark.history), then land the extracts and run the pipeline, measured stage by stage, then the DuckDB floor
over the same files. Writes the figures as JSON for `python -m tools.benchmark`.

Run by the benchmark with the working directory and PYTHONPATH set to a copy of the project (benchmark.national).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

from dagster_project.lib.privacy import DEMO_KEY, KEY_VARIABLE

if TYPE_CHECKING:
    from dagster_project.lib.contracts import SourceContract
    from dagster_project.lib.landing import LandedFile


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


def run(extracts: Path, work: Path, history: Path | None = None, history_periods: int = 0) -> dict:
    import dagster as dg

    from dagster_project.demo import land_samples
    from dagster_project.lib.contracts import load_contracts
    from dagster_project.lib.dbt_project import parse_dbt_project
    from dagster_project.lib.metering import recording
    from dagster_project.lib.settings import DBT_PROJECT_DIR, landing_dir, warehouse_path
    from tools.benchmark.floor import measure_floor
    from tools.benchmark.history import copy_history_to_synthetic
    from tools.samples.scale import REGISTER, read_register

    parse_dbt_project()
    from dagster_project.runner import run_refresh

    contracts = load_contracts()
    files = _landed_files(extracts, contracts)
    figures: dict = {"measured_periods": sorted({f"{f.period_end:%Y-%m}" for f in files})}
    (work / "dagster_home").mkdir(parents=True, exist_ok=True)
    with dg.DagsterInstance.local_temp(str(work / "dagster_home")) as instance:
        if history is not None:
            started = time.monotonic()
            periods = sorted({f.period_end for f in _landed_files(history, contracts)})[:history_periods]
            land_samples(history, landing_dir(), set(periods))
            outcome = run_refresh(instance=instance, progress=print)
            if not outcome.success:
                raise SystemExit(f"the history runs failed:\n{outcome.report()}")
            copied = copy_history_to_synthetic(warehouse_path(), contracts, read_register(extracts / REGISTER))
            print(f"History: {len(periods)} quarter(s) loaded, {copied} loads copied to synthetic authorities")
            figures |= {"history_periods": len(periods), "history_seconds": time.monotonic() - started}
        land_samples(extracts, landing_dir())
        with recording() as record:
            started = time.monotonic()
            outcome = run_refresh(instance=instance, progress=print)
            figures["seconds"] = time.monotonic() - started
    figures |= {
        "success": outcome.success,
        "peak_bytes": record.peak_bytes,
        "stages": {name: asdict(f) for name, f in record.figures().items()},
        "files": len(files),
    }
    print("Measuring the DuckDB floor over the same files ...", flush=True)
    floor = measure_floor(files, contracts, warehouse_path(), DBT_PROJECT_DIR, work / "floor")
    figures["floor"] = asdict(floor)
    return figures


def _landed_files(extracts: Path, contracts: dict[str, SourceContract]) -> list[LandedFile]:
    from dagster_project.lib.landing import identify

    return [identify(c, p) for s, c in contracts.items() for p in sorted((extracts / s).glob("*")) if p.is_file()]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.benchmark.scenario", description=__doc__)
    parser.add_argument("--extracts", type=Path, required=True, help="a folder per source, as the landing area")
    parser.add_argument("--work", type=Path, required=True, help="the scenario's own folder (emptied first)")
    parser.add_argument("--history", type=Path, help="extracts whose oldest periods are loaded first, unmeasured")
    parser.add_argument("--history-periods", type=int, default=0, help="how many periods of --history")
    parser.add_argument("--result", type=Path, required=True, help="where the figures go (JSON)")
    args = parser.parse_args(argv)
    point_everything_at(args.work)
    figures = run(args.extracts, args.work, args.history, args.history_periods)
    args.result.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
