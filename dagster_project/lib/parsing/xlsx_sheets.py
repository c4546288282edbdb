"""Workbooks of lists (Ofsted's Annex A): each module is one sheet, a header row and a row per record. The cells
are turned into the text a CSV would hold (a date cell written in the contract's date format, a whole number
without its `.0`) and then typed, checked and pseudonymised by csv_modules, as every module is, so a finding
names the sheet, the spreadsheet row and the column letter a person opens.

The header row is the first of the sheet's first rows that holds one of the module's headers (a template may put
a title above it); entirely blank rows are skipped (templates format thousands of empty ones). The workbook is an
archive, so its members are checked for bombs before openpyxl opens it, read-only and values only (no formulas
are evaluated, no external links followed).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl
import pandas as pd

from dagster_project.lib.contract_schema import Module
from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile
from dagster_project.lib.parsing import ParsedExtract, ParsedTable, ParserFormat
from dagster_project.lib.parsing.block_workbook import UNREADABLE_WORKBOOK
from dagster_project.lib.parsing.csv_modules import (
    ModuleReader,
    absent_module,
    add_check_columns,
    authority_findings,
    empty_tables,
    layout_for,
    table_keys,
    table_name,
)
from dagster_project.lib.parsing.limits import archive_findings
from dagster_project.lib.privacy import pseudonymisation_key

# How far down a sheet its header row may be.
HEADER_SEARCH_ROWS = 10


def parse(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    tables = {name: ParsedTable(name, frame) for name, frame in empty_tables(contract).items()}
    key = pseudonymisation_key()  # before anything is read: no key, nothing personal is touched
    if refused := archive_findings(landed.path, landed):  # an .xlsx is a zip: no bomb is opened
        return ParsedExtract(landed, tables, refused)
    try:
        workbook = openpyxl.load_workbook(landed.path, read_only=True, data_only=True)
    except UNREADABLE_WORKBOOK as exc:
        message = f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"
        return ParsedExtract(landed, tables, [Finding("unreadable_file", Severity.ERROR, message, landed.name)])
    findings = authority_findings(contract, landed)
    absent: set[str] = set()
    try:
        sheets = _sheets_by_module(workbook, contract.terms.modules, landed, findings)
        layout = layout_for(contract, landed.la_code)
        for module in contract.terms.modules.values():
            name = table_name(contract, module.name)
            if module.name not in sheets:
                findings.append(absent_module(module, landed))
                absent.add(name)
                continue
            reader = ModuleReader(contract, module, layout, landed, key)
            try:
                frame = _read_sheet(reader, sheets[module.name])
            except UNREADABLE_WORKBOOK as exc:  # a read-only sheet is decompressed as it is read
                message = f"the sheet cannot be read ({type(exc).__name__}: {exc})"
                findings.append(Finding("damaged_member", Severity.ERROR, message, landed.name, sheet=module.sheet))
                absent.add(name)
                continue
            tables[name] = ParsedTable(name, frame, module.sheet, reader.refs)
            findings.extend(reader.findings)
    finally:
        workbook.close()
    return ParsedExtract(landed, tables, findings, {"modules": len(contract.terms.modules) - len(absent)}, absent)


def _sheets_by_module(
    workbook: Any, modules: dict[str, Module], landed: LandedFile, findings: list[Finding]
) -> dict[str, Any]:
    """Module name → its worksheet; a sheet no module names is reported and ignored."""
    found: dict[str, Any] = {}
    for worksheet in workbook.worksheets:
        module = next((m for m in modules.values() if _is_sheet_of(worksheet.title, m)), None)
        if module is None:
            message = "sheet is not a list of the contract; ignored"
            findings.append(Finding("unknown_sheet", Severity.QUERY, message, landed.name, sheet=worksheet.title))
        elif module.name in found:
            message = f"a second sheet for {module.sheet} (the first is {found[module.name].title!r}); ignored"
            findings.append(Finding("duplicate_sheet", Severity.ERROR, message, landed.name, sheet=worksheet.title))
        else:
            found[module.name] = worksheet
    return found


def _is_sheet_of(title: str, module: Module) -> bool:
    name, title = _squeezed(str(module.sheet)), _squeezed(title)
    return title.startswith(name) and not title[len(name) : len(name) + 1].isdigit()


def _squeezed(name: str) -> str:
    """A sheet name without case, spaces or underscores ("LIST_1 - Contacts" → "list1-contacts")."""
    return "".join(name.replace("_", " ").split()).casefold()


def _read_sheet(reader: ModuleReader, worksheet: Any) -> pd.DataFrame:
    rows = _text_rows(worksheet, reader.layout.date_format or "%d/%m/%Y")
    header_number, headers = _header_row(rows, reader)
    records = [(number, cells) for number, cells in rows if number > header_number and any(cells)]
    width = len(headers)
    raw = pd.DataFrame(
        [(cells + [""] * width)[:width] for _, cells in records], columns=range(width), dtype="str"
    ).rename(columns=dict(enumerate(headers)))
    canonical = reader.map_headers(headers)
    return reader.typed(raw.loc[:, ~raw.columns.duplicated()], canonical, [number for number, _ in records])


def _header_row(rows: list[tuple[int, list[str]]], reader: ModuleReader) -> tuple[int, list[str]]:
    """The first row that holds one of the module's headers (the first non-blank row when none does)."""
    known = {header.casefold() for header in reader.layout.headers_of(reader.module)}
    candidates = [(number, cells) for number, cells in rows[:HEADER_SEARCH_ROWS] if any(cells)]
    for number, cells in candidates:
        if any(cell.strip().casefold() in known for cell in cells):
            return number, _trimmed(cells)
    return (candidates[0][0], _trimmed(candidates[0][1])) if candidates else (0, [])


def _trimmed(cells: list[str]) -> list[str]:
    """The header cells up to the last that is not blank."""
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    return cells


def _text_rows(worksheet: Any, date_format: str) -> list[tuple[int, list[str]]]:
    """Every row of the sheet with its spreadsheet number (read-only sheets yield the empty rows too)."""
    rows = worksheet.iter_rows(values_only=True)
    return [(number, [_as_text(value, date_format) for value in values]) for number, values in enumerate(rows, 1)]


def _as_text(value: object, date_format: str) -> str:
    """A cell as a CSV would hold it."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime(date_format)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value)


FORMAT = ParserFormat(
    parse=parse, add_check_columns=add_check_columns, empty_tables=empty_tables, table_keys=table_keys
)
