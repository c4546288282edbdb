"""Adult social care extracts → warehouse: a small extract counted by hand, the SAC tables' shape, and (on the
shipped samples) Bath and North East Somerset's published Q1-Q3 2021-22 dashboard and privacy."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR
from tests.asc_builders import write_asc_zip
from tests.conftest import built_once
from tests.e2e.test_police_end_to_end import published

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    return built_once(
        tmp_path_factory.mktemp("asc_small"),
        lambda pipeline: write_asc_zip(pipeline.landing / "asc" / "asc_E06000022_2021-12.zip"),
    )


def dashboard_row(pipeline, la_code: str, period_end: str) -> dict:
    columns = [c for (c,) in pipeline.query("select column_name from (describe marts.asc_dashboard)")]
    rows = pipeline.query("select * from marts.asc_dashboard where la_code = ? and period_end = ?", la_code, period_end)
    assert len(rows) == 1
    return dict(zip(columns, rows[0], strict=True))


def test_a_small_extract_counted_by_hand(small):
    row = dashboard_row(small, "E06000022", "2021-12-31")
    # Four concerns this year (March's is only there as its open enquiry's source), from three adults.
    assert {k: row[k] for k in ("concerns", "individuals_with_concern", "s42_enquiries_incl_other")} == {
        "concerns": 4,
        "individuals_with_concern": 3,
        "s42_enquiries_incl_other": 2,
    }
    assert (row["s42_enquiries"], row["other_enquiries"], row["s42_1_concerns"], row["not_care_act_concerns"]) == (
        1,
        1,
        1,
        1,
    )
    assert (row["care_home_concerns"], row["care_home_enquiries"], row["out_of_area_concerns"]) == (1, 1, 1)
    assert row["conversion_rate_pct"] == pytest.approx(50.0)
    assert row["decisions_within_4_days_pct"] == pytest.approx(100.0)
    assert row["risk_reduced_or_removed_pct"] == pytest.approx(100.0)
    assert (row["outcomes_fully_achieved_pct"], row["outcomes_partly_achieved_pct"]) == (0.0, 100.0)


def test_the_sac_tables_have_every_cell_and_count_people_once(small):
    cells = dict(
        ((t, e, c, s), v)
        for t, e, c, s, v in small.query(
            "select table_reference, enquiry_type, category, subcategory, value from marts.asc_sac_tables"
        )
    )
    assert len(cells) == 150
    assert sum(v for (t, e, _, _), v in cells.items() if t == "SG1a" and e == "CONCERN") == 3
    assert sum(v for (t, e, _, _), v in cells.items() if t == "SG1d" and e == "CONCERN") == 4
    assert cells[("SG1a", "CONCERN", "75-84", "ALL")] == 1
    assert cells[("SG1d", "CONCERN", "PHYSICAL", "ALL")] == 2
    assert cells[("SG2a", "S42", "NEGLECT", "SERVICE_PROVIDER")] == 1
    assert cells[("SG2a", "S42", "PHYSICAL", "SERVICE_PROVIDER")] == 1
    assert cells[("SG3a", "S42", "YES", "ADVOCATE")] == 1
    assert cells[("SG4a", "S42", "ASKED_EXPRESSED", "PARTIALLY")] == 1
    assert cells[("SG4a", "S42", "ASKED_EXPRESSED", "FULLY")] == 0


# The report's wording → asc_dashboard's column (Bath and North East Somerset, April to December 2021).
DASHBOARD_COLUMNS = {
    "Safeguarding concerns received": "concerns",
    "Individuals with a safeguarding concern": "individuals_with_concern",
    "S42(2) enquiries including other enquiries": "s42_enquiries_incl_other",
    "S42(2) enquiries only": "s42_enquiries",
    "Other (non-statutory) enquiries": "other_enquiries",
    "S42(1) concerns with alternative actions": "s42_1_concerns",
    "Individuals with a S42(2) enquiry": "individuals_with_s42_enquiry",
    "Individuals with a S42(1) concern": "individuals_with_s42_1_concern",
    "Concerns not meeting Care Act criteria": "not_care_act_concerns",
    "Concern to S42(2) enquiry conversion rate": "conversion_rate_pct",
    "Concerns involving a care home": "care_home_concerns",
    "Enquiries involving a care home": "care_home_enquiries",
    "Concerns involving adults placed with another local authority": "out_of_area_concerns",
    "Desired outcomes fully achieved (where known)": "outcomes_fully_achieved_pct",
    "Desired outcomes partly achieved (where known)": "outcomes_partly_achieved_pct",
    "Desired outcomes not achieved (where known)": "outcomes_not_achieved_pct",
    "Enquiries where risk was reduced": "risk_reduced_or_removed_pct",
    "Decisions made within 4 days of the concern": "decisions_within_4_days_pct",
}


def half_up(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def test_every_sample_extract_is_accepted_without_findings(sample_warehouse):
    statuses = sample_warehouse.query(
        """select load_status, count(*), sum(error_count + query_count) from staging.stg_pipeline__extracts
           where source = 'asc' group by all"""
    )
    assert statuses == [("accepted", len(list((SAMPLE_EXTRACTS_DIR / "asc").iterdir())), 0)]


def test_bath_and_north_east_somerset_q1_to_q3_2021_22_reproduces_every_published_figure(sample_warehouse):
    row = dashboard_row(sample_warehouse, "E06000022", "2021-12-31")
    figures = [f for f in published("published_other_figures.csv") if f["source"] == "asc"]
    assert {f["measure"] for f in figures} == set(DASHBOARD_COLUMNS)
    for figure in figures:
        assert (figure["la_code"], figure["period_start"], figure["period_end"]) == (
            "E06000022",
            "2021-04-01",
            "2021-12-31",
        )
        value = row[DASHBOARD_COLUMNS[figure["measure"]]]
        shown = half_up(value) if figure["unit"] == "percent" else value
        assert shown == int(figure["value"]), f"{figure['measure']}: {value} != published {figure['value']}"
    # The report's dashboard tile says 1012; its text and its own breakdown say 1021 (see published note).
    assert row["concerns"] == row["s42_enquiries_incl_other"] + row["s42_1_concerns"] + row["not_care_act_concerns"]


def test_somerset_is_one_series_across_its_change_of_code(sample_warehouse):
    periods = sample_warehouse.query(
        "select count(*) from marts.asc_dashboard where la_code = 'E06000066' and period_end between ? and ?",
        date(2021, 6, 30),
        date(2024, 3, 31),
    )
    assert periods == [(12,)]


def test_the_sac_tables_hold_every_authority_and_year_end(sample_warehouse):
    year_ends = sample_warehouse.query(
        """select period_end, count(distinct la_code), count(*) from marts.asc_sac_tables
           where month(period_end) = 3 group by all order by 1"""
    )
    assert year_ends == [(date(y, 3, 31), 5, 5 * 150) for y in (2022, 2023, 2024)]
