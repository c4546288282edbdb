"""What the simulated sample generators, csc.py and asc.py, share: all but the simulations themselves.

- Dates: DAY, month_end, and QUARTERS, the twelve quarter ends 2021-06 .. 2024-03 the extracts are cut at.
- Names: code_in_file_name, Somerset's county code for files before April 2023.
- Draws: seeded_rng, a random.Random seeded by name (never hash() or set order), and Weights to pick codes.
- Contracts: load_contract reads sources/<source>.yaml once per process.
- Extracts: Table; zip_members turns tables into CSV zip members; check_request refuses an extract that
  cannot be built; ExtractWriter holds a source's write_extract and write_samples.
- Broken extracts for tests: TableEdit, the tables an injection edits (copy_tables), check_injectors, and
  the injections both sources make: unknown_code, impossible_date, missing_column, duplicate_id,
  date_after_period_end, missing_module and extra_file (with extra_members). The source chooses the module,
  column and row; the way it is broken is shared.
"""

import bisect
import csv
import datetime
import functools
import io
import itertools
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from tools.samples.xlsx import write_deterministic_zip

date = datetime.date
DAY = datetime.timedelta(days=1)
SOURCES_DIR = Path(__file__).resolve().parents[2] / "sources"


def month_end(year: int, month: int) -> date:
    """The last day of the month."""
    return date(year + month // 12, month % 12 + 1, 1) - DAY


QUARTERS: list[date] = [month_end(2021 + (5 + 3 * i) // 12, (5 + 3 * i) % 12 + 1) for i in range(12)]

# Somerset (E06000066) was Somerset County Council (E10000027) until 31 March 2023: files for earlier periods
# carry the county's code in their names.
SOMERSET, SOMERSET_COUNTY, SOMERSET_UNITARY_FROM = "E06000066", "E10000027", date(2023, 4, 1)


def code_in_file_name(la_code: str, period_end: date) -> str:
    """The authority code a partner's file for the period is named with."""
    return SOMERSET_COUNTY if la_code == SOMERSET and period_end < SOMERSET_UNITARY_FROM else la_code


def seeded_rng(seed: str, *parts: object) -> random.Random:
    """A generator per purpose, seeded by name, so a change to one draw leaves the others alone."""
    return random.Random(":".join([seed, *map(str, parts)]))


class Weights:
    """Codes and their relative weights, ready to draw from quickly."""

    def __init__(self, weights: dict[str, float]):
        self.codes = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> str:
        return self.codes[bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])]


@functools.cache
def load_contract(source: str) -> dict:
    """The source's contract, sources/<source>.yaml."""
    return yaml.safe_load((SOURCES_DIR / f"{source}.yaml").read_text())


# ---------------------------------------------------------------------------------------------------------
# Extracts
# ---------------------------------------------------------------------------------------------------------

Table = tuple[list[str], list[list[str]]]  # columns, rows of written values
Row = list[str]


def csv_bytes(columns: list[str], rows: Sequence[Sequence[str]]) -> bytes:
    """A header line and the rows, as UTF-8 CSV with lines ending in a bare newline."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def zip_members(
    contract: dict,
    tables: dict[str, Table],
    extra: dict[str, bytes],
    headers: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, bytes]:
    """Each module's table as CSV under the contract's file name for it, then extra.

    headers: module -> column -> the header written for it (a column not named keeps its name).
    """
    renamed = headers or {}
    members = {}
    for module, (columns, rows) in tables.items():
        names = renamed.get(module, {})
        members[contract["modules"][module]["file"]] = csv_bytes([names.get(c, c) for c in columns], rows)
    return members | extra


def check_request(
    la_code: str,
    period_end: date,
    inject: str | None,
    *,
    authorities: Sequence[str],
    simulated: tuple[date, date],
    injections: Mapping[str, str],
    earliest: date | None = None,
) -> None:
    """Raise ValueError unless there is an extract for la_code and period_end with that injection.

    simulated: the history's first and last day; earliest: the first period end an extract may have, if
    later than the history's first day.
    """
    first, last = simulated
    if la_code not in authorities:
        raise ValueError(f"no sample history for {la_code!r}")
    if not (earliest or first) <= period_end <= last:
        raise ValueError(f"period end {period_end} is outside the simulated {first}..{last}")
    if inject is not None and inject not in injections:
        raise ValueError(f"unknown injection {inject!r}; one of {', '.join(injections)}")


@dataclass(frozen=True)
class ExtractWriter:
    """Writes a source's extracts (zips by default): one on request, or every authority's for every period."""

    source: str  # the folder under the samples root
    authorities: Sequence[str]
    periods: Sequence[date]
    build: Callable[..., Any]  # build_extract(la_code, period_end, inject=...): what `write` writes
    file_name: Callable[[str, date], str]  # file_name(la_code, period_end)
    # write(extract, path): the built extract to its file, the same bytes every time (a zip of its members).
    write: Callable[[Any, Path], None] = write_deterministic_zip

    def write_extract(self, la_code: str, period_end: date, path: Path, inject: str | None = None) -> Path:
        """Write the extract to path (a folder: under its contract file name); return the file."""
        path = Path(path)
        if path.is_dir():
            path = path / self.file_name(la_code, period_end)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.write(self.build(la_code, period_end, inject=inject), path)
        return path

    def write_samples(self, out_dir: Path) -> list[Path]:
        """Write every authority's extract for every period into out_dir/<source>/; return the paths."""
        folder = Path(out_dir) / self.source
        folder.mkdir(parents=True, exist_ok=True)
        return [
            self.write_extract(la, period, folder / self.file_name(la, period))
            for la in self.authorities
            for period in self.periods
        ]


# ---------------------------------------------------------------------------------------------------------
# Broken extracts for tests
# ---------------------------------------------------------------------------------------------------------

EXTRA_FILE = ("notes.txt", b"Extract notes: produced by the case system's scheduled quarterly report.\n")


def copy_tables(tables: dict[str, Table]) -> dict[str, Table]:
    """Tables whose rows can be edited without touching the ones copied (which may be cached)."""
    return {module: (list(columns), [list(row) for row in rows]) for module, (columns, rows) in tables.items()}


@dataclass
class TableEdit:
    """An extract's tables being broken on purpose: columns and rows of written values, dates in date_format."""

    period_end: date
    tables: dict[str, Table]
    date_format: str

    def rows(self, module: str) -> list[Row]:
        return self.tables[module][1]

    def col(self, module: str, column: str) -> int:
        return self.tables[module][0].index(column)

    def get(self, row: Row, module: str, column: str) -> str:
        return row[self.col(module, column)]

    def put(self, row: Row, module: str, column: str, value: str | date) -> None:
        row[self.col(module, column)] = value.strftime(self.date_format) if isinstance(value, date) else value

    def day(self, row: Row, module: str, column: str) -> date:
        return datetime.datetime.strptime(self.get(row, module, column), self.date_format).date()

    def first(self, module: str, test: Callable[[Row], bool]) -> Row:
        for row in self.rows(module):
            if test(row):
                return row
        raise ValueError(f"no row of {module} to break")


E = TypeVar("E", bound=TableEdit)
Injector = Callable[[E], None]


def check_injectors(injections: Mapping[str, str], injectors: Mapping[str, Injector]) -> None:
    """Raise RuntimeError unless every injection has both a description and an injector."""
    if injectors.keys() != injections.keys():
        raise RuntimeError("every injection needs a description in INJECTIONS and an injector in INJECTORS")


def unknown_code(module: str, column: str, code: str) -> Injector[TableEdit]:
    """The first row's column holds code, which is not in its code list."""

    def edit(e: TableEdit) -> None:
        e.put(e.rows(module)[0], module, column, code)

    return edit


def impossible_date(module: str, column: str, choose: Callable[[E], Row]) -> Injector[E]:
    """The chosen row's date in column is 30 February of its year."""

    def edit(e: E) -> None:
        row = choose(e)
        year = str(e.day(row, module, column).year)
        e.put(row, module, column, e.date_format.replace("%Y", year).replace("%m", "02").replace("%d", "30"))

    return edit


def missing_column(module: str, column: str) -> Injector[TableEdit]:
    """The module's column is left out."""

    def edit(e: TableEdit) -> None:
        columns, rows = e.tables[module]
        drop = columns.index(column)
        e.tables[module] = (columns[:drop] + columns[drop + 1 :], [r[:drop] + r[drop + 1 :] for r in rows])

    return edit


def duplicate_id(module: str, column: str, candidates: Callable[[E], list[Row]]) -> Injector[E]:
    """The second candidate row's id in column repeats the first's."""

    def edit(e: E) -> None:
        first, second = candidates(e)[:2]
        e.put(second, module, column, e.get(first, module, column))

    return edit


def date_after_period_end(module: str, column: str, choose: Callable[[E], Row]) -> Injector[E]:
    """The chosen row's date in column is 10 days after the period end."""

    def edit(e: E) -> None:
        e.put(choose(e), module, column, e.period_end + 10 * DAY)

    return edit


def missing_module(module: str) -> Injector[TableEdit]:
    """The module's file is left out of the zip."""

    def edit(e: TableEdit) -> None:
        del e.tables[module]

    return edit


def extra_file(e: TableEdit) -> None:
    """The tables stay whole: extra_members adds EXTRA_FILE to the zip."""


def extra_members(inject: str | None) -> dict[str, bytes]:
    """The members an injection adds to the tables' files: EXTRA_FILE for extra_file."""
    return dict([EXTRA_FILE]) if inject == "extra_file" else {}
