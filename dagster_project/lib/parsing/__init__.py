"""One parser framework for every source: a contract names its format, the format's parser reads it.

A parser never raises on bad content: it returns the tables it could read and a finding for
everything it could not, so one broken cell does not hide the rest of the file's problems.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding
from dagster_project.lib.landing import LandedFile


@dataclass(frozen=True)
class ColumnRef:
    """Where a column is in the partner's file: its header there and its spreadsheet letter."""

    header: str
    letter: str | None = None


@dataclass
class ParsedTable:
    """Rows for one raw-layer table. Every frame has `row_number`, the row a person sees in the file;
    the sheet or module each row comes from is its `sheet_name` column, or `part` for the whole table."""

    name: str
    frame: pd.DataFrame
    part: str | None = None
    # Suite column name → where it is in the file, so a finding can say "column C (Previous)".
    columns: dict[str, ColumnRef] = field(default_factory=dict)


@dataclass
class ParsedExtract:
    """What a parser read from one file: tables for the raw layer, and its findings."""

    landed: LandedFile
    tables: dict[str, ParsedTable]
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    # Tables whose part of the file was absent (already a finding): rules that read them across are not run.
    absent: set[str] = field(default_factory=set)

    @property
    def row_count(self) -> int:
        return sum(len(table.frame) for table in self.tables.values())


@dataclass(frozen=True)
class ParserFormat:
    """A file format: how to read it, which derived columns its suite checks, and its empty tables."""

    parse: Callable[[SourceContract, LandedFile], ParsedExtract]
    # Per table, the rows with the columns the suite compares (recomputed arithmetic, joins across tables).
    add_check_columns: Callable[[SourceContract, ParsedExtract], dict[str, pd.DataFrame]]
    # The raw-layer tables with no data: their columns and types, to create them up front.
    empty_tables: Callable[[SourceContract], dict[str, pd.DataFrame]]
    # Per raw-layer table, the columns that identify a row across versions of a file (what a resubmission changed).
    table_keys: Callable[[SourceContract], dict[str, list[str]]]


def _formats() -> dict[str, ParserFormat]:
    from dagster_project.lib.parsing import block_workbook, csv_file, csv_zip, xlsx_sheets, xml_records

    return {
        "block_workbook": block_workbook.FORMAT,
        "csv_zip": csv_zip.FORMAT,
        "csv_file": csv_file.FORMAT,
        "xml_records": xml_records.FORMAT,
        "xlsx_sheets": xlsx_sheets.FORMAT,
    }


def parser_format(contract: SourceContract) -> ParserFormat:
    formats = _formats()
    if contract.format not in formats:
        raise ValueError(f"{contract.source}: unknown format {contract.format!r}; known: {sorted(formats)}")
    return formats[contract.format]


def parse_extract(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    return parser_format(contract).parse(contract, landed)
