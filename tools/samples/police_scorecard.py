"""Sample police scorecard workbooks, one per quarter end from 2021-06 to 2024-03.

Format: sources/police_scorecard.yaml and the shared spec police.md.

The vintage model. Every area and metric has a "true" 12-month rolling count at each
quarter end from 2020-06 to 2024-03, known in two vintages:

- first: the figure as first published. The extract for period P shows first(P) as
  "Current".
- restated: the same 12 months counted again a year later, after late records. The
  extract for P shows restated(P - 12 months) as "Previous". It usually differs from
  first by a small revision (0-3%), sometimes not at all.

The restated series is modelled and the first one derived from it, so both move slowly
from quarter to quarter. Each series passes exactly through the figures the partnership
reports printed (`published_figures()`) and the force-wide changes their text cites
(`FORCE_PERCENT_CHANGES`).

The force area's count is modelled first; a few % of its records have no location.
Authorities with published figures get series of their own; the others share what is
left by child population, so the five authorities always sum to less than the force.

Layout quirks (numbers typed as text, signed changes, percentages as text or fractions,
shuffled blocks and rows, retyped labels, footnotes, missing measures) are drawn per
sheet from seeded generators, so every run writes the same bytes.
"""

import calendar
import csv
import datetime
import functools
import math
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from dagster_project.lib.registry import load_registry
from tools.samples.xlsx import save_workbook_deterministic

CONTRACT_PATH = Path(__file__).resolve().parents[2] / "sources" / "police_scorecard.yaml"
SEED = "police_scorecard/1"


def _quarter_ends(first: datetime.date, count: int) -> list[datetime.date]:
    ends = []
    year, month = first.year, first.month
    for _ in range(count):
        ends.append(datetime.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year + 1, month - 9) if month > 9 else (year, month + 3)
    return ends


QUARTERS = _quarter_ends(datetime.date(2021, 6, 30), 12)
SERIES_PERIODS = _quarter_ends(datetime.date(2020, 6, 30), 16)
YEAR = 4  # quarters
MARCH_2022, MARCH_2023 = datetime.date(2022, 3, 31), datetime.date(2023, 3, 31)
# The period the levels and trends are set around, and where the force area is pinned.
PIVOT = SERIES_PERIODS.index(MARCH_2022)

FIRST, RESTATED = "first", "restated"
VINTAGES = (FIRST, RESTATED)

BANES, NORTH_SOMERSET, FORCE_AREA = "E06000022", "E06000024", "E23000036"

# Children aged 0-17, ONS mid-year estimate 2022 (shared spec README).
CHILD_POPULATION = {
    "E06000022": 36_209,
    "E06000023": 91_973,
    "E06000024": 43_363,
    "E06000025": 60_273,
    "E06000066": 110_796,
}

# The scorecard figures the partnership reports printed: the spec's published_police_figures.csv,
# kept in the repo as a dbt seed.
PUBLISHED_FIGURES_CSV = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "published_police_figures.csv"
# Police figures the reports printed outside those tables (published_other_figures.csv):
# (current, previous) by area and period; previous is None where a report gives none.
OTHER_PUBLISHED: dict[tuple[str, datetime.date], dict[str, tuple[int, int | None]]] = {
    (BANES, MARCH_2022): {
        "police_icpc_invited": (70, None),
        "police_icpc_attended": (70, None),
        "police_protection_powers_s46": (11, 3),
        "police_children_brought_into_custody": (38, None),
        "police_children_charged_and_detained": (0, None),
    },
    (NORTH_SOMERSET, MARCH_2023): {
        "police_icpc_invited": (78, None),
        "police_icpc_attended": (78, None),
    },
    (FORCE_AREA, MARCH_2022): {
        "police_protection_powers_s46": (320, 139),
        "police_protection_records_no_beat_code": (20, None),
    },
}


@functools.cache
def published_figures() -> dict[tuple[str, datetime.date], dict[str, tuple[int, int | None]]]:
    """Every published police figure as (current, previous) by area, period and metric."""
    code_by_label = {measure.label: measure.metric_code for measure in load_contract().measures}
    figures: dict[tuple[str, datetime.date], dict[str, tuple[int, int | None]]] = {}
    with PUBLISHED_FIGURES_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            key = (row["la_code"], datetime.date.fromisoformat(row["period_end"]))
            figures.setdefault(key, {})[code_by_label[row["measure"]]] = (int(row["current"]), int(row["previous"]))
    for key, extra in OTHER_PUBLISHED.items():
        figures.setdefault(key, {}).update(extra)
    return figures


# Force-wide % changes the reports' text cites: B&NES 2021-22 for 2022-03, North
# Somerset 2022-23 for 2023-03. For serious sexual offences and non-familial sexual
# crimes the B&NES text says only that the force-wide rise was larger: values are ours.
FORCE_PERCENT_CHANGES: dict[tuple[str, datetime.date], str] = {
    ("police_cp_crimes_excl_da", MARCH_2022): "29.8",
    ("police_cp_serious_sexual_offences", MARCH_2022): "52.4",
    ("police_non_familial_sexual_crimes_child_victim", MARCH_2022): "55.0",
    ("police_cp_cruelty_neglect_crimes", MARCH_2022): "30.2",
    ("police_child_victims", MARCH_2022): "37.1",
    ("police_child_suspects", MARCH_2022): "31.6",
    ("police_da_crimes_victim_16_17", MARCH_2022): "14.9",
    ("police_cp_crimes_excl_da", MARCH_2023): "-7.3",
    ("police_missing_children_reports", MARCH_2023): "23.5",
    ("police_child_victims", MARCH_2023): "3.5",
    ("police_child_suspects", MARCH_2023): "2.7",
    ("police_da_crimes_victim_16_17", MARCH_2023): "-7.7",
}


@dataclass(frozen=True)
class Profile:
    """A metric force-wide: count per 1,000 children at PIVOT, % a year either side."""

    rate_per_1000: float
    growth_to_pivot: float
    growth_after: float


METRIC_PROFILES = {
    "police_cp_crimes_excl_da": Profile(10.0, 30, -7),
    "police_cp_serious_sexual_offences": Profile(3.4, 52, -15),
    "police_non_familial_sexual_crimes_child_victim": Profile(4.5, 55, -12),
    "police_cp_cruelty_neglect_crimes": Profile(2.3, 30, -5),
    "police_cse_crimes": Profile(6.0, 110, -25),
    "police_missing_children": Profile(2.6, -10, 15),
    "police_missing_children_reports": Profile(6.5, -8, 23),
    "police_repeat_missing_children": Profile(1.3, -10, 10),
    "police_children_missing_from_care": Profile(0.55, 0, -5),
    "police_repeat_children_missing_from_care": Profile(0.3, 0, -5),
    "police_child_suspects": Profile(15.0, 32, 3),
    "police_da_incidents_excl_crimes": Profile(33.0, -4, -4),
    "police_da_crimes": Profile(60.0, 6, -9),
    "police_da_crimes_victim_16_17": Profile(1.8, 15, -8),
    "police_child_victims": Profile(22.5, 37, 4),
    "police_child_victims_race_hate": Profile(0.7, 20, 15),
    "police_icpc_invited": Profile(1.9, 5, 5),
    "police_icpc_attended": Profile(1.85, 5, 5),
    "police_protection_powers_s46": Profile(0.9, 130, 10),
    "police_children_brought_into_custody": Profile(1.2, -5, -5),
    "police_children_charged_and_detained": Profile(0.06, 0, 0),
    "police_protection_records_no_beat_code": Profile(0.06, 100, -20),
}

# Counts that cannot exceed another for the same area, period and vintage: child ->
# parent, parents first. A family shares its ups and downs and its local mix.
CAPPED_BY = {
    "police_missing_children": "police_missing_children_reports",
    "police_repeat_missing_children": "police_missing_children",
    "police_children_missing_from_care": "police_missing_children",
    "police_repeat_children_missing_from_care": "police_children_missing_from_care",
    "police_icpc_attended": "police_icpc_invited",
    "police_children_charged_and_detained": "police_children_brought_into_custody",
}

# For s46 the force area's records with no location are those with no beat code.
UNLOCATED_BY = {"police_protection_powers_s46": "police_protection_records_no_beat_code"}

# --- layout quirks: how often, and the text they use ---
OPTIONAL_SECTIONS = ("Conferences and Custody",)
LEAVE_OUT_SHARE = 0.25  # of sheets leaving out an optional block with no published figure
UNAVAILABLE_SHARE = 0.2  # of authority sheets with one measure not available
FOOTNOTE_MARK_SHARE = 0.3  # of footnoted measures' rows whose label carries the mark
RELABEL_SHARE = 0.06  # of other rows whose label is retyped (spaces, case)
PROVISIONAL_SHARE = 0.3  # of sheets ending with the provisional note
WRAP_WIDTH = 60  # characters of column A on sheets whose long labels wrap
FOOTNOTED_METRICS = {
    "police_cse_crimes": "* CSE flag applied by an automated process from October 2021",
    "police_missing_children": ("* A child is counted once however many times they are reported missing"),
}
PROVISIONAL_NOTE = "Note: figures are provisional and may be revised in later scorecards"
NOTES_SHEET_LINES = (
    "Notes",
    "All figures are 12-month rolling counts to the date shown on each sheet.",
    "Previous 12 months' figures are re-extracted and may differ from those published.",
    "Police protection records not linked to a beat code count in the force area only.",
)

Anchors = dict[tuple[str, int], int]  # (vintage, index into SERIES_PERIODS) -> count
# (area, metric_code, vintage) -> one count per SERIES_PERIODS
Figures = dict[tuple[str, str, str], list[int]]


@dataclass(frozen=True)
class Measure:
    section: str
    label: str
    metric_code: str
    force_area_only: bool


@dataclass(frozen=True)
class Contract:
    """The parts of the source contract the generator writes to."""

    partner: str
    areas: dict[str, list[str]]  # code -> sheet-name aliases
    force_area: str
    measures: list[Measure]
    layout: dict
    value_headers: list[str]

    @property
    def local_authorities(self) -> list[str]:
        return [code for code in self.areas if code != self.force_area]

    @property
    def sections(self) -> list[str]:
        return list(dict.fromkeys(measure.section for measure in self.measures))


@functools.cache
def load_contract() -> Contract:
    raw, registry = yaml.safe_load(CONTRACT_PATH.read_text()), load_registry()
    measures = [
        Measure(m["section"], m["label"], m["metric_code"], m.get("force_area_only", False)) for m in raw["measures"]
    ]
    return Contract(
        partner=raw["partner"],
        areas=registry.sheet_names(),
        force_area=registry.force_area(),
        measures=measures,
        layout=raw["layout"],
        value_headers=[column["header"] for column in raw["layout"]["value_columns"]],
    )


def _rng(*parts: object) -> random.Random:
    """A generator per purpose: a new metric or sheet leaves the others' draws alone."""
    return random.Random(":".join([SEED, *map(str, parts)]))


def _round(value: float) -> int:
    return int(Decimal(value).quantize(Decimal(1), ROUND_HALF_UP))


def percent_change(current: int, previous: int) -> Decimal | None:
    """The force's % Chg: one decimal, half up; not applicable when previous is 0."""
    if previous == 0:
        return None
    exact = Decimal(current - previous) * 100 / previous
    change = exact.quantize(Decimal("0.1"), ROUND_HALF_UP)
    return change.copy_abs() if change == 0 else change  # never "-0.0"


# --- the series ---------------------------------------------------------------------


def _walk(rng: random.Random, growth_to_pivot: float, growth_after: float, noise: float) -> list[float]:
    """A smooth index over SERIES_PERIODS, 1 at PIVOT, growing by the annual % given."""
    log_index = [0.0]
    for t in range(1, len(SERIES_PERIODS)):
        growth = growth_to_pivot if t <= PIVOT else growth_after
        step = math.log1p(growth / 100) / YEAR + rng.gauss(0, noise)
        log_index.append(log_index[-1] + step)
    return [math.exp(value - log_index[PIVOT]) for value in log_index]


def _interpolate(points: dict[int, float], t: int) -> float:
    """Linear between the points either side of t; flat beyond the first and last."""
    before = [p for p in points if p <= t]
    after = [p for p in points if p >= t]
    if not before:
        return points[min(after)]
    if not after:
        return points[max(before)]
    left, right = max(before), min(after)
    if left == right:
        return points[left]
    return points[left] + (points[right] - points[left]) * (t - left) / (right - left)


def _through_anchors(free: list[float], anchors: dict[int, int]) -> list[int]:
    """The free series scaled to the anchors' level, bent to pass through each one."""
    if not anchors:
        return [_round(value) for value in free]
    anchored = sum(anchors.values())
    level = anchored / sum(free[t] for t in anchors) if anchored else 1.0
    scaled = [value * level for value in free]
    offsets = {t: count - scaled[t] for t, count in anchors.items()}
    return [anchors.get(t, max(0, _round(value + _interpolate(offsets, t)))) for t, value in enumerate(scaled)]


def _revision(rng: random.Random, count: int) -> int:
    """Restated minus first: none a fifth of the time, else mostly up (late records)."""
    draw = rng.random()
    if draw < 0.2:
        return 0
    share = rng.uniform(0.003, 0.03) if draw < 0.85 else -rng.uniform(0.003, 0.015)
    change = round(count * share)
    if change == 0 and count >= 10:
        return 1 if share > 0 else -1
    return change


def _first_publication(rng: random.Random, restated: int) -> int:
    return max(0, restated - _revision(rng, restated))


def _restatement(rng: random.Random, first: int) -> int:
    return max(0, first + _revision(rng, first))


def _vintages(rng: random.Random, free: list[float], anchors: Anchors) -> dict[str, list[int]]:
    """Both vintages of a series: restated through the anchors, first derived from it.

    A first-vintage anchor with no restated one beside it is restated to pin the series.
    """
    restated_anchors = {t: n for (vintage, t), n in anchors.items() if vintage == RESTATED}
    for (vintage, t), count in sorted(anchors.items()):
        if vintage == FIRST and t not in restated_anchors:
            restated_anchors[t] = _restatement(rng, count)
    restated = _through_anchors(free, restated_anchors)
    first = [
        anchors[(FIRST, t)] if (FIRST, t) in anchors else _first_publication(rng, count)
        for t, count in enumerate(restated)
    ]
    return {FIRST: first, RESTATED: restated}


def _published_anchors(metric: str) -> dict[str, Anchors]:
    """Published pairs by area: current is first(P), previous restated(P - 1 year)."""
    anchors: dict[str, Anchors] = {}
    for (area, period), figures in published_figures().items():
        if metric in figures:
            t = SERIES_PERIODS.index(period)
            current, previous = figures[metric]
            anchors.setdefault(area, {})[(FIRST, t)] = current
            if previous is not None:
                anchors[area][(RESTATED, t - YEAR)] = previous
    return anchors


def _pair_with_change(known: int, target: str, known_is_current: bool, movable: bool) -> tuple[int, int]:
    """(current, previous) whose % Chg rounds to target.

    One side is known; unless movable it stays exactly as it is (a published figure).
    """
    ratio = 1 + Decimal(target) / 100
    shifts = sorted(range(-5, 6), key=lambda s: (abs(s), s)) if movable else [0]
    for shift in shifts:
        fixed = known + shift
        guess = _round(fixed / ratio if known_is_current else fixed * ratio)
        nearby = range(max(1, guess - 3), guess + 4)
        for other in sorted(nearby, key=lambda n: (abs(n - guess), n)):
            current, previous = (fixed, other) if known_is_current else (other, fixed)
            if percent_change(current, previous) == Decimal(target):
                return current, previous
    raise ValueError(f"no counts near {known} make a change of {target}%")


def _force_anchors(rng: random.Random, metric: str, free: list[float], published: Anchors) -> Anchors:
    """The force area's published figures, both vintages at PIVOT, and pairs that make
    the cited % changes (each shares one side with PIVOT)."""
    anchors = dict(published)
    if (RESTATED, PIVOT) not in anchors:
        first = anchors.get((FIRST, PIVOT))
        anchors[(RESTATED, PIVOT)] = _round(free[PIVOT]) if first is None else _restatement(rng, first)
    if (FIRST, PIVOT) not in anchors:
        anchors[(FIRST, PIVOT)] = _first_publication(rng, anchors[(RESTATED, PIVOT)])
    for (cited_metric, period), target in FORCE_PERCENT_CHANGES.items():
        if cited_metric != metric:
            continue
        current_key = (FIRST, SERIES_PERIODS.index(period))
        previous_key = (RESTATED, current_key[1] - YEAR)
        known = current_key if current_key in anchors else previous_key
        anchors[current_key], anchors[previous_key] = _pair_with_change(
            anchors[known],
            target,
            known_is_current=known == current_key,
            movable=known not in published,
        )
    return anchors


def _area_weights(rng: random.Random, area: str) -> list[float]:
    """An authority's weight in the located records: children, local factor, drift."""
    factor = rng.uniform(0.85, 1.2)
    drift = _walk(rng, 0, 0, noise=0.02)
    return [CHILD_POPULATION[area] * factor * value for value in drift]


def _split(total: int, weights: list[float]) -> list[int]:
    """Whole numbers in proportion to weights, summing to total (largest remainder)."""
    if total < 0:
        raise ValueError(f"cannot share out a negative count ({total})")
    exact = [total * weight / sum(weights) for weight in weights]
    shares = [math.floor(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - exact[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _family(metric: str) -> str:
    """The metric at the top of its CAPPED_BY chain."""
    while metric in CAPPED_BY:
        metric = CAPPED_BY[metric]
    return metric


def _model_metric(contract: Contract, measure: Measure, figures: Figures) -> Figures:
    """Both vintages of a metric: the force area and, unless force-only, each authority.

    figures holds the metrics modelled so far (s46 needs its unlocated records).
    """
    metric, force = measure.metric_code, contract.force_area
    rng, shape = _rng("series", metric), _rng("shape", _family(metric))
    profile = METRIC_PROFILES[metric]
    unlocated_share = rng.uniform(0.02, 0.045)
    walk = _walk(shape, profile.growth_to_pivot, profile.growth_after, noise=0.012)
    children = sum(CHILD_POPULATION.values())
    located_free = [profile.rate_per_1000 * children / 1000 * value for value in walk]
    force_free = [value * (1 + unlocated_share) for value in located_free]
    published = _published_anchors(metric)
    force_anchors = _force_anchors(rng, metric, force_free, published.get(force, {}))
    force_series = _vintages(rng, force_free, force_anchors)
    modelled = {(force, metric, v): series for v, series in force_series.items()}
    if measure.force_area_only:
        return modelled

    authorities = contract.local_authorities
    weights = {area: _area_weights(shape, area) for area in authorities}
    total_weight = [sum(values) for values in zip(*weights.values(), strict=True)]
    own = [area for area in authorities if area in published]
    for area in own:
        free = [located * weights[area][t] / total_weight[t] for t, located in enumerate(located_free)]
        for vintage, series in _vintages(rng, free, published[area]).items():
            modelled[(area, metric, vintage)] = series

    pooled = [area for area in authorities if area not in published]
    for vintage, force_counts in force_series.items():
        if metric in UNLOCATED_BY:
            unlocated = figures[(force, UNLOCATED_BY[metric], vintage)]
        else:
            unlocated = [max(1, _round(n * unlocated_share)) for n in force_counts]
        left = [
            force_counts[t] - unlocated[t] - sum(modelled[(a, metric, vintage)][t] for a in own)
            for t in range(len(SERIES_PERIODS))
        ]
        shares = [_split(total, [weights[area][t] for area in pooled]) for t, total in enumerate(left)]
        for i, area in enumerate(pooled):
            modelled[(area, metric, vintage)] = [share[i] for share in shares]
    return modelled


def _apply_caps(contract: Contract, figures: Figures) -> None:
    for child, parent in CAPPED_BY.items():
        for area in contract.areas:
            for vintage in VINTAGES:
                key = (area, child, vintage)
                figures[key] = list(map(min, figures[key], figures[(area, parent, vintage)]))


@functools.cache
def model_figures() -> Figures:
    """Every area's, metric's and vintage's series (force-only metrics first)."""
    contract = load_contract()
    figures: Figures = {}
    for measure in sorted(contract.measures, key=lambda m: not m.force_area_only):
        figures.update(_model_metric(contract, measure, figures))
    _apply_caps(contract, figures)
    return figures


# --- the workbook -------------------------------------------------------------------


def extract_figures(area: str, period: datetime.date) -> dict[str, tuple[int, int]]:
    """(current, previous) by metric as the extract for period shows them:
    first(period) and restated(period - 12 months)."""
    figures, t = model_figures(), SERIES_PERIODS.index(period)
    return {
        metric: (counts[t], figures[(area, metric, RESTATED)][t - YEAR])
        for (series_area, metric, vintage), counts in figures.items()
        if series_area == area and vintage == FIRST
    }


@dataclass(frozen=True)
class SheetStyle:
    """How the person filling in one sheet one quarter typed it."""

    text_count_share: float  # of counts typed as text
    text_change_share: float  # of Chg typed as signed text
    percent_as_fraction: bool  # % Chg as 0.453 formatted '0.0%', else text "+45.3%"
    shuffle_rows: bool
    banner_share: float  # of blocks with the "12 Month Rolling" banner
    wrap_long_labels: bool  # column A too narrow: long labels typed with a line break

    @classmethod
    def draw(cls, rng: random.Random) -> "SheetStyle":
        return cls(
            text_count_share=rng.choice([0.0, 0.15, 0.5]),
            text_change_share=rng.choice([0.0, 0.5, 1.0]),
            percent_as_fraction=rng.random() < 0.35,
            shuffle_rows=rng.random() < 0.4,
            banner_share=rng.choice([0.0, 0.5, 1.0]),
            wrap_long_labels=rng.random() < 0.2,
        )


def _relabel(rng: random.Random, label: str) -> str:
    """The label retyped: a doubled space, capitals or sentence case."""
    kind = rng.choice(["double space", "upper", "sentence"])
    if kind == "double space":
        words = label.split(" ")
        gap = rng.randrange(1, len(words))
        return " ".join(words[:gap]) + "  " + " ".join(words[gap:])
    return label.upper() if kind == "upper" else label[0] + label[1:].lower()


def _label(rng: random.Random, measure: Measure, style: SheetStyle, footnotes: list[str]) -> str:
    """The measure's label as this sheet writes it; a footnote mark adds a footnote."""
    label = measure.label
    if measure.metric_code in FOOTNOTED_METRICS and rng.random() < FOOTNOTE_MARK_SHARE:
        footnotes.append(FOOTNOTED_METRICS[measure.metric_code])
        return label + "*"
    if style.wrap_long_labels and len(label) > WRAP_WIDTH:
        return "\n".join(label.rsplit(" ", 1))
    return _relabel(rng, label) if rng.random() < RELABEL_SHARE else label


def _count_cell(rng: random.Random, count: int, text_share: float) -> int | str:
    if rng.random() >= text_share:
        return count
    text = f"{count:,}"
    if rng.random() < 0.25:
        return rng.choice([f" {text}", f"{text} ", f" {text} "])
    return text


def _change_cell(rng: random.Random, change: int, text_share: float) -> int | str:
    if rng.random() >= text_share:
        return change
    return f"{change:+d}" if change else "0"


def _percent_cell(rng: random.Random, change: Decimal | None, as_fraction: bool) -> tuple[float | str | None, str]:
    """The % Chg cell's value and number format."""
    if change is None:
        return rng.choice([None, "-"]), "General"
    if as_fraction:
        return float(change / 100), "0.0%"
    sign = "+" if change > 0 and rng.random() < 0.7 else ""
    return f"{sign}{change}%", "General"


def _write_measure_row(
    ws: Worksheet,
    row: int,
    label: str,
    figures: tuple[int, int] | None,
    style: SheetStyle,
    rng: random.Random,
) -> None:
    """One measure row; figures None when the measure is not available."""
    ws.cell(row, 1, label).alignment = Alignment(wrap_text="\n" in label)
    if figures is None:
        missing = rng.choice([None, "-"])
        for column in range(2, 6):
            ws.cell(row, column, missing)
        return
    current, previous = figures
    change = percent_change(current, previous)
    percent, number_format = _percent_cell(rng, change, style.percent_as_fraction)
    ws.cell(row, 2, _count_cell(rng, current, style.text_count_share))
    ws.cell(row, 3, _count_cell(rng, previous, style.text_count_share))
    ws.cell(row, 4, _change_cell(rng, current - previous, style.text_change_share))
    ws.cell(row, 5, percent).number_format = number_format


def _sheet_name(contract: Contract, area: str, quarter: int) -> str:
    """One of the area's aliases, turning with the quarter so that each appears."""
    aliases = contract.areas[area]
    return aliases[(quarter + list(contract.areas).index(area)) % len(aliases)]


def _sections(rng: random.Random, contract: Contract, measures: list[Measure], published: dict) -> list[str]:
    """The sheet's blocks in a shuffled order, some optional ones left out (never one
    with a published figure)."""
    sections = [s for s in contract.sections if any(m.section == s for m in measures)]
    rng.shuffle(sections)
    return [
        section
        for section in sections
        if section not in OPTIONAL_SECTIONS
        or any(m.section == section and m.metric_code in published for m in measures)
        or rng.random() >= LEAVE_OUT_SHARE
    ]


def _write_area_sheet(ws: Worksheet, contract: Contract, area: str, period: datetime.date) -> None:
    rng = _rng("sheet", period, area)
    style = SheetStyle.draw(rng)
    layout, is_force = contract.layout, area == contract.force_area
    published = published_figures().get((area, period), {})
    measures = [m for m in contract.measures if is_force or not m.force_area_only]
    sections = _sections(rng, contract, measures, published)
    shown = [m.metric_code for m in measures if m.section in sections and m.metric_code not in published]
    unavailable = None
    if shown and not is_force and rng.random() < UNAVAILABLE_SHARE:
        unavailable = rng.choice(shown)

    title = f"{contract.partner} - Safeguarding Scorecard - {ws.title}"
    ws.cell(layout["title_row"], 1, title).font = Font(bold=True)
    ws.cell(layout["period_row"], 1, f"12 months to {period:%d/%m/%Y}")
    ws.column_dimensions["A"].width = WRAP_WIDTH if style.wrap_long_labels else 72
    values = extract_figures(area, period)
    footnotes: list[str] = []
    row = layout["period_row"] + 2
    for section in sections:
        block = [m for m in measures if m.section == section]
        if style.shuffle_rows:
            rng.shuffle(block)
        if rng.random() < style.banner_share:
            ws.cell(row, 2, layout["window_banner"])
            row += 1
        for column, heading in enumerate([section, *contract.value_headers], start=1):
            ws.cell(row, column, heading).font = Font(bold=True)
        row += 1
        for measure in block:
            label = _label(rng, measure, style, footnotes)
            figures = None if measure.metric_code == unavailable else values[measure.metric_code]
            _write_measure_row(ws, row, label, figures, style, rng)
            row += 1
        row += 1
    if rng.random() < PROVISIONAL_SHARE:
        footnotes.append(PROVISIONAL_NOTE)
    for offset, footnote in enumerate(footnotes):
        ws.cell(row + offset, 1, footnote)


def build_workbook(period_end: datetime.date) -> Workbook:
    """The scorecard for the 12 months to period_end, one of QUARTERS."""
    contract = load_contract()
    quarter = QUARTERS.index(period_end)
    wb = Workbook()
    wb.remove(wb.active)
    areas = list(contract.areas)
    if _rng("workbook", period_end).random() < 0.5:
        areas.sort(key=lambda area: area != contract.force_area)
    for area in areas:
        ws = wb.create_sheet(_sheet_name(contract, area, quarter))
        _write_area_sheet(ws, contract, area, period_end)
    if quarter % 4 == 1:
        notes = wb.create_sheet("Notes")
        for row, line in enumerate(NOTES_SHEET_LINES, start=1):
            notes.cell(row, 1, line)
    return wb


def write_samples(out_dir: Path) -> list[Path]:
    """Write one workbook per quarter into out_dir/police_scorecard/; return paths."""
    folder = out_dir / "police_scorecard"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for period in QUARTERS:
        path = folder / f"police_scorecard_{period:%Y-%m}.xlsx"
        save_workbook_deterministic(build_workbook(period), path)
        paths.append(path)
    return paths
