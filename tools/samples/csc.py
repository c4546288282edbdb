"""Sample children's social care extracts: one simulated case history per authority, cut at each quarter end.

Format: sources/csc.yaml and the shared spec csc.md.

The simulation. Each authority's case system is run month by month from April 2018 to March 2024 as one
history of children's journeys. Contacts arrive, one row per child of the household; some become referrals
(each with its own contact, outcome REF, the same day); most referrals are assessed; children found not in
need are closed, the others stay open; some go onto a child protection plan, some come into care (one
SSDA903 episode per placement or legal status, chained: the next starts the day the last ends, reason ceased
X1; care ends at 18 at the latest), some go missing; plans end, children leave care and cases close. Families
come back: re-referrals, referrals again years later, second CP plans, contacts about a household met lately.

An extract is that history cut at its quarter end P: every child with anything dated in the 24 months to P
or anything open on P, with all their rows dated up to P and nothing after (a closure or end after P is
blank: open on P). A child keeps the same case numbers in every extract, so successive quarters are
consistent views of one history.

What is steered and what is drawn. Flows (contacts, domestic-abuse contacts and those referred, referrals,
re-referrals, CP plans started and second plans, children starting to be looked after) are fixed per
financial year and spread over its months along the trend between years; stocks at each month end (CP plans,
children looked after, open referrals) follow a path between 31 March figures: each month the simulation
ends the plans, care and cases it must, choosing which by how long they have run. Who a referral is for
decides whether it is a re-referral, so re-referrals are exact too. Targets are the DfE's published figures
for the authority and year moved 2-7% (referrals only downwards: referrals recorded late miss a working
extract), so a local quarterly extract never equals the census; North Somerset's 2022-23 are the figures its
annual report printed, which the extract for 2023-03 reproduces exactly. Missing episodes and exploitation
risk, which the DfE files do not give, scale with child population from North Somerset's figures.

North Somerset's case system keeps a child's earlier referrals open while the case is open: a child in care
gets a new referral every 13-18 months (never a re-referral), a child on a plan or in care may be
re-referred, and the earlier referrals stay open until the case closes or they are nearly four years old.
That is how its DfE-style count of open referrals (about 1,000) and its local count of children in need on
neither a CP plan nor in care (268) both hold. Elsewhere a child has at most one open referral.

Every draw comes from random.Random generators seeded by name (never hash() or set order), so every run
writes the same bytes. The history is simulated once per process and per authority (functools.cache).
"""

import bisect
import datetime
import functools
import itertools
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple, TypeVar

import numpy as np

from dagster_project.lib.registry import load_registry
from tools.samples import simulation
from tools.samples.simulation import DAY, QUARTERS, Row, TableEdit, Weights, month_end

date = datetime.date
T = TypeVar("T")

SOURCE, SEED = "csc", "csc/1"

AUTHORITIES: tuple[str, ...] = ("E06000022", "E06000023", "E06000024", "E06000025", "E06000066")
NORTH_SOMERSET = "E06000024"

SIM_START = date(2018, 4, 1)
SIM_END = date(2024, 3, 31)
FIRST_FY, LAST_FY = 2019, 2024  # financial years simulated (year ending 31 March)
EXTRACT_MONTHS = 24  # an extract holds every child with activity in the 24 months to its period end
FAR = date(9999, 12, 31)  # "not ended"


def _minus_months(day: date, months: int) -> date:
    """The same day `months` calendar months earlier, clamped to the month's length (like SQL intervals)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, month_end(year, month + 1).day))


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


MONTHS: list[tuple[int, int]] = [(2018 + (3 + i) // 12, (3 + i) % 12 + 1) for i in range(72)]  # 2018-04 .. 2024-03


def _fy(year: int, month: int) -> int:
    return year + 1 if month >= 4 else year


# ---------------------------------------------------------------------------------------------------------
# Reference figures
# ---------------------------------------------------------------------------------------------------------


class DfeYear(NamedTuple):
    """One authority's DfE figures for a year ending 31 March (None: suppressed or not published)."""

    referrals: int
    rereferral_pct: float
    nfa_pct: float | None
    not_in_need_pct: float
    cin_at31: int
    cp_at31: int
    cp_starts: int
    cp_second_pct: float
    cla_at31: int | None
    cla_starts: int | None


# Transcribed from the shared spec's dfe_published/ (Explore Education Statistics, OGL): c1 referrals,
# re-referral %, NFA %, not in need %; b1 CIN episodes at 31 March; d5 CP plans at 31 March; d3 CP plans
# started and second or subsequent %; children looked after at 31 March and starting (published from 2021).
# Somerset is E10000027 (old code 933) to 2023 and E06000066 after: one series.
DFE: dict[str, dict[int, DfeYear]] = {
    "E06000022": {
        2017: DfeYear(1156, 20.1, 3, 37.4, 1037, 131, 115, 29.6, None, None),
        2018: DfeYear(1264, 15.8, 2.5, 27.8, 1055, 173, 164, 20.1, None, None),
        2019: DfeYear(1006, 19.3, 2.1, 27.7, 993, 91, 99, 26.3, None, None),
        2020: DfeYear(931, 18.2, 1.1, 27.8, 1001, 134, 137, 17.5, None, None),
        2021: DfeYear(860, 15.6, 3.1, 27.8, 951, 102, 103, 18.4, 179, 52),
        2022: DfeYear(885, 14.7, 1.1, 23.8, 1006, 107, 139, 26.6, 196, 77),
        2023: DfeYear(1070, 14.1, 2.9, 26.2, 1063, 139, 155, 25.2, 226, 95),
        2024: DfeYear(821, 16.7, 1.3, 25.2, 1082, 141, 155, 32.9, 217, 77),
    },
    "E06000023": {
        2017: DfeYear(5336, 23.1, 12, 19.6, 3600, 494, 571, 22.4, None, None),
        2018: DfeYear(6489, 26.7, 20.3, 20.7, 3105, 369, 515, 22.7, None, None),
        2019: DfeYear(6425, 31.2, 18.1, 24.9, 2950, 349, 510, 21.4, None, None),
        2020: DfeYear(4560, 29.4, 14.1, 27.9, 2477, 296, 423, 27.4, None, None),
        2021: DfeYear(3316, 23.3, 11.7, 29.7, 2325, 213, 258, 20.5, 633, 194),
        2022: DfeYear(3550, 26.1, 16.6, 26.2, 2416, 258, 346, 25.1, 690, 253),
        2023: DfeYear(4035, 22.5, 16.3, 24.4, 2643, 341, 441, 24, 732, 270),
        2024: DfeYear(4215, 25.2, 17.6, 25.5, 2996, 416, 503, 32, 764, 302),
    },
    "E06000024": {
        2017: DfeYear(1445, 21, 4.4, 21.9, 1298, 150, 227, 26, None, None),
        2018: DfeYear(1360, 21.1, 2.3, 16.6, 1199, 137, 235, 26.4, None, None),
        2019: DfeYear(1352, 19.8, 4.6, 17.3, 1187, 146, 223, 22.4, None, None),
        2020: DfeYear(1029, 25.3, 6.5, 22.5, 860, 90, 118, 24.6, None, None),
        2021: DfeYear(770, 18.1, 2.5, 17.3, 978, 90, 121, 25.6, 213, 63),
        2022: DfeYear(759, 13.2, None, 21.9, 864, 95, 120, 26.7, 200, 68),
        2023: DfeYear(1027, 14.8, 1, 17.6, 1034, 108, 122, 36.1, 223, 100),
        2024: DfeYear(992, 20, 1.7, 32.1, 991, 131, 171, 21.6, 254, 111),
    },
    "E06000025": {
        2017: DfeYear(2562, 23.5, 13.2, 31.6, 1509, 182, 229, 25.8, None, None),
        2018: DfeYear(2574, 24.3, 9.2, 29.6, 1659, 239, 316, 18, None, None),
        2019: DfeYear(1979, 22.2, None, 42.4, 1683, 201, 254, 21.3, None, None),
        2020: DfeYear(1983, 22.9, 0, 33.1, 1721, 208, 259, 27, None, None),
        2021: DfeYear(1528, 17.9, 0, 28.7, 1601, 203, 296, 25.3, 220, 108),
        2022: DfeYear(2178, 16.7, 0, 41.9, 1787, 211, 231, 28.1, 260, 142),
        2023: DfeYear(2228, 17.9, 0, 41.3, 1853, 317, 346, 18.2, 258, 124),
        2024: DfeYear(2517, 17.7, 0, 43.5, 1610, 244, 267, 27, 219, 96),
    },
    "E06000066": {
        2017: DfeYear(4777, 19.9, 0.7, 14.7, 3109, 413, 584, 19.3, None, None),
        2018: DfeYear(5165, 21.4, 2.3, 21.2, 3193, 428, 530, 21.1, None, None),
        2019: DfeYear(3830, 23.9, 5.1, 17.4, 2608, 402, 483, 20.3, None, None),
        2020: DfeYear(3619, 19.8, 6.3, 22.6, 2445, 278, 270, 27, None, None),
        2021: DfeYear(3407, 20.2, 7.4, 21.8, 2203, 234, 311, 27.3, 517, 189),
        2022: DfeYear(4368, 20.1, 9.5, 20, 2486, 215, 357, 19.3, 548, 229),
        2023: DfeYear(5259, 21.4, 13.5, 17.5, 2761, 256, 317, 19.9, 564, 244),
        2024: DfeYear(5675, 23, 22.8, 37.1, 3004, 325, 395, 23.3, 586, 247),
    },
}

# Children aged 0-17, ONS mid-year estimates (shared spec README). A year ending 31 March Y uses Y-1's.
POPULATION: dict[str, dict[int, int]] = {
    "E06000022": {2022: 36_209, 2023: 36_554, 2024: 36_601},
    "E06000023": {2022: 91_973, 2023: 92_178, 2024: 92_705},
    "E06000024": {2022: 43_363, 2023: 43_965, 2024: 44_360},
    "E06000025": {2022: 60_273, 2023: 61_477, 2024: 62_794},
    "E06000066": {2022: 110_796, 2023: 112_324, 2024: 113_024},
}

# North Somerset's 2022-23 annual report (published_other_figures.csv): the extract for 2023-03 gives these.
NS_FY = 2023
NS_PUBLISHED = {
    "contacts": 9293,
    "da_contacts": 654,
    "da_contacts_to_referral": 549,
    "referrals": 1024,
    "re_referrals": 122,
    "cin_local": 268,
    "cp_open": 108,
    "cp_second_or_subsequent_pct": 36,
    "cla_open": 226,
    "cla_started": 87,
    "cse_risk": 35,
    "cce_risk": 27,
    "children_missing": 164,
    "missing_episodes": 495,
}


@dataclass(frozen=True)
class IdFormats:
    """An authority's case numbers: each its own shape, long enough never to occur by chance elsewhere."""

    child: str
    contact: str
    referral: str
    assessment: str
    plan: str
    base: int  # case numbers continue a sequence begun before the simulation


@dataclass(frozen=True)
class Authority:
    code: str
    ids: IdFormats
    contacts_per_referral: float
    uasc_share: float  # of children starting to be looked after
    ethnicity: Weights
    keeps_referrals_open: bool = False


ETHNICITY_SHIRES_WEIGHTS = {
    "WBRI": 84.0, "WIRI": 0.4, "WIRT": 0.2, "WOTH": 3.5, "WROM": 0.5, "MWBC": 1.8, "MWBA": 0.6, "MWAS": 0.8,
    "MOTH": 1.4, "AIND": 0.4, "APKN": 0.3, "ABAN": 0.2, "AOTH": 0.6, "BCRB": 0.3, "BAFR": 0.6, "BOTH": 0.2,
    "CHNE": 0.2, "OOTH": 0.8, "REFU": 1.0, "NOBT": 2.2,
}  # fmt: skip
ETHNICITY_BRISTOL_WEIGHTS = {
    "WBRI": 58.0, "WIRI": 0.5, "WIRT": 0.4, "WOTH": 5.5, "WROM": 1.2, "MWBC": 6.5, "MWBA": 1.2, "MWAS": 1.0,
    "MOTH": 3.0, "AIND": 1.0, "APKN": 2.0, "ABAN": 0.6, "AOTH": 1.6, "BCRB": 2.2, "BAFR": 6.5, "BOTH": 1.8,
    "CHNE": 0.4, "OOTH": 2.0, "REFU": 1.2, "NOBT": 2.4,
}  # fmt: skip
ETHNICITY_SHIRES = Weights(ETHNICITY_SHIRES_WEIGHTS)
ETHNICITY_BRISTOL = Weights(ETHNICITY_BRISTOL_WEIGHTS)
ETHNICITY_UASC = Weights({"AOTH": 35, "BAFR": 30, "BOTH": 5, "OOTH": 20, "WOTH": 8, "NOBT": 2})

AUTHORITY: dict[str, Authority] = {
    "E06000022": Authority(
        "E06000022",
        IdFormats("BN{:07d}", "C-BN-{:09d}", "R-BN-{:08d}", "A-BN-{:08d}", "P-BN-{:07d}", 31_200),
        8.0,
        0.06,
        ETHNICITY_SHIRES,
    ),
    "E06000023": Authority(
        "E06000023",
        IdFormats("BRS{:07d}", "BRSCT{:08d}", "BRSRF{:07d}", "BRSAS{:07d}", "BRSCP{:06d}", 418_000),
        8.0,
        0.12,
        ETHNICITY_BRISTOL,
    ),
    "E06000024": Authority(
        "E06000024",
        IdFormats("NS{:07d}", "C-NS-{:09d}", "R-NS-{:08d}", "A-NS-{:08d}", "P-NS-{:07d}", 12_000),
        NS_PUBLISHED["contacts"] / NS_PUBLISHED["referrals"],
        0.08,
        ETHNICITY_SHIRES,
        keeps_referrals_open=True,
    ),
    "E06000025": Authority(
        "E06000025",
        IdFormats("SG-{:07d}", "SGCON-{:08d}", "SGREF-{:07d}", "SGASM-{:07d}", "SGCPP-{:06d}", 205_000),
        8.0,
        0.07,
        ETHNICITY_SHIRES,
    ),
    "E06000066": Authority(
        "E06000066",
        IdFormats("SOM{:08d}", "SOM-C{:09d}", "SOM-R{:08d}", "SOM-A{:08d}", "SOM-P{:07d}", 1_640_000),
        8.0,
        0.08,
        ETHNICITY_SHIRES,
    ),
}

# Month weights from April to March: school holidays and Christmas are quieter.
SEASON = (0.97, 1.04, 1.07, 1.02, 0.82, 0.99, 1.08, 1.09, 0.88, 1.01, 1.02, 1.01)
DA_SHARE = 0.07  # of contacts
DA_PROGRESS = 0.83  # of domestic-abuse contacts becoming referrals
MISSING_PER_CHILD = NS_PUBLISHED["children_missing"] / POPULATION[NORTH_SOMERSET][2022]
EPISODES_PER_MISSING_CHILD = NS_PUBLISHED["missing_episodes"] / NS_PUBLISHED["children_missing"]
CSE_PER_CHILD = NS_PUBLISHED["cse_risk"] / POPULATION[NORTH_SOMERSET][2022]
CCE_PER_CHILD = NS_PUBLISHED["cce_risk"] / POPULATION[NORTH_SOMERSET][2022]


load_contract = functools.partial(simulation.load_contract, SOURCE)
_rng = functools.partial(simulation.seeded_rng, SEED)  # _rng(*parts): a generator per purpose


def _round(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), ROUND_HALF_UP))


def _pick(rng: random.Random, weights: "dict[str, float] | Weights") -> str:
    return (weights if isinstance(weights, Weights) else Weights(weights)).pick(rng)


def _weighted_sample(rng: random.Random, items: Sequence[T], weights: Sequence[float], k: int) -> list[T]:
    """k items without replacement, each with probability growing with its weight (Efraimidis-Spirakis)."""
    if k <= 0:
        return []
    keyed = sorted(((rng.random() ** (1.0 / w), i) for i, w in enumerate(weights) if w > 0), reverse=True)
    return [items[i] for _, i in keyed[:k]]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Whole numbers in proportion to weights that sum exactly to total (largest remainder)."""
    scale = sum(weights)
    shares = [total * w / scale for w in weights]
    counts = [math.floor(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _interpolate(points: dict[float, float], x: float) -> float:
    xs = sorted(points)
    if x <= xs[0]:
        return points[xs[0]]
    if x >= xs[-1]:
        return points[xs[-1]]
    i = bisect.bisect_right(xs, x)
    x0, x1 = xs[i - 1], xs[i]
    return points[x0] + (points[x1] - points[x0]) * (x - x0) / (x1 - x0)


# ---------------------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------------------


def _dfe(la: str, name: str, year: int) -> float:
    """A DfE figure for the year; a missing year (suppressed, not yet published) interpolated or held."""
    known = {y: getattr(row, name) for y, row in DFE[la].items() if getattr(row, name) is not None}
    return _interpolate({float(y): float(v) for y, v in known.items()}, float(year))


def _nudge(la: str, name: str, year: int) -> float:
    """A factor 2-7% either side of 1: a local quarterly extract never equals the census."""
    rng = _rng("nudge", la, name, year)
    return 1 + rng.choice((-1, 1)) * rng.uniform(0.02, 0.07)


def _population(la: str, fy: int) -> int:
    years = POPULATION[la]
    return years[min(max(fy - 1, min(years)), max(years))]


@dataclass
class Targets:
    """What one authority's history is steered to: flows per simulated month, stocks at each month end."""

    referrals: list[int]
    rereferrals: list[int]
    da_referrals: list[int]
    other_contacts: list[int]
    da_other_contacts: list[int]
    cp_starts: list[int]
    cp_second: list[int]
    cla_starts: list[int]
    uasc_starts: list[int]
    cp_stock: list[int]
    cla_stock: list[int]
    case_stock: list[int]  # open referrals (North Somerset: children in need on neither a plan nor in care)
    initial: dict[str, int]
    missing_children: dict[int, int]
    missing_episodes: dict[int, int]
    cse: dict[int, int]
    cce: dict[int, int]
    nfa: dict[int, float]  # share of referrals closed with no further action, by financial year
    not_in_need: dict[int, float]  # share of assessed referrals found not in need


def _annual_flows(la: str) -> dict[str, dict[int, int]]:
    """Flows per financial year 2018-2025 (the outer years only shape the months of the inner ones)."""
    authority = AUTHORITY[la]
    flows: dict[str, dict[int, int]] = {}
    for fy in range(FIRST_FY - 1, LAST_FY + 2):
        year = min(fy, LAST_FY)
        # Referrals recorded late miss a working extract: its count runs below the census, never above.
        referrals = _round(_dfe(la, "referrals", year) * (1 - abs(_nudge(la, "referrals", fy) - 1)))
        rereferrals = _round(referrals * _dfe(la, "rereferral_pct", year) / 100 * _nudge(la, "rereferral", fy))
        contacts = _round(referrals * authority.contacts_per_referral * (1 + (_nudge(la, "contacts", fy) - 1) / 3))
        da = _round(contacts * DA_SHARE * _nudge(la, "da", fy))
        da_referrals = min(_round(da * DA_PROGRESS * (1 + (_nudge(la, "da_ref", fy) - 1) / 3)), referrals)
        cp_starts = _round(_dfe(la, "cp_starts", year) * _nudge(la, "cp_starts", fy))
        cp_second = _round(cp_starts * _dfe(la, "cp_second_pct", year) / 100 * _nudge(la, "cp_second", fy))
        cla_starts = _round(_dfe(la, "cla_starts", year) * _nudge(la, "cla_starts", fy))
        values = {
            "referrals": referrals,
            "rereferrals": rereferrals,
            "contacts": contacts,
            "da": da,
            "da_referrals": da_referrals,
            "cp_starts": cp_starts,
            "cp_second": cp_second,
            "cla_starts": cla_starts,
            "uasc_starts": _round(cla_starts * authority.uasc_share),
        }
        if la == NORTH_SOMERSET and fy == NS_FY:
            values |= _north_somerset_flows(cp_starts)
        for name, value in values.items():
            flows.setdefault(name, {})[fy] = value
    return flows


def _north_somerset_flows(cp_starts: int) -> dict[str, int]:
    """The printed 2022-23 flows; CP plans started chosen so the second-plan share rounds to the printed %."""
    pct = NS_PUBLISHED["cp_second_or_subsequent_pct"]
    second = _round(cp_starts * pct / 100)
    while _round(100 * second / cp_starts) != pct:
        cp_starts += 1
        second = _round(cp_starts * pct / 100)
    return {
        "referrals": NS_PUBLISHED["referrals"],
        "rereferrals": NS_PUBLISHED["re_referrals"],
        "contacts": NS_PUBLISHED["contacts"],
        "da": NS_PUBLISHED["da_contacts"],
        "da_referrals": NS_PUBLISHED["da_contacts_to_referral"],
        "cp_starts": cp_starts,
        "cp_second": second,
        "cla_starts": NS_PUBLISHED["cla_started"],
        "uasc_starts": _round(NS_PUBLISHED["cla_started"] * AUTHORITY[NORTH_SOMERSET].uasc_share),
    }


def _stock_anchors(la: str) -> dict[str, dict[int, int]]:
    """Stocks at 31 March 2018-2024: CP plans, children looked after, open referrals (or NS's local CIN)."""
    anchors: dict[str, dict[int, int]] = {"cp": {}, "cla": {}, "case": {}}
    for year in range(FIRST_FY - 1, LAST_FY + 1):
        anchors["cp"][year] = _round(_dfe(la, "cp_at31", year) * _nudge(la, "cp_at31", year))
        anchors["cla"][year] = _round(_dfe(la, "cla_at31", year) * _nudge(la, "cla_at31", year))
        anchors["case"][year] = _round(_dfe(la, "cin_at31", year) * _nudge(la, "cin_at31", year))
        if la == NORTH_SOMERSET:  # children in need on neither a plan nor in care, as the published year
            anchors["case"][year] = _round(NS_PUBLISHED["cin_local"] * _cin_only(la, year) / _cin_only(la, NS_FY))
    if la == NORTH_SOMERSET:
        anchors["cp"][NS_FY] = NS_PUBLISHED["cp_open"]
        anchors["cla"][NS_FY] = NS_PUBLISHED["cla_open"]
        anchors["case"][NS_FY] = NS_PUBLISHED["cin_local"]
    return anchors


def _cin_only(la: str, year: int) -> float:
    """DfE children in need at 31 March less CP plans and children looked after."""
    return _dfe(la, "cin_at31", year) - _dfe(la, "cp_at31", year) - _dfe(la, "cla_at31", year)


def _monthly(flows: dict[int, int], season: Sequence[float]) -> list[int]:
    """Each financial year's total spread over its months, following the trend between years' midpoints."""
    levels = {fy - 0.25: float(total) for fy, total in flows.items()}
    counts: list[int] = []
    for fy in range(FIRST_FY, LAST_FY + 1):
        weights = [_interpolate(levels, fy - 0.75 + (k + 0.5) / 12) * season[k] for k in range(12)]
        counts += _apportion(flows[fy], weights)
    return counts


def _month_ends(anchors: dict[int, int]) -> list[int]:
    points = {year + 0.25: float(value) for year, value in anchors.items()}
    return [_round(_interpolate(points, FIRST_FY - 0.75 + (k + 1) / 12)) for k in range(len(MONTHS))]


@functools.cache
def targets(la: str) -> Targets:
    flows = _annual_flows(la)
    anchors = _stock_anchors(la)
    flat = (1.0,) * 12
    other = {fy: flows["contacts"][fy] - flows["referrals"][fy] for fy in flows["contacts"]}
    da_other = {fy: flows["da"][fy] - flows["da_referrals"][fy] for fy in flows["da"]}
    per_fy = {
        "missing_children": {},
        "missing_episodes": {},
        "cse": {},
        "cce": {},
    }
    for fy in range(FIRST_FY, LAST_FY + 1):
        population = _population(la, fy)
        children = _round(population * MISSING_PER_CHILD * _nudge(la, "missing", fy))
        episodes = _round(children * EPISODES_PER_MISSING_CHILD * (1 + (_nudge(la, "episodes", fy) - 1) / 2))
        per_fy["missing_children"][fy] = children
        per_fy["missing_episodes"][fy] = episodes
        per_fy["cse"][fy] = _round(population * CSE_PER_CHILD * _nudge(la, "cse", fy))
        per_fy["cce"][fy] = _round(population * CCE_PER_CHILD * _nudge(la, "cce", fy))
    if la == NORTH_SOMERSET:
        for name, published in (
            ("missing_children", "children_missing"),
            ("missing_episodes", "missing_episodes"),
            ("cse", "cse_risk"),
            ("cce", "cce_risk"),
        ):
            per_fy[name][NS_FY] = NS_PUBLISHED[published]
    years = range(FIRST_FY, LAST_FY + 1)
    return Targets(
        referrals=_monthly(flows["referrals"], SEASON),
        rereferrals=_monthly(flows["rereferrals"], SEASON),
        da_referrals=_monthly(flows["da_referrals"], SEASON),
        other_contacts=_monthly(other, SEASON),
        da_other_contacts=_monthly(da_other, SEASON),
        cp_starts=_monthly(flows["cp_starts"], flat),
        cp_second=_monthly(flows["cp_second"], flat),
        cla_starts=_monthly(flows["cla_starts"], flat),
        uasc_starts=_monthly(flows["uasc_starts"], flat),
        cp_stock=_month_ends(anchors["cp"]),
        cla_stock=_month_ends(anchors["cla"]),
        case_stock=_month_ends(anchors["case"]),
        initial={name: values[FIRST_FY - 1] for name, values in anchors.items()}
        | {"referrals": flows["referrals"][FIRST_FY - 1]},
        missing_children=per_fy["missing_children"],
        missing_episodes=per_fy["missing_episodes"],
        cse=per_fy["cse"],
        cce=per_fy["cce"],
        nfa={fy: _dfe(la, "nfa_pct", fy) / 100 for fy in years},
        not_in_need={fy: _dfe(la, "not_in_need_pct", fy) / 100 / (1 - _dfe(la, "nfa_pct", fy) / 100) for fy in years},
    )


# ---------------------------------------------------------------------------------------------------------
# The history
# ---------------------------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Child:
    n: int
    birth: date
    sex: str
    ethnicity: str
    disability: str
    uasc: bool = False
    refs: list[int] = field(default_factory=list)
    case: list[int] = field(default_factory=list)  # open referrals whose closure is not yet decided
    closed_on: date | None = None  # the latest case closure (decided; may lie ahead)
    last_ref: date | None = None
    case_last: date = date.min  # a case closure may not come before this
    plans: list[int] = field(default_factory=list)
    ext_plans: int = 0  # CP plans elsewhere, before this authority's records
    cp: int | None = None
    episodes: list[int] = field(default_factory=list)
    in_care: bool = False
    care_start: date | None = None
    care_end: date | None = None
    next_change: date = FAR
    next_extra: date = FAR
    family: int = -1  # siblings met together through contacts


@dataclass(slots=True, eq=False)
class Contact:
    child: int
    day: date
    source: str
    da: bool
    outcome: str


@dataclass(slots=True, eq=False)
class Referral:
    child: int
    day: date
    source: str
    need: str
    nfa: bool
    closure: date | None = None
    reason: str = ""
    assessments: list[int] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Assessment:
    child: int
    referral: int
    start: date
    authorised: date
    factors: list[str]


@dataclass(slots=True, eq=False)
class CpPlan:
    child: int
    start: date
    initial: str
    previous: int
    latest: str
    changed: date | None = None  # when the latest category replaced the initial one
    end: date | None = None


@dataclass(slots=True, eq=False)
class Episode:
    child: int
    start: date
    rne: str
    legal: str
    need: str
    place: str
    uasc: bool
    end: date | None = None
    reason: str = ""


@dataclass(slots=True, eq=False)
class MissingEpisode:
    child: int
    kind: str
    start: date
    end: date
    from_care: bool
    offered: bool
    accepted: bool


@dataclass
class History:
    la: str
    children: list[Child]
    contacts: list[Contact]
    referrals: list[Referral]
    assessments: list[Assessment]
    plans: list[CpPlan]
    episodes: list[Episode]
    missing: list[MissingEpisode]
    shortfalls: dict[str, int]


AgeBands = tuple[tuple[float, float, float], ...]  # (from, to, weight)
AGE_REFERRAL: AgeBands = ((0, 1, 11), (1, 5, 21), (5, 10, 26), (10, 16, 33), (16, 17.9, 9))
AGE_CONTACT: AgeBands = ((0, 1, 8), (1, 5, 19), (5, 10, 26), (10, 16, 36), (16, 17.9, 11))
AGE_ON_PLAN: AgeBands = ((0, 1, 18), (1, 5, 30), (5, 10, 29), (10, 15.5, 23))
AGE_IN_CARE: AgeBands = ((0, 1, 5), (1, 5, 14), (5, 10, 19), (10, 16, 38), (16, 17.9, 24))

SOURCES = Weights({
    "1A": 4, "1B": 2, "1C": 1, "1D": 2, "2A": 18, "2B": 2, "3A": 3, "3B": 4, "3C": 5, "3D": 3, "3E": 1, "3F": 1,
    "4": 2, "5A": 6, "5B": 2, "5C": 4, "5D": 4, "6": 27, "7": 1, "8": 4, "9": 2, "10": 2,
})  # fmt: skip
SOURCES_DA = Weights({"6": 80, "3C": 3, "3B": 2, "2A": 4, "1A": 3, "5C": 3, "5A": 2, "8": 3})
SOURCES_UASC = Weights({"6": 40, "8": 35, "5C": 25})
NEEDS = Weights({"N0": 2, "N1": 56, "N2": 4, "N3": 4, "N4": 11, "N5": 13, "N6": 4, "N7": 1, "N8": 1, "N9": 4})
CLA_NEEDS = Weights({"N1": 64, "N2": 3, "N3": 3, "N4": 9, "N5": 14, "N6": 4, "N7": 1, "N8": 2})
CP_CATEGORIES = Weights({"NEG": 58, "EMO": 26, "PHY": 7, "SAB": 4, "MUL": 5})
FAMILY_SIZES = Weights({"1": 38, "2": 33, "3": 19, "4": 8, "5": 2})
OUTCOMES = Weights({"INFO": 34, "EH": 33, "NFA": 33})
OUTCOMES_DA = Weights({"INFO": 45, "EH": 35, "NFA": 20})
OUTCOMES_OPEN_CASE = Weights({"INFO": 80, "NFA": 20})
FACTORS = {
    "1B": 9, "2B": 9, "4A": 11, "4B": 20, "5A": 6, "5B": 3, "6A": 2, "7A": 1, "16A": 12, "17A": 14, "18B": 7,
    "18C": 1, "19B": 2, "19C": 1, "20": 5, "1A": 1, "2A": 2, "22A": 0.2, "23A": 0.3, "12A": 0.3,
}  # fmt: skip
FACTORS_OLDER = {"13A": 1.5, "14A": 5, "15A": 3}
FACTORS_YOUNG = Weights(FACTORS)
FACTORS_ANY_AGE = Weights(FACTORS | FACTORS_OLDER)
FACTORS_DA = Weights({"3A": 25, "3B": 60, "3C": 15})
# North Somerset: days between the referrals a child in care receives (more than 12 months: not re-referrals),
# and the age at which a case's earlier referrals are closed.
EXTRA_GAP = (400, 560)
REFERRAL_TIDY_DAYS = 1400


@functools.cache
def _band_weights(ages: AgeBands) -> list[float]:
    return list(itertools.accumulate(band[2] for band in ages))


class _Simulation:
    """One authority's case system, month by month. See the module docstring."""

    def __init__(self, la: str):
        self.la = la
        self.authority = AUTHORITY[la]
        self.targets = targets(la)
        self.rng = _rng("history", la)
        self.children: list[Child] = []
        self.contacts: list[Contact] = []
        self.referrals: list[Referral] = []
        self.assessments: list[Assessment] = []
        self.plans: list[CpPlan] = []
        self.episodes: list[Episode] = []
        self.missing: list[MissingEpisode] = []
        self.managed: dict[int, None] = {}  # children whose case is open with no closure decided
        self.pending: list[tuple[date, int, int]] = []  # (decided closure, child, referrals it closes)
        self.on_cp: dict[int, None] = {}
        self.in_care: dict[int, None] = {}
        self.ref_days: list[int] = []  # every referral in date order (ordinal) ...
        self.ref_children: list[int] = []  # ... and its child: the pools returning children come from
        self.contacted_days: list[int] = []  # children first met through a contact that was not referred
        self.contacted_children: list[int] = []
        self.new_uasc: list[tuple[Child, date]] = []
        self.first_seen: list[list[int]] = [[] for _ in MONTHS]  # families first met through a contact, by month
        self.k = -1  # the month being simulated
        self.families: list[list[int]] = []
        self.shortfalls: dict[str, int] = {}
        self._month_days: dict[tuple[int, int], tuple[list[date], list[float]]] = {}

    def run(self) -> History:
        self._initial_state()
        for k, (year, month) in enumerate(MONTHS):
            self.k = k
            first, last = date(year, month, 1), month_end(year, month)
            self._referrals(k, first, last)
            self._other_contacts(k, first, last)
            self._cp_starts(k, first, last)
            self._cla_starts(k, first, last)
            self._changes([self.children[c] for c in self.in_care], last)
            self._cp_ends(k, first, last)
            self._cla_exits(k, first, last)
            self._case_closures(k, first, last)
        self._missing_episodes()
        self._end_before_the_next()
        self._exploitation_factors()
        return History(
            self.la,
            self.children,
            self.contacts,
            self.referrals,
            self.assessments,
            self.plans,
            self.episodes,
            self.missing,
            self.shortfalls,
        )

    # --- helpers ---

    def _short(self, what: str, by: int = 1) -> None:
        if by > 0:
            self.shortfalls[what] = self.shortfalls.get(what, 0) + by

    @staticmethod
    def _age(child: Child, day: date) -> float:
        return (day - child.birth).days / 365.25

    def _between(self, earliest: date, latest: date) -> date:
        return earliest + DAY * self.rng.randint(0, max(0, (latest - earliest).days))

    def _days(self, first: date, last: date, n: int, ordered: bool = True) -> list[date]:
        """n dates in the month, fewer at weekends, in order unless told otherwise."""
        key = (first.year, first.month)
        if key not in self._month_days:
            days = [first + DAY * i for i in range((last - first).days + 1)]
            self._month_days[key] = (days, [0.35 if d.weekday() >= 5 else 1.0 for d in days])
        days, weights = self._month_days[key]
        drawn = self.rng.choices(days, weights=weights, k=n)
        return sorted(drawn) if ordered else drawn

    def _flags(self, n: int, m: int, what: str) -> list[bool]:
        self._short(what, m - n)
        chosen = set(self.rng.sample(range(n), min(n, m)))
        return [i in chosen for i in range(n)]

    def _new_child(
        self, day: date, ages: AgeBands = AGE_REFERRAL, uasc: bool = False, age: float | None = None
    ) -> Child:
        """A child first met on `day`, aged from the bands (or `age`); an unaccompanied asylum seeker is 15-17."""
        rng = self.rng
        if uasc:
            age = rng.uniform(15.0, 17.4)
            sex = "M" if rng.random() < 0.92 else "F"
            ethnicity = _pick(rng, ETHNICITY_UASC)
        else:
            if age is None:
                cumulative = _band_weights(ages)
                low, high, _ = ages[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]
                age = rng.uniform(low, high)
            draw = rng.random()
            sex = "U" if draw < 0.004 else "M" if draw < 0.51 else "F"
            ethnicity = _pick(rng, self.authority.ethnicity)
        birth = day - DAY * int(age * 365.25)
        disability = "Y" if rng.random() < 0.06 else "N"
        child = Child(len(self.children), birth, sex, ethnicity, disability, uasc)
        self.children.append(child)
        return child

    # --- referrals, assessments, case closure ---

    def _refer(self, child: Child, day: date, da: bool, keep_open: bool = False) -> int:
        """A referral (with its REF contact the same day) and, unless no further action, its assessment."""
        rng = self.rng
        fy = min(max(_fy(day.year, day.month), FIRST_FY), LAST_FY)
        source = _pick(rng, SOURCES_UASC if child.uasc and not child.refs else SOURCES_DA if da else SOURCES)
        need = "N8" if child.uasc else _pick(rng, NEEDS)
        open_case = bool(child.case)
        nfa = not (keep_open or open_case) and rng.random() < self.targets.nfa[fy]
        index = len(self.referrals)
        self.referrals.append(Referral(child.n, day, source, need, nfa))
        self.contacts.append(Contact(child.n, day, source, da, "REF"))
        child.refs.append(index)
        child.last_ref = day
        if child.in_care and self.authority.keeps_referrals_open:
            child.next_extra = day + DAY * rng.randint(*EXTRA_GAP)
        self.ref_days.append(day.toordinal())
        self.ref_children.append(child.n)
        if nfa:  # as the CIN census has it: closed the day it was made, reason RC8
            self._close([index], child, day, "RC8")
            return index
        start = day + DAY * rng.choice((0, 0, 1, 1, 2, 3, 5, 7))
        authorised = start + DAY * int(min(62, max(4, rng.gammavariate(4.0, 6.5))))
        self._assess(child, index, start, authorised, da)
        if keep_open or open_case or rng.random() >= self.targets.not_in_need[fy]:
            child.case.append(index)
            child.case_last = max(child.case_last, authorised)
            self.managed[child.n] = None
        else:
            self._close([index], child, authorised + DAY * rng.randint(0, 6), _pick(rng, {"RC8": 70, "RC9": 30}))
        return index

    def _assess(self, child: Child, referral: int, start: date, authorised: date, da: bool) -> None:
        rng = self.rng
        if not da and rng.random() < 0.06:
            factors = ["21"]
        else:
            pool = FACTORS_ANY_AGE if self._age(child, start) >= 10 else FACTORS_YOUNG
            factors = [_pick(rng, FACTORS_DA)] if da else []
            for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
                factor = _pick(rng, pool)
                if factor not in factors:
                    factors.append(factor)
            if child.uasc:
                factors.append("9A")
        self.referrals[referral].assessments.append(len(self.assessments))
        self.assessments.append(Assessment(child.n, referral, start, authorised, factors))

    def _close(self, refs: list[int], child: Child, day: date, reason: str) -> None:
        for index in refs:
            self.referrals[index].closure = day
            self.referrals[index].reason = reason
        child.closed_on = day
        self.pending.append((day, child.n, len(refs)))

    def _close_case(self, child: Child, day: date, reason: str) -> None:
        self._close(child.case, child, max(day, child.case_last), reason)
        child.case = []
        self.managed.pop(child.n, None)

    def _closed_before(self, child: Child, day: date) -> bool:
        return not child.case and child.closed_on is not None and child.closed_on < day

    # --- the state on 1 April 2018 ---

    def _initial_state(self) -> None:
        rng, start = self.rng, SIM_START
        initial = self.targets.initial
        for _ in range(_round(initial["referrals"] * 0.9)):  # last year's closed cases: who comes back
            day = start - DAY * rng.randint(60, 420)
            child = self._new_child(day)
            self._refer(child, day, rng.random() < 0.45)
            if child.case:
                self._close_case(child, min(start - DAY, child.case_last + DAY * rng.randint(5, 150)), "RC7")
        for _ in range(initial["cla"]):
            self._initial_in_care()
        for _ in range(initial["cp"]):
            self._initial_on_plan()
        if self.authority.keeps_referrals_open:
            cases = initial["case"]
        else:
            cases = initial["case"] - sum(len(self.children[c].case) for c in self.managed)
        for _ in range(cases):
            day = start - DAY * rng.randint(20, 330)
            self._refer(self._new_child(day), day, rng.random() < 0.45, keep_open=True)
        order = sorted(range(len(self.ref_days)), key=lambda i: (self.ref_days[i], i))
        self.ref_days = [self.ref_days[i] for i in order]
        self.ref_children = [self.ref_children[i] for i in order]

    def _initial_in_care(self) -> None:
        rng, start = self.rng, SIM_START
        child = self._new_child(start, AGE_IN_CARE)
        draw = rng.random()
        days = rng.randint(0, 365) if draw < 0.35 else rng.randint(365, 1095) if draw < 0.7 else rng.randint(1095, 3650)
        entry = max(child.birth + DAY, start - DAY * (1 + days))
        referred = max(child.birth, entry - DAY * rng.randint(3, 60))
        self._refer(child, referred, rng.random() < 0.3, keep_open=True)
        self._enter_care(child, entry)
        self._changes([child], start - DAY)
        child.next_extra = max(child.next_extra, start - DAY * self.rng.randint(*EXTRA_GAP))
        while child.next_extra < start:
            self._refer(child, child.next_extra, False, keep_open=True)

    def _initial_on_plan(self) -> None:
        rng, start = self.rng, SIM_START
        plan_start = start - DAY * int(1 + 400 * rng.random() ** 1.4)
        referred = plan_start - DAY * rng.randint(15, 45)
        child = self._new_child(referred, AGE_ON_PLAN)
        self._refer(child, referred, rng.random() < 0.5, keep_open=True)
        if rng.random() < 0.2:
            child.ext_plans = 1
        self._start_plan(child, plan_start)

    # --- each month ---

    def _referrals(self, k: int, first: date, last: date) -> None:
        rng, t = self.rng, self.targets
        n = t.referrals[k]
        days = self._days(first, last, n)
        rereferral = self._flags(n, t.rereferrals[k], "rereferral_slots")
        da = self._flags(n, t.da_referrals[k], "da_referral_slots")
        free = [i for i in range(n) if not rereferral[i] and not da[i] and days[i] <= last - 3 * DAY]
        self._short("uasc", t.uasc_starts[k] - len(free))
        uasc = set(rng.sample(free, min(len(free), t.uasc_starts[k])))
        due: list[Child] = []
        if self.authority.keeps_referrals_open:
            due = sorted((self.children[c] for c in self.in_care), key=lambda c: (c.next_extra, c.n))
            due = [c for c in due if c.next_extra <= last]
        for i, day in enumerate(days):
            if rereferral[i]:
                child = self._pick_rereferral(day)
                if child is None:
                    self._short("rereferral")
                    child = self._new_child(day)
                self._refer(child, day, da[i])
            elif i in uasc:
                child = self._new_child(day, uasc=True)
                self._refer(child, day, da[i], keep_open=True)
                self.new_uasc.append((child, day))
            elif due and due[0].next_extra <= day:  # North Somerset: a referral about a child in care
                self._refer(due.pop(0), day, da[i], keep_open=True)
            else:
                draw = rng.random()
                child = self._pick_returning(day) if draw < 0.06 else self._pick_contacted(day) if draw < 0.4 else None
                self._refer(child or self._new_child(day), day, da[i])

    def _pool(
        self, days: list[int], children: list[int], day: date, newest: int, oldest: int, valid: Callable[[Child], bool]
    ) -> Child | None:
        """A child from a date-ordered pool, made `newest`..`oldest` days before `day`; ex-CP children preferred,
        children whose case is open (North Somerset) less often."""
        low = bisect.bisect_left(days, (day - DAY * oldest).toordinal())
        high = bisect.bisect_right(days, (day - DAY * newest).toordinal())
        if high <= low:
            return None
        found: list[Child] = []
        for _ in range(24):
            child = self.children[children[self.rng.randrange(low, high)]]
            if child not in found and valid(child):
                found.append(child)
                if len(found) == 6:
                    break
        if not found:
            return None
        weights = [(4.0 if c.plans else 1.0) * (0.4 if c.case else 1.0) for c in found]
        return self.rng.choices(found, weights=weights)[0]

    def _pick_rereferral(self, day: date) -> Child | None:
        """A child last referred 14-330 days ago (within 12 months by any reckoning), case closed; in North
        Somerset also a child on a plan or in care, whose case stays open."""

        def valid(child: Child) -> bool:
            if child.last_ref is None or not day - 330 * DAY <= child.last_ref <= day - 14 * DAY:
                return False
            if self._age(child, day) >= 17.5:
                return False
            on_plan_or_in_care = child.cp is not None or child.in_care
            return self._closed_before(child, day) or (self.authority.keeps_referrals_open and on_plan_or_in_care)

        return self._pool(self.ref_days, self.ref_children, day, 14, 330, valid)

    def _pick_returning(self, day: date) -> Child | None:
        """A child last referred more than 13 months ago: a referral again, but not a re-referral."""

        def valid(child: Child) -> bool:
            return (
                child.last_ref is not None
                and child.last_ref <= day - 400 * DAY
                and self._age(child, day) < 17
                and self._closed_before(child, day)
            )

        return self._pool(self.ref_days, self.ref_children, day, 400, 900, valid)

    def _pick_contacted(self, day: date) -> Child | None:
        def valid(child: Child) -> bool:
            return not child.refs and 0 <= self._age(child, day) < 17.5

        return self._pool(self.contacted_days, self.contacted_children, day, 3, 270, valid)

    def _other_contacts(self, k: int, first: date, last: date) -> None:
        """Contacts that do not become referrals (information, early help, no further action), one row per
        child of the household: a police notification about a family is a contact for each child."""
        rng, t = self.rng, self.targets
        rows, da_rows = t.other_contacts[k], t.da_other_contacts[k]
        self._short("da_contact_slots", da_rows - rows)
        days = self._days(first, last, rows, ordered=False)
        open_cases = list(self.managed)
        households: dict[date, list[list[Child]]] = {}  # this month's contacts by day
        for day in days:
            if rows <= 0:
                break
            draw = rng.random()
            members: list[Child] = []
            outcomes = OUTCOMES
            nearby = households.get(day + DAY * rng.randint(-4, 4))
            if draw < 0.06 and open_cases:
                members, outcomes = [self.children[open_cases[rng.randrange(len(open_cases))]]], OUTCOMES_OPEN_CASE
            elif draw < 0.3 and nearby:  # another agency about the same household, within days
                members = nearby[rng.randrange(len(nearby))]
            elif draw < 0.76 and k >= 1:  # a family met in the last few months comes back
                month = self.first_seen[max(0, k - 1 - int(rng.expovariate(2 / 3)))]
                members = self._household(self.children[month[rng.randrange(len(month))]])
            members = [c for c in members if 0 <= self._age(c, day) < 18] or self._new_family(day)
            da = rng.random() * rows < da_rows
            room = da_rows if da else rows - da_rows
            if room == 0:
                da, room = not da, rows - room
            members = members[:room]
            rows -= len(members)
            da_rows -= len(members) if da else 0
            if da and outcomes is OUTCOMES:
                outcomes = OUTCOMES_DA
            source, outcome = _pick(rng, SOURCES_DA if da else SOURCES), _pick(rng, outcomes)
            for child in members:
                self.contacts.append(Contact(child.n, day, source, da, outcome))
            households.setdefault(day, []).append(members)

    def _household(self, child: Child) -> list[Child]:
        return [self.children[n] for n in self.families[child.family]] if child.family >= 0 else [child]

    def _new_family(self, day: date) -> list[Child]:
        """Children met together for the first time: siblings, case numbers in a row, one ethnicity."""
        rng = self.rng
        first = self._new_child(day, AGE_CONTACT)
        family = [first]
        age = self._age(first, day)
        for _ in range(int(_pick(rng, FAMILY_SIZES)) - 1):
            age += rng.choice((-1, 1)) * rng.uniform(1.2, 4.0)
            if not 0 <= age < 17.9:
                break
            sibling = self._new_child(day, age=age)
            sibling.ethnicity = first.ethnicity
            family.append(sibling)
        for child in family:
            child.family = len(self.families)
            self.first_seen[max(self.k, 0)].append(child.n)
            self.contacted_days.append(day.toordinal())
            self.contacted_children.append(child.n)
        self.families.append([c.n for c in family])
        return family

    def _choose(self, candidates: list[tuple[Child, date]], k: int, weight: Callable[[Child], float]):
        return _weighted_sample(self.rng, candidates, [weight(c) for c, _ in candidates], k)

    def _cp_starts(self, k: int, first: date, last: date) -> None:
        t = self.targets
        fresh: list[tuple[Child, date]] = []
        known: list[tuple[Child, date]] = []
        for n in self.managed:
            child = self.children[n]
            if child.cp is not None or child.in_care or child.uasc or self._age(child, last) >= 16.5:
                continue
            referral = self.referrals[child.case[-1]]
            if referral.day < first - 120 * DAY or not referral.assessments:
                continue
            assessment = self.assessments[referral.assessments[-1]]
            earliest = max(first, assessment.start + 5 * DAY, referral.day + 5 * DAY)
            if child.care_end is not None:
                earliest = max(earliest, child.care_end + DAY)
            if child.plans:
                earliest = max(earliest, (self.plans[child.plans[-1]].end or FAR) + 30 * DAY)
            if earliest <= last:
                (known if child.plans or child.ext_plans else fresh).append((child, earliest))

        def weight(child: Child) -> float:
            age = self._age(child, last)
            return 2.0 if age < 5 else 1.3 if age < 11 else 0.8

        second = self._choose(known, t.cp_second[k], weight)
        if len(second) < t.cp_second[k]:  # a second plan whose first was in another authority
            elsewhere = self._choose(fresh, t.cp_second[k] - len(second), weight)
            for child, _ in elsewhere:
                child.ext_plans = 1
            second += elsewhere
        chosen = {id(child) for child, _ in second}
        first_plans = self._choose([c for c in fresh if id(c[0]) not in chosen], t.cp_starts[k] - len(second), weight)
        self._short("cp_starts", t.cp_starts[k] - len(second) - len(first_plans))
        self._short("cp_second", t.cp_second[k] - len(second))
        for child, earliest in second + first_plans:
            self._start_plan(child, self._between(earliest, last))

    def _start_plan(self, child: Child, day: date) -> None:
        rng = self.rng
        category = _pick(rng, CP_CATEGORIES)
        plan = CpPlan(child.n, day, category, len(child.plans) + child.ext_plans, category)
        if rng.random() < 0.12:
            latest = _pick(rng, {"NEG": 50, "MUL": 30, "EMO": 20})
            if latest != category:
                plan.latest, plan.changed = latest, day + DAY * rng.randint(60, 240)
        child.plans.append(len(self.plans))
        child.cp = len(self.plans)
        self.plans.append(plan)
        self.on_cp[child.n] = None

    def _end_plan(self, child: Child, day: date) -> None:
        assert child.cp is not None
        self.plans[child.cp].end = day
        child.cp = None
        child.case_last = max(child.case_last, day)
        self.on_cp.pop(child.n)

    def _cla_starts(self, k: int, first: date, last: date) -> None:
        rng = self.rng
        for child, referred in self.new_uasc:
            self._enter_care(child, min(last, referred + DAY * rng.randint(0, 3)))
        wanted = self.targets.cla_starts[k] - len(self.new_uasc)
        self._short("uasc_over_starts", -wanted)
        self.new_uasc = []
        on_plan: list[tuple[Child, date]] = []
        in_need: list[tuple[Child, date]] = []
        for n in self.managed:
            child = self.children[n]
            if child.in_care or self._age(child, last) >= 17.3:
                continue
            if child.care_start is not None and (child.care_start > first - 400 * DAY or child.care_end >= first):
                continue
            if child.cp is not None:
                on_plan.append((child, max(first, self.plans[child.cp].start + 21 * DAY)))
                continue
            referral = self.referrals[child.case[-1]]
            if referral.day < first - 150 * DAY:
                continue
            earliest = max(first, referral.day + DAY, child.case_last - 60 * DAY)
            if child.care_end is not None:
                earliest = max(earliest, child.care_end + DAY)
            in_need.append((child, earliest))
        on_plan = [c for c in on_plan if c[1] <= last]
        in_need = [c for c in in_need if c[1] <= last]

        def weight(child: Child) -> float:
            age = self._age(child, last)
            return 3.0 if age < 1 else 1.2 if age < 5 else 1.0 if age < 10 else 1.8 if age < 16 else 1.2

        wanted = max(0, wanted)
        chosen = self._choose(on_plan, min(len(on_plan), _round(wanted * 0.45)), weight)
        chosen += self._choose(in_need, wanted - len(chosen), weight)
        if len(chosen) < wanted:
            taken = {id(c) for c, _ in chosen}
            chosen += self._choose([c for c in on_plan if id(c[0]) not in taken], wanted - len(chosen), weight)
        self._short("cla_starts", wanted - len(chosen))
        for child, earliest in chosen:
            self._enter_care(child, self._between(earliest, last))

    def _enter_care(self, child: Child, day: date) -> None:
        rng = self.rng
        if child.cp is not None:
            self._end_plan(child, day)
        age = self._age(child, day)
        if child.uasc:
            legal = "V2"
        elif age < 1:
            legal = _pick(rng, {"C1": 55, "V2": 25, "L1": 8, "L2": 12})
        elif age < 12:
            legal = _pick(rng, {"C1": 45, "V2": 38, "L1": 10, "L2": 7})
        else:
            legal = _pick(rng, {"V2": 60, "C1": 22, "L1": 10, "J2": 4, "L2": 4})
        need = "N8" if child.uasc else _pick(rng, CLA_NEEDS)
        place = self._placement(age, legal, child.uasc, None)
        child.episodes.append(len(self.episodes))
        self.episodes.append(Episode(child.n, day, "S", legal, need, place, child.uasc))
        child.in_care, child.care_start = True, day
        child.case_last = max(child.case_last, day)
        self.in_care[child.n] = None
        child.next_change = day + DAY * self._change_gap(legal)
        if self.authority.keeps_referrals_open:
            child.next_extra = max((child.last_ref or day) + DAY * rng.randint(*EXTRA_GAP), day + 90 * DAY)

    def _placement(self, age: float, legal: str, uasc: bool, current: str | None) -> str:
        """A placement for the child; never with parents (P1) while accommodated under section 20 (V2), which the
        DfE does not allow (SSDA903 rule 378)."""
        if legal == "E1":
            options = {"A5": 40, "A6": 60}
        elif uasc:
            options = {"H5": 45 if age >= 16 else 5, "U3": 45, "K2": 10}
        elif age < 5:
            options = {"U3": 55, "U1": 20, "U5": 10, "P1": 8, "R3": 4, "U4": 3}
        elif age < 12:
            options = {"U3": 48, "U4": 12, "U1": 20, "K2": 8, "P1": 8, "S1": 4}
        else:
            options = {"U3": 36, "U4": 12, "U1": 12, "K2": 22, "H5": 10 if age >= 16 else 2, "R1": 3, "P1": 3}
            options |= {"Z1": 1, "K1": 1, "R2": 1}
        if legal == "V2" and "P1" in options:
            options["U3"] = options.get("U3", 0) + options.pop("P1")
        options.pop(current or "", None)
        return _pick(self.rng, options)

    def _change_gap(self, legal: str) -> int:
        """Days to the next episode: police protection is days, an interim order months; a settled placement
        still changes (review of legal status, move) within 20 months, so a child in care is never idle."""
        rng = self.rng
        if legal in ("L1", "L2"):
            return rng.randint(2, 10)
        if legal == "C1":
            return rng.randint(120, 330)
        if legal == "J2":
            return rng.randint(30, 120)
        return min(600, 30 + int(rng.expovariate(1 / 320)))

    def _changes(self, children: list[Child], until: date) -> None:
        """Changes of placement or legal status due by `until`: one episode ends (X1), the next starts."""
        rng = self.rng
        for child in children:
            while child.next_change <= until:
                day = child.next_change
                current = self.episodes[child.episodes[-1]]
                if _add_years(child.birth, 18) <= day:
                    child.next_change = FAR
                    break
                age = self._age(child, day)
                legal = current.legal
                if legal in ("L1", "L2"):
                    legal = "C1" if rng.random() < 0.65 else "V2"
                elif legal == "C1":
                    legal = "C2"
                elif legal == "J2" and rng.random() < 0.7:
                    legal = "V2"
                elif legal == "V2" and rng.random() < 0.2:
                    legal = "C1"
                elif legal == "C2" and age < 6 and rng.random() < 0.5:
                    legal = "E1"
                moves = legal == current.legal or legal == "E1" or rng.random() < 0.25
                place = self._placement(age, legal, child.uasc, current.place) if moves else current.place
                if legal == "V2" and place == "P1":  # accommodated under s20: not with parents (903 rule 378)
                    place = "U3"
                rne = _reason_new_episode(legal != current.legal, place != current.place, place)
                current.end, current.reason = day, "X1"
                child.episodes.append(len(self.episodes))
                self.episodes.append(Episode(child.n, day, rne, legal, current.need, place, child.uasc))
                child.next_change = day + DAY * max(7, self._change_gap(legal))

    def _cp_ends(self, k: int, first: date, last: date) -> None:
        for n in list(self.on_cp):
            child = self.children[n]
            start = self.plans[child.cp].start
            if start <= last - 600 * DAY:
                self._finish_plan(child, self._between(max(first, start + 28 * DAY), last))
        candidates = []
        for n in self.on_cp:
            child = self.children[n]
            start = self.plans[child.cp].start
            if start <= last - 28 * DAY:
                candidates.append((child, max(first, start + 28 * DAY)))

        def weight(child: Child) -> float:
            days = (last - self.plans[child.cp].start).days
            return 0.25 if days < 90 else 1.0 if days < 180 else 1.7 if days < 365 else 2.6 if days < 540 else 4.0

        excess = len(self.on_cp) - self.targets.cp_stock[k]
        self._short("cp_stock_low", -excess)
        for child, earliest in self._choose(candidates, excess, weight):
            self._finish_plan(child, self._between(earliest, last))
        self._short("cp_stock_high", len(self.on_cp) - self.targets.cp_stock[k])

    def _finish_plan(self, child: Child, day: date) -> None:
        self._end_plan(child, day)
        if self.rng.random() < 0.25:
            self._close_case(child, day + DAY * self.rng.randint(0, 21), "RC7")

    def _cla_exits(self, k: int, first: date, last: date) -> None:
        for n in list(self.in_care):
            child = self.children[n]
            eighteen = _add_years(child.birth, 18)
            if eighteen <= last:
                start = self.episodes[child.episodes[-1]].start
                self._leave_care(child, max(eighteen, start + DAY), aged_out=True)
        candidates = []
        for n in self.in_care:
            child = self.children[n]
            earliest = max(first, self.episodes[child.episodes[-1]].start + DAY)
            if earliest <= last:
                candidates.append((child, earliest))

        def weight(child: Child) -> float:
            days = (last - (child.care_start or last)).days
            base = 1.4 if days < 60 else 0.9 if days < 365 else 0.5 if days < 1095 else 0.35
            return base * (0.4 if child.uasc else 1.0)

        excess = len(self.in_care) - self.targets.cla_stock[k]
        self._short("cla_stock_low", -excess)
        for child, earliest in self._choose(candidates, excess, weight):
            self._leave_care(child, self._between(earliest, last), aged_out=False)
        self._short("cla_stock_high", len(self.in_care) - self.targets.cla_stock[k])

    def _leave_care(self, child: Child, day: date, aged_out: bool) -> None:
        rng = self.rng
        current = self.episodes[child.episodes[-1]]
        age, days = self._age(child, day), (day - (child.care_start or day)).days
        if aged_out:
            reason = _pick(rng, {"E17": 15, "E5": 35, "E6": 10, "E8": 30, "E7": 3, "E9": 2, "E13": 5})
        elif current.legal == "E1" and current.place in ("A5", "A6"):
            reason = "E11"
        elif child.uasc:
            reason = _pick(rng, {"E15": 20, "E3": 30, "E8": 25, "E16": 25})
        elif days < 240:
            reason = _pick(rng, {"E4A": 55, "E4B": 25, "E8": 8, "E3": 5, "E13": 4, "E16": 3})
        elif age < 12:
            reason = _pick(rng, {"E4A": 30, "E45": 22, "E46": 10, "E48": 5, "E41": 15, "E8": 10, "E3": 5, "E12": 3})
        else:
            reason = _pick(
                rng, {"E4A": 35, "E4B": 12, "E8": 20, "E5": 8, "E13": 5, "E9": 5, "E3": 5, "E16": 3, "E2": 1}
            )
        reason = _as_the_placement_allows(reason, current.place)
        current.end, current.reason = day, reason
        child.in_care, child.care_end = False, day
        child.next_change = child.next_extra = FAR
        child.case_last = max(child.case_last, day)
        self.in_care.pop(child.n)
        closure = {"E11": "RC1", "E12": "RC1", "E45": "RC4", "E46": "RC4", "E48": "RC4", "E41": "RC3", "E3": "RC5"}
        closure |= {"E2": "RC2", "E16": "RC7"}
        if aged_out:
            self._close_case(child, day, _pick(rng, {"RC6": 50, "RC7": 50}))
        elif reason in closure:
            self._close_case(child, day + DAY * rng.randint(0, 14), closure[reason])
        elif reason not in ("E4A", "E4B") or rng.random() < 0.25:
            self._close_case(child, day + DAY * rng.randint(0, 14), "RC7")

    def _tidy_referrals(self, first: date, last: date) -> None:
        """North Somerset: a case's earlier referrals, left open, are closed once REFERRAL_TIDY_DAYS old."""
        for n in self.managed:
            child = self.children[n]
            for index in child.case[:-1]:
                referral = self.referrals[index]
                if referral.day <= last - REFERRAL_TIDY_DAYS * DAY:
                    latest = max([referral.day] + [self.assessments[a].authorised for a in referral.assessments])
                    referral.closure = self._between(max(first, latest), last)
                    referral.reason = "RC7"
            child.case = [i for i in child.case if self.referrals[i].closure is None]

    def _case_closures(self, k: int, first: date, last: date) -> None:
        """Close cases (children on neither a plan nor in care) until the open count is on its path."""
        rng = self.rng
        if self.authority.keeps_referrals_open:
            self._tidy_referrals(first, last)
        for n in list(self.managed):
            child = self.children[n]
            if child.cp is not None or child.in_care:
                continue
            eighteen = _add_years(child.birth, 18)
            if eighteen <= last + DAY:  # the case closes by the eve of the 18th birthday
                self._close_case(child, max(first, eighteen - DAY), _pick(rng, {"RC6": 40, "RC7": 60}))
            elif child.last_ref is not None and child.last_ref <= last - 700 * DAY and child.case_last <= last:
                self._close_case(child, self._between(max(first, child.case_last), last), "RC7")
        keeps_open = self.authority.keeps_referrals_open
        free = [self.children[n] for n in self.managed]
        free = [c for c in free if c.cp is None and not c.in_care]
        if keeps_open:
            count = len(free) + len({n for day, n, _ in self.pending if day > last})
        else:
            count = sum(len(self.children[n].case) for n in self.managed)
            count += sum(refs for day, _, refs in self.pending if day > last)
        candidates = [
            (c, max(first, c.case_last + DAY))
            for c in free
            if c.case_last <= last - 14 * DAY and c.last_ref is not None and c.last_ref <= last - 45 * DAY
        ]

        def weight(child: Child) -> float:
            days = (last - (child.last_ref or last)).days
            return 0.6 if days < 90 else 1.0 if days < 180 else 1.8 if days < 365 else 3.5

        excess = count - self.targets.case_stock[k]
        self._short("case_stock_low", -excess)
        for child, earliest in self._choose(candidates, len(candidates), weight):
            if excess <= 0:
                break
            excess -= 1 if keeps_open else len(child.case)
            self._close_case(
                child, self._between(earliest, last), _pick(rng, {"RC7": 85, "RC9": 8, "RC5": 4, "RC3": 3})
            )
        self._short("case_stock_high", excess)
        self.pending = [p for p in self.pending if p[0] > last]

    # --- after the months: missing episodes and exploitation risk ---

    def _open_spans(self, child: Child) -> list[tuple[date, date]]:
        """When the child's case was open (every child in care or on a plan has an open referral)."""
        spans = sorted((r.day, r.closure or FAR) for r in (self.referrals[i] for i in child.refs))
        merged: list[tuple[date, date]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def _in_care_on(self, child: Child, day: date) -> bool:
        return any(e.start <= day < (e.end or FAR) for e in (self.episodes[i] for i in child.episodes))

    def _missing_episodes(self) -> None:
        """Each year's children who go missing, from those known and aged 11-17, children in care most."""
        rng = _rng("missing", self.la)
        known = [c for c in self.children if c.refs]
        spans = {c.n: self._open_spans(c) for c in known}
        ages = {c.n: (_add_years(c.birth, 11), _add_years(c.birth, 18) - DAY) for c in known}
        care = {c.n: [(e.start, e.end or FAR) for e in (self.episodes[i] for i in c.episodes)] for c in known}
        away_days: set[tuple[int, date]] = set()
        for fy in range(FIRST_FY, LAST_FY + 1):
            fy_start, fy_end = date(fy - 1, 4, 1), date(fy, 3, 31)
            eligible: list[tuple[Child, list[tuple[date, int]]]] = []
            weights: list[float] = []
            for child in known:
                low, high = max(fy_start, ages[child.n][0]), min(fy_end, ages[child.n][1])
                if high < low:
                    continue
                pieces = [(max(s, low), (min(e - DAY, high) - max(s, low)).days + 1) for s, e in spans[child.n]]
                pieces = [(s, length) for s, length in pieces if length > 0]
                if sum(length for _, length in pieces) < 7:
                    continue
                eligible.append((child, pieces))
                in_care = any(s <= high and e > low for s, e in care[child.n])
                weights.append((5.0 if in_care else 1.0) * (1.5 if self._age(child, fy_end) >= 14 else 1.0))
            chosen = _weighted_sample(rng, eligible, weights, self.targets.missing_children[fy])
            self._short(f"missing_children_{fy}", self.targets.missing_children[fy] - len(chosen))
            counts = [1] * len(chosen)
            room = [min(30, sum(length for _, length in pieces) // 4) for _, pieces in chosen]
            appetite = [min(25.0, rng.paretovariate(1.3)) for _ in chosen]
            for _ in range(self.targets.missing_episodes[fy] - len(chosen)):
                weights = [a if c < r else 0.0 for a, c, r in zip(appetite, counts, room, strict=True)]
                if not any(weights):
                    self._short(f"missing_episodes_{fy}")
                    continue
                counts[rng.choices(range(len(chosen)), weights=weights)[0]] += 1
            for (child, pieces), count in zip(chosen, counts, strict=True):
                days = [s + DAY * offset for s, length in pieces for offset in range(length)]
                self._short(f"missing_episodes_{fy}", count - len(days))
                for day in sorted(rng.sample(days, min(count, len(days)))):
                    self._go_missing(rng, child, day, "M")
                    away = day + DAY * rng.randint(5, 40)
                    if (
                        rng.random() < 0.12
                        and self._in_care_on(child, day)
                        and away <= min(fy_end, ages[child.n][1])
                        and (child.n, away) not in away_days
                    ):
                        away_days.add((child.n, away))
                        self._go_missing(rng, child, away, "A")

    def _end_before_the_next(self) -> None:
        """A child's missing or away episode ends no later than their next one starts (SSDA903 rule 574)."""
        by_child: dict[int, list[MissingEpisode]] = {}
        for episode in self.missing:
            by_child.setdefault(episode.child, []).append(episode)
        for episodes in by_child.values():
            episodes.sort(key=lambda e: e.start)
            for episode, following in itertools.pairwise(episodes):
                episode.end = max(episode.start, min(episode.end, following.start))

    def _go_missing(self, rng: random.Random, child: Child, day: date, kind: str) -> None:
        offered = rng.random() < 0.86
        self.missing.append(
            MissingEpisode(
                child.n,
                kind,
                day,
                day + DAY * rng.choice((0, 0, 0, 1, 1, 1, 2, 3, 5)),
                self._in_care_on(child, day),
                offered,
                offered and rng.random() < 0.56,
            )
        )

    def _exploitation_factors(self) -> None:
        """Each year's children assessed at risk of sexual (11A) or criminal (24A) exploitation, and 10A
        (going missing) on assessments after a missing episode."""
        rng = _rng("exploitation", self.la)
        missing_by_child: dict[int, list[date]] = {}
        for episode in self.missing:
            if episode.kind == "M":
                missing_by_child.setdefault(episode.child, []).append(episode.start)
        for assessment in self.assessments:
            starts = missing_by_child.get(assessment.child, ())
            if any(s <= assessment.authorised <= s + 365 * DAY for s in starts) and "10A" not in assessment.factors:
                assessment.factors = [f for f in assessment.factors if f != "21"] + ["10A"]
        for fy in range(FIRST_FY, LAST_FY + 1):
            fy_start, fy_end = date(fy - 1, 4, 1), date(fy, 3, 31)
            latest: dict[int, Assessment] = {}
            for assessment in self.assessments:
                child = self.children[assessment.child]
                if fy_start <= assessment.authorised <= fy_end and self._age(child, assessment.authorised) >= 10:
                    latest[child.n] = assessment
            went_missing = {n for n, starts in missing_by_child.items() if any(fy_start <= s <= fy_end for s in starts)}
            pool = list(latest.values())
            for factor, wanted, sex in (("11A", self.targets.cse[fy], "F"), ("24A", self.targets.cce[fy], "M")):
                weights = [
                    (6.0 if a.child in went_missing else 1.0) * (1.7 if self.children[a.child].sex == sex else 1.0)
                    for a in pool
                ]
                chosen = _weighted_sample(rng, pool, weights, wanted)
                self._short(f"{factor}_{fy}", wanted - len(chosen))
                for assessment in chosen:
                    assessment.factors = [f for f in assessment.factors if f != "21"] + [factor]


# Coded columns: (module, contract column) -> (History list, record attribute).
CODED: dict[tuple[str, str], tuple[str, str]] = {
    ("children", "sex"): ("children", "sex"),
    ("children", "ethnicity"): ("children", "ethnicity"),
    ("contacts", "contact_source"): ("contacts", "source"),
    ("contacts", "outcome"): ("contacts", "outcome"),
    ("referrals", "referral_source"): ("referrals", "source"),
    ("referrals", "primary_need"): ("referrals", "need"),
    ("referrals", "closure_reason"): ("referrals", "reason"),
    ("assessments", "factors"): ("assessments", "factors"),
    ("cp_plans", "initial_category"): ("plans", "initial"),
    ("cp_plans", "latest_category"): ("plans", "latest"),
    ("cla_episodes", "reason_new_episode"): ("episodes", "rne"),
    ("cla_episodes", "legal_status"): ("episodes", "legal"),
    ("cla_episodes", "category_of_need"): ("episodes", "need"),
    ("cla_episodes", "placement"): ("episodes", "place"),
    ("cla_episodes", "reason_ceased"): ("episodes", "reason"),
    ("missing", "episode_type"): ("missing", "kind"),
}


def _reason_new_episode(legal_changed: bool, moves: bool, place: str) -> str:
    """The DfE's RNE for a change within care: L legal status only; P placement (new carers) only, T when the
    carers stay (placed for adoption with them, A3/A5); B both, U both with the carers staying."""
    same_carers = place in ("A3", "A5")
    if not legal_changed:
        return "T" if same_carers else "P"
    if not moves:
        return "L"
    return "U" if same_carers else "B"


def _as_the_placement_allows(reason: str, place: str) -> str:
    """A reason for leaving care the last placement allows (SSDA903 rules 390 and 516): adopted (E12) only from a
    placement for adoption, else a child arrangements order (E41); a special guardianship order to former foster
    carers (E45, E46) only from foster care, else to other carers (E48). Both keep the case-closure path, so the
    rest of the history is unchanged."""
    if reason == "E12" and place not in ("A3", "A4", "A5", "A6"):
        return "E41"
    if reason in ("E45", "E46") and not place.startswith("U"):
        return "E48"
    return reason


def _check_codes(h: History) -> None:
    """Every code the simulation drew is in the contract's list for its column: a changed list fails here."""
    contract = load_contract()
    for (module, column), (attribute, name) in CODED.items():
        allowed = set(contract["codes"][contract["modules"][module]["columns"][column]["codes"]])
        used: set[str] = set()
        for record in getattr(h, attribute):
            value = getattr(record, name)
            used.update(value if isinstance(value, list) else [value] if value else [])
        if used - allowed:
            raise ValueError(f"{module}.{column}: codes {sorted(used - allowed)} are not in the contract")


@functools.cache
def history(la: str) -> History:
    """The authority's simulated case history (once per process)."""
    h = _Simulation(la).run()
    _check_codes(h)
    return h


# ---------------------------------------------------------------------------------------------------------
# Extracts
# ---------------------------------------------------------------------------------------------------------


# module -> (History attribute, the date a row is filed under (first) and its other dates, its end date)
MODULE_ROWS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "contacts": ("contacts", ("day",), ()),
    "referrals": ("referrals", ("day",), ("closure",)),
    "assessments": ("assessments", ("start",), ("authorised",)),
    "cp_plans": ("plans", ("start",), ("end",)),
    "cla_episodes": ("episodes", ("start",), ("end",)),
    "missing": ("missing", ("start",), ("end",)),
}


@dataclass
class _Index:
    """A history ready to cut: case numbers, each child's rows and dated events."""

    history: History
    child_ids: list[str]
    ids: dict[str, list[str]]  # module -> case number per row (contacts, referrals, assessments, cp_plans)
    order: dict[str, list[int]]  # module -> sort position per row
    rows: dict[str, list[list[int]]]  # module -> child -> its rows
    day: dict[str, list[int]]  # module -> the date (ordinal) each row is filed under
    event_child: np.ndarray  # every dated event: whose ...
    event_day: np.ndarray  # ... and when (ordinal)
    span_child: np.ndarray  # every referral, plan and episode: whose, ...
    span_start: np.ndarray  # ... from ...
    span_end: np.ndarray  # ... to (FAR if open)


def _positions(order: list[int]) -> list[int]:
    """Where each item lands when the items are put in `order`."""
    position = [0] * len(order)
    for rank, i in enumerate(order):
        position[i] = rank
    return position


def _numbered(days: Sequence[date], fmt: str, base: int) -> tuple[list[str], list[int]]:
    """Case numbers in date order (a case system numbers records as they are made), and sort positions."""
    position = _positions(sorted(range(len(days)), key=lambda i: (days[i], i)))
    return [fmt.format(base + p) for p in position], position


@functools.cache
def _index(la: str) -> _Index:
    h = history(la)
    formats = AUTHORITY[la].ids
    ids, order = {}, {}
    for module, records, day, fmt, base in (
        ("contacts", h.contacts, lambda r: r.day, formats.contact, formats.base * 4),
        ("referrals", h.referrals, lambda r: r.day, formats.referral, formats.base // 3),
        ("assessments", h.assessments, lambda r: r.start, formats.assessment, formats.base // 3 + 17),
        ("cp_plans", h.plans, lambda r: r.start, formats.plan, formats.base // 40),
    ):
        ids[module], order[module] = _numbered([day(r) for r in records], fmt, base)
    for module, records in (("cla_episodes", h.episodes), ("missing", h.missing)):
        order[module] = _positions(sorted(range(len(records)), key=lambda i: (records[i].child, records[i].start, i)))
    rows: dict[str, list[list[int]]] = {m: [[] for _ in h.children] for m in MODULE_ROWS}
    days: dict[str, list[int]] = {}
    events: list[tuple[int, int]] = []
    spans: list[tuple[int, int, int]] = []
    for module, (attribute, dates, ends) in MODULE_ROWS.items():
        records = getattr(h, attribute)
        days[module] = [getattr(r, dates[0]).toordinal() for r in records]
        for i, record in enumerate(records):
            rows[module][record.child].append(i)
            for name in dates + ends:
                value = getattr(record, name)
                if value is not None:
                    events.append((record.child, value.toordinal()))
            if module in ("referrals", "cp_plans", "cla_episodes"):
                end = getattr(record, ends[0]) or FAR
                spans.append((record.child, days[module][i], end.toordinal()))
    event_array, span_array = np.array(events, dtype=np.int64), np.array(spans, dtype=np.int64)
    child_ids = [formats.child.format(formats.base + c.n) for c in h.children]
    return _Index(h, child_ids, ids, order, rows, days, event_array[:, 0], event_array[:, 1], *span_array.T)


def _included(index: _Index, period_end: date) -> list[int]:
    """Children with anything dated in the 24 months to period_end, or anything open on it."""
    since, until = _minus_months(period_end, EXTRACT_MONTHS).toordinal(), period_end.toordinal()
    active = index.event_child[(index.event_day > since) & (index.event_day <= until)]
    still_open = index.span_child[(index.span_start <= until) & (index.span_end > until)]
    return np.union1d(active, still_open).tolist()


@dataclass(frozen=True)
class Layout:
    """How an authority writes the canonical model: the contract's `partners` entry, if any."""

    date_format: str
    full_birth_date: bool
    headers: dict[str, dict[str, str]]  # module -> canonical column -> header
    codes: dict[str, dict[str, str]]  # code list -> canonical code -> written


def _layout(la: str) -> Layout:
    contract = load_contract()
    partner = contract.get("layouts", {}).get(load_registry().layout_of(SOURCE, la), {})
    return Layout(
        date_format=partner.get("date_format", contract["date_format"]),
        full_birth_date=partner.get("birth_month_from_full_date", False),
        headers={m: {c: h for h, c in columns.items()} for m, columns in partner.get("headers", {}).items()},
        codes={name: {c: w for w, c in codes.items()} for name, codes in partner.get("codes", {}).items()},
    )


Cell = Callable[[int, object, date], str]  # (position in the history's list, record, period end) -> value


def _flag(value: bool) -> str:
    return "Y" if value else "N"


def _shown(value: date | None, period_end: date) -> bool:
    return value is not None and value <= period_end


# What of a record its extract shows depends on the period end only through these: a record is written
# once per state and reused by every extract in that state.
STATE: dict[str, Callable[[object, date], object]] = {
    "children": lambda r, p: None,
    "contacts": lambda r, p: None,
    "referrals": lambda r, p: _shown(r.closure, p),
    "assessments": lambda r, p: _shown(r.authorised, p),
    "cp_plans": lambda r, p: (_shown(r.end, p), _shown(r.changed, p)),
    "cla_episodes": lambda r, p: _shown(r.end, p),
    "missing": lambda r, p: _shown(r.end, p),
}


class _Writer:
    """Writes one authority's records as its extracts show them: its layout, case numbers and codes."""

    def __init__(self, la: str):
        self.index, self.layout, self.contract = _index(la), _layout(la), load_contract()
        self.sexes = self.layout.codes.get("sex", {})
        self.days: dict[date, str] = {}
        self.cells = self._cells()
        self.columns = {m: list(spec["columns"]) for m, spec in self.contract["modules"].items()}
        unknown = {(m, c) for m, columns in self.columns.items() for c in columns if c not in self.cells.get(m, {})}
        if unknown:
            raise ValueError(f"the contract names columns the generator does not write: {sorted(unknown)}")
        self.written: dict[str, dict[tuple[int, object], tuple[str, ...]]] = {m: {} for m in self.columns}

    def day(self, value: date | None, period_end: date) -> str:
        if value is None or value > period_end:
            return ""
        text = self.days.get(value)
        if text is None:
            text = self.days[value] = value.strftime(self.layout.date_format)
        return text

    def _cells(self) -> dict[str, dict[str, Cell]]:
        ids, child_ids, day = self.index.ids, self.index.child_ids, self.day
        birth_format = self.layout.date_format if self.layout.full_birth_date else "%Y-%m"

        def child_id(i: int, r, p: date) -> str:
            return child_ids[r.child]

        def latest(plan: CpPlan, p: date) -> str:
            shown = _shown(plan.changed, p) and (plan.end is None or plan.changed <= plan.end)
            return plan.latest if shown else plan.initial

        return {
            "children": {
                "child_id": lambda i, c, p: child_ids[c.n],
                "sex": lambda i, c, p: self.sexes.get(c.sex, c.sex),
                "birth_month": lambda i, c, p: c.birth.strftime(birth_format),
                "ethnicity": lambda i, c, p: c.ethnicity,
                "disability": lambda i, c, p: c.disability,
            },
            "contacts": {
                "contact_id": lambda i, r, p: ids["contacts"][i],
                "child_id": child_id,
                "contact_date": lambda i, r, p: day(r.day, p),
                "contact_source": lambda i, r, p: r.source,
                "domestic_abuse": lambda i, r, p: _flag(r.da),
                "outcome": lambda i, r, p: r.outcome,
            },
            "referrals": {
                "referral_id": lambda i, r, p: ids["referrals"][i],
                "child_id": child_id,
                "referral_date": lambda i, r, p: day(r.day, p),
                "referral_source": lambda i, r, p: r.source,
                "primary_need": lambda i, r, p: r.need,
                "referral_nfa": lambda i, r, p: _flag(r.nfa),
                "closure_date": lambda i, r, p: day(r.closure, p),
                "closure_reason": lambda i, r, p: r.reason if _shown(r.closure, p) else "",
            },
            "assessments": {
                "assessment_id": lambda i, r, p: ids["assessments"][i],
                "referral_id": lambda i, r, p: ids["referrals"][r.referral],
                "child_id": child_id,
                "start_date": lambda i, r, p: day(r.start, p),
                "authorised_date": lambda i, r, p: day(r.authorised, p),
                "factors": lambda i, r, p: ",".join(r.factors) if _shown(r.authorised, p) else "",
            },
            "cp_plans": {
                "plan_id": lambda i, r, p: ids["cp_plans"][i],
                "child_id": child_id,
                "start_date": lambda i, r, p: day(r.start, p),
                "end_date": lambda i, r, p: day(r.end, p),
                "initial_category": lambda i, r, p: r.initial,
                "latest_category": lambda i, r, p: latest(r, p),
                "previous_plans": lambda i, r, p: str(r.previous),
            },
            "cla_episodes": {
                "child_id": child_id,
                "episode_start": lambda i, r, p: day(r.start, p),
                "reason_new_episode": lambda i, r, p: r.rne,
                "legal_status": lambda i, r, p: r.legal,
                "category_of_need": lambda i, r, p: r.need,
                "placement": lambda i, r, p: r.place,
                "episode_end": lambda i, r, p: day(r.end, p),
                "reason_ceased": lambda i, r, p: r.reason if _shown(r.end, p) else "",
                "uasc": lambda i, r, p: _flag(r.uasc),
            },
            "missing": {
                "child_id": child_id,
                "episode_type": lambda i, r, p: r.kind,
                "start_date": lambda i, r, p: day(r.start, p),
                "end_date": lambda i, r, p: day(r.end, p),
                "from_care": lambda i, r, p: _flag(r.from_care),
                # A child still missing at the period end has had no return home interview yet.
                "rhi_offered": lambda i, r, p: _flag(r.offered and _shown(r.end, p)),
                "rhi_accepted": lambda i, r, p: _flag(r.accepted and _shown(r.end, p)),
            },
        }

    def rows(self, module: str, records: Sequence[object], positions: list[int], period_end: date) -> list:
        cells = [self.cells[module][c] for c in self.columns[module]]
        state, written = STATE[module], self.written[module]
        out = []
        for i in positions:
            record = records[i]
            key = (i, state(record, period_end))
            row = written.get(key)
            if row is None:
                row = written[key] = tuple(cell(i, record, period_end) for cell in cells)
            out.append(row)
        return out


@functools.cache
def _writer(la: str) -> _Writer:
    return _Writer(la)


def _tables(la: str, period_end: date) -> dict[str, tuple[list[str], list]]:
    """Every module of the extract for period_end: canonical columns and rows of written values."""
    writer = _writer(la)
    index = writer.index
    h = index.history
    included = _included(index, period_end)
    until = period_end.toordinal()
    tables = {}
    for module, columns in writer.columns.items():
        if module == "children":
            records: Sequence[object] = h.children
            positions = included
        else:
            records = getattr(h, MODULE_ROWS[module][0])
            rows_of, order, day = index.rows[module], index.order[module], index.day[module]
            positions = [i for n in included for i in rows_of[n] if day[i] <= until]
            positions.sort(key=order.__getitem__)
        tables[module] = (columns, writer.rows(module, records, positions, period_end))
    return tables


# ---------------------------------------------------------------------------------------------------------
# Broken extracts for tests: each injection breaks exactly one rule of csc.md in one place
# ---------------------------------------------------------------------------------------------------------

INJECTIONS: dict[str, str] = {
    "unknown_code": 'contacts.csv: one contact_source is "99", not a CIN referral-source code',
    "impossible_date": "referrals.csv: one referral_date is 30 February (of a referral with no assessment)",
    "missing_column": "referrals.csv: the referral_source column is left out",
    "duplicate_id": "contacts.csv: one contact_id repeats the one before it",
    "orphan_child": "contacts.csv: one contact's child_id is not in children.csv",
    "assessment_before_referral": "assessments.csv: one assessment starts 3 days before its referral",
    "cp_end_before_start": "cp_plans.csv: one ended plan (its child's only plan) ends the day before it starts",
    "closure_before_referral": "referrals.csv: one closed referral closes 2 days before its referral date",
    "missing_end_before_start": "missing.csv: one ended episode ends the day before it starts",
    "episode_end_before_start": "cla_episodes.csv: one ended episode (its child's only one) ends before it starts",
    "overlapping_cp_plans": "cp_plans.csv: a child's earlier plan now ends 7 days after the next one starts",
    "overlapping_cla_episodes": "cla_episodes.csv: a child's episode now ends 5 days after the next one starts",
    "date_after_period_end": "contacts.csv: one contact is dated 10 days after the quarter end",
    "sex_unknown_share": "children.csv: just over 2% of children have sex U (a query on the whole extract)",
    "stale_open_referral": "referrals.csv: a referral open for 30 months for a child with nothing else (a query)",
    "missing_module": "missing.csv is left out of the zip",
    "extra_file": 'the zip holds an unknown file "notes.txt"',
}


@dataclass
class _Edit(TableEdit):
    """An extract's tables being broken on purpose: canonical columns, values written in the authority's layout."""

    la: str
    layout: Layout

    def only_child_rows(self, module: str) -> set[str]:
        """Children with exactly one row in the module."""
        counts: dict[str, int] = {}
        for row in self.rows(module):
            counts[row[self.col(module, "child_id")]] = counts.get(row[self.col(module, "child_id")], 0) + 1
        return {child for child, n in counts.items() if n == 1}


def _unassessed_referral(e: _Edit) -> Row:
    assessed = {row[e.col("assessments", "referral_id")] for row in e.rows("assessments")}
    return e.first("referrals", lambda r: r[e.col("referrals", "referral_id")] not in assessed)


def _orphan_child(e: _Edit) -> None:
    formats = AUTHORITY[e.la].ids
    unused = formats.child.format(formats.base + len(_index(e.la).child_ids) + 1000)
    e.rows("contacts")[0][e.col("contacts", "child_id")] = unused


def _assessment_before_referral(e: _Edit) -> None:
    referred = {
        r[e.col("referrals", "referral_id")]: e.day(r, "referrals", "referral_date") for r in e.rows("referrals")
    }
    row = e.rows("assessments")[0]
    e.put(row, "assessments", "start_date", referred[row[e.col("assessments", "referral_id")]] - 3 * DAY)


def _end_before_start(module: str, start: str, end: str, days: int) -> Callable[[_Edit], None]:
    """One ended period (its child's only one in the module, so nothing else breaks) ends before it starts."""

    def edit(e: _Edit) -> None:
        single = e.only_child_rows(module)
        row = e.first(module, lambda r: r[e.col(module, "child_id")] in single and r[e.col(module, end)] != "")
        e.put(row, module, end, e.day(row, module, start) - days * DAY)

    return edit


def _closure_before_referral(e: _Edit) -> None:
    row = e.first("referrals", lambda r: r[e.col("referrals", "closure_date")] != "")
    e.put(row, "referrals", "closure_date", e.day(row, "referrals", "referral_date") - 2 * DAY)


def _missing_end_before_start(e: _Edit) -> None:
    row = e.first("missing", lambda r: r[e.col("missing", "end_date")] != "")
    e.put(row, "missing", "end_date", e.day(row, "missing", "start_date") - DAY)


def _overlap(module: str, start: str, end: str, days: int) -> Callable[[_Edit], None]:
    """A child's ended period now ends `days` after the child's next period starts: one overlap."""

    def edit(e: _Edit) -> None:
        by_child: dict[str, list[list[str]]] = {}
        for row in e.rows(module):
            by_child.setdefault(row[e.col(module, "child_id")], []).append(row)
        for rows in by_child.values():
            rows = sorted(rows, key=lambda r: e.day(r, module, start))
            for earlier, later in itertools.pairwise(rows):
                new_end = e.day(later, module, start) + days * DAY
                later_end = later[e.col(module, end)]
                fits = not later_end or e.day(later, module, end) >= new_end
                if earlier[e.col(module, end)] and new_end <= e.period_end and fits:
                    e.put(earlier, module, end, new_end)
                    return
        raise ValueError(f"no child with two periods in {module} to overlap")

    return edit


def _sex_unknown_share(e: _Edit) -> None:
    rows, sex = e.rows("children"), e.col("children", "sex")
    unknown = e.layout.codes.get("sex", {}).get("U", "U")
    wanted = math.floor(0.02 * len(rows)) + 1 - sum(r[sex] == unknown for r in rows)
    for row in [r for r in rows if r[sex] != unknown][-wanted:]:
        row[sex] = unknown


def _stale_open_referral(e: _Edit) -> None:
    """A child known only for one referral made 30 months ago and never closed."""
    formats, index, layout = AUTHORITY[e.la].ids, _index(e.la), e.layout
    values = {
        "child_id": formats.child.format(formats.base + len(index.child_ids) + 2000),
        "sex": layout.codes.get("sex", {}).get("F", "F"),
        "birth_month": (e.period_end - 3650 * DAY).strftime(layout.date_format if layout.full_birth_date else "%Y-%m"),
        "ethnicity": "WBRI",
        "disability": "N",
        "referral_id": formats.referral.format(formats.base // 3 + len(index.history.referrals) + 2000),
        "referral_date": _minus_months(e.period_end, 30).strftime(layout.date_format),
        "referral_source": "8",
        "primary_need": "N9",
        "referral_nfa": "N",
        "closure_date": "",
        "closure_reason": "",
    }
    for module in ("children", "referrals"):
        columns, rows = e.tables[module]
        rows.append([values[c] for c in columns])


INJECTORS: dict[str, Callable[[_Edit], None]] = {
    "unknown_code": simulation.unknown_code("contacts", "contact_source", "99"),
    "impossible_date": simulation.impossible_date("referrals", "referral_date", _unassessed_referral),
    "missing_column": simulation.missing_column("referrals", "referral_source"),
    "duplicate_id": simulation.duplicate_id("contacts", "contact_id", lambda e: e.rows("contacts")),
    "orphan_child": _orphan_child,
    "assessment_before_referral": _assessment_before_referral,
    "cp_end_before_start": _end_before_start("cp_plans", "start_date", "end_date", 1),
    "closure_before_referral": _closure_before_referral,
    "missing_end_before_start": _missing_end_before_start,
    "episode_end_before_start": _end_before_start("cla_episodes", "episode_start", "episode_end", 1),
    "overlapping_cp_plans": _overlap("cp_plans", "start_date", "end_date", 7),
    "overlapping_cla_episodes": _overlap("cla_episodes", "episode_start", "episode_end", 5),
    "date_after_period_end": simulation.date_after_period_end(
        "contacts", "contact_date", lambda e: e.rows("contacts")[-1]
    ),
    "sex_unknown_share": _sex_unknown_share,
    "stale_open_referral": _stale_open_referral,
    "missing_module": simulation.missing_module("missing"),
    "extra_file": simulation.extra_file,
}
simulation.check_injectors(INJECTIONS, INJECTORS)


def build_extract(la_code: str, period_end: date, *, inject: str | None = None) -> dict[str, bytes]:
    """The extract la_code sends for the quarter ending period_end: zip member name -> CSV bytes.

    inject names one rule of csc.md to break, in one place (see INJECTIONS); None for a clean extract.
    """
    simulation.check_request(
        la_code, period_end, inject, authorities=AUTHORITIES, simulated=(SIM_START, SIM_END), injections=INJECTIONS
    )
    tables, layout = _tables(la_code, period_end), _layout(la_code)
    if inject is not None:
        edit = _Edit(period_end, simulation.copy_tables(tables), layout.date_format, la_code, layout)
        INJECTORS[inject](edit)
        tables = edit.tables
    return simulation.zip_members(load_contract(), tables, simulation.extra_members(inject), layout.headers)


def file_name(la_code: str, period_end: date) -> str:
    return f"csc_{la_code}_{period_end:%Y-%m}.zip"


WRITER = simulation.ExtractWriter(SOURCE, AUTHORITIES, QUARTERS, build_extract, file_name)
write_extract = WRITER.write_extract
write_samples = WRITER.write_samples
