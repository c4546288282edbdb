"""One parser framework for every source: a contract names its format, the format's parser reads it.

A parser never raises on bad content: it returns the rows it could read and a finding for
everything it could not, so one broken cell does not hide the rest of the file's problems.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding
from dagster_project.lib.landing import LandedFile


@dataclass
class ParsedExtract:
    """What a parser read from one file: tidy rows for the raw layer, and its findings."""

    landed: LandedFile
    rows: pd.DataFrame
    findings: list[Finding] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    # Spreadsheet column letter of each header, so a finding can say "column C (Previous)".
    column_letters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ParserFormat:
    """A file format: how to read it, and which derived columns its expectation suite checks."""

    parse: Callable[[SourceContract, LandedFile], ParsedExtract]
    add_check_columns: Callable[[SourceContract, pd.DataFrame], pd.DataFrame]
    # The raw-layer rows with no data: their columns and types, to create the table up front.
    empty_rows: Callable[[SourceContract], pd.DataFrame]


def _formats() -> dict[str, ParserFormat]:
    from dagster_project.lib.parsing import block_workbook

    return {"block_workbook": block_workbook.FORMAT}


def parser_format(contract: SourceContract) -> ParserFormat:
    formats = _formats()
    if contract.format not in formats:
        raise ValueError(f"{contract.source}: unknown format {contract.format!r}; known: {sorted(formats)}")
    return formats[contract.format]


def parse_extract(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    return parser_format(contract).parse(contract, landed)
