"""Sample Annex A workbooks (sources/annexa.yaml): each authority's lists for the six months to 30 September 2023
and to 31 March 2024, written from the same simulated case history as its csc zips (tools/samples/csc.py), with
the same case numbers, so the two layouts agree on what they both hold for the quarter each workbook ends:
contacts, referrals, assessments authorised, plans started and open, children looked after.

Values are written as Ofsted's template writes them ("a) 1A: Individual", "a) Yes"), dates as Excel dates. The
history has no early help, care leavers or adoption of its own: Lists 2, 9, 10 and 11 are their headers only.
A list holds what the template asks for: records of the six months, and the plans, episodes of need and
periods of care open on the last day; a date after that day is left out (not yet known then).
"""

from __future__ import annotations

import datetime

from openpyxl import Workbook

from tools.samples import cin, csc, simulation
from tools.samples.simulation import DAY
from tools.samples.xlsx import save_workbook_deterministic

date = datetime.date
SOURCE = "annexa"
PERIOD_ENDS: list[date] = [date(2023, 9, 30), date(2024, 3, 31)]
SEX = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
ETHNICITY = [
    "WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND",
    "APKN", "ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT",
]  # fmt: skip
SOURCE_LABELS = {
    "1": "Individual", "2A": "Schools", "2B": "Education services", "3": "Health services", "4": "Housing",
    "5": "LA services", "6": "Police", "7": "Other legal agency", "8": "Other", "9": "Anonymous", "10": "Unknown",
}  # fmt: skip
# The template's letter before each referral source code ("p1) 5D: LA services").
SOURCE_LETTERS = {
    "1A": "a", "1B": "b", "1C": "c", "1D": "d", "2A": "e", "2B": "f", "3A": "g", "3B": "h", "3C": "i", "3D": "j",
    "3E": "k", "3F": "l", "4": "m", "5A": "n", "5B": "o", "5C": "p", "5D": "p1", "6": "q", "7": "r", "8": "s",
    "9": "t", "10": "u",
}  # fmt: skip
ABUSE = {"NEG": "a) Neglect", "PHY": "b) Physical abuse", "SAB": "c) Sexual abuse", "EMO": "d) Emotional abuse"}
YES_NO = {True: "a) Yes", False: "b) No"}


def _lists() -> dict[str, dict[str, str]]:
    """Each list's sheet and the headers the contract names for its columns, in the template's order."""
    contract = simulation.load_contract(SOURCE)
    return {
        module["sheet"]: {name: column.get("header", name) for name, column in module["columns"].items()}
        for module in contract["modules"].values()
    }


def _child(h, child_ids, n: int, period_end: date) -> dict[str, object]:
    person = h.children[n]
    age = (period_end - person.birth).days // 365
    return {
        "child_id": child_ids[n],
        "sex": SEX[person.sex],
        "ethnicity": f"{_letter(ETHNICITY.index(person.ethnicity))}) {person.ethnicity}",
        "birth_month": person.birth,
        "Age of Child (Years)": age,
        "disability": YES_NO[person.disability == "Y"],
    }


def _six_months_start(period_end: date) -> date:
    """The first day of the six months that end on period_end (a month end)."""
    months = period_end.year * 12 + period_end.month - 1 - 5
    return date(months // 12, months % 12 + 1, 1)


def _letter(i: int) -> str:
    return "abcdefghijklmnopqrstuvwxyz"[i]


def _source(code: str) -> str:
    group = code if code in SOURCE_LABELS else code[0]
    return f"{SOURCE_LETTERS[code]}) {code}: {SOURCE_LABELS[group]}"


def _known(day: date | None, period_end: date) -> date | None:
    return None if day is None or day > period_end else day


def workbook(la: str, period_end: date) -> Workbook:
    """The authority's Annex A for the six months to period_end."""
    start = _six_months_start(period_end)
    index = csc._index(la)
    h, ids = index.history, index.child_ids
    referral_days: dict[int, list[date]] = {}
    for referral in h.referrals:
        referral_days.setdefault(referral.child, []).append(referral.day)
    rows: dict[str, list[dict[str, object]]] = {f"List {n}": [] for n in range(1, 12)}
    for contact in h.contacts:
        if start <= contact.day <= period_end:
            rows["List 1"].append(
                _child(h, ids, contact.child, period_end)
                | {"contact_date": contact.day, "contact_source": _source(contact.source)}
            )
    for i, referral in enumerate(h.referrals):
        if start <= referral.day <= period_end:
            days = referral_days[referral.child]
            earlier = sum(1 for day in days if referral.day - 365 * DAY <= day < referral.day)
            rows["List 3"].append(
                _child(h, ids, referral.child, period_end)
                | {
                    "referral_date": referral.day,
                    "referral_source": _source(referral.source),
                    "referral_nfa": YES_NO[referral.nfa],
                    "referrals_in_12_months": earlier,
                    **_worker(i),
                }
            )
    for i, assessment in enumerate(h.assessments):
        authorised = _known(assessment.authorised, period_end)
        if assessment.start <= period_end and (authorised is None or authorised >= start):
            rows["List 4"].append(
                _child(h, ids, assessment.child, period_end)
                | {
                    "start_date": assessment.start,
                    "child_seen": "a) Yes",
                    "authorised_date": authorised,
                    "needs_support": None,
                    **_worker(i),
                }
            )
    for i, plan in enumerate(h.plans):
        end = _known(plan.end, period_end)
        if plan.start > period_end or (end is not None and end < start):
            continue
        child = _child(h, ids, plan.child, period_end)
        enquiry = _enquiry(plan, referral_days.get(plan.child, []), i)
        if enquiry["strategy_date"] >= start:
            rows["List 5"].append(child | enquiry)
        changed = plan.changed is not None and plan.changed <= period_end and (end is None or plan.changed <= end)
        rows["List 7"].append(
            child
            | {
                "start_date": plan.start,
                "initial_category": ABUSE.get(plan.initial, "e) Multiple/not recommended"),
                "latest_category": ABUSE.get(plan.latest if changed else plan.initial, "e) Multiple/not recommended"),
                "end_date": end,
                "emergency_protection": "b) No",
                "previous_plans": plan.previous,
                **_worker(i),
            }
        )
    rows["List 6"] = _children_in_need(h, ids, start, period_end)
    rows["List 8"] = _children_in_care(h, ids, start, period_end)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, headers in _lists().items():
        _write_list(wb, sheet, headers, rows[sheet])
    return wb


def _worker(i: int) -> dict[str, str]:
    """Team and worker columns the template has (never read: the contract ignores them)."""
    return {"Allocated Team": f"Team {i % 7 + 1}", "Allocated Worker": f"Worker {i % 41 + 1}"}


def _enquiry(plan, referral_days: list[date], i: int) -> dict[str, object]:
    """The section 47 enquiry that led to a plan (the history has none of its own: as the census samples, ten
    days before the conference, not before the child's latest referral)."""
    latest = max((day for day in referral_days if day <= plan.start), default=plan.start - 10 * DAY)
    strategy = min(plan.start, max(plan.start - 10 * DAY, latest))
    return {
        "strategy_date": strategy,
        "icpc_not_required": "b) No",
        "icpc_date": plan.start,
        "icpc_to_plan": "a) Yes",
        "enquiries_in_12_months": 1,
        "icpcs_in_12_months": 1,
        **_worker(i),
    }


def _children_in_need(h, ids, start: date, period_end: date) -> list[dict[str, object]]:
    """Episodes of need open in the six months, as the census has them (a referral made while one is open joins
    it), with the child's status on the last day."""
    referrals_of: dict[int, list[int]] = {}
    for i, referral in enumerate(h.referrals):
        if referral.day <= period_end:
            referrals_of.setdefault(referral.child, []).append(i)
    on_plan = {p.child for p in h.plans if p.start <= period_end and (p.end is None or p.end > period_end)}
    in_care = {e.child for e in h.episodes if e.start <= period_end and (e.end is None or e.end > period_end)}
    rows = []
    for n, referrals in sorted(referrals_of.items()):
        for episode in cin._episodes(h, referrals):
            closed = _known(episode.closure, period_end)
            if closed is not None and closed < start:
                continue
            status = (
                "e) Closed episode"
                if closed
                else "a) Looked after child"
                if n in in_care
                else "b) Child Protection plan"
                if n in on_plan
                else "c) Child in need plan"
            )
            rows.append(
                _child(h, ids, n, period_end)
                | {
                    "cin_start_date": episode.start,
                    "primary_need": h.referrals[episode.referrals[0]].need,
                    "cin_closure_date": closed,
                    "closure_reason": episode.reason if closed else None,
                    "case_status": status,
                    **_worker(n),
                }
            )
    return rows


def _children_in_care(h, ids, start: date, period_end: date) -> list[dict[str, object]]:
    """Periods of care (an S episode and the episodes that continue it) open on the last day or ended in the six
    months, each with its latest episode's legal status and placement on that day."""
    rows = []
    missing: dict[int, int] = {}
    for m in h.missing:
        if m.kind == "M" and period_end - 365 * DAY < m.start <= period_end:
            missing[m.child] = missing.get(m.child, 0) + 1
    episodes = sorted((e for e in h.episodes if e.start <= period_end), key=lambda e: (e.child, e.start))
    periods: list[list] = []
    for episode in episodes:
        if episode.rne == "S" or not periods or periods[-1][0].child != episode.child:
            periods.append([episode])
        else:
            periods[-1].append(episode)
    for period in periods:
        first, latest = period[0], period[-1]
        ended = _known(latest.end, period_end)
        if ended is not None and ended < start:
            continue
        changes = [e.start for e in period if e.rne in {"L", "B", "U", "S"}]
        moves = [e.start for e in period if e.rne in {"P", "B", "U", "T", "S"}]
        rows.append(
            _child(h, ids, first.child, period_end)
            | {
                "uasc": YES_NO[latest.uasc],
                "care_start_date": first.start,
                "category_of_need": latest.need,
                "subsequent_period": "b) No",
                "legal_status_start_date": changes[-1],
                "legal_status": latest.legal,
                "placements_in_12_months": sum(1 for day in moves if day > period_end - 365 * DAY),
                "care_end_date": ended,
                "reason_ceased": latest.reason if ended else None,
                "placement_start_date": moves[-1],
                "placement": latest.place,
                "placement_provider": "b) PR1: Own provision",
                "placement_postcode": "BS1 4DJ",
                "placement_location": "a) In",
                "placement_la": "Home authority",
                "missing_in_12_months": missing.get(first.child, 0),
                "absent_in_12_months": 0,
                **_worker(first.child),
            }
        )
    return rows


def _write_list(wb: Workbook, sheet: str, headers: dict[str, str], rows: list[dict[str, object]]) -> None:
    ws = wb.create_sheet(sheet)
    columns = list(headers)
    extras = [c for c in ("Age of Child (Years)", "Allocated Team", "Allocated Worker") if rows and c in rows[0]]
    ws.append([headers[c] for c in columns] + extras)
    for row in rows:
        ws.append([row.get(c) for c in columns] + [row[c] for c in extras])
    for cells in ws.iter_rows(min_row=2):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"


def build_extract(la_code: str, period_end: date, *, inject: str | None = None) -> Workbook:
    simulation.check_request(
        la_code,
        period_end,
        inject,
        authorities=csc.AUTHORITIES,
        simulated=(csc.SIM_START, csc.SIM_END),
        injections={},
    )
    return workbook(la_code, period_end)


def file_name(la_code: str, period_end: date) -> str:
    return f"annexa_{simulation.code_in_file_name(la_code, period_end)}_{period_end:%Y-%m}.xlsx"


WRITER = simulation.ExtractWriter(
    SOURCE, csc.AUTHORITIES, PERIOD_ENDS, build_extract, file_name, save_workbook_deterministic
)
write_samples = WRITER.write_samples
