"""The DfE's SSDA903 rules in expectations/csc903.json: for each rule, a clean child's rows keep it and the same
rows broken in one place break it, on the row broken and nowhere else.

One return holds every case's child (each broken its own way) and is validated once; a second holds the same
children clean, and must give no finding at all.
"""

from __future__ import annotations

import pytest

from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.validation import validate_extract
from tests.csc903_builders import Break, Child, contract_for, write_return
from tests.rule_cases import then


def ep(i: int, **values: str) -> Break:
    return lambda c: c.tables["episodes"][i].update(values)


def header(**values: str) -> Break:
    return lambda c: c.tables["header"][0].update(values)


def row(table: str, **values: str) -> Break:
    """Adds a row of `table` (its defaults are clean) with some values changed."""
    return lambda c: c.add(table, **values)


def third_episode(**values: str) -> Break:
    """Ends the second episode with X1 on 01/12/2022 and adds a third from that day (values change it)."""

    def add(c: Child) -> None:
        c.tables["episodes"][1].update(DEC="01/12/2022", REC="X1", REASON_PLACE_CHANGE="CARPL")
        c.tables["episodes"].append(
            c.episode(DECOM="01/12/2022", RNE="P", PLACE="U1", PLACE_PROVIDER="PR1", PL_POST="BS4 2AA") | values
        )

    return add


def clean_oc2(**values: str) -> Break:
    return row("oc2", **values)


# (rule, table the finding is on, how the clean child is broken)
CASES: list[tuple[str, str, Break]] = [
    # Header
    ("903_101", "header", header(SEX="M")),  # M is 2024-25's code, not 2022-23's
    ("903_101", "header", header(SEX="")),
    ("903_102", "header", header(DOB="31/02/2012")),
    ("903_103", "header", header(ETHNIC="WBRX")),
    ("903_168", "header", header(UPN="I00000000001")),
    ("903_165", "header", header(MOTHER="2")),
    ("903_165", "header", header(MOTHER="0")),  # a male child
    ("903_171", "header", header(SEX="2", MOTHER="1", MC_DOB="30/02/2022")),
    ("903_174", "header", header(MC_DOB="01/01/2022")),
    ("903_301", "header", header(DOB="01/05/2023")),
    ("903_351", "header", header(DOB="01/01/1990")),
    ("903_611", "header", header(SEX="2", MOTHER="1")),
    ("903_612", "header", header(SEX="2", MOTHER="0", MC_DOB="01/01/2022")),
    ("903_620", "header", header(SEX="2", DOB="01/06/2013", MOTHER="1", MC_DOB="01/01/2023")),
    ("903_621", "header", header(SEX="2", MOTHER="1", MC_DOB="01/01/2010")),
    ("INT32", "header", lambda c: c.tables["header"].append(dict(c.tables["header"][0]))),
    # Episodes: codes and dates
    ("903_141", "episodes", ep(0, DECOM="32/05/2022")),
    ("903_143", "episodes", ep(0, RNE="X")),
    ("903_144", "episodes", ep(0, LS="Z9")),
    ("903_145", "episodes", ep(0, CIN="N9")),
    ("903_146", "episodes", ep(0, PLACE="K3", PLACE_PROVIDER="PR4")),  # K3 is from 2024-25
    ("903_147", "episodes", ep(0, DEC="01/13/2022")),
    ("903_149", "episodes", ep(0, REC="E99")),
    ("903_1009", "episodes", ep(0, REASON_PLACE_CHANGE="MOVED")),
    ("903_178", "episodes", ep(0, PLACE_PROVIDER="PR9")),
    ("903_178", "episodes", ep(0, PLACE="Z1", PLACE_PROVIDER="PR1")),
    ("903_148", "episodes", ep(1, REC="E8")),
    ("903_148", "episodes", ep(0, REC="")),
    ("903_354", "episodes", ep(1, DECOM="01/04/2023")),
    ("903_385", "episodes", ep(1, DEC="05/04/2023", REC="E8")),
    ("903_353", "episodes", ep(0, DECOM="10/05/1991")),
    ("903_355", "episodes", then(ep(0, DEC="10/05/2022"), ep(1, DECOM="10/05/2022"))),
    ("903_356", "episodes", then(ep(0, DEC="09/05/2022"), ep(1, DECOM="09/05/2022"))),
    ("903_526", "episodes", ep(0, PLACE_PROVIDER="")),
    ("903_550", "episodes", ep(0, PLACE_PROVIDER="PR0")),
    ("903_527", "episodes", ep(1, PLACE="R2", PLACE_PROVIDER="PR1")),
    ("903_528", "episodes", ep(1, PLACE="R5", PLACE_PROVIDER="PR2")),
    ("903_529", "episodes", ep(0, PLACE_PROVIDER="PR3")),
    ("903_530", "episodes", ep(1, PLACE="P1", LS="C2", PLACE_PROVIDER="PR4")),
    ("903_531", "episodes", ep(1, PLACE="P1", LS="C2", PLACE_PROVIDER="PR5")),
    ("903_214", "episodes", ep(0, LS="V3", RNE="S", HOME_POST="", PL_POST="BS2 0JA")),
    ("903_398", "episodes", ep(0, LS="V4", HOME_POST="BS1 4DJ", PL_POST="")),
    ("903_217", "episodes", ep(1, PLACE="A5", LS="E1", PLACE_PROVIDER="PR1", RNE="P")),
    ("903_365", "episodes", ep(0, LS="V3", HOME_POST="", PL_POST="")),
    ("903_366", "episodes", ep(1, LS="V3", HOME_POST="", PL_POST="")),
    ("903_378", "episodes", ep(1, PLACE="P1", LS="V2", PLACE_PROVIDER="PR0")),
    ("903_380", "episodes", ep(1, PLACE="T1", RNE="S", PLACE_PROVIDER="")),
    ("903_381", "episodes", ep(1, PLACE="T2", PLACE_PROVIDER="", DEC="01/03/2023", REC="E8")),
    ("903_382", "episodes", ep(1, PLACE="T3", LS="V4", PLACE_PROVIDER="", HOME_POST="", PL_POST="")),
    ("903_384", "episodes", ep(1, PLACE="U1", LS="V4", PLACE_PROVIDER="PR1", HOME_POST="", PL_POST="")),
    ("903_390", "episodes", ep(1, DEC="01/03/2023", REC="E11")),
    ("903_408", "episodes", ep(1, PLACE="A6", PLACE_PROVIDER="PR1")),
    ("903_446", "episodes", ep(0, LS="E1", DECOM="10/05/2004")),
    ("903_445", "episodes", ep(0, LS="D1")),
    ("903_516", "episodes", ep(1, PLACE="K2", DEC="01/03/2023", REC="E45")),
    ("903_375", "episodes", third_episode(PLACE="T1", PLACE_PROVIDER="", DEC="01/03/2023", REC="E8")),
    # Episodes: one after another
    ("903_501", "episodes", ep(0, DEC="05/09/2022")),
    ("903_142", "episodes", ep(0, DEC="", REC="")),
    ("903_388", "episodes", ep(1, DEC="01/03/2023", REC="X1")),
    ("903_388", "episodes", ep(0, REC="E8")),
    ("903_433", "episodes", then(ep(0, DEC="25/08/2022"))),
    ("903_431", "episodes", ep(1, RNE="S")),
    ("903_432", "episodes", then(ep(0, DEC="25/08/2022", REC="E8"), ep(1, RNE="P"))),
    ("903_357", "episodes", ep(0, RNE="P")),
    ("903_434", "episodes", ep(1, RNE="L", LS="C1")),
    ("903_435", "episodes", ep(1, LS="C1")),
    ("903_436", "episodes", ep(1, RNE="B")),
    ("903_437", "episodes", ep(0, REC="E2")),
    ("903_504", "episodes", ep(1, CIN="N2")),
    ("903_226", "episodes", third_episode(PLACE="T4", PLACE_PROVIDER="", REASON_PLACE_CHANGE="CARPL")),
    ("903_225", "episodes", ep(0, REASON_PLACE_CHANGE="")),
    ("903_336", "episodes", then(ep(0, PLACE="K2", PLACE_PROVIDER="PR4"), ep(1, PLACE="A4", PLACE_PROVIDER="PR1"))),
    ("INT03", "episodes", lambda c: c.tables["header"].clear()),
    # Episodes: ages
    ("903_302", "episodes", header(DOB="01/06/2022")),
    ("903_352", "episodes", header(DOB="01/01/2004")),
    ("903_358", "episodes", then(header(DOB="01/06/2014"), ep(1, LS="J2"))),
    ("903_372", "episodes", then(header(DOB="01/06/2014"), ep(1, PLACE="R5", PLACE_PROVIDER="PR3"))),
    ("903_373", "episodes", then(header(DOB="01/06/2019"), ep(1, PLACE="S1", PLACE_PROVIDER="PR4"))),
    ("903_374", "episodes", ep(1, PLACE="P3", PLACE_PROVIDER="PR4")),
    ("903_371", "episodes", ep(1, PLACE="H5", PLACE_PROVIDER="PR4")),
    ("903_370", "episodes", ep(1, PLACE="P2", PLACE_PROVIDER="PR4")),
    (
        "903_386",
        "episodes",
        then(header(DOB="01/01/2004"), ep(1, PLACE="A6", LS="E1", PLACE_PROVIDER="PR1", DEC="01/03/2023", REC="E11")),
    ),
    ("903_387", "episodes", ep(1, DEC="01/03/2023", REC="E5")),
    ("903_389", "episodes", ep(1, DEC="01/03/2023", REC="E7")),
    ("903_460", "episodes", ep(1, DEC="01/03/2023", REC="E17")),
    # Reviews
    ("903_166", "reviews", lambda c: c.tables["reviews"][0].update(REVIEW="")),
    ("903_167", "reviews", lambda c: c.tables["reviews"][0].update(REVIEW_CODE="PN9")),
    ("903_167", "reviews", lambda c: c.tables["reviews"][0].update(REVIEW_CODE="")),
    ("903_440", "reviews", lambda c: c.tables["reviews"][0].update(REVIEW_CODE="PN0")),
    ("903_441", "reviews", then(header(DOB="01/06/2020"), lambda c: c.tables["reviews"][0].update(DOB="01/06/2020"))),
    ("INT08", "reviews", row("reviews", CHILD="C99999", REVIEW="01/12/2022", REVIEW_CODE="PN1")),
    ("INT17", "reviews", lambda c: c.tables["reviews"][0].update(DOB="01/07/2012")),
    # UASC
    ("903_104", "uasc", row("uasc", DUC="01/01/2022")),
    ("903_104", "uasc", row("uasc", DUC="01/15/2022")),
    ("903_304", "uasc", then(header(DOB="01/06/2003"), row("uasc", DOB="01/06/2003", DUC="01/07/2022"))),
    ("INT21", "uasc", row("uasc", SEX="2")),
    ("INT36", "uasc", then(row("uasc"), row("uasc"))),
    ("INT09", "uasc", row("uasc", CHILD="C99998")),
    ("INT18", "uasc", row("uasc", DOB="01/05/2012")),
    # OC2
    ("903_180", "oc2", clean_oc2(SDQ_SCORE="41")),
    ("903_196", "oc2", clean_oc2(SDQ_SCORE="", SDQ_REASON="SDQ9")),
    ("903_181", "oc2", clean_oc2(TEETH_CHECK="2")),
    ("903_182", "oc2", clean_oc2(IMMUNISATIONS="")),
    ("903_188", "oc2", then(header(DOB="01/06/2020"), clean_oc2(DOB="01/06/2020", CONVICTED=""))),
    ("903_189", "oc2", then(header(DOB="01/01/2005"), clean_oc2(DOB="01/01/2005"))),
    ("903_197a", "oc2", clean_oc2(SDQ_REASON="SDQ2")),
    ("903_158", "oc2", clean_oc2(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="1", INTERVENTION_OFFERED="1")),
    ("903_159", "oc2", clean_oc2(SUBSTANCE_MISUSE="1", INTERVENTION_RECEIVED="0")),
    ("903_192", "oc2", clean_oc2(SUBSTANCE_MISUSE="1")),
    ("903_193", "oc2", clean_oc2(INTERVENTION_RECEIVED="1")),
    ("903_542", "oc2", then(header(DOB="01/06/2015"), clean_oc2(DOB="01/06/2015"))),
    ("903_544", "oc2", clean_oc2(CONVICTED="1", SUBSTANCE_MISUSE="", HEALTH_CHECK="")),
    ("903_547", "oc2", clean_oc2(HEALTH_CHECK="1", TEETH_CHECK="")),
    ("INT33", "oc2", then(clean_oc2(), clean_oc2())),
    ("INT05", "oc2", clean_oc2(CHILD="C99997")),
    ("INT14", "oc2", clean_oc2(DOB="01/06/2011")),
    # OC3
    ("903_131", "oc3", row("oc3", IN_TOUCH="MAYBE")),
    ("903_132", "oc3", row("oc3", ACTIV="Q1")),
    ("903_133", "oc3", row("oc3", ACCOM="Q9")),
    ("903_153", "oc3", row("oc3", ACCOM="")),
    ("903_344", "oc3", row("oc3", IN_TOUCH="DIED")),
    ("903_345", "oc3", row("oc3", ACTIV="0")),
    ("903_391", "oc3", row("oc3")),
    ("INT34", "oc3", then(row("oc3", DOB="01/06/2012"), row("oc3"))),
    ("INT06", "oc3", row("oc3", CHILD="C99996")),
    ("INT15", "oc3", row("oc3", DOB="01/06/2011")),
    # AD1
    ("903_112", "ad1", row("ad1", DATE_INT="01/00/2022")),
    ("903_113", "ad1", row("ad1", DATE_MATCH="2022-08-01")),
    ("903_114", "ad1", row("ad1", FOSTER_CARE="Y")),
    ("903_175", "ad1", row("ad1", NB_ADOPTR="3")),
    ("903_176", "ad1", row("ad1", SEX_ADOPTR="XY")),
    ("903_177", "ad1", row("ad1", LS_ADOPTR="L9")),
    ("903_151", "ad1", row("ad1", LS_ADOPTR="")),
    ("903_333", "ad1", row("ad1", DATE_INT="01/09/2022")),
    ("903_511", "ad1", row("ad1", SEX_ADOPTR="F1")),
    ("903_514", "ad1", row("ad1", NB_ADOPTR="1", LS_ADOPTR="L0")),
    ("903_517", "ad1", row("ad1", LS_ADOPTR="L3", SEX_ADOPTR="FF")),
    ("903_518", "ad1", row("ad1", LS_ADOPTR="L4")),
    ("903_519", "ad1", row("ad1", NB_ADOPTR="1", LS_ADOPTR="L2", SEX_ADOPTR="M1")),
    ("903_520", "ad1", row("ad1", SEX_ADOPTR="FF")),
    ("903_524", "ad1", row("ad1", LS_ADOPTR="L12")),
    ("INT31", "ad1", then(row("ad1"), row("ad1"))),
    ("INT01", "ad1", row("ad1", CHILD="C99995")),
    ("INT11", "ad1", row("ad1", DOB="01/06/2013")),
    # PlacedAdoption
    ("903_115", "placed_adoption", row("placed_adoption", DATE_PLACED="1 June 2022")),
    ("903_116", "placed_adoption", row("placed_adoption", DATE_PLACED_CEASED="31/06/2022", REASON_PLACED_CEASED="RD1")),
    ("903_119", "placed_adoption", row("placed_adoption", DATE_PLACED_CEASED="01/09/2022")),
    ("903_119", "placed_adoption", row("placed_adoption", REASON_PLACED_CEASED="RD2")),
    ("903_120", "placed_adoption", row("placed_adoption", DATE_PLACED_CEASED="01/09/2022", REASON_PLACED_CEASED="E11")),
    ("903_522", "placed_adoption", row("placed_adoption", DATE_PLACED_CEASED="01/05/2022", REASON_PLACED_CEASED="RD1")),
    ("903_117", "placed_adoption", row("placed_adoption", DATE_PLACED="01/04/2023")),
    ("903_184", "placed_adoption", row("placed_adoption", DATE_PLACED="01/01/2012")),
    ("INT02", "placed_adoption", row("placed_adoption", CHILD="C99994")),
    ("INT12", "placed_adoption", row("placed_adoption", DOB="01/01/2012")),
    # PrevPerm
    ("903_631", "prev_perm", row("prev_perm", PREV_PERM="P9")),
    ("903_635", "prev_perm", row("prev_perm", LA_PERM="800")),
    ("INT35", "prev_perm", then(row("prev_perm"), row("prev_perm"))),
    ("INT07", "prev_perm", row("prev_perm", CHILD="C99993")),
    ("INT16", "prev_perm", row("prev_perm", DOB="01/06/2010")),
    # Missing
    ("903_1004", "missing", lambda c: c.tables["missing"][0].update(MIS_START="")),
    ("903_1005", "missing", lambda c: c.tables["missing"][0].update(MIS_END="2/10/22")),
    ("903_1006", "missing", lambda c: c.tables["missing"][0].update(MISSING="X")),
    ("903_567", "missing", lambda c: c.tables["missing"][0].update(MIS_END="30/09/2022")),
    ("903_570", "missing", lambda c: c.tables["missing"][0].update(MIS_START="01/04/2023", MIS_END="")),
    ("903_571", "missing", lambda c: c.tables["missing"][0].update(MIS_END="02/04/2023")),
    (
        "903_574",
        "missing",
        then(
            lambda c: c.tables["missing"][0].update(MIS_END="05/10/2022"),
            row("missing", MISSING="A", MIS_START="03/10/2022", MIS_END="04/10/2022"),
        ),
    ),
    ("903_586", "missing", then(header(DOB="01/11/2022"), lambda c: c.tables["missing"][0].update(DOB="01/11/2022"))),
    ("INT04", "missing", row("missing", CHILD="C99992", MISSING="M", MIS_START="01/11/2022", MIS_END="")),
    ("INT13", "missing", lambda c: c.tables["missing"][0].update(DOB="01/06/2011")),
]

# Rules of a year other than 2022-23, each in a return of its own year.
YEAR_CASES: list[tuple[str, str, str, Break]] = [
    ("2024-03", "SW02STG1", "sw_episodes", row("sw_episodes", SW_ID="AB123")),
    ("2024-03", "SW04STG1", "sw_episodes", row("sw_episodes", SW_DECOM="10/5/2022x")),
    ("2024-03", "SW05STG1", "sw_episodes", row("sw_episodes", SW_DEC="45/05/2023")),
    ("2024-03", "SW06STG2", "sw_episodes", row("sw_episodes", SW_DECOM="01/04/2024")),
    ("2024-03", "SW07STG2", "sw_episodes", row("sw_episodes", SW_DEC="01/04/2024")),
    ("2024-03", "SW09STG2", "sw_episodes", row("sw_episodes", SW_DEC="10/05/2022")),
    ("2024-03", "SW13STG1", "sw_episodes", row("sw_episodes", SW_REASON="MOVED")),
    ("2024-03", "SW13STG1", "sw_episodes", row("sw_episodes", SW_DECOM="01/05/2023", SW_REASON="")),
    ("2024-03", "903_217t", "episodes", ep(1, PLACE="P2", PLACE_PROVIDER="PR4")),
    ("2025-03", "903_232", "header", header(SEX="U")),
    ("2025-03", "903_101", "header", header(SEX="1")),  # 1 and 2 are withdrawn in 2024-25
    ("2025-03", "903_146", "episodes", ep(1, PLACE="H5", PLACE_PROVIDER="PR4")),  # H5 withdrawn in 2024-25
    ("2026-03", "903_146", "episodes", ep(1, PLACE="Z1", PLACE_PROVIDER="")),  # Z1 replaced in 2025-26
]


def _in_year(period: str, child: Child) -> Child:
    """The clean child as a return of `period`'s year writes it: its dates moved by whole years, SEX as the year
    codes it, a social worker episode from 2023-24."""
    shift = int(period[:4]) - 2023
    for rows in child.tables.values():
        for row_ in rows:
            for column, value in row_.items():
                if len(value) == 10 and value[2] == "/" and value[5] == "/":
                    row_[column] = f"{value[:6]}{int(value[6:]) + shift}"
    if shift >= 2:
        child.tables["header"][0]["SEX"] = "M"
    if shift >= 1:
        child.add("sw_episodes", SW_DECOM=f"10/05/{2022 + shift}")
    return child


def _findings(tmp_path, children: list[Child], period: str):
    path = tmp_path / f"csc903_E06000022_{period}.zip"
    path.parent.mkdir(exist_ok=True)
    rows = write_return(path, children, period)
    contract = contract_for(period)
    parsed = parse_extract(contract, identify(contract, path))
    return rows, parsed.findings + validate_extract(contract, parsed)


@pytest.fixture(scope="module")
def validated(tmp_path_factory):
    """Every case's child broken its own way in one return, per year; and the same children clean."""
    results = {}
    periods = {"2023-03": CASES, **{p: [c[1:] for c in YEAR_CASES if c[0] == p] for p, *_ in YEAR_CASES}}
    for period, cases in periods.items():
        clean = [_in_year(period, Child.clean(n)) for n in range(len(cases))]
        broken = [_in_year(period, Child.clean(n)) for n in range(len(cases))]
        for child, (_, _, breaks) in zip(broken, cases, strict=True):
            breaks(child)
        folder = tmp_path_factory.mktemp(period)
        results[period] = (
            _findings(folder / "clean", clean, period)[1],
            *_findings(folder / "broken", broken, period),
        )
    return results


SHEETS = {m: module.file for m, module in contract_for("2024-03").terms.modules.items()}


def test_clean_returns_keep_every_rule(validated):
    for period, (clean, _, _) in validated.items():
        assert clean == [], f"{period}: {[str(f) for f in clean[:5]]}"


def _on_the_case(findings, rows, n: int, rule: str, table: str) -> list:
    mine = set(rows.get((n, table), []))
    return [
        f
        for f in findings
        if f.rule == rule and f.sheet == SHEETS[table] and (f.row_number in mine or f.row_number is None)
    ]


@pytest.mark.parametrize(("n", "rule", "table"), [(n, rule, table) for n, (rule, table, _) in enumerate(CASES)])
def test_the_broken_row_breaks_its_rule(validated, n, rule, table):
    _, rows, findings = validated["2023-03"]
    assert _on_the_case(findings, rows, n, rule, table), [str(f) for f in findings if f.rule == rule][:5]


@pytest.mark.parametrize(
    ("period", "n", "rule", "table"),
    [
        (period, [c for c in YEAR_CASES if c[0] == period].index(case), rule, table)
        for case in YEAR_CASES
        for period, rule, table, _ in [case]
    ],
)
def test_a_rule_of_its_collection_year_is_checked_in_that_year(validated, period, n, rule, table):
    _, rows, findings = validated[period]
    assert _on_the_case(findings, rows, n, rule, table), [str(f) for f in findings if f.rule == rule][:5]


def test_at_least_sixty_rules_are_tested():
    assert len({rule for rule, _, _ in CASES} | {rule for _, rule, _, _ in YEAR_CASES}) >= 60
