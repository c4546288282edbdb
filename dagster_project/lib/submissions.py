"""Which periods each partner is expected to send, when each is due and which are overdue.

A contract's `delivery` section says which period ends its files cover (the quarter-end months), from which
period the partnership holds them and how many days after a period end a file is due (the grace period). The
partners are the authorities the contract lists, or the force area for a source that sends one file for all
(the police scorecard). A file under an authority's former code counts for its successor.
"""

from __future__ import annotations

import calendar
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb
import pandas as pd

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.registry import load_registry

EXPECTED_COLUMNS = ["source", "la_code", "period_end", "due_date", "as_of"]
EXPECTED_TABLE = "raw.expected_submissions"


def today() -> date:
    """The day submissions are judged on: today in England, or `SUBMISSIONS_AS_OF` (YYYY-MM-DD), to see the
    tracker as it stood on another day."""
    fixed = os.environ.get("SUBMISSIONS_AS_OF")
    return date.fromisoformat(fixed) if fixed else datetime.now(ZoneInfo("Europe/London")).date()


@dataclass(frozen=True)
class Delivery:
    """When one source's partners are expected to send."""

    source: str
    partners: tuple[str, ...]
    period_months: tuple[int, ...]
    first_period: date
    grace_days: int
    predecessors: dict[str, str]

    @classmethod
    def of(cls, contract: SourceContract) -> Delivery:
        delivery, registry = contract.terms.delivery, load_registry()
        by_authorities = contract.terms.sent_by != "force_area"
        partners = {
            "authorities": registry.authorities,
            "registered_authorities": lambda: registry.senders_of(contract.source),
            "force_area": lambda: [registry.force_area()],
        }[contract.terms.sent_by]()
        year, month = (int(part) for part in delivery.first_period.split("-"))
        return cls(
            source=contract.source,
            partners=tuple(partners),
            period_months=tuple(sorted(delivery.period_months)),
            first_period=month_end(year, month),
            grace_days=delivery.grace_days,
            predecessors=registry.predecessors() if by_authorities else {},
        )

    def periods(self, as_of: date) -> list[date]:
        """The period ends from the first to the last that has ended by `as_of`."""
        ends = []
        year, month = self.first_period.year, self.first_period.month
        while (end := month_end(year, month)) <= as_of:
            if month in self.period_months:
                ends.append(end)
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return ends

    def due_date(self, period_end: date) -> date:
        return period_end + timedelta(days=self.grace_days)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def expected_submissions(deliveries: Iterable[Delivery], as_of: date) -> pd.DataFrame:
    """One row per source, partner and period end that has ended by `as_of`, with its due date."""
    rows = [
        (delivery.source, partner, period, delivery.due_date(period), as_of)
        for delivery in deliveries
        for period in delivery.periods(as_of)
        for partner in delivery.partners
    ]
    return pd.DataFrame(rows, columns=EXPECTED_COLUMNS)


def record_expected_submissions(
    connection: duckdb.DuckDBPyConnection, deliveries: Iterable[Delivery], as_of: date
) -> int:
    """Replace raw.expected_submissions (what the submission tracker mart is built on); its row count."""
    expected = expected_submissions(deliveries, as_of)
    connection.register("expected", expected)
    try:
        connection.execute(f"create or replace table {EXPECTED_TABLE} as select * from expected")
    finally:
        connection.unregister("expected")
    return len(expected)


@dataclass(frozen=True)
class Overdue:
    la_code: str
    period_end: date
    due_date: date


def overdue_submissions(connection: duckdb.DuckDBPyConnection, delivery: Delivery, today: date) -> list[Overdue]:
    """Each partner whose latest accepted file (raw.extracts) is for a period before the latest one due by
    `today`: a freshness test. Gaps further back are the submission tracker's to show."""
    accepted = connection.execute(
        "select la_code, max(period_end) from raw.extracts where source = ? and status = 'accepted' group by all",
        [delivery.source],
    ).fetchall()
    latest_received: dict[str, date] = {}
    for la_code, period_end in accepted:
        partner = delivery.predecessors.get(la_code, la_code) if la_code else delivery.partners[0]
        latest_received[partner] = max(period_end, latest_received.get(partner, period_end))
    due = [period for period in delivery.periods(today) if delivery.due_date(period) < today]
    if not due:
        return []
    latest_due = due[-1]
    return [
        Overdue(partner, latest_due, delivery.due_date(latest_due))
        for partner in delivery.partners
        if latest_received.get(partner, date.min) < latest_due
    ]
