"""The partnership scorecard as it may be published: every count through statistical disclosure control
(lib/disclosure.py), shares and rates rounded half up from unrounded figures, and comparisons with the year
before shown only where both counts are.

A metric's counts form one table of areas by period ends. Where the police force area is published beside its
authorities, the force figure is the sum of the authorities' and of the records with no area (itself a cell),
so a suppressed authority cannot be found by subtraction. Only headline (12-month or year) figures are
published, never quarters, so successive rolling values give nothing away by differencing.
"""

from collections.abc import Mapping
from datetime import date
from fractions import Fraction

import duckdb
import pandas as pd

from dagster_project.lib.disclosure import HIDDEN, NOT_APPLICABLE, NOT_AVAILABLE, Relation, protect, round_half_up
from dagster_project.lib.loading import replace_table
from dagster_project.lib.registry import load_registry

PUBLISHED_SCORECARD = "publication.partnership_scorecard"
NO_AREA = "no area"

Cell = tuple[str, date]
PUBLISHED_COLUMNS = ["la_code", "metric_code", "period_end", "unit", "value", "previous_value", "change", "pct_change"]


def write_published_scorecard(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """marts.partnership_scorecard through disclosure control, written as publication.partnership_scorecard."""
    scorecard = connection.execute(
        """select la_code, metric_code, period_end, unit, value, crosses_series_break
           from marts.partnership_scorecard order by metric_code, la_code, period_end"""
    ).df()
    published = publish_scorecard(scorecard)
    replace_table(connection, PUBLISHED_SCORECARD, published)
    return published


def publish_scorecard(scorecard: pd.DataFrame) -> pd.DataFrame:
    """Rows of marts.partnership_scorecard (la_code, metric_code, period_end, unit, value, crosses_series_break)
    as published text: value, previous_value, change and pct_change ("z" where a series break forbids them)."""
    scorecard = scorecard.assign(period_end=pd.to_datetime(scorecard["period_end"]).dt.date)
    parts = [_publish_metric(frame) for _, frame in scorecard.groupby("metric_code", sort=True)]
    # Nothing accepted yet (every file rejected): an empty publication, with its columns.
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=PUBLISHED_COLUMNS)


def _publish_metric(frame: pd.DataFrame) -> pd.DataFrame:
    values: dict[Cell, float | None] = {
        (row.la_code, row.period_end): (None if pd.isna(row.value) else float(row.value)) for row in frame.itertuples()
    }
    is_count = frame["unit"].iloc[0] == "count"
    shown = _protected_counts(values) if is_count else {cell: _decimal(value) for cell, value in values.items()}
    rows = []
    for row in frame.itertuples():
        cell = (row.la_code, row.period_end)
        before = (row.la_code, _year_before(row.period_end))
        previous = shown.get(before, NOT_AVAILABLE)
        rows.append(
            {
                "la_code": row.la_code,
                "metric_code": row.metric_code,
                "period_end": row.period_end,
                "unit": row.unit,
                "value": shown[cell],
                **_comparison(values[cell], values.get(before), shown[cell], previous, bool(row.crosses_series_break)),
            }
        )
    return pd.DataFrame(rows)


def _protected_counts(values: dict[Cell, float | None]) -> dict[Cell, str]:
    cells: dict[Cell, int | None] = {cell: None if v is None else int(round_half_up(v)) for cell, v in values.items()}
    residuals, relations = force_area_relations(cells)
    # The force's records with no area are not published here, but may be known (some are police measures).
    published = protect(cells | residuals, relations, known=residuals)
    return {cell: text for cell, text in published.items() if cell not in residuals}


def force_area_relations(cells: Mapping[Cell, int | None]) -> tuple[dict[Cell, int], list[Relation]]:
    """For each period the force area is published with every authority: force = authorities + records with no
    area. The residual cells (no area) and the relations; `cells` is left as it is."""
    residuals: dict[Cell, int] = {}
    relations: list[Relation] = []
    force_area = load_registry().force_area()
    for (area, period), force in cells.items():
        authorities = [c for c in cells if c[1] == period and c[0] != force_area]
        if area != force_area or force is None or any(cells[c] is None for c in authorities):
            continue
        residual = force - sum(cells[c] for c in authorities)
        if residual >= 0:  # else the force's figure is not a total of these (a partner's own adjustment)
            residuals[(NO_AREA, period)] = residual
            relations.append(Relation((force_area, period), (*authorities, (NO_AREA, period))))
    return residuals, relations


def _comparison(
    value: float | None, previous: float | None, shown: str, shown_before: str, crosses_series_break: bool
) -> dict[str, str]:
    if crosses_series_break:
        return dict.fromkeys(("previous_value", "change", "pct_change"), NOT_APPLICABLE)
    if value is None or previous is None:
        return {"previous_value": shown_before, "change": NOT_AVAILABLE, "pct_change": NOT_AVAILABLE}
    if shown in HIDDEN or shown_before in HIDDEN:
        hidden = shown if shown in HIDDEN else shown_before
        return {"previous_value": shown_before, "change": hidden, "pct_change": hidden}
    change = Fraction(value).limit_denominator(10**6) - Fraction(previous).limit_denominator(10**6)
    pct = NOT_APPLICABLE if previous == 0 else format(round_half_up(100 * change / Fraction(previous), 1), "f")
    return {"previous_value": shown_before, "change": _decimal(float(change)), "pct_change": pct}


def _decimal(value: float | None) -> str:
    """A share, rate or change, one decimal place, half up; a whole number as it is."""
    if value is None:
        return NOT_AVAILABLE
    if float(value).is_integer():
        return str(int(value))
    return format(round_half_up(value, 1), "f")


def _year_before(period_end: date) -> date:
    return (pd.Timestamp(period_end) - pd.DateOffset(years=1)).date()
