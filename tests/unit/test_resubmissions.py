"""What a new version of a file changed against the one it replaces (lib/resubmissions.py)."""

import duckdb
import pytest

from dagster_project.lib import loading
from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.resubmissions import TableChanges, compare_tables, record_resubmission_changes


@pytest.fixture
def raw():
    with duckdb.connect() as connection:
        loading.ensure_raw_layer(connection, load_contracts().values())
        yield connection


def extract(connection, load_id: str, la_code: str, status: str = "accepted", received: str = "2023-04-01") -> None:
    connection.execute(
        """insert into raw.extracts values
           (?, 'agency_kpis', ?, '2023-03-31', 'f.csv', ?, 1, ?::timestamp, now(), ?, 0, 0, 1, null)""",
        [load_id, la_code, load_id, received, status],
    )


def returns(connection, load_id: str, rows: list[tuple[int, str, int]]) -> None:
    for row_number, agency, compliant in rows:
        connection.execute(
            """insert into raw.agency_kpis_returns (load_id, row_number, agency, indicator, staff_in_scope,
               staff_compliant, metric_code) values (?, ?, ?, 'Training', 10, ?, 'kpi')""",
            [load_id, row_number, agency, compliant],
        )


def test_rows_are_matched_on_their_key_not_on_where_they_sit_in_the_file(raw):
    returns(raw, "old", [(1, "Police", 5), (2, "NHS", 6), (3, "Schools", 7)])
    returns(raw, "new", [(1, "NHS", 6), (2, "Police", 8), (3, "Probation", 9)])
    changes = compare_tables(raw, "agency_kpis_returns", ["agency", "indicator"], "old", "new")
    assert changes == TableChanges("agency_kpis_returns", rows_added=1, rows_removed=1, rows_changed=1)


def test_a_resubmission_under_a_former_code_is_compared_with_the_partners_last_accepted_version(raw):
    contract = load_contracts()["agency_kpis"]
    extract(raw, "first", "E10000027", received="2023-04-01")
    extract(raw, "broken", "E06000066", status="rejected", received="2023-04-05")
    extract(raw, "second", "E06000066", received="2023-04-10")
    returns(raw, "first", [(1, "Police", 5)])
    returns(raw, "second", [(1, "Police", 6)])

    replaced, changes = record_resubmission_changes(raw, contract, "second")

    assert replaced == "first"
    assert changes == [TableChanges("agency_kpis_returns", 0, 0, 1)]
    assert raw.execute("select * from raw.resubmission_changes").fetchall() == [
        ("second", "first", "agency_kpis_returns", 0, 0, 1)
    ]
    assert record_resubmission_changes(raw, contract, "first") == (None, []), "nothing before the first version"
