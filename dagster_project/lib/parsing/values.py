"""Cell values as people type them: `1,048`, `+105`, `-5.4%`, `0.453` formatted as a percentage, `-` for none."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NOT_AVAILABLE = {"", "-", "–", "—"}
_COUNT = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.0+)?")
_PERCENT = re.compile(r"[+-]?\d+(\.\d+)?%?")


class CellValueError(ValueError):
    """A cell that should hold a number holds something else."""


def _text(value: object) -> str:
    return " ".join(str(value).split())


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and _text(value) in NOT_AVAILABLE)


def parse_count(value: object) -> int | None:
    """A whole number, from a number or from text with commas and a sign; blank or `-` is None."""
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellValueError(f"expected a whole number, found {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise CellValueError(f"expected a whole number, found {value!r}")
        return int(value)
    text = _text(value)
    if not _COUNT.fullmatch(text):
        raise CellValueError(f"expected a whole number, found {text!r}")
    return int(Decimal(text.replace(",", "")))


def decimals_shown(number_format: str | None) -> int:
    """How many decimal places a spreadsheet number format such as `0.0%` displays."""
    match = re.search(r"\.(0+)", number_format or "")
    return len(match.group(1)) if match else 0


def parse_percent(value: object, number_format: str | None = None) -> Decimal | None:
    """A percentage in points (45.3 for 45.3%), as the person reading the sheet sees it.

    Text may carry `%` and a sign. A number in a cell formatted as a percentage is a fraction
    (0.453 → 45.3), rounded half up to the decimals the format displays; any other number is
    already in points.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        raise CellValueError(f"expected a percentage, found {value!r}")
    if isinstance(value, int | float):
        number = Decimal(repr(value))
        if number_format and "%" in number_format:
            shown = Decimal(1).scaleb(-decimals_shown(number_format))
            return (number * 100).quantize(shown, rounding=ROUND_HALF_UP)
        return number
    text = _text(value).replace(" ", "")
    if not _PERCENT.fullmatch(text):
        raise CellValueError(f"expected a percentage, found {_text(value)!r}")
    try:
        return Decimal(text.rstrip("%"))
    except InvalidOperation as exc:  # pragma: no cover - the pattern admits only numbers
        raise CellValueError(f"expected a percentage, found {text!r}") from exc


def round_half_up(value: Decimal, places: int = 1) -> Decimal:
    """Round half away from zero, as published statistics do (not banker's rounding)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


# The letters of a UPN's check character, by the remainder (the DfE's table: A to Z without I, O and S).
UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


def upn_check_letter(digits: str) -> str:
    """The DfE's check letter of a permanent UPN's 12 digits: each times its position (2 to 13), summed, mod 23."""
    total = sum(int(digit) * weight for digit, weight in zip(digits, range(2, 14), strict=True))
    return UPN_CHECK_LETTERS[total % 23]


def upn_check_letter_holds(upn: str) -> bool:
    """A permanent UPN (a letter and 12 digits) begins with its check letter; a temporary UPN (ending in a
    letter), or one of another shape, has none to check."""
    return re.fullmatch(r"[A-Z][0-9]{12}", upn) is None or upn[0] == upn_check_letter(upn[1:])


# The computed checks a contract's `patterns` may name.
VALUE_CHECKS = {"upn_check_letter": upn_check_letter_holds}
