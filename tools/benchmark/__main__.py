"""The benchmark: the pipeline on generated data, stage by stage, beside the DuckDB floor.

Usage: python -m tools.benchmark [--authorities 153] [--scenarios sample,national,added] [--work DIR]

Scenarios, each in a process of its own on a copy of the project whose partner registry names every authority:
  sample    the five authorities' sample extracts, every source, into an empty warehouse
  national  one quarter (2024-03) of children's and adult social care from --authorities authorities
  added     the same quarter added to a warehouse already holding the eight quarters before it (the real
            authorities' loaded through the pipeline, copied in SQL to the synthetic ones: tools/benchmark/history.py)
Prints one table: per scenario and stage, wall time, peak memory (the process and its children), rows per
second, the floor's time for the same work and the ratio; then each target, met or missed and by how much.
Generated extracts are kept in --work/extracts-<authorities>x<quarters>/ and reused.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from dagster_project.lib.metering import STAGES
from dagster_project.lib.settings import REPO_ROOT, SAMPLE_EXTRACTS_DIR
from tools.benchmark.national import national_project
from tools.samples.scale import (
    NATIONAL,
    REAL,
    REGISTER,
    read_register,
    scaled_authorities,
    write_scaled,
)

GB = 1 << 30
# The targets, on a 2-core, 24 GB machine.
NATIONAL_SECONDS, NATIONAL_BYTES = 600, 8 * GB
ADDED_OVER_FIRST = 1.5
OVER_FLOOR = {"parsing": 3.0, "validation": 3.0}


@dataclass(frozen=True)
class Scenario:
    name: str
    generated: bool  # generated national extracts of one quarter, or the shipped samples
    history: int = 0  # quarters loaded, unmeasured, before it

    def extracts(self, work: Path, authorities: int) -> Path:
        return generated_extracts(work, authorities, 1) if self.generated else SAMPLE_EXTRACTS_DIR

    def history_extracts(self, work: Path) -> Path:
        """The real authorities' quarters before the measured one (the history's synthetic part is copied)."""
        return generated_extracts(work, len(REAL), self.history + 1)


def generated_extracts(work: Path, authorities: int, quarters: int) -> Path:
    folder = work / f"extracts-{authorities}x{quarters}"
    if not (folder / REGISTER).exists():
        print(f"Generating {quarters} quarter(s) of extracts for {authorities} authorities in {folder} ...")
        write_scaled(folder, authorities, quarters, progress=lambda line: print(f"  {line}", flush=True))
    return folder


SCENARIOS = {
    "sample": Scenario("sample", generated=False),
    "national": Scenario("national", generated=True),
    "added": Scenario("added", generated=True, history=8),
}


def run_scenario(scenario: Scenario, authorities: int, work: Path) -> dict:
    extracts = scenario.extracts(work, authorities)
    members = read_register(extracts / REGISTER) if scenario.generated else scaled_authorities(len(REAL))
    project = national_project(REPO_ROOT, members, work / f"project-{len(members)}")
    folder = work / scenario.name
    result = work / f"{scenario.name}.json"
    env = os.environ | {"PYTHONPATH": str(project), "GX_ANALYTICS_ENABLED": "false"}
    command = [sys.executable, "-m", "tools.benchmark.scenario", "--extracts", str(extracts)]
    command += ["--work", str(folder), "--result", str(result)]
    if scenario.history:
        command += ["--history", str(scenario.history_extracts(work)), "--history-periods", str(scenario.history)]
    print(f"\n== {scenario.name}: {len(members)} authorities, {extracts} ==", flush=True)
    if folder.exists():
        subprocess.run(["rm", "-rf", str(folder)], check=True)
    subprocess.run(command, check=True, cwd=project, env=env)
    return json.loads(result.read_text())


def table(results: dict[str, dict]) -> list[str]:
    header = f"{'scenario':<9} {'stage':<11} {'wall s':>8} {'peak GB':>8} {'rows/s':>10} {'floor s':>8} {'× floor':>8}"
    lines = [header, "-" * len(header)]
    for name, figures in results.items():
        stages, floor = figures["stages"], figures["floor"]["seconds"]
        rows = max((s["rows"] for s in stages.values()), default=0)
        for stage in STAGES:
            if stage not in stages:
                continue
            seconds, peak = stages[stage]["seconds"], stages[stage]["peak_bytes"] / GB
            rate = f"{rows / seconds:,.0f}" if seconds else "-"
            floored = floor.get(stage)
            ratio = f"{seconds / floored:.1f}" if floored else "-"
            floor_text = f"{floored:.2f}" if floored else "-"
            lines.append(f"{name:<9} {stage:<11} {seconds:>8.1f} {peak:>8.2f} {rate:>10} {floor_text:>8} {ratio:>8}")
        total_floor = sum(floor.values())
        lines.append(
            f"{name:<9} {'all':<11} {figures['seconds']:>8.1f} {figures['peak_bytes'] / GB:>8.2f} "
            f"{rows / figures['seconds']:>10,.0f} {total_floor:>8.2f} {figures['seconds'] / total_floor:>8.1f}"
        )
        coverage = figures["floor"]
        lines.append(
            f"{'':<9} {rows:,} rows in {figures['files']} files; the validation floor ran "
            f"{coverage['expectations_run']} expectation(s), left {coverage['expectations_skipped']} it cannot express"
        )
    return lines


def verdicts(results: dict[str, dict]) -> list[str]:
    lines = []
    if (national := results.get("national")) is not None:
        lines.append(_verdict("one national quarter, wall time", national["seconds"], NATIONAL_SECONDS, "s"))
        peak = national["peak_bytes"] / GB
        lines.append(_verdict("one national quarter, peak memory", peak, NATIONAL_BYTES / GB, "GB"))
        if (added := results.get("added")) is not None:
            ratio = added["seconds"] / national["seconds"]
            lines.append(_verdict("adding a quarter to eight, × the first quarter", ratio, ADDED_OVER_FIRST, "×"))
    for name, figures in results.items():
        for stage, limit in OVER_FLOOR.items():
            seconds, floored = figures["stages"].get(stage, {}).get("seconds"), figures["floor"]["seconds"].get(stage)
            if seconds and floored:
                lines.append(_verdict(f"{name}: {stage} × its DuckDB floor", seconds / floored, limit, "×"))
    return lines


def _verdict(what: str, value: float, limit: float, unit: str) -> str:
    if value <= limit:
        return f"MET     {what}: {value:.2f} {unit} (target ≤ {limit:g} {unit})"
    return f"MISSED  {what}: {value:.2f} {unit}, {value / limit:.1f} times the target of {limit:g} {unit}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m tools.benchmark", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--authorities", type=int, default=NATIONAL, help=f"authorities (default {NATIONAL})")
    choices = ",".join(SCENARIOS)
    parser.add_argument("--scenarios", default=choices, help=f"comma-separated, of {choices}")
    parser.add_argument("--work", type=Path, default=REPO_ROOT / "data" / "benchmark", help="default data/benchmark")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.scenarios.split(",") if n.strip()]
    if unknown := [n for n in names if n not in SCENARIOS]:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    args.work.mkdir(parents=True, exist_ok=True)
    results = {name: run_scenario(SCENARIOS[name], args.authorities, args.work.resolve()) for name in names}
    print()
    print("\n".join(table(results)))
    print()
    print("\n".join(verdicts(results)))
    (args.work / "results.json").write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
