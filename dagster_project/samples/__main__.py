"""Write every source's sample extracts.

Usage: python -m dagster_project.samples [--out DIR]
"""

import argparse
from collections.abc import Callable
from pathlib import Path

from dagster_project.samples import asc, audits, csc, police_scorecard

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_extracts"

# One writer per source: each takes the output root and returns the files it wrote.
SAMPLE_WRITERS: list[Callable[[Path], list[Path]]] = [
    police_scorecard.write_samples,
    csc.write_samples,
    asc.write_samples,
    audits.write_samples,
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.samples", description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output root (default: {DEFAULT_OUT})",
    )
    args = parser.parse_args(argv)
    for write_samples in SAMPLE_WRITERS:
        for path in write_samples(args.out):
            print(path)
    # The section 175 settings register is reference data (a dbt seed) that goes with the audit samples.
    register = audits.SETTINGS_SEED if args.out == DEFAULT_OUT else args.out / audits.SETTINGS_SEED.name
    print(audits.write_settings_register(register))


if __name__ == "__main__":
    main()
