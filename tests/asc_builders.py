"""Small adult social care zips built in tests: a consistent extract to break one rule at a time."""

from pathlib import Path

import yaml

from dagster_project.lib.settings import SOURCES_DIR
from tests.module_zips import Modules, write_module_zip

CONTRACT = yaml.safe_load((SOURCES_DIR / "asc.yaml").read_text())
CONCERN_COLUMNS = list(CONTRACT["modules"]["concerns"]["columns"])
ENQUIRY_COLUMNS = list(CONTRACT["modules"]["enquiries"]["columns"])


def _concern(*values: str) -> dict[str, str]:
    return dict(zip(CONCERN_COLUMNS, values, strict=True))


def _enquiry(*values: str) -> dict[str, str]:
    return dict(zip(ENQUIRY_COLUMNS, values, strict=True))


def clean_modules() -> Modules:
    """Bath and North East Somerset, financial year to 31 December 2021: a care-home concern that became a
    concluded S42 enquiry, the same woman's later concern handled by S42(1) actions, another enquiry, a concern
    from March whose enquiry is still open, and one concern that did not meet the Care Act criteria."""
    return {
        "concerns": [
            _concern("SC00000001", "AP0000001", "2021-05-03", "CARE_HOME", "2021-05-05", "S42_ENQUIRY", "Y", "N",
                     "84", "F", "WHITE", "PHYSICAL"),
            _concern("SC00000002", "AP0000001", "2021-09-10", "FAMILY", "2021-09-11", "S42_1_ACTIONS", "N", "N",
                     "84", "F", "WHITE", "PHYSICAL"),
            _concern("SC00000003", "AP0000002", "2021-06-01", "POLICE", "2021-06-02", "OTHER_ENQUIRY", "N", "Y",
                     "45", "M", "BLACK", "MENTAL_HEALTH"),
            _concern("SC00000004", "AP0000003", "2021-03-20", "HEALTH", "2021-03-22", "S42_ENQUIRY", "N", "N",
                     "91", "F", "UNDECLARED", "MEMORY_COGNITION"),
            _concern("SC00000005", "AP0000004", "2021-11-01", "SELF", "2021-11-05", "NOT_CARE_ACT", "N", "N",
                     "70", "U", "ASIAN", "NONE"),
        ],
        "enquiries": [
            _enquiry("SE00000001", "SC00000001", "AP0000001", "S42", "2021-05-06", "2021-08-01",
                     "CARE_HOME_RESIDENTIAL", "SERVICE_PROVIDER", "NEGLECT|PHYSICAL", "YES", "REDUCED",
                     "ASKED_EXPRESSED", "PARTIALLY", "YES", "Y"),
            _enquiry("SE00000002", "SC00000003", "AP0000002", "OTHER", "2021-06-03", "2021-07-15", "COMMUNITY",
                     "OTHER_KNOWN", "FINANCIAL", "NO", "", "ASKED_NOT_EXPRESSED", "", "NO", ""),
            _enquiry("SE00000003", "SC00000004", "AP0000003", "S42", "2021-03-25", "", "OWN_HOME", "OTHER_KNOWN",
                     "DOMESTIC_ABUSE", "", "", "NOT_ASKED", "", "DONT_KNOW", ""),
        ],
    }  # fmt: skip


def write_asc_zip(path: Path, modules: Modules | None = None, extra_members: dict[str, bytes] | None = None) -> Path:
    return write_module_zip(path, CONTRACT, clean_modules() if modules is None else modules, extra_members)
