"""The partner registry: the one list of the areas the partnership reports on, read by every contract's code,
the landing, the privacy namespace and dbt (which loads the same files as seeds).

- `dbt/seeds/authorities.csv`: each local authority and the police force area, with its code, name, the
  earlier code its series continues (Somerset's county code E10000027 until 31 March 2023) and the names it goes
  by in partners' files (the police workbook's sheet names).
- `dbt/seeds/partner_layouts.csv`: which of a contract's `layouts` an authority's files of that source are in
  (Bristol's case system); an authority not listed writes the contract's own layout.
- `dbt/seeds/partner_returns.csv`: which authorities have agreed to send a source that not every authority sends
  (`sent_by: registered_authorities`: a statutory return such as the SSDA903), from which period.

A national deployment lists its 153 authorities here, and nowhere else.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from dagster_project.lib.settings import DBT_PROJECT_DIR

SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
LOCAL_AUTHORITY = "local_authority"
FORCE_AREA = "police_force_area"


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    area_type: str
    predecessor_code: str | None
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Registry:
    areas: dict[str, Area]
    # (source, authority code) → the name of a layout in that source's contract
    layouts: dict[tuple[str, str], str]
    # source → the authorities registered to send it (a source not every authority sends)
    senders: dict[str, tuple[str, ...]]

    def authorities(self) -> list[str]:
        return [code for code, area in self.areas.items() if area.area_type == LOCAL_AUTHORITY]

    def force_area(self) -> str:
        (code,) = (code for code, area in self.areas.items() if area.area_type == FORCE_AREA)
        return code

    def predecessors(self) -> dict[str, str]:
        """An earlier code → the code whose series it continues."""
        return {area.predecessor_code: code for code, area in self.areas.items() if area.predecessor_code}

    def current_code(self, code: str) -> str:
        """The code an area's figures are kept under: a predecessor's successor, else the code itself."""
        return self.predecessors().get(code, code)

    def codes_of(self, code: str) -> set[str]:
        """Every code an area's files may carry: its current one and the ones it replaced."""
        current = self.current_code(code)
        return {current} | {old for old, new in self.predecessors().items() if new == current}

    def sheet_names(self) -> dict[str, list[str]]:
        """Each authority's and the force area's names in partners' files (a police workbook's sheet names)."""
        return {code: list(self.areas[code].aliases) for code in [*self.authorities(), self.force_area()]}

    def known_authority_codes(self) -> set[str]:
        """Codes an authority's file may carry in its name: current ones and those they replaced."""
        return set(self.authorities()) | set(self.predecessors())

    def layout_of(self, source: str, code: str) -> str | None:
        return self.layouts.get((source, self.current_code(code)))

    def senders_of(self, source: str) -> list[str]:
        """The authorities registered to send a source that not every authority sends."""
        return list(self.senders.get(source, ()))


@cache
def load_registry(seeds_dir: Path = SEEDS_DIR) -> Registry:
    areas = {
        row["la_code"]: Area(
            code=row["la_code"],
            name=row["la_name"],
            area_type=row["area_type"],
            predecessor_code=row["predecessor_code"] or None,
            aliases=tuple(alias for alias in row["aliases"].split("|") if alias),
        )
        for row in _rows(seeds_dir / "authorities.csv")
    }
    layouts = {(row["source"], row["la_code"]): row["layout"] for row in _rows(seeds_dir / "partner_layouts.csv")}
    senders: dict[str, tuple[str, ...]] = {}
    for row in _rows(seeds_dir / "partner_returns.csv"):
        senders[row["source"]] = (*senders.get(row["source"], ()), row["la_code"])
    return Registry(areas, layouts, senders)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
