"""Workbooks of blocks: one sheet per area, each a stack of blocks of current / previous figures.

The police scorecard is one. A sheet has a title row, a period row, then blocks separated by
blank rows; each block has a header row (section name, then the value column headers) and one
row per measure. Blocks, and rows within them, may come in any order; footnotes may follow.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from dagster_project.lib.contract_schema import Measure
from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile
from dagster_project.lib.parsing import ColumnRef, ParsedExtract, ParsedTable, ParserFormat
from dagster_project.lib.parsing.limits import archive_findings
from dagster_project.lib.parsing.values import CellValueError, is_blank, parse_count, parse_percent, round_half_up
from dagster_project.lib.registry import load_registry

# A footnote mark after a label: `*`, daggers, superscript digits.
_TRAILING_MARK = re.compile(r"[\s*†‡¹²³⁴⁵⁶⁷⁸⁹⁰]+$")
# Anything openpyxl raises for a file that is not a readable xlsx package.
UNREADABLE_WORKBOOK = (
    zipfile.BadZipFile,
    zlib.error,
    InvalidFileException,
    KeyError,
    ValueError,
    OSError,
    EOFError,
    TypeError,
)
ROUNDING_TOLERANCE = Decimal("0.1")


def normalise(text: object) -> str:
    """Case, repeated spaces and line breaks ignored."""
    return " ".join(str(text).split()).casefold()


def normalise_label(text: object) -> str:
    return _TRAILING_MARK.sub("", normalise(text))


@dataclass(frozen=True)
class ValueColumn:
    header: str
    column: str
    kind: str
    letter: str


@dataclass(frozen=True)
class BlockLayout:
    """The format-specific part of a contract, ready for matching."""

    area_by_alias: dict[str, str]
    aliases_by_area: dict[str, list[str]]
    force_area: str
    ignored_sheets: frozenset[str]
    period_row: int
    period_pattern: re.Pattern[str]
    banner: str
    footnote_prefixes: tuple[str, ...]
    value_columns: tuple[ValueColumn, ...]
    measures: dict[str, Measure]
    sections: frozenset[str]

    @classmethod
    def from_contract(cls, contract: SourceContract) -> BlockLayout:
        terms, registry = contract.terms, load_registry()
        layout, measures = terms.layout, terms.measures
        if layout is None:  # the contract schema requires it of a block_workbook
            raise ValueError(f"{contract.source}: a block_workbook contract without a layout")
        areas = registry.sheet_names()  # a sheet per area of the partner registry
        return cls(
            area_by_alias={normalise(alias): code for code, aliases in areas.items() for alias in aliases},
            aliases_by_area=areas,
            force_area=registry.force_area(),
            ignored_sheets=frozenset(normalise(name) for name in terms.ignored_sheets),
            period_row=layout.period_row,
            period_pattern=re.compile(layout.period_pattern, re.IGNORECASE),
            banner=normalise(layout.window_banner),
            footnote_prefixes=tuple(p.casefold() for p in layout.footnote_prefixes),
            value_columns=tuple(
                ValueColumn(letter=get_column_letter(position), **column.model_dump())
                for position, column in enumerate(layout.value_columns, start=2)
            ),
            measures={normalise_label(m.label): m for m in measures},
            sections=frozenset(normalise(m.section) for m in measures),
        )

    @property
    def header(self) -> list[str]:
        return [normalise(c.header) for c in self.value_columns]


def row_columns(layout: BlockLayout) -> dict[str, str]:
    """The raw-layer columns of a parsed row, with their pandas dtypes."""
    text = ["file_name", "sheet_name", "la_code", "section", "measure", "measure_label_raw", "metric_code"]
    columns = dict.fromkeys(text, "str") | {"row_number": "Int64", "period_end": "datetime64[us]"}
    for value_column in layout.value_columns:
        columns[value_column.column] = "Int64" if value_column.kind == "count" else "Float64"
    return columns


class _SheetReader:
    """Reads one sheet, collecting rows and findings."""

    def __init__(self, layout: BlockLayout, landed: LandedFile, sheet_name: str, la_code: str) -> None:
        self.layout, self.landed, self.sheet, self.la_code = layout, landed, sheet_name, la_code
        self.rows: list[dict[str, Any]] = []
        self.findings: list[Finding] = []

    def finding(self, rule: str, message: str, severity: Severity = Severity.ERROR, **place: Any) -> None:
        self.findings.append(
            Finding(
                rule=rule, severity=severity, message=message, file_name=self.landed.name, sheet=self.sheet, **place
            )
        )

    def read(self, worksheet: Any) -> None:
        width = 1 + len(self.layout.value_columns)
        section: str | None = None
        period_seen = False
        for row_number, cells in enumerate(worksheet.iter_rows(max_col=width), start=1):
            cells = tuple(cells) + (None,) * (width - len(cells))
            values = [getattr(cell, "value", None) for cell in cells]
            if row_number == self.layout.period_row:
                period_seen = True
                self.check_period(values[0], row_number)
                continue
            if row_number < self.layout.period_row:
                continue
            section = self.read_row(row_number, cells, values, section)
        if not period_seen:
            self.finding("period_missing", "the sheet has no period row", row_number=self.layout.period_row)

    def read_row(self, row_number: int, cells: tuple, values: list[Any], section: str | None) -> str | None:
        """Classify one row; return the section in force after it."""
        label, rest = values[0], values[1:]
        if all(is_blank(v) for v in values):
            return None
        rest_text = [normalise(v) if not is_blank(v) else "" for v in rest]
        if rest_text == self.layout.header:
            if is_blank(label) or normalise(label) not in self.layout.sections:
                self.finding(
                    "unknown_section",
                    "block header names no known section",
                    row_number=row_number,
                    column_letter="A",
                    value=None if label is None else str(label),
                )
            return "" if is_blank(label) else " ".join(str(label).split())
        if is_blank(label) and self.layout.banner in rest_text:
            return section
        if isinstance(label, str) and normalise(label).startswith(self.layout.footnote_prefixes):
            return section
        if section is None:
            severity = Severity.QUERY if all(is_blank(v) for v in rest) else Severity.ERROR
            self.finding(
                "row_outside_block",
                "row is not inside a block (no header row above it)",
                severity,
                row_number=row_number,
                column_letter="A",
                value=str(label),
            )
            return section
        self.read_measure(row_number, label, cells[1:])
        return section

    def read_measure(self, row_number: int, label: Any, cells: tuple) -> None:
        measure = None if is_blank(label) else self.layout.measures.get(normalise_label(label))
        if measure is None or (measure.force_area_only and self.la_code != self.layout.force_area):
            where = " (it belongs on the force-area sheet only)" if measure else ""
            self.finding(
                "unknown_label",
                f"measure label is not in the contract{where}",
                row_number=row_number,
                column_letter="A",
                value=None if label is None else str(label),
            )
            return
        record: dict[str, Any] = {
            "file_name": self.landed.name,
            "sheet_name": self.sheet,
            "row_number": row_number,
            "la_code": self.la_code,
            "period_end": self.landed.period_end,
            "section": measure.section,
            "measure": measure.label,
            "measure_label_raw": str(label),
            "metric_code": measure.metric_code,
        }
        for column, cell in zip(self.layout.value_columns, cells, strict=True):
            record[column.column] = self.read_value(column, cell, row_number)
        self.rows.append(record)

    def read_value(self, column: ValueColumn, cell: Any, row_number: int) -> int | float | None:
        value = getattr(cell, "value", None)
        try:
            if column.kind == "count":
                return parse_count(value)
            percent = parse_percent(value, getattr(cell, "number_format", None))
            return None if percent is None else float(percent)
        except CellValueError as exc:
            self.finding(
                "not_a_number",
                str(exc),
                row_number=row_number,
                column_name=column.header,
                column_letter=column.letter,
                value=str(value),
            )
            return None

    def check_period(self, value: Any, row_number: int) -> None:
        match = None if is_blank(value) else self.layout.period_pattern.search(" ".join(str(value).split()))
        place = {"row_number": row_number, "column_letter": "A", "value": None if value is None else str(value)}
        if match is None:
            self.finding("period_missing", "period row does not read '12 months to DD/MM/YYYY'", **place)
            return
        try:
            stated = date(int(match["year"]), int(match["month"]), int(match["day"]))
        except ValueError:
            self.finding("period_missing", "period row holds an impossible date", **place)
            return
        if stated != self.landed.period_end:
            self.finding(
                "period_mismatch",
                f"period row says {stated:%d/%m/%Y} but the file name says {self.landed.period_end:%d/%m/%Y}",
                **place,
            )


def parse(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    layout = BlockLayout.from_contract(contract)
    refused = archive_findings(landed.path, landed)  # an .xlsx is a zip: no bomb is opened
    if refused:
        return ParsedExtract(landed, _tables(contract, layout, []), refused, {"sheets": 0})
    try:
        workbook = openpyxl.load_workbook(landed.path, read_only=True, data_only=True)
    except UNREADABLE_WORKBOOK as exc:
        finding = Finding(
            rule="unreadable_file",
            severity=Severity.ERROR,
            file_name=landed.name,
            message=f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
        )
        return ParsedExtract(landed, _tables(contract, layout, []), [finding], {"sheets": 0})
    try:
        rows, findings, sheets = _read_workbook(workbook, layout, landed)
    finally:
        workbook.close()
    return ParsedExtract(landed, _tables(contract, layout, rows), findings, {"sheets": sheets})


def _tables(contract: SourceContract, layout: BlockLayout, rows: list[dict[str, Any]]) -> dict[str, ParsedTable]:
    """The one raw table of a block workbook: a row per sheet and measure."""
    name = str(contract.terms.raw_table)
    frame = pd.DataFrame(rows, columns=list(row_columns(layout))).astype(row_columns(layout))
    columns = {c.header: ColumnRef(c.header, c.letter) for c in layout.value_columns}
    return {name: ParsedTable(name=name, frame=frame, columns=columns)}


def _read_workbook(workbook: Any, layout: BlockLayout, landed: LandedFile) -> tuple[list[dict], list[Finding], int]:
    rows: list[dict[str, Any]] = []
    findings: list[Finding] = []
    sheets_by_area: dict[str, list[str]] = {}
    for worksheet in workbook.worksheets:
        name = worksheet.title
        if normalise(name) in layout.ignored_sheets:
            continue
        la_code = layout.area_by_alias.get(normalise(name))
        if la_code is None:
            findings.append(
                Finding(
                    rule="unknown_sheet",
                    severity=Severity.ERROR,
                    file_name=landed.name,
                    sheet=name,
                    message="sheet name is not an alias of any area in the contract",
                    value=name,
                )
            )
            continue
        sheets_by_area.setdefault(la_code, []).append(name)
        reader = _SheetReader(layout, landed, name, la_code)
        reader.read(worksheet)
        rows.extend(reader.rows)
        findings.extend(reader.findings)
    for la_code, aliases in layout.aliases_by_area.items():
        found = sheets_by_area.get(la_code, [])
        if not found:
            findings.append(_missing_sheet(la_code, aliases, layout, landed))
        elif len(found) > 1:
            findings.append(
                Finding(
                    rule="duplicate_sheet",
                    severity=Severity.ERROR,
                    file_name=landed.name,
                    sheet=found[1],
                    message=f"sheets {found} all describe {la_code}",
                )
            )
    return rows, findings, sum(map(len, sheets_by_area.values()))


def _missing_sheet(la_code: str, aliases: list[str], layout: BlockLayout, landed: LandedFile) -> Finding:
    """An authority's sheet is required: without it the workbook is rejected. The force-area sheet is not: the
    force checks apply where its figure is present (police.md), so the authorities' figures load and the
    force area's stay not available for the quarter (a query)."""
    expected = f"expected one named {' or '.join(map(repr, aliases))}"
    if la_code == layout.force_area:
        return Finding(
            rule="missing_force_area_sheet",
            severity=Severity.QUERY,
            file_name=landed.name,
            message=(
                f"no sheet for the force area {la_code} ({expected}): the authorities' figures load, the force "
                "area's are not available for this quarter until a workbook with its sheet is sent"
            ),
        )
    return Finding(
        rule="missing_sheet",
        severity=Severity.ERROR,
        file_name=landed.name,
        message=f"no sheet for {la_code}; {expected}",
    )


def add_check_columns(contract: SourceContract, parsed: ParsedExtract) -> dict[str, pd.DataFrame]:
    """Columns the expectation suite compares: the force's arithmetic redone, and authority totals.

    `pct_chg_agreement` is `agrees` when % Chg equals Chg / Previous × 100 rounded half up to one
    decimal, `rounding` when it is within 0.1 points of the exact quotient (rounded another way),
    `disagrees` otherwise, and empty where there is nothing to compare.
    """
    (table,) = parsed.tables.values()
    frame = table.frame.copy()
    frame["chg_recomputed"] = frame["current_12m"] - frame["previous_12m"]
    frame["pct_chg_recomputed"] = [
        _pct_change(c, p) for c, p in zip(frame["current_12m"], frame["previous_12m"], strict=True)
    ]
    frame["pct_chg_agreement"] = [
        _agreement(given, current, previous)
        for given, current, previous in zip(frame["pct_chg"], frame["current_12m"], frame["previous_12m"], strict=True)
    ]
    force_area = load_registry().force_area()
    for column in ("current_12m", "previous_12m"):
        totals = frame[frame["la_code"] != force_area].groupby("metric_code")[column].sum(min_count=1)
        frame[f"authorities_{column}"] = frame["metric_code"].map(totals).where(frame["la_code"] == force_area)
    return {table.name: frame}


def _pct_change(current: Any, previous: Any) -> float | None:
    if pd.isna(current) or pd.isna(previous) or previous == 0:
        return None
    return float(round_half_up(Decimal(int(current) - int(previous)) * 100 / Decimal(int(previous))))


def _agreement(given: Any, current: Any, previous: Any) -> str | None:
    if pd.isna(given) or pd.isna(current) or pd.isna(previous):
        return None
    if previous == 0:
        return "disagrees"
    exact = Decimal(int(current) - int(previous)) * 100 / Decimal(int(previous))
    given_value = Decimal(repr(float(given)))
    if given_value == round_half_up(exact):
        return "agrees"
    return "rounding" if abs(given_value - exact) < ROUNDING_TOLERANCE else "disagrees"


def empty_tables(contract: SourceContract) -> dict[str, pd.DataFrame]:
    return {name: table.frame for name, table in _tables(contract, BlockLayout.from_contract(contract), []).items()}


def table_keys(contract: SourceContract) -> dict[str, list[str]]:
    """A row per sheet (area) and measure."""
    return {str(contract.terms.raw_table): ["la_code", "measure"]}


FORMAT = ParserFormat(
    parse=parse, add_check_columns=add_check_columns, empty_tables=empty_tables, table_keys=table_keys
)
