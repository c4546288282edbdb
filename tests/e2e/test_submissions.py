"""The submission tracker and the daily check that partners sent on time, through the real pipeline."""

import os
from datetime import UTC, date, datetime

import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR

pytestmark = pytest.mark.e2e


def sent_on(path, day: str) -> None:
    moment = datetime.fromisoformat(day).replace(hour=9, tzinfo=UTC).timestamp()
    os.utime(path, (moment, moment))


def test_the_tracker_and_the_daily_check_say_who_sent_what_and_who_is_overdue(pipeline, monkeypatch):
    from dagster_project.definitions import build_definitions

    monkeypatch.setenv("SUBMISSIONS_AS_OF", "2023-06-15")
    sent_on(pipeline.land_sample("2022-12"), "2023-03-20")  # due 30 January: late
    sent_on(pipeline.land_sample("2023-03"), "2023-04-20")
    assert pipeline.refresh().success

    police = dict(
        pipeline.query(
            "select period_end::varchar, status from marts.submission_tracker where source = 'police_scorecard'"
        )
    )
    docs = pipeline.landing.parent / "published" / "data-docs" / "police_scorecard" / "police_scorecard_2023-03.xlsx"
    assert (docs / "police_scorecard_rows.html").exists(), "the run builds GX Data Docs of each validation"
    assert police["2023-03-31"] == "received"
    assert police["2022-12-31"] == "late"
    assert police["2022-09-30"] == "overdue"
    assert "2023-06-30" not in police, "a period still running is not expected yet"
    (la_code,) = pipeline.query(
        "select distinct la_code from marts.submission_tracker where source = 'police_scorecard'"
    )
    assert la_code == ("E23000036",)
    assert pipeline.query(
        "select distinct status from marts.submission_tracker where source = 'csc' and period_end = '2023-03-31'"
    ) == [("overdue",)]

    job = build_definitions().resolve_job_def("check_submissions")
    result = job.execute_in_process(instance=pipeline.instance)
    evaluations = {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}
    assert result.success and len(evaluations) == len(load_contracts())
    assert evaluations["police_scorecard"].passed
    assert not evaluations["csc"].passed
    assert "E06000022: period ending 2023-03-31" in evaluations["csc"].metadata["overdue"].value


def test_every_sample_file_is_tracked_as_received_on_time_and_somerset_is_one_partner(sample_warehouse):
    statuses = dict(
        sample_warehouse.query(
            """select status, count(*) from marts.submission_tracker
               where received_at is not null group by status"""
        )
    )
    assert statuses == {"received": sum(1 for _ in SAMPLE_EXTRACTS_DIR.rglob("*.*"))}
    assert sample_warehouse.query("select count(*) from marts.submission_tracker where la_code = 'E10000027'") == [(0,)]
    # The statutory returns are sent beside the zips by authorities not registered to send them: received, not
    # expected (partner_returns.csv is empty in the demo). Everything else was expected.
    registered_only = [s for s, c in load_contracts().items() if c.terms.sent_by == "registered_authorities"]
    unexpected = sample_warehouse.query(
        "select source, count(*) from marts.submission_tracker where not is_expected group by all order by all"
    )
    assert unexpected == [(s, sum(1 for _ in (SAMPLE_EXTRACTS_DIR / s).iterdir())) for s in sorted(registered_only)]
    # Against today's date every period after the samples is overdue (and before them, none were expected).
    (overdue_from,) = sample_warehouse.query(
        "select min(period_end) from marts.submission_tracker where status = 'overdue' and source = 'csc'"
    )
    assert overdue_from == (date(2024, 6, 30),)
