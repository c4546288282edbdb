"""The partnership's years, defined once: the financial year starts on 1 April (dbt: macros/financial_year.sql)."""

from datetime import date


def financial_year_start(day: date) -> date:
    """1 April of the financial year that holds `day`."""
    return date(day.year if day.month >= 4 else day.year - 1, 4, 1)


def collection_year(day: date) -> str:
    """The financial (collection) year that holds `day`, as the DfE writes it: 2021-22 for 31 March 2022."""
    start = financial_year_start(day).year
    return f"{start}-{(start + 1) % 100:02d}"
