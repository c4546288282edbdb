"""Small children's social care zips built in tests: a consistent extract to break one rule at a time."""

from pathlib import Path

import yaml

from dagster_project.lib.settings import SOURCES_DIR
from tests.module_zips import Modules, write_module_zip

CONTRACT = yaml.safe_load((SOURCES_DIR / "csc.yaml").read_text())


def clean_modules() -> dict[str, list[dict[str, str]]]:
    """Two children of North Somerset (quarter ending 2023-03-31): one referred, assessed and on a plan,
    one in care who went missing."""
    return {
        "children": [
            {"child_id": "NSC0000001", "sex": "F", "birth_month": "2012-05", "ethnicity": "WBRI", "disability": "N"},
            {"child_id": "NSC0000002", "sex": "M", "birth_month": "2008-11", "ethnicity": "MWBC", "disability": "Y"},
        ],
        "contacts": [
            {
                "contact_id": "NSCON000001",
                "child_id": "NSC0000001",
                "contact_date": "2022-06-01",
                "contact_source": "6",
                "domestic_abuse": "Y",
                "outcome": "REF",
            },
        ],
        "referrals": [
            {
                "referral_id": "NSREF000001",
                "child_id": "NSC0000001",
                "referral_date": "2022-06-02",
                "referral_source": "6",
                "primary_need": "N1",
                "referral_nfa": "N",
                "closure_date": "",
                "closure_reason": "",
            },
        ],
        "assessments": [
            {
                "assessment_id": "NSASS000001",
                "referral_id": "NSREF000001",
                "child_id": "NSC0000001",
                "start_date": "2022-06-03",
                "authorised_date": "2022-07-01",
                "factors": "3A,4A,11A",
            },
        ],
        "cp_plans": [
            {
                "plan_id": "NSCPP000001",
                "child_id": "NSC0000001",
                "start_date": "2022-08-01",
                "end_date": "",
                "initial_category": "NEG",
                "latest_category": "NEG",
                "previous_plans": "1",
            },
        ],
        "cla_episodes": [
            {
                "child_id": "NSC0000002",
                "episode_start": "2021-01-10",
                "reason_new_episode": "S",
                "legal_status": "C2",
                "category_of_need": "N1",
                "placement": "U1",
                "episode_end": "2022-02-01",
                "reason_ceased": "X1",
                "uasc": "N",
            },
            {
                "child_id": "NSC0000002",
                "episode_start": "2022-02-01",
                "reason_new_episode": "P",
                "legal_status": "C2",
                "category_of_need": "N1",
                "placement": "K2",
                "episode_end": "",
                "reason_ceased": "",
                "uasc": "N",
            },
        ],
        "missing": [
            {
                "child_id": "NSC0000002",
                "episode_type": "M",
                "start_date": "2022-09-01",
                "end_date": "2022-09-02",
                "from_care": "Y",
                "rhi_offered": "Y",
                "rhi_accepted": "N",
            },
        ],
    }


def write_csc_zip(path: Path, modules: Modules | None = None, extra_members: dict[str, bytes] | None = None) -> Path:
    return write_module_zip(path, CONTRACT, clean_modules() if modules is None else modules, extra_members)


def as_bristol(modules: dict[str, list[dict[str, str]]]) -> dict[str, list[dict[str, str]]]:
    """The same records as Bristol's case system exports them: its headers, codes and DD/MM/YYYY dates."""
    partner = CONTRACT["layouts"]["bristol_case_system"]
    sexes = {canonical: written for written, canonical in partner["codes"]["sex"].items()}
    converted = {}
    for module, rows in modules.items():
        headers = {canonical: header for header, canonical in partner["headers"][module].items()}
        kinds = CONTRACT["modules"][module]["columns"]
        converted[module] = [
            {
                headers[column]: _bristol_value(kinds[column]["kind"], column, value, sexes)
                for column, value in row.items()
            }
            for row in rows
        ]
    return converted


def _bristol_value(kind: str, column: str, value: str, sexes: dict[str, str]) -> str:
    if not value:
        return value
    if kind == "date":
        year, month, day = value.split("-")
        return f"{day}/{month}/{year}"
    if kind == "month":
        year, month = value.split("-")
        return f"15/{month}/{year}"
    return sexes[value] if column == "sex" else value
