"""Write every source's sample extracts, or with --authorities / --quarters, national volumes for the benchmark.

Usage: python -m tools.samples [--out DIR]
       python -m tools.samples --authorities N [--quarters Q] --out DIR
The second form writes children's and adult social care extracts for N authorities (up to 153: the five real
ones, then synthetic ones sending copies of theirs; see samples/scale.py) for the latest Q quarters (up to 12).
"""

import argparse
from collections.abc import Callable
from pathlib import Path

from tools.samples import annexa, asc, audits, cin, csc, csc903, police_scorecard, scale

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "sample_extracts"

# One writer per source: each takes the output root and returns the files it wrote.
SAMPLE_WRITERS: list[Callable[[Path], list[Path]]] = [
    police_scorecard.write_samples,
    csc.write_samples,
    csc903.write_samples,
    cin.write_samples,
    annexa.write_samples,
    asc.write_samples,
    audits.write_samples,
]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.samples", description=__doc__)
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help=f"output root (default: {DEFAULT_OUT})",
    )
    parser.add_argument("--authorities", type=int, help=f"scale: how many authorities (up to {scale.NATIONAL})")
    parser.add_argument("--quarters", type=int, help="scale: how many quarters, the latest (default 1)")
    args = parser.parse_args(argv)
    if args.authorities or args.quarters:
        if args.out == DEFAULT_OUT:
            parser.error("--authorities and --quarters need an --out of their own (not the shipped samples' folder)")
        scale.write_scaled(args.out, args.authorities or len(scale.REAL), args.quarters or 1)
        return
    for write_samples in SAMPLE_WRITERS:
        for path in write_samples(args.out):
            print(path)
    # The section 175 settings register is reference data (a dbt seed) that goes with the audit samples.
    register = audits.SETTINGS_SEED if args.out == DEFAULT_OUT else args.out / audits.SETTINGS_SEED.name
    print(audits.write_settings_register(register))


if __name__ == "__main__":
    main()
