"""A copy of the project whose partner lists name every authority of a scaled data set, as a national
deployment's own copy would: the scaled sources' contracts list them (a synthetic authority with its template's
partner layout), and the reference seeds carry their names and child populations (their template's)."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import yaml

from dagster_project.samples.scale import SCALED_SOURCES, ScaledAuthority

PROJECT_PARTS = ("dagster_project", "sources", "expectations", "dbt", "reference", "dagster.yaml", "workspace.yaml")
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
    for writer in SCALED_SOURCES:
        _list_partners(target / "sources" / f"{writer.source}.yaml", synthetic)
    seeds = target / "dbt" / "seeds"
    _add_rows(seeds / "authorities.csv", "la_code", synthetic, _authority_row)
    _add_rows(seeds / "child_population.csv", "la_code", synthetic, _population_row)
    return target


def _list_partners(path: Path, synthetic: list[ScaledAuthority]) -> None:
    contract = yaml.safe_load(path.read_text(encoding="utf-8"))
    contract["authorities"] = [*contract["authorities"], *(a.code for a in synthetic)]
    layouts = contract.get("partners", {})
    for authority in synthetic:
        if authority.template in layouts:
            layouts[authority.code] = layouts[authority.template]
    path.write_text(yaml.safe_dump(contract, sort_keys=False, allow_unicode=True), encoding="utf-8")


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
            "note": f"synthetic authority for the benchmark, sending {authority.template}'s extracts",
        }
    ]


def _population_row(authority: ScaledAuthority, template: dict[str, str]) -> list[dict[str, str]]:
    return [template | {"la_code": authority.code, "published_code": authority.code}]
