from decimal import Decimal

import pytest

from dagster_project.lib.parsing.values import CellValueError, parse_count, parse_percent, round_half_up


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (1048, 1048),
        (1048.0, 1048),
        ("1,048", 1048),
        (" 1,048 ", 1048),
        ("+105", 105),
        ("-64", -64),
        ("0", 0),
        ("12,345,678", 12345678),
        (None, None),
        ("", None),
        ("-", None),
        ("  ", None),
    ],
)
def test_counts_as_people_type_them(cell, expected):
    assert parse_count(cell) == expected


@pytest.mark.parametrize("cell", ["1,04", "12a", "1.5", 1.5, "n/a?", "1 048", True])
def test_text_that_is_not_a_count_is_refused(cell):
    with pytest.raises(CellValueError):
        parse_count(cell)


@pytest.mark.parametrize(
    ("cell", "number_format", "expected"),
    [
        ("-5.4%", None, Decimal("-5.4")),
        ("+45.3%", None, Decimal("45.3")),
        ("119.6%", None, Decimal("119.6")),
        ("45.3", None, Decimal("45.3")),
        (0.453, "0.0%", Decimal("45.3")),
        (0.45258, "0.0%", Decimal("45.3")),
        (-0.7, "0%", Decimal("-70")),
        (45.3, "General", Decimal("45.3")),
        ("-", None, None),
        (None, "0.0%", None),
    ],
)
def test_percentages_as_text_or_fractions(cell, number_format, expected):
    assert parse_percent(cell, number_format) == expected


@pytest.mark.parametrize("cell", ["45.3%%", "abc", "#DIV/0!"])
def test_text_that_is_not_a_percentage_is_refused(cell):
    with pytest.raises(CellValueError):
        parse_percent(cell)


def test_rounding_is_half_up_not_bankers():
    assert round_half_up(Decimal("0.25")) == Decimal("0.3")
    assert round_half_up(Decimal("-0.25")) == Decimal("-0.3")
    assert round_half_up(Decimal("45.35")) == Decimal("45.4")
