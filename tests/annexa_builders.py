"""Small Annex A workbooks built in tests, independent of the sample generator: one clean row per list for each
case, written under the template's headers, which a test breaks to check one rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl

from dagster_project.lib.contracts import load_contracts

ANNEXA = load_contracts()["annexa"]
PERIOD = "2023-09"  # the six months 1 April to 30 September 2023
Row = dict[str, object]


def _child(n: int, born: date) -> Row:
    return {"child_id": f"C{n:05d}", "sex": "a) Male", "ethnicity": "a) WBRI", "birth_month": born}


def clean_lists(n: int) -> dict[str, Row]:
    """Case n's rows, one per list, by module: a child referred in May 2023, assessed, an enquiry, a plan from
    July; another in care since April; a care leaver; a child adopted and its adopter."""
    child = _child(n, date(2012, 6, 14))
    disabled = {"disability": "b) No"}
    return {
        "contacts": child | {"contact_date": date(2023, 5, 2), "contact_source": "e) 2A: Schools"},
        "early_help": child
        | {"start_date": date(2023, 5, 3), "completion_date": date(2023, 6, 1), "organisation": "Family support"},
        "referrals": child
        | {
            "referral_date": date(2023, 5, 10),
            "referral_source": "q) 6: Police",
            "referral_nfa": "b) No",
            "referrals_in_12_months": 0,
        },
        "assessments": child
        | disabled
        | {
            "start_date": date(2023, 5, 11),
            "child_seen": "a) Yes",
            "authorised_date": date(2023, 6, 20),
            "needs_support": "a) Yes",
        },
        "section47": child
        | disabled
        | {
            "strategy_date": date(2023, 6, 21),
            "icpc_not_required": "b) No",
            "icpc_date": date(2023, 7, 5),
            "icpc_to_plan": "a) Yes",
            "enquiries_in_12_months": 1,
            "icpcs_in_12_months": 1,
        },
        "children_in_need": child
        | disabled
        | {
            "cin_start_date": date(2023, 5, 10),
            "primary_need": "N1",
            "last_seen_date": date(2023, 9, 1),
            "case_status": "b) Child Protection plan",
        },
        "cp_plans": child
        | disabled
        | {
            "start_date": date(2023, 7, 5),
            "initial_category": "a) Neglect",
            "latest_category": "a) Neglect",
            "last_visit_date": date(2023, 9, 10),
            "seen_alone": "a) Yes",
            "latest_review_date": date(2023, 9, 20),
            "emergency_protection": "b) No",
            "previous_plans": 0,
        },
        "children_in_care": _child(n + 1000, date(2010, 3, 1))
        | disabled
        | {
            "uasc": "b) No",
            "care_start_date": date(2023, 4, 20),
            "category_of_need": "N1",
            "subsequent_period": "b) No",
            "legal_status_start_date": date(2023, 4, 20),
            "legal_status": "C2: FCO",
            "latest_review_date": date(2023, 8, 1),
            "last_visit_date": date(2023, 9, 1),
            "permanence_plan": "f) Long-term fostering",
            "placements_in_12_months": 1,
            "placement_start_date": date(2023, 4, 20),
            "placement": "a) U1: Foster placement with relative or friend",
            "placement_provider": "b) PR1: Own provision",
            "placement_postcode": "BS1 4DJ",
            "placement_location": "a) In",
            "placement_la": "Bristol",
            "missing_in_12_months": 0,
            "absent_in_12_months": 0,
        },
        "care_leavers": _child(n + 2000, date(2004, 1, 1))
        | disabled
        | {
            "uasc": "b) No",
            "eligibility": "b) Former relevant child",
            "pathway_review_date": date(2023, 8, 1),
            "in_touch": "a) Yes",
            "latest_contact_date": date(2023, 9, 1),
            "accommodation": "D: Semi-independent, transitional accommodation and self-contained accommodation",
            "accommodation_suitable": "a) Suitable",
            "activity": "F3: Full time in training or employment",
        },
        "adoption": _child(n + 3000, date(2021, 2, 1))
        | disabled
        | {
            "family_id": f"F{n}",
            "care_start_date": date(2022, 1, 10),
            "adoption_decision_date": date(2022, 9, 1),
            "placement_order_date": date(2022, 11, 1),
            "matched_date": date(2023, 4, 10),
            "placed_date": date(2023, 5, 1),
            "adoption_order_date": date(2023, 9, 1),
        },
        "adopters": {
            "adopter_id": f"A{n:05d}",
            "family_id": f"F{n}",
            "sex": "b) Female",
            "ethnicity": "a) WBRI",
            "disability": "b) No",
            "fostering_for_adoption": "b) No",
            "enquiry_date": date(2022, 10, 1),
            "application_date": date(2022, 12, 1),
            "approved_date": date(2023, 3, 1),
            "matched_date": date(2023, 4, 10),
            "placed_date": date(2023, 5, 1),
            "children_placed": 1,
            "adoption_order_date": date(2023, 9, 1),
        },
    }


def headers(module: str) -> dict[str, str]:
    """The module's columns → the template's headers."""
    return {name: column.header or name for name, column in ANNEXA.terms.modules[module].columns.items()}


def write_annexa(path: Path, cases: list[dict[str, Row]], extra: dict[str, list[str]] | None = None) -> Path:
    """A workbook of every list, a row per case (row n + 2 for case n), under the template's headers; `extra`
    adds columns by list (a worker's name) written with the value `x`."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for module_name, module in ANNEXA.terms.modules.items():
        sheet = workbook.create_sheet(str(module.sheet))
        columns = headers(module_name)
        added = (extra or {}).get(module_name, [])
        sheet.append([*columns.values(), *added])
        for case in cases:
            if module_name in case:
                row = case[module_name]
                sheet.append([row.get(column) for column in columns] + ["x"] * len(added))
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path
