"""Small police workbooks built in tests, independent of the sample generator."""

from datetime import date
from pathlib import Path

import openpyxl

AREAS = {
    "B&NES": "E06000022",
    "Bristol": "E06000023",
    "North Somerset": "E06000024",
    "South Glos": "E06000025",
    "Somerset": "E06000066",
    "Force": "E23000036",
}
HEADER = ["Missing Children", "Current", "Previous", "Chg", "% Chg"]


def measure_rows(scale: int = 1) -> list[list[object]]:
    return [
        ["Number of Missing Children", 59 * scale, 73 * scale, -14 * scale, "-19.2%"],
        ["Number of Missing Children Reports", 116 * scale, 129 * scale, -13 * scale, "-10.1%"],
    ]


def sheet_rows(period_end: date, measures: list[list[object]] | None = None) -> list[list[object]]:
    return [
        ["Safeguarding scorecard"],
        [f"12 months to {period_end:%d/%m/%Y}"],
        [],
        [None, "12 Month Rolling"],
        HEADER,
        *(measures if measures is not None else measure_rows()),
        [],
        ["Note: provisional figures"],
    ]


def default_sheets(period_end: date) -> dict[str, list[list[object]]]:
    """Every area with the same two measures; the force area 6x one authority, above their sum."""
    return {name: sheet_rows(period_end, measure_rows(6 if name == "Force" else 1)) for name in AREAS}


def write_scorecard(path: Path, period_end: date, sheets: dict[str, list[list[object]]] | None = None) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in (sheets if sheets is not None else default_sheets(period_end)).items():
        worksheet = workbook.create_sheet(name)
        for row in rows:
            worksheet.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def sheet_for(workbook: openpyxl.Workbook, la_code: str):
    """The sheet of an area in a sample workbook, whichever alias the force used that quarter."""
    from dagster_project.lib.parsing.block_workbook import normalise
    from dagster_project.lib.registry import load_registry

    aliases = {normalise(a) for a in load_registry().areas[la_code].aliases}
    return next(ws for ws in workbook.worksheets if normalise(ws.title) in aliases)


def measure_row(worksheet, label: str) -> int:
    """The row number of a measure, matching the label as the parser does."""
    from dagster_project.lib.parsing.block_workbook import normalise_label

    return next(
        row
        for row in range(1, worksheet.max_row + 1)
        if normalise_label(worksheet.cell(row, 1).value or "") == normalise_label(label)
    )
