"""England's working days: Monday to Friday except the bank holidays of England (the maintained `holidays`
package), for the DfE's rules that count in working days (the census's "45 working days" to finish an
assessment)."""

from datetime import date
from functools import cache

import holidays
import numpy as np


@cache
def _bank_holidays(first_year: int, last_year: int) -> tuple[np.datetime64, ...]:
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(first_year, last_year + 1))
    return tuple(np.datetime64(day) for day in sorted(days))


def working_days_from(anchor: date, days: int) -> date:
    """The day `days` England working days after `anchor` (before it when negative), not counting the anchor; an
    anchor that is not a working day first moves to the nearest working day in that direction."""
    roll = "forward" if days >= 0 else "backward"
    bank = _bank_holidays(anchor.year - 2, anchor.year + 2)
    moved = np.busday_offset(np.datetime64(anchor), days, roll=roll, holidays=list(bank))
    return moved.astype(date)
