"""The DfE's Children in Need census rules in expectations/cin.json: for each rule, a clean child keeps it and the
same child broken in one place breaks it, on that child's records and nowhere else.

One census holds every case's child (each broken its own way) and is validated once; a second holds the same
children clean, and must give no finding at all.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.validation import validate_extract
from tests.cin_builders import Child, census_xml, contract_for, write_census
from tests.rule_cases import then

Break = Callable[[Child], None]


def ids(**values: str) -> Break:
    return lambda c: c.identifiers.update(values)


def traits(**values: str) -> Break:
    return lambda c: c.characteristics.update(values)


def episode(**values: str) -> Break:
    return lambda c: c.episodes[0].details.update(values)


def assessment(**values: str) -> Break:
    return lambda c: c.episodes[0].assessments[0].update(values)


def enquiry(**values: str) -> Break:
    return lambda c: c.episodes[0].section47[0].update(values)


def plan(**values: str) -> Break:
    return lambda c: c.episodes[0].plans[0].update(values)


def second_plan(**values: str) -> Break:
    def add(c: Child) -> None:
        c.episodes[0].plans[0]["CPPendDate"] = "2022-12-01"
        c.episodes[0].plans.append(dict(c.episodes[0].plans[0], CPPstartDate="2023-01-10", CPPendDate="") | values)

    return add


CASES: list[tuple[str, Break]] = [
    ("cin_4180", ids(GenderCurrent="M")),  # M is 2024-25's Sex code
    ("cin_4180", ids(GenderCurrent="")),
    ("cin_4220", traits(Ethnicity="WXYZ")),
    ("cin_4220", traits(Ethnicity="")),
    ("cin_8500", ids(LAchildID="")),
    ("cin_1510", ids(UPN="A000000000001")),  # its check letter is P
    ("cin_1540", ids(UPN="P0001234X6789")),
    ("cin_1550", ids(UPN="P00000000000I")),
    ("cin_1560Q", ids(FormerUPN="A12")),
    ("cin_8520", ids(PersonBirthDate="2023-05-01")),
    ("cin_8525Q", ids(PersonBirthDate="")),
    ("cin_8525Q", ids(ExpectedPersonBirthDate="2023-05-01")),
    ("cin_8535Q", ids(PersonDeathDate="2011-01-01")),
    ("cin_8545Q", ids(PersonDeathDate="2021-01-01")),
    ("cin_8540", traits(Disability="XYZ")),
    ("cin_8790", traits(Disability="NONE,MOB")),
    ("cin_8750", ids(PersonBirthDate="", ExpectedPersonBirthDate="2023-05-01")),
    ("cin_8775Q", ids(PersonBirthDate="1990-01-01")),
    ("cin_8770Q", ids(UPN="", UPNunknown="UN9")),
    # Episodes
    ("cin_8866", episode(ReferralSource="99")),
    ("cin_8866", episode(ReferralSource="")),
    ("cin_8650", episode(PrimaryNeedCode="N10")),
    ("cin_8640", episode(CINclosureDate="2023-01-01", ReasonForClosure="RC10")),
    ("cin_8568", episode(ReferralNFA="maybe")),
    ("cin_8568", episode(ReferralNFA="")),
    ("cin_8600", episode(CINreferralDate="2023-04-02")),
    ("cin_8620", episode(CINreferralDate="2020-01-01", CINclosureDate="2022-03-01", ReasonForClosure="RC7")),
    ("cin_8630", episode(CINclosureDate="2022-05-01", ReasonForClosure="RC7")),
    ("cin_8610", episode(PrimaryNeedCode="")),
    ("cin_8805", episode(CINclosureDate="2023-01-01")),
    ("cin_8810", episode(ReasonForClosure="RC7")),
    ("cin_8555Q", ids(PersonDeathDate="2022-05-01")),
    ("cin_8585Q", episode(CINclosureDate="2023-01-01", ReasonForClosure="RC2")),
    (
        "cin_8820",
        lambda c: c.episodes.append(type(c.episodes[0])(dict(c.episodes[0].details, CINreferralDate="2022-06-01"))),
    ),
    # Assessments
    ("cin_1103", assessment(AssessmentActualStartDate="2022-05-01")),
    ("cin_8608", assessment(AssessmentAuthorisationDate="2022-05-10")),
    ("cin_8614", assessment(AssessmentAuthorisationDate="")),
    ("cin_8897Q", assessment(AssessmentFactors="99Z")),
    ("cin_8696", assessment(AssessmentAuthorisationDate="2023-04-10")),
    (
        "cin_8736",
        then(
            episode(CINreferralDate="2021-01-01"),
            assessment(AssessmentActualStartDate="2021-02-01", AssessmentAuthorisationDate="", AssessmentFactors=""),
        ),
    ),
    ("cin_8869", assessment(AssessmentFactors="21,4B")),
    # Working days (England's bank holidays): 30 January 2023 is 44 working days before 31 March
    (
        "cin_8670Q",
        assessment(AssessmentActualStartDate="2023-01-27", AssessmentAuthorisationDate="", AssessmentFactors=""),
    ),
    ("cin_8569Q", episode(CINreferralDate="2022-03-30", ReferralNFA="1")),
    # Section 47
    ("cin_2889", enquiry(S47ActualStartDate="2022-05-01")),
    (
        "cin_1104",
        then(enquiry(S47ActualStartDate="2022-05-01", DateOfInitialCPC="2022-05-02"), plan(CPPstartDate="2022-05-12")),
    ),
    ("cin_8615", enquiry(S47ActualStartDate="2022-07-04")),
    ("cin_8839", enquiry(ICPCnotRequired="yes")),
    (
        "cin_8715",
        then(
            episode(CINreferralDate="2021-01-01"),
            enquiry(S47ActualStartDate="2021-06-21", DateOfInitialCPC="2021-07-01"),
        ),
    ),
    ("cin_8875", enquiry(DateOfInitialCPC="2022-07-02")),
    ("cin_8870Q", enquiry(InitialCPCtarget="2022-07-09")),
    ("cin_8675Q", enquiry(S47ActualStartDate="2023-03-10", DateOfInitialCPC="", InitialCPCtarget="2023-03-24")),
    # Plans
    ("cin_8905", plan(InitialCategoryOfAbuse="XXX")),
    ("cin_8905", plan(InitialCategoryOfAbuse="")),
    ("cin_8910", plan(LatestCategoryOfAbuse="NE")),
    ("cin_8730", plan(NumberOfPreviousCPP="-1")),
    ("cin_8730", plan(NumberOfPreviousCPP="")),
    ("cin_1105", plan(CPPstartDate="2022-05-01")),
    ("cin_8925", plan(CPPendDate="2022-06-01")),
    ("cin_8840", plan(CPPendDate="2022-07-01")),
    ("cin_8720", plan(CPPstartDate="2023-04-03")),
    ("cin_8930", plan(CPPendDate="2023-04-30")),
    ("cin_8940", second_plan(CPPstartDate="2022-11-01")),
    ("cin_8915", ids(PersonDeathDate="2022-06-15")),
    ("cin_8920", then(ids(PersonDeathDate="2022-08-15"), plan(CPPendDate="2022-09-01"))),
    ("cin_8590", lambda c: c.episodes.clear()),
]
# Cases whose break is a rule of another year, each in a census of its own year.
YEAR_CASES: list[tuple[str, str, Break]] = [
    ("2025-03", "cin_4180", lambda c: c.identifiers.update(Sex="1")),
    ("2025-03", "cin_4180", lambda c: c.identifiers.pop("Sex")),
    ("2025-03", "cin_8945Q", assessment(AssessmentFactors="18A")),
    ("2025-03", "cin_8950Q", assessment(AssessmentFactors="19A")),
    ("2022-03", "cin_8866", episode(ReferralSource="5D")),  # early help is a source from 2022-23
    ("2022-03", "cin_8640", episode(CINclosureDate="2021-09-01", ReasonForClosure="RC9")),
]


def _in_year(period: str, child: Child) -> Child:
    """The clean child as a census of `period`'s year writes it: dates moved by whole years, Sex from 2024-25."""
    shift = int(period[:4]) - 2023

    def moved(value: str) -> str:
        return f"{int(value[:4]) + shift}{value[4:]}" if len(value) == 10 and value[4] == "-" else value

    for elements in [child.identifiers, *(e.details for e in child.episodes)]:
        elements.update({k: moved(v) for k, v in elements.items() if isinstance(v, str)})
    for e in child.episodes:
        for rows in (e.assessments, e.section47, e.plans):
            for row in rows:
                row.update({k: moved(v) for k, v in row.items()})
    if shift >= 2:
        child.identifiers["Sex"] = {"1": "M", "2": "F"}.get(child.identifiers.pop("GenderCurrent"), "U")
    return child


def _weekday_kept(child: Child, period: str) -> Child:
    """Moved dates may fall at a weekend: the conference is moved to the Friday before, with its plan."""
    from datetime import date, timedelta

    for e in child.episodes:
        for enquiry_row, plan_row in zip(e.section47, e.plans, strict=False):
            day = date.fromisoformat(enquiry_row["DateOfInitialCPC"])
            while day.weekday() >= 5:
                day -= timedelta(days=1)
            enquiry_row["DateOfInitialCPC"] = enquiry_row["InitialCPCtarget"] = plan_row["CPPstartDate"] = (
                day.isoformat()
            )
            e.details["DateOfInitialCPC"] = day.isoformat()
    return child


def _findings(folder, children: list[Child], period: str):
    path = write_census(folder / f"cin_E06000022_{period}.xml", children, period)
    contract = contract_for(period)
    parsed = parse_extract(contract, identify(contract, path))
    return parsed.findings + validate_extract(contract, parsed)


def _child_lines(children: list[Child], period: str) -> dict[int, range]:
    lines = census_xml(children, period).decode().splitlines()
    starts = [i + 1 for i, line in enumerate(lines) if line == "<Child>"]
    ends = [i + 1 for i, line in enumerate(lines) if line == "</Child>"]
    return {child.n: range(start, end + 1) for child, start, end in zip(children, starts, ends, strict=True)}


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    results = {}
    periods = {"2023-03": CASES, **{p: [(r, b) for q, r, b in YEAR_CASES if q == p] for p, *_ in YEAR_CASES}}
    for period, cases in periods.items():
        clean = [_weekday_kept(_in_year(period, Child.clean(n)), period) for n in range(len(cases))]
        broken = [_weekday_kept(_in_year(period, Child.clean(n)), period) for n in range(len(cases))]
        for child, (_, breaks) in zip(broken, cases, strict=True):
            breaks(child)
        folder = tmp_path_factory.mktemp(f"cin{period}")
        results[period] = (
            _findings(folder / "clean", clean, period),
            _child_lines(broken, period),
            _findings(folder / "broken", broken, period),
        )
    return results


def test_clean_censuses_keep_every_rule(validated):
    for period, (clean, _, _) in validated.items():
        assert clean == [], f"{period}: {[str(f) for f in clean[:5]]}"


@pytest.mark.parametrize(("n", "rule"), [(n, rule) for n, (rule, _) in enumerate(CASES)])
def test_the_broken_child_breaks_its_rule(validated, n, rule):
    _, lines, findings = validated["2023-03"]
    mine = [f for f in findings if f.rule == rule and (f.row_number in lines[n] or f.row_number is None)]
    assert mine, [str(f) for f in findings if f.rule == rule][:5]


@pytest.mark.parametrize(
    ("period", "n", "rule"),
    [(p, [c for c in YEAR_CASES if c[0] == p].index(case), rule) for case in YEAR_CASES for p, rule, _ in [case]],
)
def test_a_rule_of_its_collection_year_is_checked_in_that_year(validated, period, n, rule):
    _, lines, findings = validated[period]
    mine = [f for f in findings if f.rule == rule and (f.row_number in lines[n] or f.row_number is None)]
    assert mine, [str(f) for f in findings if f.rule == rule][:5]


def test_at_least_forty_rules_are_tested():
    assert len({rule for rule, _ in CASES} | {rule for _, rule, _ in YEAR_CASES}) >= 40


def test_working_days_skip_weekends_and_englands_bank_holidays():
    from datetime import date

    from dagster_project.lib.working_days import working_days_from

    assert working_days_from(date(2023, 4, 6), 1) == date(2023, 4, 11)  # Good Friday and Easter Monday
    assert working_days_from(date(2023, 3, 31), -44) == date(2023, 1, 30)
    assert working_days_from(date(2022, 4, 1), -1) == date(2022, 3, 31)
    assert working_days_from(date(2022, 12, 24), -1) == date(2022, 12, 22)  # a Saturday: the Friday is the first
