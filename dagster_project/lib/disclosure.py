"""Statistical disclosure control for the figures the partnership publishes.

Counts 1-4 are shown as "c", not available as "x", not applicable as "z"; rounding is half up, not banker's;
rates are computed on unrounded counts. A table is a set of count cells plus linear relations between them
(row and column totals, the force area as the sum of its authorities, a 12-month rolling value as the sum of
its four quarters). `protect` adds secondary suppressions until no suppressed cell's value follows exactly from
the published cells and the relations; differencing successive rolling values is one such linear combination.

Not covered: bounds. Counts are non-negative integers, so a published total of 6 over two suppressed parts still
says each is at most 6; only exact recovery is prevented. Nor does this know about figures outside the relations
it is given (other tables, earlier publications, rates whose numerator is a secondary suppression).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

SUPPRESSED = "c"
NOT_AVAILABLE = "x"
NOT_APPLICABLE = "z"
HIDDEN = frozenset({SUPPRESSED, NOT_AVAILABLE})
SMALLEST_SHOWN = 5  # counts 1 to 4 are suppressed; 0 is shown

Key = Hashable


def round_half_up(value: float | Decimal | Fraction | str, digits: int = 0) -> Decimal:
    """Round halves away from zero (2.5 -> 3, -2.5 -> -3) rather than to even, as published statistics do.

    A float goes through its shortest repr, so 0.125 rounds to 0.13 as a reader expects even though the binary
    float is slightly below 0.125. A Fraction is rounded exactly.
    """
    if digits < 0:
        raise ValueError(f"digits must be 0 or more, not {digits}")
    if isinstance(value, Fraction):
        scaled = abs(value) * 10**digits
        units = (2 * scaled.numerator + scaled.denominator) // (2 * scaled.denominator)
        result = Decimal(units if value >= 0 else -units).scaleb(-digits)
    else:
        result = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return result if result else result.copy_abs()  # never "-0"


@dataclass(frozen=True)
class Relation:
    """total = sum(parts), all of them cells of the same table."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def keys(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


def _is_count(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


def _is_small(count: int) -> bool:
    return 1 <= count < SMALLEST_SHOWN


def _check(cells: Mapping[Key, int | None], relations: Sequence[Relation]) -> None:
    bad = [key for key, value in cells.items() if value is not None and not _is_count(value)]
    if bad:
        raise ValueError(f"cells must be counts (int >= 0) or None; not {[(key, cells[key]) for key in bad[:5]]}")
    unknown = [key for relation in relations for key in relation.keys if key not in cells]
    if unknown:
        raise ValueError(f"relations refer to cells not in the table: {unknown[:5]}")


def _ranks(keys: Iterable[Key]) -> dict[Key, int]:
    """A deterministic order of the keys: their own order, or their reprs' when they do not compare."""
    keys = list(keys)
    try:
        ordered = sorted(keys)
    except TypeError:
        ordered = sorted(keys, key=repr)
    return {key: rank for rank, key in enumerate(ordered)}


def _eliminate(row: dict[Key, int], pivot_row: Mapping[Key, int], key: Key) -> dict[Key, int]:
    """`row` with its `key` entry cleared by the pivot row, fraction-free (integers only), in lowest terms."""
    scale, factor = pivot_row[key], row[key]
    combined = {k: scale * v for k, v in row.items()}
    for k, v in pivot_row.items():
        combined[k] = combined.get(k, 0) - factor * v
    combined = {k: v for k, v in combined.items() if v}
    divisor = math.gcd(*combined.values())
    return {k: v // divisor for k, v in combined.items()} if divisor > 1 else combined


def _determined(hidden: set[Key], relations: Sequence[Relation]) -> set[Key]:
    """The hidden cells whose values the relations fix once the published values are moved to the right.

    Exact Gauss-Jordan elimination (integer rows, so no rounding) on sparse rows restricted to the hidden cells.
    A cell is determined exactly when its unit vector is in the row space: some reduced row is that cell alone.
    That does not depend on the order of elimination, so any pivot will do.
    """
    pivots: dict[Key, dict[Key, int]] = {}  # pivot cell -> its row, zero in every other pivot's column
    for relation in relations:
        row: dict[Key, int] = {}
        for key, sign in ((relation.total, 1), *((part, -1) for part in relation.parts)):
            if key in hidden:
                row[key] = row.get(key, 0) + sign
        row = {key: value for key, value in row.items() if value}
        for key in [key for key in row if key in pivots]:  # pivot rows hold no other pivot, so one pass clears all
            row = _eliminate(row, pivots[key], key)
        if not row:
            continue
        pivot = next(iter(row))
        for key, other in pivots.items():
            if pivot in other:
                pivots[key] = _eliminate(other, row, pivot)
        pivots[pivot] = row
    return {key for key, row in pivots.items() if len(row) == 1}


def recoverable(
    published: Mapping[Key, str], cells: Mapping[Key, int | None], relations: Sequence[Relation]
) -> set[Key]:
    """The attacker's view: the suppressed ("c") cells whose values the published figures and relations determine.

    Only the keys of `cells` are used: what is determinable depends on which cells are hidden, not their values.
    Cells shown as "x" are unknowns to the attacker too, but their recovery is not a disclosure.
    """
    hidden = {key for key in cells if published[key] in HIDDEN}
    suppressed = {key for key in hidden if published[key] == SUPPRESSED}
    return _determined(hidden, relations) & suppressed


def _shown(keys: Iterable[Key], published: Mapping[Key, str]) -> set[Key]:
    return {key for key in keys if published[key] not in HIDDEN}


def _target(
    exposed: set[Key], published: Mapping[Key, str], relations: Sequence[Relation], ranks: Mapping[Key, int]
) -> tuple[Key, set[Key]]:
    """The exposed cell to protect next and the published cells to choose its companion from.

    First a relation that gives a cell away on its own (it is the relation's only hidden cell), with that
    relation's published cells; failing that (recovery by combining relations, e.g. differencing rolling
    values) the first exposed cell, with the published cells around it, widening through hidden cells.
    """
    lone = []
    for index, relation in enumerate(relations):
        hidden = {key for key in relation.keys if published[key] in HIDDEN}
        if len(hidden) == 1 and (cell := next(iter(hidden))) in exposed and _shown(relation.keys, published):
            lone.append((ranks[cell], index, cell))
    if lone:
        _, index, cell = min(lone)
        return cell, _shown(relations[index].keys, published)
    cell = min(exposed, key=ranks.__getitem__)
    seen, frontier = {cell}, {cell}
    while frontier:
        keys = {key for relation in relations if frontier.intersection(relation.keys) for key in relation.keys}
        if shown := _shown(keys, published):
            return cell, shown
        frontier = keys - seen
        seen |= frontier
    raise ValueError(f"the relations alone fix the value of {cell!r}; no suppression can protect it")


def protect(
    cells: Mapping[Key, int | None], relations: Sequence[Relation], known: Iterable[Key] = ()
) -> dict[Key, str]:
    """Every cell's published text: the count, "c" (suppressed) or "x" (None: not available).

    Primary suppression hides counts 1-4. Then, while any suppressed cell is recoverable, pick one (`_target`)
    and suppress a published cell next to it, preferring in turn: one whose suppression makes it unrecoverable,
    a part rather than a total, a non-zero count, the smallest count, the first key. `known` cells are ones an
    attacker may know from elsewhere (published in another table): never chosen as a secondary suppression.
    """
    known = frozenset(known)
    _check(cells, relations)
    ranks = _ranks(cells)
    totals = {relation.total for relation in relations}
    published = {
        key: NOT_AVAILABLE if value is None else SUPPRESSED if _is_small(value) else str(value)
        for key, value in cells.items()
    }
    while exposed := recoverable(published, cells, relations):
        cell, candidates = _target(exposed, published, relations, ranks)

        def preference(key: Key) -> tuple[bool, bool, int, int]:
            count = cells[key] or 0  # a published cell, so never None
            return key in totals, count == 0, count, ranks[key]

        ordered = sorted(candidates - known or candidates, key=preference)
        resolving = (
            key for key in ordered if cell not in recoverable({**published, key: SUPPRESSED}, cells, relations)
        )
        published[next(resolving, ordered[0])] = SUPPRESSED
    return published


def publish_rate(numerator: int | None, denominator: int | None, per: int = 100, digits: int = 1) -> str:
    """A percentage (or a rate per `per`) from unrounded counts, rounded half up to `digits` places.

    "x" if either count is not available, "z" if the denominator is 0, "c" if either count is 1-4. The caller
    must also suppress a rate whose numerator or denominator was secondarily suppressed in its table.
    """
    if numerator is None or denominator is None:
        return NOT_AVAILABLE
    if not (_is_count(numerator) and _is_count(denominator)):
        raise ValueError(f"counts must be int >= 0 or None, not {numerator!r} and {denominator!r}")
    if denominator == 0:
        return NOT_APPLICABLE
    if _is_small(numerator) or _is_small(denominator):
        return SUPPRESSED
    return format(round_half_up(Fraction(int(numerator) * per, int(denominator)), digits), "f")
