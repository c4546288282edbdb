"""Findings: every problem an extract has, as data with a rule, a severity and a place."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

import pandas as pd


class Severity(StrEnum):
    """`error` keeps the whole extract out of the marts; `query` lets it through, flagged."""

    ERROR = "error"
    QUERY = "query"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    file_name: str
    sheet: str | None = None
    row_number: int | None = None
    column_name: str | None = None
    column_letter: str | None = None
    value: str | None = None

    def location(self) -> str:
        """Where a person opening the file finds it: `x.xlsx, sheet 'B&NES', row 12, column C (Previous)`."""
        parts = [self.file_name]
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.row_number is not None:
            parts.append(f"row {self.row_number}")
        if self.column_letter or self.column_name:
            letter = self.column_letter or ""
            name = f" ({self.column_name})" if self.column_name and self.column_letter else self.column_name or ""
            parts.append(f"column {letter}{name}")
        return ", ".join(parts)

    def __str__(self) -> str:
        value = f" [value: {self.value!r}]" if self.value is not None else ""
        return f"{self.severity.upper()} {self.rule} at {self.location()}: {self.message}{value}"


FINDING_COLUMNS = list(Finding.__dataclass_fields__)


def findings_frame(findings: list[Finding]) -> pd.DataFrame:
    """Findings as a DataFrame with a stable column set (also when there are none)."""
    frame = pd.DataFrame([asdict(f) for f in findings], columns=FINDING_COLUMNS)
    frame["severity"] = frame["severity"].astype(str)
    return frame.astype({"row_number": "Int64"})


def has_errors(findings: list[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
