"""Which periods partners are expected to send, when each is due and which are overdue (lib/submissions.py)."""

from datetime import date

import duckdb
import pytest
import yaml

from dagster_project.lib import loading
from dagster_project.lib.contracts import ContractError, SourceContract, load_contracts
from dagster_project.lib.settings import SOURCES_DIR
from dagster_project.lib.submissions import Delivery, expected_submissions, overdue_submissions


def delivery(source: str) -> Delivery:
    return Delivery.of(load_contracts()[source])


def test_every_contract_says_when_its_partners_send():
    for contract in load_contracts().values():
        registered = contract.terms.sent_by == "registered_authorities"
        assert Delivery.of(contract).partners or registered, contract.source
    # A statutory return only some authorities send is expected from those the registry lists: none in the demo.
    assert delivery("csc903").partners == ()


def test_quarterly_sources_expect_every_quarter_end_from_the_first_period():
    csc = delivery("csc")
    assert csc.periods(date(2022, 3, 30)) == [date(2021, 6, 30), date(2021, 9, 30), date(2021, 12, 31)]
    assert csc.periods(date(2022, 3, 31))[-1] == date(2022, 3, 31)
    assert csc.due_date(date(2022, 3, 31)) == date(2022, 4, 30)


def test_audits_follow_their_own_calendar_and_the_police_send_for_the_force_area():
    assert delivery("s175").periods(date(2022, 12, 31)) == [
        date(2021, 12, 31),
        date(2022, 3, 31),
        date(2022, 6, 30),
        date(2022, 12, 31),
    ]
    assert delivery("agency_kpis").periods(date(2024, 1, 1)) == [date(2022, 3, 31), date(2023, 3, 31)]
    assert delivery("police_scorecard").partners == ("E23000036",)


def test_expected_submissions_are_every_partner_for_every_period_ended():
    expected = expected_submissions([delivery("csc"), delivery("police_scorecard")], as_of=date(2021, 10, 1))
    assert len(expected) == 2 * 5 + 2 * 1
    assert set(expected["la_code"]) == {"E06000022", "E06000023", "E06000024", "E06000025", "E06000066", "E23000036"}


def test_a_contract_without_a_delivery_section_is_refused():
    written = yaml.safe_load((SOURCES_DIR / "csc.yaml").read_text(encoding="utf-8"))
    spec = {key: value for key, value in written.items() if key != "delivery"}
    with pytest.raises(ContractError, match=r"csc\.yaml: delivery: Field required"):
        SourceContract.from_mapping(spec, origin="csc.yaml")


@pytest.fixture
def extracts():
    with duckdb.connect() as connection:
        loading.ensure_raw_layer(connection)
        yield connection


def received(connection, source: str, la_code: str | None, period_end: str, status: str = "accepted") -> None:
    connection.execute(
        """insert into raw.extracts values (uuid()::varchar, ?, ?, ?, 'f', 'h', 1, now(), now(), ?, 0, 0, 1, null)""",
        [source, la_code, period_end, status],
    )


def test_a_partner_is_overdue_when_nothing_it_sent_is_as_recent_as_the_latest_period_due(extracts):
    asc = delivery("asc")
    for la_code in asc.partners:
        received(extracts, "asc", la_code, "2023-12-31")
    assert overdue_submissions(extracts, asc, today=date(2024, 4, 30)) == [], "March is due on 30 April"
    assert {o.la_code for o in overdue_submissions(extracts, asc, today=date(2024, 5, 1))} == set(asc.partners)
    for la_code in asc.partners:
        received(extracts, "asc", la_code, "2024-03-31")
    assert overdue_submissions(extracts, asc, today=date(2024, 5, 1)) == []

    late = overdue_submissions(extracts, asc, today=date(2024, 7, 31))
    assert {o.la_code for o in late} == set(asc.partners)
    assert {(o.period_end, o.due_date) for o in late} == {(date(2024, 6, 30), date(2024, 7, 30))}


def test_a_rejected_file_is_not_a_submission_and_a_former_code_counts_for_its_successor(extracts):
    csc = delivery("csc")
    for la_code in ("E06000022", "E06000023", "E06000024", "E06000025"):
        received(extracts, "csc", la_code, "2023-03-31")
    received(extracts, "csc", "E10000027", "2023-03-31")  # Somerset's old county code
    received(extracts, "csc", "E06000024", "2023-03-31", status="rejected")
    assert overdue_submissions(extracts, csc, today=date(2023, 5, 15)) == []

    extracts.execute("update raw.extracts set status = 'rejected' where la_code = 'E06000022'")
    assert [o.la_code for o in overdue_submissions(extracts, csc, today=date(2023, 5, 15))] == ["E06000022"]


def test_the_police_workbook_counts_for_the_force_area(extracts):
    police = delivery("police_scorecard")
    assert [o.la_code for o in overdue_submissions(extracts, police, today=date(2023, 5, 15))] == ["E23000036"]
    received(extracts, "police_scorecard", None, "2023-03-31")
    assert overdue_submissions(extracts, police, today=date(2023, 5, 15)) == []
