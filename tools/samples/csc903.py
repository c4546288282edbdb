"""Sample SSDA903 returns (sources/csc903.yaml): each authority's return for the years to 31 March 2022, 2023 and
2024, written from the same simulated case history as its csc zips (tools/samples/csc.py), so the two layouts
agree on what they both hold: children looked after at 31 March, children who started to be looked after, UASC,
missing episodes from care.

A return holds every child looked after at any time in the year: their episodes open on or after 1 April (an end
after 31 March is blank), their missing episodes from care that started in the year, and the tables the history
can fill: UASC (children who came as unaccompanied asylum seekers; DUC their 18th birthday once it has passed),
Reviews (every six months of care), OC2 (children looked after for the whole year), PlacedAdoption (a placement
for adoption, A5/A6, starting in the year), AD1 (children adopted in the year: E11/E12), PrevPerm (children
starting care), SWEpisodes (from 2023-24: one social worker per child's care in the year). OC3 (care leavers) is
written with its header only: the history does not follow children after care. The headers, date format and codes
are the DfE's for the collection year, from the contract (its `collection_years`).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from dataclasses import dataclass

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.periods import collection_year
from tools.samples import csc, simulation
from tools.samples.simulation import DAY

date = datetime.date
SOURCE = "csc903"
YEAR_ENDS: list[date] = [date(2022, 3, 31), date(2023, 3, 31), date(2024, 3, 31)]
# Postcode areas and districts the authorities' children live in and are placed in (placements may be far away).
HOME_DISTRICTS = {
    "E06000022": ["BA1", "BA2", "BA3", "BS31", "BS39"],
    "E06000023": ["BS1", "BS2", "BS3", "BS4", "BS5", "BS7", "BS10", "BS13"],
    "E06000024": ["BS20", "BS21", "BS22", "BS23", "BS24", "BS48"],
    "E06000025": ["BS16", "BS30", "BS32", "BS34", "BS35", "BS37"],
    "E06000066": ["TA1", "TA2", "TA6", "TA20", "BA16", "BA20", "BA22"],
}
FAR_DISTRICTS = ["GL1", "EX4", "CF10", "SN1", "B15", "M14", "TR1"]
# Placements in a registered setting carry the setting's Ofsted URN; the provider of each placement kind.
REGISTERED = {"K1", "K2", "R1", "S1"}
PROVIDER = {
    **dict.fromkeys(["U1", "U2", "U3", "A3", "A4", "A5", "A6", "K1", "R3"], "PR1"),
    **dict.fromkeys(["U4", "U5", "U6", "K2", "R1", "S1", "H5"], "PR4"),
    "P1": "PR0",
    "R2": "PR3",
}  # the authority's own (PR1), private (PR4), parents (PR0), the NHS (PR3); none for Z1 and temporary placements


@dataclass(frozen=True)
class Year:
    """One collection year of one authority: the history, the year's bounds and the contract's schema for it."""

    la: str
    start: date
    end: date

    @functools.cached_property
    def index(self):  # the csc history with its case numbers
        return csc._index(self.la)

    @property
    def label(self) -> str:
        return collection_year(self.end)


def _contract(year_end: date):
    return load_contracts()[SOURCE].for_period(year_end).terms


def _day(value: date | None, year: Year) -> str:
    return "" if value is None or value > year.end else value.strftime("%d/%m/%Y")


def _sex(sex: str, year: Year, n: int) -> str:
    """The DfE's SEX codes: 1/2 until 2023-24, M/F/U from 2024-25 (a child the case system records as U is written
    as the sex on the birth record the older code list needs)."""
    if "U" in _contract(year.end).codes["sex"]:
        return sex
    return {"M": "1", "F": "2"}.get(sex, "1" if n % 2 else "2")


def hash_free(child: int, place: str) -> int:
    """An index chosen by the child and placement alone (the same placement keeps its postcode)."""
    return (child * 31 + sum(map(ord, place))) % 5


def _reason_place_change(episode, following, year: Year) -> str:
    """CARPL (the carer's request...) for an episode that ended, the child staying in care, in a move of placement."""
    moved = following is not None and following.rne in {"P", "B", "T", "U"}
    return "CARPL" if moved and episode.end is not None and episode.end <= year.end else ""


def _postcode(district: str, n: int) -> str:
    return f"{district} {n % 9 + 1}{'ABDEFGHJLNPQRSTUWXYZ'[n % 20]}{'ABDEFGHJLNPQRSTUWXYZ'[(n // 20) % 20]}"


def _upn(n: int, la: str) -> str:
    """A 13-character UPN: a letter, the authority's three digits and eight of the child's, a check letter."""
    return f"{'ABCDEFGHJKLMNPQRTUVWXYZ'[n % 23]}{la[-3:]}{n:08d}{'ABCDEFGHJKLMN'[n % 13]}"


def _tables(year: Year) -> dict[str, tuple[list[str], list[list[str]]]]:
    index = year.index
    h, child_ids = index.history, index.child_ids
    episodes = [e for e in h.episodes if e.start <= year.end and (e.end is None or e.end >= year.start)]
    episodes.sort(key=lambda e: (e.child, e.start))
    in_year = sorted({e.child for e in episodes})
    children = {n: h.children[n] for n in in_year}
    rows: dict[str, list[dict[str, str]]] = {}

    def child(n: int) -> dict[str, str]:
        return {"CHILD": child_ids[n], "DOB": children[n].birth.strftime("%d/%m/%Y")}

    def age(n: int, day: date) -> float:
        return (day - children[n].birth).days / 365.25

    homes = HOME_DISTRICTS[year.la]
    rows["header"] = [
        child(n)
        | {
            "SEX": _sex(c.sex, year, n),
            "ETHNIC": c.ethnicity,
            "UPN": _upn(n, year.la),
            "MOTHER": "0" if c.sex == "F" and age(n, year.end) >= 12 else "",
            "MC_DOB": "",
        }
        for n, c in children.items()
    ]
    rows["episodes"] = []
    for i, e in enumerate(episodes):
        following = episodes[i + 1] if i + 1 < len(episodes) and episodes[i + 1].child == e.child else None
        ended = e.end is not None and e.end <= year.end
        district = (FAR_DISTRICTS if e.child % 7 == 0 else homes)[hash_free(e.child, e.place)]
        rows["episodes"].append(
            {
                "CHILD": child_ids[e.child],
                "DECOM": _day(e.start, year),
                "RNE": e.rne,
                "LS": e.legal,
                "CIN": e.need,
                "PLACE": e.place,
                "PLACE_PROVIDER": PROVIDER.get(e.place, ""),
                "DEC": _day(e.end, year),
                "REC": e.reason if ended else "",
                "REASON_PLACE_CHANGE": _reason_place_change(e, following, year),
                "HOME_POST": _postcode(homes[e.child % len(homes)], e.child),
                "PL_POST": _postcode(district, e.child + len(e.place)),
                "URN": f"SC{400000 + (e.child * 7 + len(e.place)) % 90000:06d}" if e.place in REGISTERED else "",
            }
        )
    rows["uasc"] = [
        child(n) | {"SEX": _sex(c.sex, year, n), "DUC": _day(_eighteenth(c.birth), year)}
        for n, c in children.items()
        if c.uasc
    ]
    rows["missing"] = [
        child(m.child) | {"MISSING": m.kind, "MIS_START": _day(m.start, year), "MIS_END": _day(m.end, year)}
        for m in sorted(h.missing, key=lambda m: (m.child, m.start))
        if m.from_care and m.child in children and year.start <= m.start <= year.end
    ]
    care_spans = _care_spans(episodes)
    rows["reviews"] = [
        child(n) | {"REVIEW": _day(day, year), "REVIEW_CODE": "PN0" if day < _birthday(children[n].birth, 4) else "PN1"}
        for n, (first, last) in care_spans.items()
        for day in _every_six_months(first + 20 * DAY, min(last, year.end))
        if day >= year.start
    ]
    whole_year = [n for n, (first, last) in care_spans.items() if first <= year.end - 365 * DAY and last > year.end]
    rows["oc2"] = [child(n) | _health(n, age(n, year.end)) for n in whole_year]
    rows["oc3"] = []
    rows["placed_adoption"] = []
    for i, e in enumerate(episodes):
        before = episodes[i - 1] if i and episodes[i - 1].child == e.child else None
        if e.place not in {"A5", "A6"} or (before is not None and before.place in {"A5", "A6"}) or e.start < year.start:
            continue
        last = next(x for x in reversed(episodes) if x.child == e.child)
        reversed_on = (
            last.end if last.end and last.end <= year.end and last.reason not in {"E11", "E12", "X1"} else None
        )
        rows["placed_adoption"].append(
            child(e.child)
            | {
                "DATE_PLACED": _day(e.start, year),
                "DATE_PLACED_CEASED": _day(reversed_on, year),
                "REASON_PLACED_CEASED": "RD1" if reversed_on else "",
            }
        )
    adopted = {e.child: e for e in episodes if e.reason in {"E11", "E12"} and e.end and e.end <= year.end}
    rows["ad1"] = [
        child(n)
        | {
            "DATE_INT": _day(e.start - 120 * DAY, year),
            "DATE_MATCH": _day(e.start - 30 * DAY, year),
            "FOSTER_CARE": "1" if e.reason == "E12" else "0",
            "NB_ADOPTR": "2" if n % 4 else "1",
            "SEX_ADOPTR": ("MF" if n % 5 else "FF") if n % 4 else "F1",
            "LS_ADOPTR": ("L11" if n % 5 else "L12") if n % 4 else "L0",
        }
        for n, e in sorted(adopted.items())
    ]
    starters = sorted({e.child for e in episodes if e.rne == "S" and e.start >= year.start})
    rows["prev_perm"] = [child(n) | {"PREV_PERM": "Z1", "LA_PERM": "", "DATE_PERM": ""} for n in starters]
    rows["sw_episodes"] = [
        child(n)
        | {
            "SW_ID": f"SW{year.la[-3:]}{n % 60:03d}",
            "SW_DECOM": _day(max(first, year.start), year),
            "SW_DEC": _day(last, year) if last <= year.end else "",
            "SW_REASON": "OTHERS",
        }
        for n, (first, last) in care_spans.items()
    ]
    modules = _contract(year.end).modules
    return {
        name: (list(module.columns), [[row[column] for column in module.columns] for row in rows[name]])
        for name, module in modules.items()
    }


def _birthday(birth: date, years: int) -> date:
    return (
        birth.replace(year=birth.year + years)
        if (birth.month, birth.day) != (2, 29)
        else date(birth.year + years, 3, 1)
    )


def _eighteenth(birth: date) -> date:
    return _birthday(birth, 18)


def _care_spans(episodes: list) -> dict[int, tuple[date, date]]:
    """Each child's first episode start and last end (FAR when still looked after) among the year's episodes."""
    spans: dict[int, tuple[date, date]] = {}
    for e in episodes:
        first, last = spans.get(e.child, (e.start, e.end or csc.FAR))
        spans[e.child] = (min(first, e.start), max(last, e.end or csc.FAR))
    return spans


def _every_six_months(first: date, last: date) -> list[date]:
    days, day = [], first
    while day <= last:
        days.append(day)
        day += 182 * DAY
    return days


def _health(n: int, age: float) -> dict[str, str]:
    """OC2 outcomes of a child looked after for the whole year: SDQ for ages 4-16, checks by age."""
    sdq, scored, misuse = 5 <= age < 16, n % 6 != 0, age >= 13 and n % 25 == 0
    return {
        "SDQ_SCORE": str(n % 30) if sdq and scored else "",
        "SDQ_REASON": "SDQ2" if sdq and not scored else "",
        "CONVICTED": ("1" if n % 40 == 0 else "0") if age >= 11 else "",
        "HEALTH_CHECK": "1" if n % 9 else "0",
        "IMMUNISATIONS": "1" if n % 7 else "0",
        "TEETH_CHECK": "1" if n % 5 else "0",
        "HEALTH_ASSESSMENT": "1" if n % 8 else "0",
        "SUBSTANCE_MISUSE": "1" if misuse else "0",
        "INTERVENTION_RECEIVED": "1" if misuse else "",
        "INTERVENTION_OFFERED": "",
    }


def build_extract(la_code: str, period_end: date, *, inject: str | None = None) -> dict[str, bytes]:
    """The return la_code sends for the year ending period_end (31 March): zip member name -> CSV bytes."""
    simulation.check_request(
        la_code,
        period_end,
        inject,
        authorities=csc.AUTHORITIES,
        simulated=(YEAR_ENDS[0], YEAR_ENDS[-1]),
        injections=INJECTIONS,
    )
    if period_end not in YEAR_ENDS:
        raise ValueError(f"a return covers a year to 31 March: {period_end} is not one of {YEAR_ENDS}")
    year = Year(la_code, date(period_end.year - 1, 4, 1), period_end)
    modules = _contract(period_end).modules
    tables = _tables(year)
    if inject is not None:
        INJECTORS[inject](tables)
    return {modules[name].file: simulation.csv_bytes(columns, rows) for name, (columns, rows) in tables.items()}


def _header_only(tables: dict[str, tuple[list[str], list[list[str]]]]) -> None:
    for name, (columns, _) in list(tables.items()):
        tables[name] = (columns, [])


INJECTIONS: dict[str, str] = {"header_only": "every table with its header row and no rows"}
INJECTORS: dict[str, Callable[[dict], None]] = {"header_only": _header_only}
simulation.check_injectors(INJECTIONS, INJECTORS)


def file_name(la_code: str, period_end: date) -> str:
    return f"csc903_{simulation.code_in_file_name(la_code, period_end)}_{period_end:%Y-%m}.zip"


WRITER = simulation.ExtractWriter(SOURCE, csc.AUTHORITIES, YEAR_ENDS, build_extract, file_name)
write_extract = WRITER.write_extract
write_samples = WRITER.write_samples
