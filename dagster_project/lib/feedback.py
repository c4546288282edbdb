"""The issue report a partner gets for each extract: one row per finding, as CSV and as an Excel workbook, so the
person who exports the file can open it, filter it and fix the rows it names.

Anything a partner typed comes back as text, never as something a spreadsheet would run: a value that starts
with =, +, -, @ or a tab is written with a leading apostrophe in the CSV (the OWASP rule against formula
injection) and as a text cell in the workbook, so `=HYPERLINK(...)` shows as what it is.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dagster_project.lib.atomic_files import write_atomically
from dagster_project.lib.findings import Finding

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = ["severity", "rule", "sheet or module", "row", "column", "column header", "value", "what is expected"]
WIDTHS = [10, 28, 22, 8, 8, 24, 28, 80]


@dataclass(frozen=True)
class IssueReport:
    csv: Path
    workbook: Path
    findings: int


def write_issue_report(file_name: str, findings: list[Finding], folder: Path) -> IssueReport:
    """`<file name>.issues.csv` and `.issues.xlsx` in `folder`, replacing any earlier report for that file."""
    rows = [_row(finding) for finding in findings]
    report = IssueReport(folder / f"{file_name}.issues.csv", folder / f"{file_name}.issues.xlsx", len(rows))
    write_atomically(report.csv, _csv_text(rows))
    write_atomically(report.workbook, _workbook_bytes(file_name, rows))
    return report


def _row(finding: Finding) -> list[str | int | None]:
    return [
        str(finding.severity),
        finding.rule,
        finding.sheet,
        finding.row_number,
        finding.column_letter,
        finding.column_name,
        finding.value,
        finding.message,
    ]


def as_text(value: str | int | None) -> str | int | None:
    """A value a spreadsheet shows and never evaluates."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _csv_text(rows: list[list[str | int | None]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows([as_text(value) for value in row] for row in rows)
    # A byte-order mark so Excel opens UTF-8 (a name with an accent) as UTF-8.
    return "\ufeff" + buffer.getvalue()


def _workbook_bytes(file_name: str, rows: list[list[str | int | None]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Issues"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([None] * len(row))
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(sheet.max_row, column)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would take a leading "=" as a formula
    if not rows:
        sheet.append(["", "", "", None, "", "", "", f"No problems found in {file_name}."])
    for column, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
