"""A copy of the project whose partner registry names every authority of a scaled data set, as a national
deployment's own copy would: the registry's seeds list them (a synthetic authority with its template's partner
layout), and the reference seeds carry their child populations (their template's)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from tools.samples.scale import ScaledAuthority

PROJECT_PARTS = (
    "dagster_project",
    "tools",
    "sources",
    "expectations",
    "dbt",
    "reference",
    "dagster.yaml",
    "workspace.yaml",
)
UNCOPIED = shutil.ignore_patterns("target", "logs", "dbt_packages", "__pycache__", ".user.yml")


def national_project(repo: Path, authorities: list[ScaledAuthority], target: Path) -> Path:
    """`target`, a copy of the project at `repo` that accepts every authority listed."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = repo / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=UNCOPIED)
        else:
            shutil.copy2(source, target / part)
    synthetic = [a for a in authorities if a.synthetic]
    seeds = target / "dbt" / "seeds"  # the partner registry (lib/registry.py) and the reference data
    _add_rows(seeds / "authorities.csv", "la_code", synthetic, _authority_row)
    _add_rows(seeds / "partner_layouts.csv", "la_code", synthetic, _layout_rows)
    _add_rows(seeds / "child_population.csv", "la_code", synthetic, _population_row)
    return target


def _layout_rows(authority: ScaledAuthority, template: dict[str, str]) -> list[dict[str, str]]:
    """A synthetic authority sends its template's files, so it writes its template's layouts."""
    return [template | {"la_code": authority.code}]


def _add_rows(path: Path, key: str, synthetic: list[ScaledAuthority], make_rows) -> None:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns, rows = list(reader.fieldnames or []), list(reader)
    by_template: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_template.setdefault(row[key], []).append(row)
    added = [new for a in synthetic for row in by_template.get(a.template, []) for new in make_rows(a, row)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows + added)


def _authority_row(authority: ScaledAuthority, template: dict[str, str]) -> list[dict[str, str]]:
    return [
        template
        | {
            "la_code": authority.code,
            "la_name": f"Synthetic {authority.code} (as {template['la_name']})",
            "old_la_code": "",
            "predecessor_code": "",
            "aliases": "",  # its template's names would make a police sheet ambiguous
            "note": f"synthetic authority for the benchmark, sending {authority.template}'s extracts",
        }
    ]


def _population_row(authority: ScaledAuthority, template: dict[str, str]) -> list[dict[str, str]]:
    return [template | {"la_code": authority.code, "published_code": authority.code}]
