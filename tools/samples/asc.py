"""Sample adult social care extracts (Care Act section 42 safeguarding): one simulated history per authority,
cut at each quarter end.

Format: sources/asc.yaml and the shared spec asc.md.

The simulation. Each authority's safeguarding history runs from 1 April 2020 to 31 March 2024, so that the
first extracts (2021-06) already hold enquiries opened in the year before and still open on 1 April. It is
built in segments, normally one per financial year. A segment has targets: concerns by outcome (S42 enquiry,
other enquiry, S42(1) alternative actions, not meeting the Care Act), distinct adults overall and per outcome,
concerns in care homes per outcome and concerns about adults placed out of area. Its adults are drawn partly
from those already known (returning) and partly new; every adult is given one outcome's membership first,
then the memberships left over go to adults not yet holding them, so each count comes out exactly. Each adult
has a fixed sex, ethnicity, primary support reason and birth date; concerns arrive through the months with a
mild seasonality and are mostly decided within 4 days (a minority in 5-20). Every S42_ENQUIRY concern gets one
S42 enquiry and every OTHER_ENQUIRY concern one other enquiry, starting 0-5 days after the decision and lasting
7-240 days, so some are open at a quarter end and some run across 1 April. What is known when an enquiry
opens (Making Safeguarding Personal asked, capacity, advocate) is drawn with it; its conclusion (risk
identified and result, outcomes achieved) is shown only once it has ended.

An extract is that history cut at its quarter end P, with S the 1 April before it: every concern received in
[S, P] and decided by P, every enquiry started by P that started on or after S or was still open on S (with
its concern, which may be older), and nothing dated after P: an end after P is blank, and so is a conclusion.

What is steered. In all but one segment the targets are drawn from the rates below, around each authority's
annual volume (drifting up to 5% a year). Bath and North East Somerset's April-December 2021 is its own
segment whose targets are the figures the partnership published for the 2021-12 extract; its concerns are all
decided within 4 days and by 31 December, and its enquiries all start by then, while the enquiries of its
2020-21 concerns all start by 31 March 2021, so enquiries started in the window match the window's outcomes.
After the enquiries are drawn, the S42 enquiries it concluded in the window are relabelled (as few as
possible) so that outcomes achieved and risks reduced or removed give the published percentages.

Somerset (E06000066) was Somerset County Council (E10000027) until 31 March 2023: one history, whose files
for earlier quarters carry the old code in their name.

Every draw comes from random.Random generators seeded by name (never hash() or set order), so every run
writes the same bytes. The history is simulated once per process and per authority (functools.cache).
"""

import datetime
import functools
import itertools
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from dagster_project.lib.periods import financial_year_start
from tools.samples import simulation
from tools.samples.simulation import DAY, QUARTERS, Table, TableEdit, Weights, month_end

date = datetime.date
T = TypeVar("T")

SOURCE, SEED = "asc", "asc/1"
DATE_FORMAT = "%Y-%m-%d"  # as the extracts write dates (date.isoformat)

AUTHORITIES: tuple[str, ...] = ("E06000022", "E06000023", "E06000024", "E06000025", "E06000066")
BANES, BRISTOL, SOMERSET = "E06000022", "E06000023", "E06000066"

SIM_START, SIM_END = date(2020, 4, 1), date(2024, 3, 31)
FIRST_FY, LAST_FY = 2021, 2024  # financial years simulated (year ending 31 March)

# Concerns a year (financial year 2021-22); each authority's volume drifts by up to 5% a year from it.
ANNUAL_CONCERNS: dict[str, int] = {
    "E06000022": 1_360,
    "E06000023": 4_200,
    "E06000024": 2_300,
    "E06000025": 2_700,
    "E06000066": 6_500,
}
SEASON = (1.00, 1.02, 0.98, 1.04, 0.97, 1.00, 1.05, 1.03, 0.90, 1.02, 0.97, 1.02)  # April .. March


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# ---------------------------------------------------------------------------------------------------------
# Rates
# ---------------------------------------------------------------------------------------------------------

S42, OTHER, ACTIONS, NOT_CARE_ACT = "S42_ENQUIRY", "OTHER_ENQUIRY", "S42_1_ACTIONS", "NOT_CARE_ACT"
ENQUIRY_TYPE = {S42: "S42", OTHER: "OTHER"}
OUTCOMES = Weights({S42: 25, OTHER: 3, ACTIONS: 45, NOT_CARE_ACT: 27})
CONCERNS_PER_ADULT = {S42: (1.015, 1.035), OTHER: (1.0, 1.08), ACTIONS: (1.17, 1.24), NOT_CARE_ACT: (1.1, 1.18)}
CONCERNS_PER_ADULT_ALL = (1.32, 1.38)
CARE_HOME_SHARE = {S42: 0.56, OTHER: 0.45, ACTIONS: 0.52, NOT_CARE_ACT: 0.34}
OUT_OF_AREA_SHARE = 0.025
RETURNING_SHARE = 0.22  # of a year's adults, known from an earlier year

SEX = Weights({"F": 59, "M": 40.5, "U": 0.5})
ETHNICITY = Weights(
    {"WHITE": 90, "MIXED": 1.3, "ASIAN": 1.4, "BLACK": 0.9, "OTHER": 0.7, "REFUSED": 1.2, "UNDECLARED": 4.5}
)
ETHNICITY_BRISTOL = Weights(
    {"WHITE": 77, "MIXED": 3.5, "ASIAN": 4.5, "BLACK": 6.5, "OTHER": 2, "REFUSED": 1.5, "UNDECLARED": 5}
)
# Age bands (first, last) when an adult is first known: with returning adults, about 60-65% aged 65 or over.
AGE_BANDS = {(18, 24): 4, (25, 34): 6, (35, 44): 7, (45, 54): 9, (55, 64): 13, (65, 74): 14, (75, 84): 21}
AGE_BANDS |= {(85, 94): 21, (95, 100): 4}
AGE_BAND = Weights({f"{lo}-{hi}": w for (lo, hi), w in AGE_BANDS.items()})
SUPPORT_OLDER = Weights(
    {"PHYSICAL": 46, "MEMORY_COGNITION": 24, "SENSORY": 3, "MENTAL_HEALTH": 6, "SOCIAL_SUPPORT": 6, "NONE": 8}
    | {"LEARNING_DISABILITY": 1, "NOT_KNOWN": 6}
)
SUPPORT_YOUNGER = Weights(
    {"PHYSICAL": 20, "LEARNING_DISABILITY": 22, "MENTAL_HEALTH": 25, "SOCIAL_SUPPORT": 8, "SENSORY": 2, "NONE": 12}
    | {"MEMORY_COGNITION": 2, "NOT_KNOWN": 9}
)
SOURCE_CARE_HOME = Weights(
    {"CARE_HOME": 55, "HEALTH": 15, "SOCIAL_CARE": 12, "FAMILY": 8, "POLICE": 3, "OTHER": 4, "HOME_CARE": 1}
    | {"SELF": 1, "HOUSING": 1}
)
SOURCE_COMMUNITY = Weights(
    {"HEALTH": 24, "POLICE": 18, "FAMILY": 15, "SOCIAL_CARE": 14, "HOME_CARE": 10, "SELF": 5, "HOUSING": 6}
    | {"OTHER": 8}
)
QUICK_DECISION_DAYS = Weights({"0": 30, "1": 25, "2": 18, "3": 15, "4": 12})
SLOW_DECISION_SHARE = 0.11  # decided in 5-20 days
START_DAYS = Weights({"0": 35, "1": 25, "2": 15, "3": 12, "4": 8, "5": 5})

LOCATION_CARE_HOME = Weights({"CARE_HOME_NURSING": 45, "CARE_HOME_RESIDENTIAL": 48, "HOSPITAL_ACUTE": 4, "OTHER": 3})
LOCATION_COMMUNITY = Weights(
    {"OWN_HOME": 68, "COMMUNITY": 8, "COMMUNITY_SERVICE": 6, "HOSPITAL_ACUTE": 6, "HOSPITAL_MENTAL_HEALTH": 3}
    | {"HOSPITAL_COMMUNITY": 2, "CARE_HOME_RESIDENTIAL": 2, "OTHER": 5}
)
RISK_SOURCE_CARE_HOME = Weights({"SERVICE_PROVIDER": 70, "OTHER_KNOWN": 25, "OTHER_UNKNOWN": 5})
RISK_SOURCE_COMMUNITY = Weights({"SERVICE_PROVIDER": 25, "OTHER_KNOWN": 65, "OTHER_UNKNOWN": 10})
RISK_TYPES = {"NEGLECT": 32, "PHYSICAL": 14, "FINANCIAL": 13, "PSYCHOLOGICAL": 12, "SELF_NEGLECT": 8, "SEXUAL": 4}
RISK_TYPES |= {
    "ORGANISATIONAL": 7,
    "DOMESTIC_ABUSE": 7,
    "DISCRIMINATORY": 1,
    "SEXUAL_EXPLOITATION": 1,
    "MODERN_SLAVERY": 1,
}
RISK_TYPE_COUNT = Weights({"1": 60, "2": 30, "3": 10})
RISK_IDENTIFIED = Weights({"YES": 75, "INCONCLUSIVE": 10, "NO": 8, "CEASED_AT_REQUEST": 7})
RISK_RESULT = Weights({"REDUCED": 58, "REMOVED": 13, "REMAINED": 29})
MSP_ASKED = Weights(
    {"ASKED_EXPRESSED": 68, "ASKED_NOT_EXPRESSED": 12, "NOT_ASKED": 11, "DONT_KNOW": 3, "NOT_RECORDED": 6}
)
MSP_ACHIEVED = Weights({"FULLY": 58, "PARTIALLY": 36, "NOT": 6})
LACKED_CAPACITY = Weights({"YES": 25, "NO": 60, "DONT_KNOW": 8, "NOT_RECORDED": 7})
ADVOCATE_SHARE = 0.6


load_contract = functools.partial(simulation.load_contract, SOURCE)
_rng = functools.partial(simulation.seeded_rng, SEED)  # _rng(*parts): a generator per purpose


def _percent(part: int, whole: int) -> int:
    """100 * part / whole rounded half up, exactly."""
    return (200 * part + whole) // (2 * whole)


def _binomial(rng: random.Random, n: int, p: float) -> int:
    return sum(rng.random() < p for _ in range(n))


# ---------------------------------------------------------------------------------------------------------
# Published figures: Bath and North East Somerset's extract for 2021-12 (window 2021-04-01 .. 2021-12-31)
# ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentTargets:
    """What one stretch of a history must hold exactly."""

    concerns: dict[str, int]  # outcome -> concerns
    adults: dict[str, int]  # outcome -> distinct adults with a concern of that outcome
    all_adults: int  # distinct adults with any concern
    care_home: dict[str, int]  # outcome -> concerns in a care home
    out_of_area: int


BANES_PERIOD = date(2021, 12, 31)
BANES_WINDOW = (date(2021, 4, 1), BANES_PERIOD)
# Adults with an other enquiry or a not-Care-Act concern are not published: these are the simulation's.
BANES_PUBLISHED = SegmentTargets(
    concerns={S42: 253, OTHER: 28, ACTIONS: 469, NOT_CARE_ACT: 271},
    adults={S42: 247, OTHER: 27, ACTIONS: 386, NOT_CARE_ACT: 236},
    all_adults=756,
    care_home={S42: 140, OTHER: 12, ACTIONS: 248, NOT_CARE_ACT: 91},  # 400 leading to action, 491 in all
    out_of_area=24,
)
BANES_MSP_ACHIEVED = {"FULLY": 54, "PARTIALLY": 44, "NOT": 2}  # % of concluded S42 enquiries asked, expressed
BANES_RISK_REDUCED_OR_REMOVED = 71  # % of concluded S42 enquiries with a risk identified

# Concerns received in [first, last] that lead to an enquiry are decided, and the enquiry started, by `last`.
ENQUIRY_STARTED_BY: dict[str, list[tuple[date, date]]] = {
    BANES: [(date(2020, 4, 1), date(2021, 3, 31)), BANES_WINDOW],
}


# ---------------------------------------------------------------------------------------------------------
# The history
# ---------------------------------------------------------------------------------------------------------


@dataclass
class Adult:
    number: int
    person_id: str
    sex: str
    ethnicity: str
    support_reason: str
    birth: date


@dataclass
class Enquiry:
    concern: "Concern"
    start: date
    end: date | None  # None: still open on SIM_END
    location: str
    source_of_risk: str
    risk_types: list[str]
    risk_identified: str
    risk_result: str
    msp_asked: str
    msp_achieved: str
    lacked_capacity: str
    advocate: str
    enquiry_id: str = ""

    @property
    def type(self) -> str:
        return ENQUIRY_TYPE[self.concern.outcome]


@dataclass
class Concern:
    adult: Adult
    received: date
    decision: date
    source: str
    outcome: str
    care_home: bool
    out_of_area: bool
    concern_id: str = ""
    number: int = 0
    enquiry: Enquiry | None = None


@dataclass
class History:
    adults: list[Adult] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)  # in concern_id order (by receipt)
    enquiries: list[Enquiry] = field(default_factory=list)  # in enquiry_id order (by start)


@dataclass(frozen=True)
class Segment:
    first: date
    last: date
    targets: SegmentTargets | None  # None: drawn from the rates around `volume`
    volume: int = 0
    quick_decisions: bool = False  # every concern decided within 4 days and by `last`


def _segments(la: str) -> list[Segment]:
    """One segment per financial year; Bath and North East Somerset's 2021-22 split at the published window."""
    rng = _rng(la, "volumes")
    steps = [1 + rng.uniform(-0.05, 0.05) for _ in range(FIRST_FY, LAST_FY)]
    drift = [1 / steps[0], 1.0, steps[1], steps[1] * steps[2]]  # 2020-21 .. 2023-24, relative to 2021-22
    segments = []
    for fy in range(FIRST_FY, LAST_FY + 1):
        volume = round(ANNUAL_CONCERNS[la] * drift[fy - FIRST_FY])
        first, last = date(fy - 1, 4, 1), date(fy, 3, 31)
        if la == BANES and fy == 2022:
            winter = round(volume * sum(SEASON[9:]) / sum(SEASON))
            segments.append(Segment(*BANES_WINDOW, BANES_PUBLISHED, quick_decisions=True))
            segments.append(Segment(date(fy, 1, 1), last, None, winter))
        else:
            segments.append(Segment(first, last, None, volume))
    return segments


def _drawn_targets(rng: random.Random, volume: int) -> SegmentTargets:
    concerns = dict.fromkeys(OUTCOMES.codes, 0)
    for _ in range(volume):
        concerns[OUTCOMES.pick(rng)] += 1
    adults = {
        o: min(n, max(1, round(n / rng.uniform(*CONCERNS_PER_ADULT[o])))) if n else 0 for o, n in concerns.items()
    }
    all_adults = round(volume / rng.uniform(*CONCERNS_PER_ADULT_ALL))
    all_adults = min(max(all_adults, max(adults.values())), sum(adults.values()))
    care_home = {o: _binomial(rng, n, CARE_HOME_SHARE[o]) for o, n in concerns.items()}
    return SegmentTargets(concerns, adults, all_adults, care_home, _binomial(rng, volume, OUT_OF_AREA_SHARE))


class _Simulation:
    """One authority's history, segment by segment."""

    def __init__(self, la: str):
        self.la = la
        self.index = AUTHORITIES.index(la)
        self.history = History()
        self.next_person = 1_000_000 + 1_500_000 * self.index
        self.ethnicity = ETHNICITY_BRISTOL if la == BRISTOL else ETHNICITY

    def run(self) -> History:
        for number, segment in enumerate(_segments(self.la)):
            self.segment(segment, _rng(self.la, "segment", number))
        self.number_concerns()
        for concern in self.history.concerns:
            if concern.outcome in ENQUIRY_TYPE:
                concern.enquiry = self.enquiry(concern, _rng(self.la, "enquiry", concern.concern_id))
        self.number_enquiries()
        if self.la == BANES:
            _steer_conclusions(self.history, _rng(self.la, "steer"))
        return self.history

    def new_adult(self, rng: random.Random, first: date) -> Adult:
        lo, hi = map(int, AGE_BAND.pick(rng).split("-"))
        age = rng.randint(lo, hi)
        birth = date(first.year - age, first.month, first.day) - rng.randint(1, 364) * DAY
        support = (SUPPORT_OLDER if age >= 65 else SUPPORT_YOUNGER).pick(rng)
        self.next_person += rng.randint(1, 9)
        adult = Adult(
            len(self.history.adults),
            f"AP{self.next_person:07d}",
            SEX.pick(rng),
            self.ethnicity.pick(rng),
            support,
            birth,
        )
        self.history.adults.append(adult)
        return adult

    def segment(self, segment: Segment, rng: random.Random) -> None:
        targets = segment.targets or _drawn_targets(rng, segment.volume)
        known = list(self.history.adults)
        returning = rng.sample(known, min(len(known), round(targets.all_adults * RETURNING_SHARE)))
        adults = returning + [self.new_adult(rng, segment.first) for _ in range(targets.all_adults - len(returning))]
        rng.shuffle(adults)
        members = _memberships(rng, len(adults), targets.adults)
        concerns: list[Concern] = []
        for outcome, count in targets.concerns.items():
            holders = members[outcome]
            owners = holders + [rng.choice(holders) for _ in range(count - len(holders))]
            concerns += [self.concern(rng, segment, adults[i], outcome) for i in owners]
        for outcome, count in targets.care_home.items():
            for concern in rng.sample([c for c in concerns if c.outcome == outcome], count):
                concern.care_home = True
        for concern in rng.sample(concerns, targets.out_of_area):
            concern.out_of_area = True
        for concern in concerns:
            concern.source = (SOURCE_CARE_HOME if concern.care_home else SOURCE_COMMUNITY).pick(rng)
        self.history.concerns += concerns

    def concern(self, rng: random.Random, segment: Segment, adult: Adult, outcome: str) -> Concern:
        received = _received(rng, segment.first, segment.last)
        if segment.quick_decisions or rng.random() >= SLOW_DECISION_SHARE:
            days = int(QUICK_DECISION_DAYS.pick(rng))
        else:
            days = min(rng.randint(5, 20), rng.randint(5, 20))
        decision = received + days * DAY
        if segment.quick_decisions:
            decision = min(decision, segment.last)
        if outcome in ENQUIRY_TYPE:
            decision = min(decision, self.started_by(received))
        return Concern(adult, received, decision, "", outcome, False, False)

    def started_by(self, received: date) -> date:
        """The last day an enquiry from a concern received on `received` may start (steered stretches only)."""
        for first, last in ENQUIRY_STARTED_BY.get(self.la, []):
            if first <= received <= last:
                return last
        return datetime.date.max

    def enquiry(self, concern: Concern, rng: random.Random) -> Enquiry:
        start = min(concern.decision + int(START_DAYS.pick(rng)) * DAY, self.started_by(concern.received))
        end = start + min(240, 7 + round(rng.gammavariate(1.4, 45))) * DAY
        care_home = concern.care_home
        risk = RISK_IDENTIFIED.pick(rng)
        msp = MSP_ASKED.pick(rng)
        capacity = LACKED_CAPACITY.pick(rng)
        count = int(RISK_TYPE_COUNT.pick(rng))
        chosen: list[str] = []
        while len(chosen) < count:
            code = Weights({c: w for c, w in RISK_TYPES.items() if c not in chosen}).pick(rng)
            chosen.append(code)
        return Enquiry(
            concern=concern,
            start=start,
            end=end if end <= SIM_END else None,
            location=(LOCATION_CARE_HOME if care_home else LOCATION_COMMUNITY).pick(rng),
            source_of_risk=(RISK_SOURCE_CARE_HOME if care_home else RISK_SOURCE_COMMUNITY).pick(rng),
            risk_types=[c for c in load_contract()["codes"]["risk_type"] if c in chosen],
            risk_identified=risk,
            risk_result=RISK_RESULT.pick(rng) if risk == "YES" else "",
            msp_asked=msp,
            msp_achieved=MSP_ACHIEVED.pick(rng) if msp == "ASKED_EXPRESSED" else "",
            lacked_capacity=capacity,
            advocate=("Y" if rng.random() < ADVOCATE_SHARE else "N") if capacity == "YES" else "",
        )

    def number_concerns(self) -> None:
        concerns = self.history.concerns
        concerns.sort(key=lambda c: (c.received, c.decision, c.adult.number))
        rng, number = _rng(self.la, "concern ids"), 10_000_000 * (self.index + 1)
        for position, concern in enumerate(concerns):
            number += rng.randint(1, 4)
            concern.concern_id, concern.number = f"SC{number:08d}", position

    def number_enquiries(self) -> None:
        enquiries = sorted(
            (c.enquiry for c in self.history.concerns if c.enquiry), key=lambda e: (e.start, e.concern.number)
        )
        rng, number = _rng(self.la, "enquiry ids"), 10_000_000 * (self.index + 1) + 5_000_000
        for enquiry in enquiries:
            number += rng.randint(1, 3)
            enquiry.enquiry_id = f"SE{number:08d}"
        self.history.enquiries = enquiries


def _memberships(rng: random.Random, adults: int, sizes: dict[str, int]) -> dict[str, list[int]]:
    """For each outcome, `sizes[outcome]` distinct adults out of `adults`, every adult in at least one.

    Each adult takes one membership first (shuffled), then the memberships left over go to adults who do
    not hold that outcome yet.
    """
    if not max(sizes.values()) <= adults <= sum(sizes.values()):
        raise ValueError(f"{adults} adults cannot hold memberships {sizes}")
    slots = [outcome for outcome, size in sizes.items() for _ in range(size)]
    rng.shuffle(slots)
    members: dict[str, list[int]] = {outcome: [] for outcome in sizes}
    for adult, outcome in enumerate(slots[:adults]):
        members[outcome].append(adult)
    for outcome, size in sizes.items():
        held = set(members[outcome])
        others = [a for a in range(adults) if a not in held]
        members[outcome] += rng.sample(others, size - len(held))
    return members


def _received(rng: random.Random, first: date, last: date) -> date:
    """A day in [first, last], months weighted by the season and their length."""
    months, weights, day = [], [], first.replace(day=1)
    while day <= last:
        end = month_end(day.year, day.month)
        lo, hi = max(day, first), min(end, last)
        months.append((lo, hi))
        weights.append(SEASON[(day.month - 4) % 12] * ((hi - lo).days + 1))
        day = end + DAY
    lo, hi = rng.choices(months, weights)[0]
    return lo + rng.randint(0, (hi - lo).days) * DAY


# ---------------------------------------------------------------------------------------------------------
# Steering Bath and North East Somerset's concluded enquiries to the published percentages
# ---------------------------------------------------------------------------------------------------------


def _counts_for_shares(total: int, shares: dict[str, int], current: dict[str, int]) -> dict[str, int] | None:
    """Counts summing to total whose percentages round half up to shares, closest to current; None if none."""
    candidates = [[n for n in range(total + 1) if _percent(n, total) == share] for share in shares.values()]
    best: tuple[int, tuple[int, ...]] | None = None
    for counts in itertools.product(*candidates):
        if sum(counts) == total:
            cost = sum(abs(n - current.get(code, 0)) for code, n in zip(shares, counts, strict=True))
            best = min(best, (cost, counts)) if best else (cost, counts)
    return dict(zip(shares, best[1], strict=True)) if best else None


def _relabel(
    rng: random.Random,
    items: Sequence[T],
    get: Callable[[T], str],
    put: Callable[[T, str], None],
    counts: dict[str, int],
) -> None:
    """Give as few items as possible a new value so that each value has its count."""
    spare: list[T] = []
    holding = {value: [item for item in items if get(item) == value] for value in counts}
    for value, count in counts.items():
        if len(holding[value]) > count:
            spare += rng.sample(holding[value], len(holding[value]) - count)
    for value, count in counts.items():
        for _ in range(count - len(holding[value])):
            put(spare.pop(), value)


def _steer_conclusions(h: History, rng: random.Random) -> None:
    first, last = BANES_WINDOW
    concluded = [e for e in h.enquiries if e.type == "S42" and e.end and first <= e.end <= last]

    expressed = [e for e in concluded if e.msp_asked == "ASKED_EXPRESSED"]
    counts = _counts_for_shares(len(expressed), BANES_MSP_ACHIEVED, _tally(expressed, "msp_achieved"))
    while counts is None:  # no split of this many rounds right: one fewer adult expressed outcomes
        dropped = expressed.pop(rng.randrange(len(expressed)))
        dropped.msp_asked, dropped.msp_achieved = "ASKED_NOT_EXPRESSED", ""
        counts = _counts_for_shares(len(expressed), BANES_MSP_ACHIEVED, _tally(expressed, "msp_achieved"))
    _relabel(rng, expressed, lambda e: e.msp_achieved, lambda e, v: setattr(e, "msp_achieved", v), counts)

    risky = [e for e in concluded if e.risk_identified == "YES"]
    now = _tally(risky, "risk_result")
    lowered = min(
        (n for n in range(len(risky) + 1) if _percent(n, len(risky)) == BANES_RISK_REDUCED_OR_REMOVED),
        key=lambda n: abs(n - now["REDUCED"] - now["REMOVED"]),
    )
    removed = min(now["REMOVED"], lowered)
    wanted = {"REMOVED": removed, "REDUCED": lowered - removed, "REMAINED": len(risky) - lowered}
    _relabel(rng, risky, lambda e: e.risk_result, lambda e, v: setattr(e, "risk_result", v), wanted)


def _tally(enquiries: Sequence[Enquiry], attribute: str) -> Counter[str]:
    return Counter(getattr(enquiry, attribute) for enquiry in enquiries)


def _check_codes(h: History) -> None:
    """Every code drawn is in the contract's list for its column: a changed list fails here."""
    codes = load_contract()["codes"]
    used = {
        "concern_source": {c.source for c in h.concerns},
        "concern_outcome": {c.outcome for c in h.concerns},
        "sex": {a.sex for a in h.adults},
        "ethnicity": {a.ethnicity for a in h.adults},
        "primary_support_reason": {a.support_reason for a in h.adults},
        "location": {e.location for e in h.enquiries},
        "source_of_risk": {e.source_of_risk for e in h.enquiries},
        "risk_type": {t for e in h.enquiries for t in e.risk_types},
        "risk_identified": {e.risk_identified for e in h.enquiries},
        "risk_result": {e.risk_result for e in h.enquiries} - {""},
        "msp_asked": {e.msp_asked for e in h.enquiries},
        "msp_achieved": {e.msp_achieved for e in h.enquiries} - {""},
        "lacked_capacity": {e.lacked_capacity for e in h.enquiries},
    }
    for name, values in used.items():
        if values - set(codes[name]):
            raise ValueError(f"{name}: codes {sorted(values - set(codes[name]))} are not in the contract")


@functools.cache
def history(la: str) -> History:
    """The authority's simulated safeguarding history (once per process)."""
    h = _Simulation(la).run()
    _check_codes(h)
    return h


# ---------------------------------------------------------------------------------------------------------
# Extracts
# ---------------------------------------------------------------------------------------------------------


def _cut(la: str, period_end: date) -> tuple[list[Concern], list[Enquiry]]:
    """The concerns and enquiries of the extract for the quarter ending period_end."""
    h, first = history(la), financial_year_start(period_end)
    enquiries = [
        e for e in h.enquiries if e.start <= period_end and (e.start >= first or e.end is None or e.end >= first)
    ]
    linked = {e.concern.number for e in enquiries}
    concerns = [
        c for c in h.concerns if c.number in linked or (first <= c.received <= period_end and c.decision <= period_end)
    ]
    return concerns, enquiries


def _concern_row(c: Concern) -> dict[str, str]:
    return {
        "concern_id": c.concern_id,
        "person_id": c.adult.person_id,
        "received_date": c.received.isoformat(),
        "concern_source": c.source,
        "decision_date": c.decision.isoformat(),
        "outcome": c.outcome,
        "care_home": "Y" if c.care_home else "N",
        "placed_out_of_area": "Y" if c.out_of_area else "N",
        "age": str(_age(c.adult.birth, c.received)),
        "sex": c.adult.sex,
        "ethnicity": c.adult.ethnicity,
        "primary_support_reason": c.adult.support_reason,
    }


def _enquiry_row(e: Enquiry, period_end: date) -> dict[str, str]:
    concluded = e.end is not None and e.end <= period_end
    return {
        "enquiry_id": e.enquiry_id,
        "concern_id": e.concern.concern_id,
        "person_id": e.concern.adult.person_id,
        "enquiry_type": e.type,
        "start_date": e.start.isoformat(),
        "end_date": e.end.isoformat() if concluded and e.end else "",
        "location": e.location,
        "source_of_risk": e.source_of_risk,
        "risk_types": "|".join(e.risk_types),
        "risk_identified": e.risk_identified if concluded else "",
        "risk_result": e.risk_result if concluded else "",
        "msp_asked": e.msp_asked,
        "msp_achieved": e.msp_achieved if concluded else "",
        "lacked_capacity": e.lacked_capacity,
        "advocate": e.advocate,
    }


def _tables(la: str, period_end: date) -> dict[str, Table]:
    modules = load_contract()["modules"]
    concerns, enquiries = _cut(la, period_end)
    rows = {
        "concerns": [_concern_row(c) for c in concerns],
        "enquiries": [_enquiry_row(e, period_end) for e in enquiries],
    }
    tables = {}
    for module, records in rows.items():
        columns = list(modules[module]["columns"])
        tables[module] = (columns, [[record[c] for c in columns] for record in records])
    return tables


# ---------------------------------------------------------------------------------------------------------
# Broken extracts for tests: each injection breaks one rule of asc.md in one place
# ---------------------------------------------------------------------------------------------------------

INJECTIONS: dict[str, str] = {
    "unknown_code": 'concerns.csv: one concern_source is "GP", not a concern-source code',
    "unknown_risk_type": 'enquiries.csv: one code of a risk_types list is "CYBER", not a risk-type code',
    "impossible_date": "concerns.csv: one received_date (of a concern with no enquiry) is 30 February",
    "missing_column": "concerns.csv: the sex column is left out",
    "duplicate_id": "concerns.csv: one concern_id (of a concern with no enquiry) repeats another's",
    "decision_before_receipt": "concerns.csv: one concern is decided the day before it was received",
    "late_decision": "concerns.csv: one concern is decided 40 days after it was received (a query)",
    "enquiry_before_concern": "enquiries.csv: one enquiry starts 3 days before its concern was received",
    "enquiry_end_before_start": "enquiries.csv: one concluded enquiry ends the day before it starts",
    "orphan_enquiry": "enquiries.csv: one enquiry's concern_id is not in concerns.csv",
    "enquiry_for_not_care_act_concern": "concerns.csv: the concern of one enquiry has outcome NOT_CARE_ACT",
    "enquiry_type_mismatch": "concerns.csv: the concern of one S42 enquiry has outcome OTHER_ENQUIRY",
    "enquiry_other_person": "enquiries.csv: one enquiry's person_id is another adult's",
    "date_outside_year": "concerns.csv: one concern with no enquiry was received 2 days before 1 April",
    "date_after_period_end": "enquiries.csv: one end_date is 10 days after the quarter end",
    "msp_achieved_without_expressed": "enquiries.csv: one concluded enquiry not ASKED_EXPRESSED has msp_achieved",
    "risk_result_without_risk": "enquiries.csv: one concluded enquiry with no risk identified has a risk_result",
    "advocate_without_incapacity": "enquiries.csv: one enquiry where capacity was not lacking has an advocate",
    "under_18": "concerns.csv: one concern's age is 17",
    "missing_module": "enquiries.csv is left out of the zip",
    "extra_file": 'the zip holds an unknown file "notes.txt"',
}


class _Edit(TableEdit):
    """An extract's tables being broken on purpose, with what asc's injections ask of them."""

    @property
    def year_start(self) -> date:
        return financial_year_start(self.period_end)

    def concern_of(self, enquiry: list[str]) -> list[str]:
        concern_id = self.get(enquiry, "enquiries", "concern_id")
        return self.first("concerns", lambda r: self.get(r, "concerns", "concern_id") == concern_id)

    @functools.cached_property
    def linked(self) -> set[str]:
        """The concerns with an enquiry in the extract, as it was before the edit."""
        return {self.get(e, "enquiries", "concern_id") for e in self.rows("enquiries")}

    def without_enquiry(self, row: list[str]) -> bool:
        return self.get(row, "concerns", "concern_id") not in self.linked

    def concluded(self, row: list[str]) -> bool:
        return self.get(row, "enquiries", "end_date") != ""


def _alone(e: _Edit) -> list[list[str]]:
    """The concerns with no enquiry, whose dates and ids can be broken without breaking a link."""
    return [r for r in e.rows("concerns") if e.without_enquiry(r)]


def _unknown_risk_type(e: _Edit) -> None:
    row = e.first("enquiries", lambda r: "|" in e.get(r, "enquiries", "risk_types"))
    codes = e.get(row, "enquiries", "risk_types").split("|")
    e.put(row, "enquiries", "risk_types", "|".join([*codes[:-1], "CYBER"]))


def _decision_before_receipt(e: _Edit) -> None:
    row = e.first("concerns", lambda r: e.without_enquiry(r) and e.day(r, "concerns", "received_date") > e.year_start)
    e.put(row, "concerns", "decision_date", e.day(row, "concerns", "received_date") - DAY)


def _late_decision(e: _Edit) -> None:
    latest = e.period_end - 40 * DAY
    row = e.first(
        "concerns",
        lambda r: e.without_enquiry(r) and e.year_start <= e.day(r, "concerns", "received_date") <= latest,
    )
    e.put(row, "concerns", "decision_date", e.day(row, "concerns", "received_date") + 40 * DAY)


def _in_year_enquiry(e: _Edit, test: Callable[[list[str]], bool] = lambda r: True) -> list[str]:
    """An enquiry whose concern was received after 1 April, so moving it leaves every date in the year."""
    return e.first(
        "enquiries",
        lambda r: test(r) and e.day(e.concern_of(r), "concerns", "received_date") > e.year_start + 3 * DAY,
    )


def _enquiry_before_concern(e: _Edit) -> None:
    row = _in_year_enquiry(e)
    e.put(row, "enquiries", "start_date", e.day(e.concern_of(row), "concerns", "received_date") - 3 * DAY)


def _enquiry_end_before_start(e: _Edit) -> None:
    row = _in_year_enquiry(e, e.concluded)
    e.put(row, "enquiries", "end_date", e.day(row, "enquiries", "start_date") - DAY)


def _orphan_enquiry(e: _Edit) -> None:
    known = {e.get(r, "concerns", "concern_id") for r in e.rows("concerns")}
    unused = next(f"SC{n:08d}" for n in range(99_999_999, 0, -1) if f"SC{n:08d}" not in known)
    e.put(_in_year_enquiry(e), "enquiries", "concern_id", unused)


def _enquiry_for_not_care_act_concern(e: _Edit) -> None:
    e.put(e.concern_of(e.rows("enquiries")[0]), "concerns", "outcome", NOT_CARE_ACT)


def _enquiry_type_mismatch(e: _Edit) -> None:
    row = e.first("enquiries", lambda r: e.get(r, "enquiries", "enquiry_type") == "S42")
    e.put(e.concern_of(row), "concerns", "outcome", OTHER)


def _enquiry_other_person(e: _Edit) -> None:
    enquiry = e.rows("enquiries")[0]
    own = e.get(enquiry, "enquiries", "person_id")
    other = e.first("concerns", lambda r: e.get(r, "concerns", "person_id") != own)
    e.put(enquiry, "enquiries", "person_id", e.get(other, "concerns", "person_id"))


def _date_outside_year(e: _Edit) -> None:
    row = e.first(
        "concerns",
        lambda r: e.without_enquiry(r) and e.day(r, "concerns", "decision_date") <= e.year_start + 20 * DAY,
    )
    e.put(row, "concerns", "received_date", e.year_start - 2 * DAY)


def _msp_achieved_without_expressed(e: _Edit) -> None:
    row = e.first("enquiries", lambda r: e.concluded(r) and e.get(r, "enquiries", "msp_asked") != "ASKED_EXPRESSED")
    e.put(row, "enquiries", "msp_achieved", "FULLY")


def _risk_result_without_risk(e: _Edit) -> None:
    row = e.first("enquiries", lambda r: e.concluded(r) and e.get(r, "enquiries", "risk_identified") != "YES")
    e.put(row, "enquiries", "risk_result", "REDUCED")


def _advocate_without_incapacity(e: _Edit) -> None:
    row = e.first("enquiries", lambda r: e.get(r, "enquiries", "lacked_capacity") != "YES")
    e.put(row, "enquiries", "advocate", "Y")


def _under_18(e: _Edit) -> None:
    e.put(e.rows("concerns")[0], "concerns", "age", "17")


INJECTORS: dict[str, Callable[[_Edit], None]] = {
    "unknown_code": simulation.unknown_code("concerns", "concern_source", "GP"),
    "unknown_risk_type": _unknown_risk_type,
    "impossible_date": simulation.impossible_date(
        "concerns", "received_date", lambda e: e.first("concerns", e.without_enquiry)
    ),
    "missing_column": simulation.missing_column("concerns", "sex"),
    "duplicate_id": simulation.duplicate_id("concerns", "concern_id", _alone),
    "decision_before_receipt": _decision_before_receipt,
    "late_decision": _late_decision,
    "enquiry_before_concern": _enquiry_before_concern,
    "enquiry_end_before_start": _enquiry_end_before_start,
    "orphan_enquiry": _orphan_enquiry,
    "enquiry_for_not_care_act_concern": _enquiry_for_not_care_act_concern,
    "enquiry_type_mismatch": _enquiry_type_mismatch,
    "enquiry_other_person": _enquiry_other_person,
    "date_outside_year": _date_outside_year,
    "date_after_period_end": simulation.date_after_period_end(
        "enquiries", "end_date", lambda e: e.first("enquiries", e.concluded)
    ),
    "msp_achieved_without_expressed": _msp_achieved_without_expressed,
    "risk_result_without_risk": _risk_result_without_risk,
    "advocate_without_incapacity": _advocate_without_incapacity,
    "under_18": _under_18,
    "missing_module": simulation.missing_module("enquiries"),
    "extra_file": simulation.extra_file,
}
simulation.check_injectors(INJECTIONS, INJECTORS)


def build_extract(la_code: str, period_end: date, inject: str | None = None) -> dict[str, bytes]:
    """The extract la_code sends for the quarter ending period_end: zip member name -> CSV bytes.

    inject names one rule of asc.md to break, in one place (see INJECTIONS); None for a clean extract.
    """
    simulation.check_request(
        la_code,
        period_end,
        inject,
        authorities=AUTHORITIES,
        simulated=(SIM_START, SIM_END),
        injections=INJECTIONS,
        earliest=date(2020, 6, 30),
    )
    tables = _tables(la_code, period_end)
    if inject is not None:
        edit = _Edit(period_end, simulation.copy_tables(tables), DATE_FORMAT)
        INJECTORS[inject](edit)
        tables = edit.tables
    return simulation.zip_members(load_contract(), tables, simulation.extra_members(inject))


def file_name(la_code: str, period_end: date) -> str:
    """asc_<code>_YYYY-MM.zip, Somerset's files before April 2023 under Somerset County Council's code."""
    return f"asc_{simulation.code_in_file_name(la_code, period_end)}_{period_end:%Y-%m}.zip"


WRITER = simulation.ExtractWriter(SOURCE, AUTHORITIES, QUARTERS, build_extract, file_name)
write_extract = WRITER.write_extract
write_samples = WRITER.write_samples
