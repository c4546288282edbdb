"""Small Children in Need census files built in tests, independent of the sample generator: one clean child per
case, whose elements a test breaks to check one DfE rule."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lxml import etree

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.parsing.values import upn_check_letter

Elements = dict[str, str]


def contract_for(period: str):
    year, month = (int(part) for part in period.split("-"))
    return load_contracts()["cin"].for_period(date(year, month, 28))


def _upn(n: int) -> str:
    """A permanent UPN, its check letter right."""
    digits = f"{n:012d}"
    return upn_check_letter(digits) + digits


@dataclass
class Episode:
    details: Elements
    assessments: list[Elements] = field(default_factory=list)
    section47: list[Elements] = field(default_factory=list)
    plans: list[Elements] = field(default_factory=list)


@dataclass
class Child:
    """One child, clean for a 2022-23 census: referred in May 2022, assessed, an enquiry and a plan from July."""

    n: int
    identifiers: Elements = field(default_factory=dict)
    characteristics: Elements = field(default_factory=dict)
    episodes: list[Episode] = field(default_factory=list)

    @classmethod
    def clean(cls, n: int) -> Child:
        return cls(
            n,
            identifiers={"LAchildID": f"C{n:05d}", "UPN": _upn(n), "PersonBirthDate": "2012-06-01",
                         "GenderCurrent": "1"},
            characteristics={"Ethnicity": "WBRI", "Disability": "NONE"},
            episodes=[
                Episode(
                    {"CINreferralDate": "2022-05-10", "ReferralSource": "6", "PrimaryNeedCode": "N1",
                     "DateOfInitialCPC": "2022-07-01", "ReferralNFA": "0"},
                    assessments=[{"AssessmentActualStartDate": "2022-05-11",
                                  "AssessmentAuthorisationDate": "2022-06-20", "AssessmentFactors": "4B"}],
                    section47=[{"S47ActualStartDate": "2022-06-21", "InitialCPCtarget": "2022-07-08",
                                "DateOfInitialCPC": "2022-07-01", "ICPCnotRequired": "0"}],
                    plans=[{"CPPstartDate": "2022-07-01", "InitialCategoryOfAbuse": "NEG",
                            "LatestCategoryOfAbuse": "NEG", "NumberOfPreviousCPP": "0"}],
                )
            ],
        )  # fmt: skip


def _add(parent: etree._Element, tag: str, text: str | None) -> None:
    if text is not None and text != "":
        etree.SubElement(parent, tag).text = text


def census_xml(children: list[Child], period: str = "2023-03", lea: str = "800") -> bytes:
    """The children as a census file for the year ending `period`: one element to a line."""
    message = etree.Element("Message")
    header = etree.SubElement(message, "Header")
    details = etree.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", period[:4])
    _add(details, "ReferenceDate", f"{period}-31")
    _add(etree.SubElement(header, "Source"), "LEA", lea)
    people = etree.SubElement(message, "Children")
    for child in children:
        element = etree.SubElement(people, "Child")
        identifiers = etree.SubElement(element, "ChildIdentifiers")
        for tag, text in child.identifiers.items():
            _add(identifiers, tag, text)
        characteristics = etree.SubElement(element, "ChildCharacteristics")
        _add(characteristics, "Ethnicity", child.characteristics.get("Ethnicity"))
        disabilities = etree.SubElement(characteristics, "Disabilities")
        for code in (child.characteristics.get("Disability") or "").split(","):
            _add(disabilities, "Disability", code)
        for episode in child.episodes:
            block = etree.SubElement(element, "CINdetails")
            for tag, text in episode.details.items():
                _add(block, tag, text)
            for assessment in episode.assessments:
                part = etree.SubElement(block, "Assessments")
                for tag, text in assessment.items():
                    if tag != "AssessmentFactors":
                        _add(part, tag, text)
                factors = etree.SubElement(part, "FactorsIdentifiedAtAssessment")
                for code in (assessment.get("AssessmentFactors") or "").split(","):
                    _add(factors, "AssessmentFactors", code)
            for kind, rows in (("Section47", episode.section47), ("ChildProtectionPlans", episode.plans)):
                for row in rows:
                    part = etree.SubElement(block, kind)
                    for tag, text in row.items():
                        _add(part, tag, text)
    text = etree.tostring(message, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return b"\n".join(line.lstrip() for line in text.split(b"\n"))


def write_census(path: Path, children: list[Child], period: str = "2023-03") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(census_xml(children, period))
    return path
