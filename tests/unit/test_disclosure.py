from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.lib.disclosure import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SUPPRESSED,
    Relation,
    protect,
    publish_rate,
    recoverable,
    round_half_up,
)


@pytest.mark.parametrize(
    ("value", "digits", "expected"),
    [
        (2.5, 0, Decimal("3")),
        (3.5, 0, Decimal("4")),
        (0.125, 2, Decimal("0.13")),
        (-2.5, 0, Decimal("-3")),
        (2.675, 2, Decimal("2.68")),
        (-0.4, 0, Decimal("0")),
        (Fraction(1, 8) * 100, 1, Decimal("12.5")),
        (Fraction(2, 3) * 100, 0, Decimal("67")),
        (Fraction(-5, 2), 0, Decimal("-3")),
    ],
)
def test_round_half_up_rounds_halves_away_from_zero(value, digits, expected):
    assert round_half_up(value, digits) == expected
    assert str(round_half_up(value, digits)) == str(expected)


def test_primary_suppression_hides_one_to_four_shows_zero_and_marks_none_not_available():
    cells = {"a": 0, "b": 1, "c": 4, "d": 5, "e": None, "f": 30}
    assert protect(cells, []) == {"a": "0", "b": "c", "c": "c", "d": "5", "e": "x", "f": "30"}


def test_a_table_with_nothing_small_is_published_whole():
    cells = {"a": 10, "b": 0, "t": 10}
    assert protect(cells, [Relation("t", ("a", "b"))]) == {"a": "10", "b": "0", "t": "10"}


def two_by_two(a: int, b: int, c: int, d: int) -> tuple[dict, list[Relation]]:
    cells = {"a": a, "b": b, "c": c, "d": d, "row1": a + b, "row2": c + d, "col1": a + c, "col2": b + d}
    cells["all"] = a + b + c + d
    relations = [
        Relation("row1", ("a", "b")),
        Relation("row2", ("c", "d")),
        Relation("col1", ("a", "c")),
        Relation("col2", ("b", "d")),
        Relation("all", ("row1", "row2")),
        Relation("all", ("col1", "col2")),
    ]
    return cells, relations


def test_a_small_cell_in_a_table_with_totals_gets_a_second_suppression_in_its_row_and_its_column():
    cells, relations = two_by_two(3, 10, 7, 9)
    published = protect(cells, relations)
    # a is primary; b (its row) and c (its column) protect it, and d then protects b and c.
    assert published == {
        "a": "c",
        "b": "c",
        "c": "c",
        "d": "c",
        "row1": "13",
        "row2": "16",
        "col1": "10",
        "col2": "19",
        "all": "29",
    }
    assert recoverable(published, cells, relations) == set()


def test_a_force_total_over_five_authorities_gets_a_second_authority_suppressed():
    authorities = {"Bath": 12, "Bristol": 40, "N Somerset": 2, "Somerset": 31, "S Glos": 9}
    cells = {**authorities, "force": sum(authorities.values())}
    published = protect(cells, [Relation("force", tuple(authorities))])
    # The smallest other authority, not the force total.
    assert published == {
        "Bath": "12",
        "Bristol": "40",
        "N Somerset": "c",
        "Somerset": "31",
        "S Glos": "c",
        "force": "94",
    }


def test_records_with_no_area_are_a_part_of_the_force_total():
    cells = {"Bath": 12, "Bristol": 3, "no area": 6, "force": 21}
    published = protect(cells, [Relation("force", ("Bath", "Bristol", "no area"))])
    assert published == {"Bath": "12", "Bristol": "c", "no area": "c", "force": "21"}


def test_a_small_quarter_cannot_be_recovered_by_differencing_rolling_values():
    quarters = {"q1": 2, "q2": 6, "q3": 5, "q4": 8, "q5": 7}
    cells = {**quarters, "r1": 21, "r2": 26}
    relations = [Relation("r1", ("q1", "q2", "q3", "q4")), Relation("r2", ("q2", "q3", "q4", "q5"))]
    published = protect(cells, relations)
    # Another quarter of r1 would not do: r2 gives it back, then r1 gives q1 (r1 - r2 = q1 - q5 by differencing).
    # Suppressing r1 itself leaves one equation, r1 = q1 + 19, in two unknowns.
    assert published == {"q1": "c", "q2": "6", "q3": "5", "q4": "8", "q5": "7", "r1": "c", "r2": "26"}
    assert recoverable(published, cells, relations) == set()
    # The attacker's differencing, by hand: with r1 published and only q1 hidden, it works.
    assert recoverable({**published, "r1": "21"}, cells, relations) == {"q1"}


def test_relations_must_refer_to_cells_and_cells_must_be_counts():
    with pytest.raises(ValueError, match="not in the table"):
        protect({"a": 1}, [Relation("t", ("a",))])
    with pytest.raises(ValueError, match="counts"):
        protect({"a": -1}, [])


def test_relations_that_fix_a_cell_by_themselves_are_refused():
    # a = b + c and b = a + c force c = 0, so a suppressed c of 2 is recoverable whatever else is hidden.
    cells = {"a": 7, "b": 5, "c": 2}
    with pytest.raises(ValueError, match="relations alone fix the value of 'c'"):
        protect(cells, [Relation("a", ("b", "c")), Relation("b", ("a", "c"))])


@pytest.mark.parametrize(
    ("numerator", "denominator", "kwargs", "expected"),
    [
        (5, 0, {}, NOT_APPLICABLE),
        (0, 0, {}, NOT_APPLICABLE),
        (None, 10, {}, NOT_AVAILABLE),
        (10, None, {}, NOT_AVAILABLE),
        (3, 10, {}, SUPPRESSED),
        (10, 4, {}, SUPPRESSED),
        (1, 8, {}, SUPPRESSED),  # 12.5% would give the 1 away
        (10, 80, {}, "12.5"),
        (20, 30, {"digits": 0}, "67"),
        (5, 8, {"digits": 0}, "63"),  # 62.5: banker's rounding would say 62
        (0, 8, {}, "0.0"),
        (125, 1000, {"per": 10_000, "digits": 0}, "1250"),
        (7, 15, {"digits": 2}, "46.67"),  # from 7/15, not from a rounded count or a rounded 46.7
    ],
)
def test_publish_rate(numerator, denominator, kwargs, expected):
    assert publish_rate(numerator, denominator, **kwargs) == expected


# The property test: random area x quarter tables with every total an attacker would use.


@st.composite
def tables(draw: st.DrawFn) -> tuple[dict, list[Relation]]:
    areas = [f"area {i}" for i in range(draw(st.integers(2, 6)))]
    periods = range(draw(st.integers(4, 9)))
    count = st.one_of(st.integers(1, 4), st.integers(0, 30))  # about half of the quarters are 1-4
    true = {("quarter", a, p): draw(count) for a in areas for p in periods}
    relations = []

    def total(key: tuple, parts: list[tuple]) -> None:
        true[key] = sum(true[part] for part in parts)
        relations.append(Relation(key, tuple(parts)))

    for p in periods:
        total(("force", p), [("quarter", a, p) for a in areas])
    for a in areas:
        total(("area total", a), [("quarter", a, p) for p in periods])
    total(("force total",), [("area total", a) for a in areas])
    relations.append(Relation(("force total",), tuple(("force", p) for p in periods)))
    for a in [*areas, "force"]:
        for p in periods[3:]:
            quarters = [("quarter", a, q) if a != "force" else ("force", q) for q in range(p - 3, p + 1)]
            total(("rolling", a, p), quarters)
    # A few cells not available (the relations still hold for their true values).
    missing = draw(st.sets(st.sampled_from(sorted(true)), max_size=2))
    cells = {key: None if key in missing else value for key, value in true.items()}
    return cells, relations


def attacker_recovers(published: dict, relations: list[Relation]) -> set:
    """An independent attacker: numpy ranks. A hidden cell is determined by the published figures and the
    relations exactly when adding its unit vector to the hidden cells' coefficient matrix leaves the rank
    unchanged (every linear combination of relations: totals, force totals, differences of rolling values)."""
    hidden = sorted(key for key, text in published.items() if text in (SUPPRESSED, NOT_AVAILABLE))
    column = {key: i for i, key in enumerate(hidden)}
    matrix = np.zeros((len(relations), len(hidden)))
    for row, relation in enumerate(relations):
        for key, sign in [(relation.total, 1), *((part, -1) for part in relation.parts)]:
            if key in column:
                matrix[row, column[key]] += sign
    base = np.linalg.matrix_rank(matrix)
    found = set()
    for key in hidden:
        if published[key] != SUPPRESSED:
            continue
        unit = np.zeros((1, len(hidden)))
        unit[0, column[key]] = 1
        if np.linalg.matrix_rank(np.vstack([matrix, unit])) == base:
            found.add(key)
    return found


@settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_suppressed_cell_can_be_recovered(table):
    cells, relations = table
    published = protect(cells, relations)

    assert published.keys() == cells.keys()
    for key, value in cells.items():
        if value is None:
            assert published[key] == NOT_AVAILABLE
        elif 1 <= value <= 4:
            assert published[key] == SUPPRESSED
        else:
            assert published[key] in (str(value), SUPPRESSED)
    assert not {text for text in published.values() if text in {"1", "2", "3", "4"}}
    assert recoverable(published, cells, relations) == set()
    assert attacker_recovers(published, relations) == set()
    assert protect(dict(reversed(cells.items())), relations) == published


def test_the_attacker_finds_what_primary_suppression_alone_leaves_exposed():
    # The property test's attacker is only worth something if it finds real disclosures.
    cells, relations = two_by_two(3, 10, 7, 9)
    primary_only = {key: SUPPRESSED if 1 <= value <= 4 else str(value) for key, value in cells.items()}
    assert attacker_recovers(primary_only, relations) == {"a"}
    assert recoverable(primary_only, cells, relations) == {"a"}


def test_a_cell_known_from_elsewhere_is_never_the_secondary_suppression():
    cells = {"force": 60, "a": 3, "b": 20, "c": 30, "no area": 7}
    relations = [Relation("force", ("a", "b", "c", "no area"))]
    assert protect(cells, relations)["no area"] == "c"  # the smallest part, chosen when nothing is known
    published = protect(cells, relations, known=["no area"])
    assert published["no area"] == "7" and published["b"] == "c"
    assert recoverable(published, cells, relations) == set()
