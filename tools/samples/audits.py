"""Sample audit returns: schools' section 175 self-assessments, agencies' KPI returns and the register of education
settings the self-assessments are checked against.

Format: sources/s175.yaml, sources/agency_kpis.yaml and the shared spec audits.md.

The settings register (dbt/seeds/s175_settings.csv) is what Get Information About Schools would list for each of the
five authorities: every setting open on 1 September 2021 (SETTING_MIX gives how many of each type; Bath and North East
Somerset's 83 are the report's), with names drawn from local place names and saints, plus churn. In each authority
one maintained school becomes an academy on 1 September 2021 (its old URN closed the day before), three convert
later (2022-04-01, 2022-09-01, 2023-09-01: the maintained URN closes, a new ACADEMY URN opens the next day), one
closed in 2020, one closes at the end of the 2021-22 summer term, an independent school closes in December 2023, an
alternative provision opens in January 2022 and free schools open on 1 September 2022 and 2023. A setting is
expected to return the audit of an academic year if it is open on 1 September of that year.

The section 175 survey. Each authority's audit has its own items (ITEMS: sections x items each, the same every
year). In each academic year every expected setting gets a rating of every item: N/A for the ~4% of items that do not
apply to it (the same items every year), otherwise Green, Amber or Red (rarely blank). An Amber or Red of the year
before stays with probability 0.35 and is otherwise put right (Green); an item Green the year before is a little
less likely to turn Amber or Red than one rated for the first time, so the shares stay near 85/9/2/4. Of the
expected settings 91-99% return (Bath and North East Somerset 2021-22: 77 of 83), 37-43% of them by December and
77-83% by March, on weekdays of the term, a closing setting a week before it closes. The survey tool adds a
respondent id (rising with the start time), an IP address from the documentation ranges, the start time (0-6 days
before submitting) and the collector. A snapshot at a quarter end lists every expected setting, showing a return
only once submitted: returns accumulate and never change within the year.

The KPI returns. Each authority's partner agencies (AGENCIES) report the indicators that apply to them: those marked
(ADULT) only adult-facing agencies, (CHILDREN) only children-facing ones. Staff in scope are a share of the agency's
staff in the area, by indicator. Each agency's percentage is drawn around the indicator's centre, tilted by agency
size (so the staff-weighted figure differs from the unweighted one), within 70-100%. For Bath and North East Somerset
2021-22 the centre is the published outcome, and single staff are then moved (never past 70% or 100%) until the
unweighted mean of the agencies' percentages is within 0.4 of it (DBS checks: every agency 100%).

Somerset (E06000066) was Somerset County Council (E10000027) until 31 March 2023: its files for earlier period
ends carry the old code in their name, and its council agencies the old council's name.

Every draw comes from random.Random generators seeded by name (never hash() or set order), so every run writes
the same bytes; each year is simulated once per process (functools.cache).
"""

import datetime
import functools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from tools.samples import simulation
from tools.samples.simulation import DAY, Weights, csv_bytes, month_end

date = datetime.date
SEED = "audits/1"
_rng = functools.partial(simulation.seeded_rng, SEED)  # _rng(*parts): a generator per purpose

BANES, BRISTOL, NORTH_SOMERSET, SOUTH_GLOS, SOMERSET = "E06000022", "E06000023", "E06000024", "E06000025", "E06000066"
AUTHORITIES: tuple[str, ...] = (BANES, BRISTOL, NORTH_SOMERSET, SOUTH_GLOS, SOMERSET)

ACADEMIC_YEARS = (2021, 2022, 2023)  # the year each starts (1 September)
S175_PERIODS: list[date] = [month_end(y + (m < 9), m) for y in ACADEMIC_YEARS for m in (12, 3, 6)]
KPI_PERIODS: list[date] = [date(2022, 3, 31), date(2023, 3, 31), date(2024, 3, 31)]
SETTINGS_SEED = Path(__file__).resolve().parents[2] / "dbt" / "seeds" / "s175_settings.csv"


def s175_file_name(la_code: str, period_end: date) -> str:
    """s175_<code>_YYYY-MM.csv, Somerset's files before April 2023 under Somerset County Council's code."""
    return f"s175_{simulation.code_in_file_name(la_code, period_end)}_{period_end:%Y-%m}.csv"


def kpi_file_name(la_code: str, period_end: date) -> str:
    """agency_kpis_<code>_YYYY-MM.csv, Somerset's files before April 2023 under Somerset County Council's code."""
    return f"agency_kpis_{simulation.code_in_file_name(la_code, period_end)}_{period_end:%Y-%m}.csv"


# ---------------------------------------------------------------------------------------------------------
# The settings register
# ---------------------------------------------------------------------------------------------------------

# Settings open on 1 September 2021, by type (one MAINTAINED of each becomes an ACADEMY that day).
SETTING_MIX: dict[str, dict[str, int]] = {
    BANES: {"ACADEMY": 54, "MAINTAINED": 17, "SPECIAL": 3, "INDEPENDENT": 6, "FE": 1, "ALTERNATIVE_PROVISION": 1}
    | {"EARLY_YEARS": 1},  # 83
    BRISTOL: {"ACADEMY": 97, "MAINTAINED": 38, "SPECIAL": 10, "INDEPENDENT": 16, "FE": 2, "ALTERNATIVE_PROVISION": 3}
    | {"EARLY_YEARS": 5},  # 171
    NORTH_SOMERSET: {"ACADEMY": 60, "MAINTAINED": 13, "SPECIAL": 3, "INDEPENDENT": 6, "FE": 1}
    | {"ALTERNATIVE_PROVISION": 2, "EARLY_YEARS": 1},  # 86
    SOUTH_GLOS: {"ACADEMY": 60, "MAINTAINED": 41, "SPECIAL": 5, "INDEPENDENT": 8, "FE": 2, "ALTERNATIVE_PROVISION": 2}
    | {"EARLY_YEARS": 1},  # 119
    SOMERSET: {"ACADEMY": 148, "MAINTAINED": 111, "SPECIAL": 9, "INDEPENDENT": 16, "FE": 3}
    | {"ALTERNATIVE_PROVISION": 2, "EARLY_YEARS": 1},  # 290
}
FORMED = {SOMERSET: date(1974, 4, 1)}  # maintained settings older than the authority open on its formation
FORMED_UNITARY = date(1996, 4, 1)


def _names(text: str) -> list[str]:
    return text.split(", ")


PLACES: dict[str, list[str]] = {
    la: _names(names)
    for la, names in {
        BANES: "Oldfield Park, Widcombe, Combe Down, Larkhall, Weston, Twerton, Southdown, Odd Down, Keynsham, "
        "Saltford, Midsomer Norton, Radstock, Paulton, Peasedown, Timsbury, Chew Magna, Chew Stoke, Bishop Sutton, "
        "Farmborough, Freshford, Batheaston, Bathampton, Bathford, Corston, Clutton, High Littleton, Westfield, "
        "Welton, Writhlington, Whitchurch, Pensford, Temple Cloud, Camerton, Shoscombe, Newbridge, Moorlands, "
        "Bathwick, Lansdown, Marksbury, Ubley, East Harptree, Stanton Drew, Wellow, Claverton, Monkton Combe",
        BRISTOL: "Bedminster, Southville, Ashton Gate, Bishopsworth, Hartcliffe, Withywood, Knowle, Totterdown, "
        "Brislington, Fishponds, Eastville, Easton, Redland, Cotham, Clifton, Hotwells, Henleaze, Westbury-on-Trym, "
        "Southmead, Lockleaze, Horfield, Bishopston, Montpelier, Lawrence Hill, Barton Hill, Redfield, St George, "
        "Speedwell, Stapleton, Hillfields, Stockwood, Hengrove, Filwood, Knowle West, Shirehampton, Avonmouth, "
        "Lawrence Weston, Sea Mills, Stoke Bishop, Coombe Dingle, Henbury, Brentry, Ashley Down, Greenbank, "
        "Begbrook, Broomhill, Headley Park, Kingsweston, Whitehall, Frome Vale, Oasis Park, Hareclive",
        NORTH_SOMERSET: "Weston-super-Mare, Worle, Uphill, Milton, Oldmixon, Locking, Hutton, Banwell, Winscombe, "
        "Churchill, Congresbury, Yatton, Claverham, Clevedon, Portishead, Portbury, Pill, Easton-in-Gordano, "
        "Nailsea, Backwell, Wraxall, Long Ashton, Flax Bourton, Winford, Wrington, Blagdon, Burrington, Kewstoke, "
        "Wick St Lawrence, Sandford, Bleadon, Mead Vale, Locking Castle, Haywood Village, Golden Valley",
        SOUTH_GLOS: "Yate, Chipping Sodbury, Thornbury, Filton, Patchway, Bradley Stoke, Stoke Gifford, Frenchay, "
        "Downend, Emersons Green, Mangotsfield, Kingswood, Hanham, Longwell Green, Warmley, Oldland Common, "
        "Cadbury Heath, Staple Hill, Winterbourne, Frampton Cotterell, Coalpit Heath, Iron Acton, Charfield, "
        "Wickwar, Hawkesbury Upton, Marshfield, Pucklechurch, Almondsbury, Olveston, Alveston, Pilning, "
        "Severn Beach, Tockington, Cromhall, Westerleigh, Siston, Bitton, Little Stoke, Abbotswood, Lyde Green",
        SOMERSET: "Taunton, Bridgwater, Yeovil, Frome, Wells, Glastonbury, Street, Minehead, Chard, Crewkerne, "
        "Ilminster, Shepton Mallet, Wellington, Burnham-on-Sea, Highbridge, Cheddar, Wincanton, Castle Cary, "
        "Somerton, Langport, Martock, South Petherton, Watchet, Williton, Dulverton, Wiveliscombe, Bishops Lydeard, "
        "North Petherton, Cannington, Nether Stowey, Ilchester, Milborne Port, Bruton, Keinton Mandeville, "
        "Huish Episcopi, Curry Rivel, Norton Fitzwarren, Staplegrove, Priorswood, Halcon, Holway, Comeytrowe, "
        "Monkton Heathfield, Creech St Michael, Stoke St Gregory, North Curry, Hatch Beauchamp, Ruishton, "
        "Kingston St Mary, Puriton, Woolavington, Westonzoyland, Othery, Middlezoy, Pawlett, Stogursey, Porlock, "
        "Exford, Dunster, Carhampton, Stoke sub Hamdon, Montacute, Tintinhull, Merriott, Misterton, "
        "Hinton St George, Ilton, Horton, Donyatt, Winsham, Chilcompton, Coleford, Mells, Nunney, Beckington, Rode, "
        "Norton St Philip, Evercreech, Ditcheat, Pilton, Croscombe, Wookey, Priddy, Axbridge, Shipham, Draycott, "
        "Brent Knoll, East Brent, Berrow, Wedmore, Meare, Butleigh, Baltonsborough, Queen Camel, Sparkford, "
        "Templecombe, Henstridge, Charlton Horethorne",
    }.items()
}
SAINTS = [
    f"{name}'s" for name in _names("Mark, John, Mary, Andrew, Peter, Michael, Stephen, Joseph, Patrick, Bernadette")
]
SAINTS += [
    f"{name}'s" for name in _names("Gregory, Benedict, Keyna, Saviour, Martin, Anne, George, Paul, Luke, Matthew")
]
SAINTS += [f"{name}'s" for name in _names("Edward, Aldhelm, Dunstan, Catherine, Margaret, Julian, Brendan, Teresa")]
PRIMARY = (
    "{p} Primary School|{p} Infant School|{p} Junior School|{p} Church of England Primary School|"
    "{p} CofE VC Primary School|{p} Community Primary School|St {s} CofE Primary School|"
    "St {s} Catholic Primary School|{p} Primary Academy|{p} Park Primary School"
)
NAME_PATTERNS: dict[str, list[str]] = {
    kind: patterns.split("|")
    for kind, patterns in {
        "PRIMARY": PRIMARY,
        "SECONDARY": "{p} School|{p} Academy|{p} Community School|{p} Secondary School|St {s} Catholic College",
        "SPECIAL": "{p} Special School|{p} Lodge School|{p} Community Special School",
        "INDEPENDENT": "{p} Preparatory School|{p} House School|{p} College|{p} Montessori School|{p} Independent"
        " School",
        "FE": "{p} College|{p} Sixth Form College",
        "ALTERNATIVE_PROVISION": "{p} Learning Centre|{p} Pupil Referral Unit|{p} Education Centre",
        "EARLY_YEARS": "{p} Nursery School",
    }.items()
}
SECONDARY_SHARE = {"ACADEMY": 0.28, "MAINTAINED": 0.1}


@dataclass(frozen=True)
class Setting:
    la: str
    urn: str
    name: str
    type: str
    open: date
    close: date | None = None

    def expected(self, year: int) -> bool:
        """Open on 1 September of the academic year starting in `year`."""
        first = date(year, 9, 1)
        return self.open <= first and (self.close is None or self.close > first)


class _Register:
    """One authority's settings being drawn: unique names within it, URNs unique across the file."""

    def __init__(self, la: str, used: set[int]):
        self.la, self.used, self.names = la, used, set()
        self.rng = _rng(la, "register")

    def urn(self, kind: str, opened: date) -> str:
        if kind == "ACADEMY":  # academy URNs rise with the date they opened
            low = 136_000 + 1_200 * max(0, opened.year - 2011)
            span = (low, low + 1_199)
        else:
            span = {"INDEPENDENT": (109_000, 109_999), "FE": (130_400, 130_999)}.get(kind, (101_000, 127_999))
        while (urn := self.rng.randint(*span)) in self.used:
            pass
        self.used.add(urn)
        return str(urn)

    def name(self, kind: str) -> str:
        rng = self.rng
        if kind in SECONDARY_SHARE:
            phase = "SECONDARY" if rng.random() < SECONDARY_SHARE[kind] else "PRIMARY"
            patterns = [p for p in NAME_PATTERNS[phase] if kind == "ACADEMY" or "Academy" not in p]
        else:
            patterns = NAME_PATTERNS[kind]
        while (name := rng.choice(patterns).format(p=rng.choice(PLACES[self.la]), s=rng.choice(SAINTS))) in self.names:
            pass
        self.names.add(name)
        return name

    def opened(self, kind: str) -> date:
        rng = self.rng
        if kind == "ACADEMY":  # converted on the first of a month, mostly April, September or January
            return date(rng.randint(2011, 2020), rng.choice([1, 4, 4, 9, 9, 9, 6, 11]), 1)
        if kind == "INDEPENDENT":
            return date(rng.randint(1948, 2016), 9, 1)
        if kind == "FE":
            return date(1993, 4, 1)  # incorporation of the FE colleges
        formed = FORMED.get(self.la, FORMED_UNITARY)
        return formed if rng.random() < 0.7 else date(rng.randint(formed.year + 1, 2019), 9, 1)

    def new(self, kind: str, opened: date | None = None, name: str | None = None) -> Setting:
        opened = opened or self.opened(kind)
        return Setting(self.la, self.urn(kind, opened), name or self.name(kind), kind, opened)

    def settings(self) -> list[Setting]:
        rng = self.rng
        base = [self.new(kind) for kind, count in SETTING_MIX[self.la].items() for _ in range(count)]
        maintained = [i for i, s in enumerate(base) if s.type == "MAINTAINED"]
        converting = rng.sample(maintained, 4)
        closing = rng.choice([i for i in maintained if i not in converting])
        independent = rng.choice([i for i, s in enumerate(base) if s.type == "INDEPENDENT"])
        extra = [replace(self.new("MAINTAINED"), close=date(2020, 8, 31))]  # amalgamated before the years
        first, *later = converting
        # Converted on 1 September 2021: the academy is among the settings open that day, its predecessor is not.
        academy = self.new("ACADEMY", date(2021, 9, 1), base[first].name)
        extra.append(replace(base[first], close=date(2021, 8, 31)))
        base[first] = academy
        for i, day in zip(later, (date(2022, 4, 1), date(2022, 9, 1), date(2023, 9, 1)), strict=True):
            base[i] = replace(base[i], close=day - DAY)
            extra.append(self.new("ACADEMY", day, base[i].name))
        base[closing] = replace(base[closing], close=date(2022, 7, 22))
        base[independent] = replace(base[independent], close=date(2023, 12, 22))
        extra += [self.new("ALTERNATIVE_PROVISION", date(2022, 1, 4))]
        extra += [self.new("ACADEMY", date(2022, 9, 1)), self.new("ACADEMY", date(2023, 9, 1))]
        return base + extra


@functools.cache
def settings_register() -> tuple[Setting, ...]:
    """Every authority's settings, by authority and URN."""
    used: set[int] = set()
    settings = [s for la in AUTHORITIES for s in _Register(la, used).settings()]
    for la, mix in SETTING_MIX.items():
        if sum(s.la == la and s.expected(2021) for s in settings) != sum(mix.values()):
            raise RuntimeError(f"{la}: the settings open on 1 September 2021 are not SETTING_MIX's")
    return tuple(sorted(settings, key=lambda s: (s.la, s.urn)))


def settings_register_csv() -> bytes:
    rows = [
        [s.la, s.urn, s.name, s.type, s.open.isoformat(), s.close.isoformat() if s.close else ""]
        for s in settings_register()
    ]
    return csv_bytes(["la_code", "urn", "setting_name", "setting_type", "open_date", "close_date"], rows)


def write_settings_register(path: Path = SETTINGS_SEED) -> Path:
    """Write the register (the dbt seed s175_settings.csv by default); return the file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(settings_register_csv())
    return path


# ---------------------------------------------------------------------------------------------------------
# Section 175 survey exports
# ---------------------------------------------------------------------------------------------------------

ITEMS = {BANES: (7, 4), BRISTOL: (8, 5), NORTH_SOMERSET: (6, 4), SOUTH_GLOS: (7, 5), SOMERSET: (9, 4)}
SURVEY_COLUMNS = ["Respondent ID", "IP Address", "Start time", "Collector"]
RETURN_COLUMNS = ["urn", "setting_name", "setting_type", "academic_year", "submitted_date"]
BANES_2021_RETURNED = 77
NA_SHARE, PERSISTS = 0.04, 0.35
FIRST_RATING = Weights({"Green": 88.3, "Amber": 9.4, "Red": 2.1, "": 0.2})  # items that apply, no rating before
AFTER_GREEN = Weights({"Green": 91.3, "Amber": 7.0, "Red": 1.5, "": 0.2})
IP_RANGES = ("192.0.2", "198.51.100", "203.0.113")


def item_refs(la: str) -> list[str]:
    sections, items = ITEMS[la]
    return [f"{s}.{i}" for s in range(1, sections + 1) for i in range(1, items + 1)]


def academic_year(year: int) -> str:
    return f"{year}-{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class Return:
    setting: Setting
    ratings: tuple[str, ...]  # drawn whether returned or not
    submitted: date | None = None
    started: datetime.datetime | None = None
    respondent: str = ""
    ip: str = ""
    collector: str = ""


def _weekday(rng: random.Random, first: date, last: date) -> date:
    days = [first + n * DAY for n in range((last - first).days + 1)]
    return rng.choice([d for d in days if d.weekday() < 5])


def _ratings(la: str, year: int, urn: str, before: Return | None) -> tuple[str, ...]:
    rng, na = _rng(la, "ratings", year, urn), _rng(la, "n/a", urn)
    ratings = []
    for i, _ in enumerate(item_refs(la)):
        previous = before.ratings[i] if before and before.submitted else None
        if na.random() < NA_SHARE:
            ratings.append("N/A")
        elif previous in ("Amber", "Red"):
            ratings.append(previous if rng.random() < PERSISTS else "Green")
        else:
            ratings.append((FIRST_RATING if previous is None else AFTER_GREEN).pick(rng))
    return tuple(ratings)


@functools.cache
def s175_returns(la: str, year: int) -> dict[str, Return]:
    """Every setting expected in the academic year starting in `year`, by URN, with its return (if any)."""
    before = s175_returns(la, year - 1) if year > ACADEMIC_YEARS[0] else {}
    expected = [s for s in settings_register() if s.la == la and s.expected(year)]
    returns = {s.urn: Return(s, _ratings(la, year, s.urn, before.get(s.urn))) for s in expected}
    rng, n = _rng(la, "s175 returns", year), len(expected)
    final = BANES_2021_RETURNED if (la, year) == (BANES, 2021) else round(n * rng.uniform(0.91, 0.99))
    by_december, by_march = round(n * rng.uniform(0.37, 0.43)), round(n * rng.uniform(0.77, 0.83))
    terms = [(date(year, 9, 20), date(year, 12, 17)), (date(year + 1, 1, 4), date(year + 1, 3, 31))]
    terms.append((date(year + 1, 4, 1), date(year + 1, 6, 30)))
    submitted = {}
    for k, setting in enumerate(rng.sample(expected, final)):
        day = _weekday(rng, *terms[(k >= by_december) + (k >= by_march)])
        if setting.close and setting.close <= day:
            day = _weekday(rng, terms[0][0], setting.close - 7 * DAY)
        submitted[setting.urn] = day
    starts = {}
    for urn, day in submitted.items():
        r = _rng(la, "respondent", year, urn)
        start = datetime.datetime.combine(max(day - r.randint(0, 6) * DAY, date(year, 9, 1)), datetime.time())
        start += datetime.timedelta(seconds=r.randint(8 * 3600, 18 * 3600))
        collector = "Email Invitation 1" if start.month in (2, 3, 4, 5, 6) and r.random() < 0.3 else "Web Link 1"
        ip = f"{r.choice(IP_RANGES)}.{r.randint(1, 254)}"
        starts[urn] = (start, ip, collector)
    respondent = 114_000_000_000 + 2_000_000_000 * (year - 2021) + rng.randint(0, 99_999_999)
    for urn in sorted(starts, key=lambda u: (starts[u][0], u)):  # ids rise with the start time
        respondent += rng.randint(40_000, 4_000_000)
        start, ip, collector = starts[urn]
        returns[urn] = replace(returns[urn], submitted=submitted[urn], started=start, respondent=str(respondent))
        returns[urn] = replace(returns[urn], ip=ip, collector=collector)
    return dict(sorted(returns.items()))


def _year_of(period_end: date) -> int:
    return period_end.year - (period_end.month < 9)


def s175_table(la: str, period_end: date) -> simulation.Table:
    """The snapshot's columns and rows: every expected setting, by URN, its return shown once submitted."""
    year = _year_of(period_end)
    items = item_refs(la)
    rows = []
    for urn, r in s175_returns(la, year).items():
        shown = r.submitted is not None and r.submitted <= period_end
        survey = [r.respondent, r.ip, f"{r.started:%Y-%m-%d %H:%M:%S}", r.collector] if shown else [""] * 4
        submitted = r.submitted.isoformat() if shown and r.submitted else ""
        ratings = list(r.ratings) if shown else [""] * len(items)
        rows.append([*survey, urn, r.setting.name, r.setting.type, academic_year(year), submitted, *ratings])
    return [*SURVEY_COLUMNS, *RETURN_COLUMNS, *items], rows


# ---------------------------------------------------------------------------------------------------------
# Agency KPI returns
# ---------------------------------------------------------------------------------------------------------

KPI_COLUMNS = ["agency", "indicator", "staff_in_scope", "staff_compliant"]
INDICATORS: list[str] = list(simulation.load_contract("agency_kpis")["indicators"])
# Bath and North East Somerset 2021-22: the published outcome of each indicator, in INDICATORS' order.
BANES_OUTCOMES = dict(zip(INDICATORS, (81, 88, 91, 89, 93, 90, 98, 91, 92, 93, 84, 94, 84, 86, 100, 96), strict=True))
# Staff in scope as a share of the agency's staff in the area (new starters only for three of them).
SCOPE_SHARE = dict(
    zip(
        INDICATORS, (0.35, 0.9, 0.5, 0.8, 0.03, 0.45, 0.4, 0.12, 0.12, 0.6, 0.2, 0.7, 0.2, 0.5, 0.85, 0.13), strict=True
    )
)
SIZE_TILT = (-6, -4, -3, 0, 0, 2, 4, 6)  # percentage points per standard deviation of log staff in scope
FIRE_SKIPS = {"Relevant staff have undertaken FGM awareness training", INDICATORS[5]}  # FGM, toxic trio


@dataclass(frozen=True)
class Agency:
    name: str  # "{council}": the authority's council, by year
    faces: str  # "adults", "children", "both" or "" (neither: the general indicators only)
    staff: int
    last_fy: int = 9999  # the last financial year (ending March) it reports

    def reports(self, indicator: str) -> bool:
        if indicator.startswith("(ADULT)"):
            return self.faces in ("adults", "both")
        if indicator.startswith("(CHILDREN)"):
            return self.faces in ("children", "both")
        return self.faces != "" or indicator not in FIRE_SKIPS


def _agencies(*rows: str) -> list[Agency]:
    """'name; faces; staff[; last_fy]' per agency."""
    parsed = [[part.strip() for part in row.split(";")] for row in rows]
    return [Agency(p[0], p[1], int(p[2]), *map(int, p[3:])) for p in parsed]


CONSTABULARY, AWP, FIRE = (
    "Avon and Somerset Constabulary",
    "Avon and Wiltshire Mental Health Partnership",
    "Avon Fire & Rescue Service",
)
UHBW = "University Hospitals Bristol and Weston NHS Foundation Trust"
AGENCIES: dict[str, list[Agency]] = {
    BANES: _agencies(
        "{council} - Children's Services; children; 420",
        "{council} - Adult Social Care; adults; 380",
        f"{CONSTABULARY}; both; 650",
        "Royal United Hospitals Bath; both; 4800",
        f"{AWP}; adults; 520",
        "HCRG Care Group; both; 700",
        f"{FIRE}; ; 160",
        "Probation Service; adults; 75",
        "BSW Integrated Care Board; both; 140",
    ),
    BRISTOL: _agencies(
        "{council} - Children's Services; children; 1400",
        "{council} - Adult Social Care; adults; 1100",
        f"{CONSTABULARY}; both; 2200",
        f"{UHBW}; both; 9000",
        "North Bristol NHS Trust; both; 8000",
        f"{AWP}; adults; 1500",
        "Sirona Care & Health; both; 1800",
        f"{FIRE}; ; 420",
        "Probation Service; adults; 260",
        "BNSSG Integrated Care Board; both; 380",
    ),
    NORTH_SOMERSET: _agencies(
        "{council} - Children's Services; children; 380",
        "{council} - Adult Social Care; adults; 360",
        f"{CONSTABULARY}; both; 700",
        f"{UHBW}; both; 1600",
        f"{AWP}; adults; 420",
        "Sirona Care & Health; both; 650",
        f"{FIRE}; ; 150",
        "BNSSG Integrated Care Board; both; 120",
    ),
    SOUTH_GLOS: _agencies(
        "{council} - Children's Services; children; 520",
        "{council} - Adult Social Care; adults; 480",
        f"{CONSTABULARY}; both; 900",
        "North Bristol NHS Trust; both; 2600",
        f"{AWP}; adults; 450",
        "Sirona Care & Health; both; 750",
        f"{FIRE}; ; 210",
        "Probation Service; adults; 110",
    ),
    SOMERSET: _agencies(
        "{council} - Children's Services; children; 1300",
        "{council} - Adult Social Care; adults; 1250",
        f"{CONSTABULARY}; both; 1900",
        "Somerset NHS Foundation Trust; both; 6000",
        "Yeovil District Hospital NHS Foundation Trust; both; 2400; 2023",  # merged into Somerset FT April 2023
        "Devon and Somerset Fire and Rescue Service; ; 600",
        "Probation Service; adults; 300",
        "NHS Somerset Integrated Care Board; both; 250",
    ),
}
COUNCILS = {
    BANES: "Bath and North East Somerset Council",
    BRISTOL: "Bristol City Council",
    NORTH_SOMERSET: "North Somerset Council",
    SOUTH_GLOS: "South Gloucestershire Council",
    SOMERSET: "Somerset Council",
}


def _council(la: str, fy: int) -> str:
    return "Somerset County Council" if la == SOMERSET and fy <= 2023 else COUNCILS[la]


def _percent_mean(scopes: list[int], compliant: list[int]) -> Fraction:
    return sum((Fraction(100 * c, s) for s, c in zip(scopes, compliant, strict=True)), Fraction()) / len(scopes)


def _steer(rng: random.Random, scopes: list[int], compliant: list[int], target: int) -> None:
    """Move single staff in or out of compliance (within 70-100%) until the unweighted mean is within 0.4 of
    target, each step moving it by at most 0.4 so it cannot jump past."""
    n = len(scopes)
    while abs((mean := _percent_mean(scopes, compliant)) - target) > Fraction(2, 5):
        up = mean < target
        movable = [
            i for i in range(n) if (compliant[i] < scopes[i] if up else 100 * (compliant[i] - 1) >= 70 * scopes[i])
        ]
        small = [i for i in movable if Fraction(100, n * scopes[i]) <= Fraction(2, 5)]
        i = rng.choice(small) if small else max(movable, key=lambda j: scopes[j])
        compliant[i] += 1 if up else -1


@functools.cache
def kpi_rows(la: str, fy: int) -> tuple[tuple[str, str, int, int], ...]:
    """The agencies' returns for the financial year ending in March of `fy`: agency, indicator, in scope, compliant."""
    rng = _rng(la, "kpis", fy)
    agencies = [a for a in AGENCIES[la] if fy <= a.last_fy]
    by_indicator: dict[str, list[tuple[Agency, int, int]]] = {}
    for indicator in INDICATORS:
        reporting = [a for a in agencies if a.reports(indicator)]
        scopes = [
            min(3000, max(5, round(a.staff * SCOPE_SHARE[indicator] * rng.uniform(0.85, 1.15)))) for a in reporting
        ]
        target = BANES_OUTCOMES[indicator] if (la, fy) == (BANES, 2022) else None
        drawn = rng.uniform(94, 99.5) if indicator in INDICATORS[-2:] else rng.uniform(80, 96)  # DBS, references
        centre = drawn if target is None else target
        logs = [math.log(s) for s in scopes]
        spread = (sum((x - sum(logs) / len(logs)) ** 2 for x in logs) / len(logs)) ** 0.5 or 1
        tilt = rng.choice(SIZE_TILT)
        percents = [centre + tilt * (x - sum(logs) / len(logs)) / spread + rng.gauss(0, 4) for x in logs]
        compliant = [max(round(s * min(100, p) / 100), -(-7 * s // 10)) for s, p in zip(scopes, percents, strict=True)]
        if target == 100:
            compliant = list(scopes)
        elif target is not None:
            _steer(rng, scopes, compliant, target)
        by_indicator[indicator] = list(zip(reporting, scopes, compliant, strict=True))
    return tuple(
        (agency.name.format(council=_council(la, fy)), indicator, scope, ok)
        for agency in agencies
        for indicator, reports in by_indicator.items()
        for reporter, scope, ok in reports
        if reporter is agency
    )


# ---------------------------------------------------------------------------------------------------------
# Broken files for tests: each injection changes only what it names
# ---------------------------------------------------------------------------------------------------------

S175_INJECTIONS: dict[str, str] = {
    "extra_survey_column": 'an extra survey-tool column "Email Address" (example.org addresses) after Collector',
    "unknown_urn": "one returned row's urn is a 6-digit URN not in the settings register",
    "bad_rating": 'one returned row\'s first Green item is "Yellow"',
    "duplicate_urn": "one returned row is repeated (right after itself)",
    "wrong_academic_year": "one returned row's academic_year is 2020-21",
    "missing_column": "the setting_type column is left out",
}
KPI_INJECTIONS: dict[str, str] = {
    "unknown_indicator": "one row's indicator is the Prevent awareness text with a full stop added",
    "compliant_exceeds_scope": "one row's staff_compliant is 3 more than its staff_in_scope",
    "duplicate_row": "one row is repeated (right after itself)",
    "negative_count": "one row's staff_compliant is -3",
}
UNKNOWN_URN = "159999"
EMAILS = ("head@example.org", "office@example.org", "dsl@example.org", "admin@example.org")

Edit = Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]]]


def _returned(columns: list[str], rows: list[list[str]]) -> int:
    """The index of the first returned row."""
    return next(i for i, row in enumerate(rows) if row[columns.index("submitted_date")])


def _set(column: str, value: Callable[[str], str], row: Callable[[list[str], list[list[str]]], int]) -> Edit:
    def edit(columns: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        i, j = row(columns, rows), columns.index(column)
        rows[i][j] = value(rows[i][j])
        return columns, rows

    return edit


def _repeat(row: Callable[[list[str], list[list[str]]], int]) -> Edit:
    def edit(columns: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
        i = row(columns, rows)
        return columns, [*rows[: i + 1], list(rows[i]), *rows[i + 1 :]]

    return edit


def _extra_survey_column(columns: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    at, submitted = columns.index("Collector") + 1, columns.index("submitted_date")
    emails = [EMAILS[n % len(EMAILS)] if row[submitted] else "" for n, row in enumerate(rows)]
    return [*columns[:at], "Email Address", *columns[at:]], [
        [*r[:at], e, *r[at:]] for r, e in zip(rows, emails, strict=True)
    ]


def _bad_rating(columns: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    row = rows[_returned(columns, rows)]
    row[row.index("Green", len(SURVEY_COLUMNS) + len(RETURN_COLUMNS))] = "Yellow"
    return columns, rows


def _without_setting_type(columns: list[str], rows: list[list[str]]) -> tuple[list[str], list[list[str]]]:
    drop = columns.index("setting_type")
    return columns[:drop] + columns[drop + 1 :], [r[:drop] + r[drop + 1 :] for r in rows]


def _prevent_awareness(columns: list[str], rows: list[list[str]]) -> int:
    return next(i for i, r in enumerate(rows) if r[1] == "Relevant staff have undertaken Prevent awareness training")


S175_INJECTORS: dict[str, Edit] = {
    "extra_survey_column": _extra_survey_column,
    "unknown_urn": _set("urn", lambda _: UNKNOWN_URN, _returned),
    "bad_rating": _bad_rating,
    "duplicate_urn": _repeat(_returned),
    "wrong_academic_year": _set("academic_year", lambda _: "2020-21", _returned),
    "missing_column": _without_setting_type,
}
KPI_INJECTORS: dict[str, Edit] = {
    "unknown_indicator": _set("indicator", lambda text: text + ".", _prevent_awareness),
    "compliant_exceeds_scope": lambda c, r: _set("staff_compliant", lambda _: str(int(r[0][2]) + 3), lambda *_: 0)(
        c, r
    ),
    "duplicate_row": _repeat(lambda *_: 1),
    "negative_count": _set("staff_compliant", lambda _: "-3", lambda *_: 2),
}
simulation.check_injectors(S175_INJECTIONS, S175_INJECTORS)
simulation.check_injectors(KPI_INJECTIONS, KPI_INJECTORS)


# ---------------------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------------------


def _check(la_code: str, period_end: date, inject: str | None, periods: list[date], injections: dict) -> None:
    if la_code not in AUTHORITIES:
        raise ValueError(f"no sample history for {la_code!r}")
    if period_end not in periods:
        raise ValueError(f"no file for period end {period_end}; one of {', '.join(map(str, periods))}")
    if inject is not None and inject not in injections:
        raise ValueError(f"unknown injection {inject!r}; one of {', '.join(injections)}")


def _csv(columns: list[str], rows: list[list[str]], inject: str | None, injectors: dict[str, Edit]) -> bytes:
    if inject is not None:
        columns, rows = injectors[inject](list(columns), [list(row) for row in rows])
    return csv_bytes(columns, rows)


def build_s175(la_code: str, period_end: date, inject: str | None = None) -> bytes:
    """The authority's survey export at the quarter end; inject names one S175_INJECTIONS error, None for clean."""
    _check(la_code, period_end, inject, S175_PERIODS, S175_INJECTIONS)
    return _csv(*s175_table(la_code, period_end), inject, S175_INJECTORS)


def build_kpis(la_code: str, period_end: date, inject: str | None = None) -> bytes:
    """The authority's agency KPI returns for the year ending period_end; inject names one KPI_INJECTIONS error."""
    _check(la_code, period_end, inject, KPI_PERIODS, KPI_INJECTIONS)
    rows = [
        [agency, indicator, str(scope), str(ok)] for agency, indicator, scope, ok in kpi_rows(la_code, period_end.year)
    ]
    return _csv(KPI_COLUMNS, rows, inject, KPI_INJECTORS)


def _write(data: bytes, path: Path, name: str) -> Path:
    path = Path(path)
    if path.is_dir():
        path = path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def write_s175(la_code: str, period_end: date, path: Path, inject: str | None = None) -> Path:
    """Write the survey export to path (a folder: under its file name); return the file."""
    return _write(build_s175(la_code, period_end, inject), path, s175_file_name(la_code, period_end))


def write_kpis(la_code: str, period_end: date, path: Path, inject: str | None = None) -> Path:
    """Write the KPI returns to path (a folder: under its file name); return the file."""
    return _write(build_kpis(la_code, period_end, inject), path, kpi_file_name(la_code, period_end))


def write_samples(out_dir: Path) -> list[Path]:
    """Write every authority's files into out_dir/s175/ and out_dir/agency_kpis/; return the paths."""
    s175, kpis = Path(out_dir) / "s175", Path(out_dir) / "agency_kpis"
    written = [write_s175(la, p, s175 / s175_file_name(la, p)) for la in AUTHORITIES for p in S175_PERIODS]
    return written + [write_kpis(la, p, kpis / kpi_file_name(la, p)) for la in AUTHORITIES for p in KPI_PERIODS]
