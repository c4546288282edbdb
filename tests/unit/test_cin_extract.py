"""Children in Need census files: records found by their paths with their ancestors' keys, findings on XML lines,
privacy at the door, and hostile XML refused without being expanded or fetched."""

import pandas as pd

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.findings import Severity
from dagster_project.lib.landing import identify
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.parsing.values import upn_check_letter, upn_check_letter_holds
from dagster_project.lib.privacy import WITHHELD, pseudonymisation_key, pseudonymise
from dagster_project.lib.validation import validate_extract
from tests.cin_builders import Child, census_xml, contract_for, write_census

CIN = load_contracts()["cin"]


def census(tmp_path, children=None, content: bytes | None = None):
    path = tmp_path / "cin_E06000024_2023-03.xml"
    if content is None:
        write_census(path, children or [Child.clean(1)])
    else:
        path.write_bytes(content)
    contract = contract_for("2023-03")
    parsed = parse_extract(contract, identify(contract, path))
    return parsed, parsed.findings + validate_extract(contract, parsed)


def test_a_clean_census_gives_a_row_per_record_and_no_findings(tmp_path):
    parsed, findings = census(tmp_path, [Child.clean(1), Child.clean(2)])
    assert findings == []
    sizes = {name: len(table.frame) for name, table in parsed.tables.items()}
    assert sizes == {
        "cin_header": 1,
        "cin_children": 2,
        "cin_cin_details": 2,
        "cin_assessments": 2,
        "cin_cin_plans": 0,
        "cin_section47": 2,
        "cin_cp_plans": 2,
        "cin_cpp_reviews": 0,
    }


def test_a_record_carries_its_ancestors_keys_and_its_xml_line(tmp_path):
    parsed, _ = census(tmp_path)
    children, plans = parsed.tables["cin_children"].frame, parsed.tables["cin_cp_plans"].frame
    assert plans["LAchildID"].iloc[0] == children["LAchildID"].iloc[0]
    assert plans["CINreferralDate"].iloc[0] == pd.Timestamp("2022-05-10")
    lines = census_xml([Child.clean(1)]).decode().splitlines()
    assert lines[int(plans["row_number"].iloc[0]) - 1] == "<ChildProtectionPlans>"
    assert parsed.tables["cin_assessments"].frame["AssessmentFactors"].iloc[0] == "4B"


def test_the_child_keeps_the_zips_pseudonym_and_a_month_of_birth(tmp_path):
    parsed, _ = census(tmp_path)
    children = parsed.tables["cin_children"].frame
    zip_pseudonym = pseudonymise(pd.Series(["C00001"]), pseudonymisation_key(), "E06000024").iloc[0]
    assert children["LAchildID"].iloc[0] == zip_pseudonym
    assert children["PersonBirthDate"].iloc[0] == "2012-06"


def test_a_bad_upn_is_found_on_its_line_and_never_shown(tmp_path):
    child = Child.clean(1)
    child.identifiers["UPN"] = "S12345678901"  # 12 characters
    _, findings = census(tmp_path, [child])
    (finding,) = [f for f in findings if f.rule == "cin_1550"]
    assert (finding.column_name, finding.value, finding.sheet) == ("UPN", WITHHELD, "Children/Child")
    assert finding.row_number == census_xml([child]).decode().splitlines().index("<Child>") + 1


def test_malformed_xml_is_one_finding_naming_the_line(tmp_path):
    content = census_xml([Child.clean(1)]).replace(b"</Children>", b"</Childer>")
    _, findings = census(tmp_path, content=content)
    (finding,) = findings
    assert finding.rule == "unreadable_file" and finding.severity is Severity.ERROR
    assert "not well-formed XML (line" in finding.message and finding.row_number


def test_an_entity_expansion_bomb_and_an_external_entity_are_refused(tmp_path):
    laughs = b'<!ENTITY a "' + b"lol" * 100 + b'">'
    for below, level in (("a", "b"), ("b", "c"), ("c", "d")):
        laughs += f'<!ENTITY {level} "{f"&{below};" * 100}">'.encode()
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE Message [' + laughs + b"]><Message><Children><Child><ChildIdentifiers>"
        b"<LAchildID>&d;</LAchildID></ChildIdentifiers></Child></Children></Message>"
    )
    parsed, findings = census(tmp_path, content=bomb)
    ids = parsed.tables["cin_children"].frame["LAchildID"]
    assert all(len(str(value)) <= 32 for value in ids)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE Message [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Message><Children><Child><ChildIdentifiers><LAchildID>&x;</LAchildID></ChildIdentifiers></Child>"
        b"</Children></Message>"
    )
    parsed, findings = census(tmp_path, content=external)
    assert "root" not in "".join(str(v) for v in parsed.tables["cin_children"].frame.astype(str).to_numpy().ravel())
    assert findings  # the child's missing values at least: never the file's contents


def test_a_file_that_is_not_a_census_is_refused_by_its_root(tmp_path):
    _, findings = census(tmp_path, content=b"<?xml version='1.0'?><Return><Child/></Return>")
    (finding,) = findings
    assert finding.rule == "unreadable_file" and "'Return', not 'Message'" in finding.message


def test_a_permanent_upns_first_letter_is_its_check_letter():
    assert upn_check_letter("000000000001") == "P"  # 1 x 13 = 13, the 14th letter without I, O and S
    assert upn_check_letter_holds("P000000000001") and not upn_check_letter_holds("A000000000001")
    assert upn_check_letter_holds("A00000000001B")  # a temporary UPN carries no check letter
