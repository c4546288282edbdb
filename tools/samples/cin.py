"""Sample Children in Need census files (sources/cin.yaml): each authority's census for the years to 31 March
2022, 2023 and 2024, written from the same simulated case history as its csc zips (tools/samples/csc.py), so the
two layouts agree on what they both hold: children in need and child protection plans at 31 March, referrals,
plans started (and second or subsequent plans) and assessments in the year.

A census holds every child with a referral episode (CINdetails) open at any time in the year, each episode with
its assessments and the child protection plans that started while it was open (a plan that started with no
episode open is filed under the child's latest episode before it). An end, closure or authorisation after
31 March is left out: open on the day. Episodes never overlap: a referral made while an earlier one is open joins
its episode (North Somerset's case system keeps earlier referrals open, so its census has fewer episodes than its
zip has referrals). The history has no section 47 enquiries or CIN plans of its own: each plan that starts in the
year on a working day gets the enquiry that led to it (started ten days before its conference, held the day the
plan starts), and CINPlanDates is left out.
"""

from __future__ import annotations

import csv
import datetime
import functools
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from tools.samples import csc, simulation
from tools.samples.simulation import DAY

date = datetime.date
SOURCE = "cin"
YEAR_ENDS: list[date] = [date(2022, 3, 31), date(2023, 3, 31), date(2024, 3, 31)]
GENDER = {"M": "1", "F": "2", "U": "0"}
# The zip's one disability flag as the census's list: a child with a disability is written with one code.
DISABILITY = {"Y": "LD", "N": "NONE"}


def _day(value: date | None, year_end: date) -> str | None:
    return None if value is None or value > year_end else value.isoformat()


def _add(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element | None:
    """A child element with the text; nothing for an optional value that is absent."""
    if text is None:
        return None
    element = etree.SubElement(parent, tag)
    element.text = text
    return element


def _group(parent: etree._Element, tag: str) -> etree._Element:
    return etree.SubElement(parent, tag)


@functools.cache
def _dfe_la_codes() -> dict[str, str]:
    """Each authority's DfE three-digit code (the census's LEA), from the partner registry's seed."""
    with (simulation.SOURCES_DIR.parent / "dbt" / "seeds" / "authorities.csv").open(encoding="utf-8") as handle:
        return {row["la_code"]: row["old_la_code"] for row in csv.DictReader(handle)}


def census(la: str, year_end: date) -> bytes:
    """The authority's census for the year ending year_end, as the DfE's XML."""
    year_start = date(year_end.year - 1, 4, 1)
    index = csc._index(la)
    h, child_ids = index.history, index.child_ids
    referrals_of: dict[int, list[int]] = {}
    for i, referral in enumerate(h.referrals):
        if referral.day <= year_end:
            referrals_of.setdefault(referral.child, []).append(i)
    episodes_of = {
        n: kept
        for n, referrals in referrals_of.items()
        if (kept := [e for e in _episodes(h, referrals) if e.closure is None or e.closure >= year_start])
    }
    plans_of: dict[int, list] = {}
    for plan in h.plans:
        if plan.child in episodes_of and plan.start <= year_end and (plan.end is None or plan.end >= year_start):
            plans_of.setdefault(id(_episode_on(episodes_of[plan.child], plan.start)), []).append(plan)
    message = etree.Element("Message")
    header = _group(message, "Header")
    details = _group(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", str(year_end.year))
    _add(details, "ReferenceDate", year_end.isoformat())
    source = _group(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", _dfe_la_codes()[la])
    _add(source, "SoftwareCode", "Local case system")
    _add(source, "Release", "1")
    _add(source, "SerialNo", "1")
    _add(source, "DateTime", f"{year_end + 30 * DAY}T09:00:00")
    children = _group(message, "Children")
    for n in sorted(episodes_of):
        person = h.children[n]
        child = _group(children, "Child")
        identifiers = _group(child, "ChildIdentifiers")
        _add(identifiers, "LAchildID", child_ids[n])
        _add(identifiers, "UPN", f"{'ABCDEFGHJKLMNPQRTUVWXYZ'[n % 23]}{la[-3:]}{n:08d}{'ABCDEFGHJKLMN'[n % 13]}")
        _add(identifiers, "PersonBirthDate", person.birth.isoformat())
        _add(identifiers, "GenderCurrent", GENDER[person.sex])
        characteristics = _group(child, "ChildCharacteristics")
        _add(characteristics, "Ethnicity", person.ethnicity)
        _add(_group(characteristics, "Disabilities"), "Disability", DISABILITY[person.disability])
        for episode in episodes_of[n]:
            _cin_details(child, h, episode, plans_of.get(id(episode), []), year_end)
    # One element to a line (a finding names its line), without the indentation that would double the size.
    text = etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return b"\n".join(line.lstrip() for line in text.split(b"\n"))


# Codes the DfE added in 2022-23 (early help), written before then as the code they were split from.
EARLIER_CODES = {"5D": "5A", "RC9": "RC8"}


def _as_the_year_codes_it(code: str, year_end: date) -> str:
    return EARLIER_CODES.get(code, code) if year_end < date(2023, 3, 31) else code


@dataclass
class Episode:
    """An episode of need as the census has it: a child's referrals while one stays open are one episode."""

    start: date
    referrals: list[int]
    closure: date | None
    reason: str


def _episodes(h, referrals: list[int]) -> list[Episode]:
    """The child's referrals as episodes that never overlap (rule 8820): a referral made while an earlier one is
    still open joins its episode. A case system that keeps earlier referrals open (North Somerset's) sends fewer
    episodes than it has referrals: its zip and its census count children in need and referrals differently."""
    episodes: list[Episode] = []
    for i in referrals:
        referral = h.referrals[i]
        last = episodes[-1] if episodes else None
        if last is not None and (last.closure is None or last.closure > referral.day):
            last.referrals.append(i)
            if last.closure is not None and (referral.closure is None or referral.closure > last.closure):
                last.closure, last.reason = referral.closure, referral.reason
        else:
            episodes.append(Episode(referral.day, [i], referral.closure, referral.reason))
    return episodes


def _episode_on(episodes: list[Episode], day: date) -> Episode:
    """The episode open on `day`, else the last that began before it, else the first."""
    began = [e for e in episodes if e.start <= day] or episodes[:1]
    open_then = [e for e in began if e.closure is None or e.closure >= day]
    return (open_then or began)[-1]


def _cin_details(child: etree._Element, h, episode: Episode, plans: list, year_end: date) -> None:
    year_start = date(year_end.year - 1, 4, 1)
    referral = h.referrals[episode.referrals[0]]
    details = _group(child, "CINdetails")
    _add(details, "CINreferralDate", referral.day.isoformat())
    _add(details, "ReferralSource", _as_the_year_codes_it(referral.source, year_end))
    _add(details, "PrimaryNeedCode", referral.need)
    closed = _day(episode.closure, year_end)
    _add(details, "CINclosureDate", closed)
    _add(details, "ReasonForClosure", _as_the_year_codes_it(episode.reason, year_end) if closed else None)
    _add(details, "ReferralNFA", "1" if referral.nfa else "0")
    assessments = sorted(a for i in episode.referrals for a in h.referrals[i].assessments)
    for a in assessments:
        assessment = h.assessments[a]
        if assessment.start > year_end or (assessment.authorised is not None and assessment.authorised < year_start):
            continue  # the census holds the assessments of the year and those still open at its start
        block = _group(details, "Assessments")
        _add(block, "AssessmentActualStartDate", assessment.start.isoformat())
        authorised = _day(assessment.authorised, year_end)
        _add(block, "AssessmentAuthorisationDate", authorised)
        if authorised:
            factors = _group(block, "FactorsIdentifiedAtAssessment")
            for factor in assessment.factors:
                _add(factors, "AssessmentFactors", factor)
    for plan in (p for p in plans if p.start >= year_start and p.start.weekday() < 5):
        enquiry = _group(details, "Section47")
        _add(enquiry, "S47ActualStartDate", (max(plan.start - 10 * DAY, referral.day)).isoformat())
        _add(enquiry, "InitialCPCtarget", plan.start.isoformat())
        _add(enquiry, "DateOfInitialCPC", plan.start.isoformat())
        _add(enquiry, "ICPCnotRequired", "0")
    for plan in plans:
        block = _group(details, "ChildProtectionPlans")
        _add(block, "CPPstartDate", plan.start.isoformat())
        _add(block, "CPPendDate", _day(plan.end, year_end))
        _add(block, "InitialCategoryOfAbuse", plan.initial)
        changed = (
            plan.changed is not None and plan.changed <= year_end and (plan.end is None or plan.changed <= plan.end)
        )
        _add(block, "LatestCategoryOfAbuse", plan.latest if changed else plan.initial)
        _add(block, "NumberOfPreviousCPP", str(plan.previous))


def build_extract(la_code: str, period_end: date, *, inject: str | None = None) -> bytes:
    simulation.check_request(
        la_code, period_end, inject, authorities=csc.AUTHORITIES, simulated=(YEAR_ENDS[0], YEAR_ENDS[-1]), injections={}
    )
    if period_end not in YEAR_ENDS:
        raise ValueError(f"a census covers a year to 31 March: {period_end} is not one of {YEAR_ENDS}")
    return census(la_code, period_end)


def file_name(la_code: str, period_end: date) -> str:
    return f"cin_{simulation.code_in_file_name(la_code, period_end)}_{period_end:%Y-%m}.xml"


def _write(census_xml: bytes, path: Path) -> None:
    path.write_bytes(census_xml)


WRITER = simulation.ExtractWriter(SOURCE, csc.AUTHORITIES, YEAR_ENDS, build_extract, file_name, _write)
write_samples = WRITER.write_samples
