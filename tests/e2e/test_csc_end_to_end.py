"""Children's social care sample extracts → warehouse: North Somerset's published 2022-23 figures and closeness
to the official statistics (privacy and catalogue coverage: test_sample_warehouse.py)."""

import csv
from datetime import date

import pytest

from dagster_project.lib.settings import DBT_PROJECT_DIR, SAMPLE_EXTRACTS_DIR
from tests.e2e.test_police_end_to_end import published

pytestmark = pytest.mark.e2e

CSC_SAMPLES = SAMPLE_EXTRACTS_DIR / "csc"
# The report's wording → csc_summary's column (North Somerset, 12 months to 31 March 2023).
SUMMARY_COLUMNS = {
    "Contacts received": "contacts",
    "Domestic violence contacts": "domestic_abuse_contacts",
    "Domestic violence contacts progressed to referral": "domestic_abuse_contacts_to_referral",
    "Referrals": "referrals",
    "Re-referrals within 12 months": "re_referrals",
    "Children in need (open at year end)": "children_in_need",
    "Children on a child protection plan (open at year end)": "child_protection_plans",
    "Child protection plans that are a second or subsequent plan": "child_protection_subsequent_pct",
    "Children in care (open at year end)": "children_looked_after",
    "Children who started to be in care": "children_started_care",
    "Children at risk of or subject to sexual exploitation": "children_at_risk_of_sexual_exploitation",
    "Children at risk of or subject to criminal exploitation": "children_at_risk_of_criminal_exploitation",
    "Children who went missing": "children_who_went_missing",
    "Missing episodes": "missing_episodes",
}
# Not from the extract: the report's population (42,848) is not the ONS mid-2022 estimate (43,363) the DfE
# convention uses for 2022-23, nor any published estimate (mid-2021 is 42,838). csc_summary shows the ONS figure.
NOT_FROM_THE_EXTRACT = {"Children and young people (0-17) population"}


@pytest.fixture(scope="module")
def built(sample_warehouse):
    return sample_warehouse


def test_every_sample_extract_is_accepted_with_at_most_queries(built):
    statuses = built.query(
        "select load_status, count(*) from staging.stg_pipeline__extracts where source = 'csc' group by all"
    )
    assert statuses == [("accepted", len(list(CSC_SAMPLES.iterdir())))]


def test_north_somerset_2022_23_reproduces_every_published_figure(built):
    (row,) = built.query(
        "select * from marts.csc_summary where la_code = 'E06000024' and period_end = ?", date(2023, 3, 31)
    )
    columns = [name for name, *_ in built.query("describe marts.csc_summary")]
    summary = dict(zip(columns, row, strict=True))
    figures = [f for f in published("published_other_figures.csv") if f["source"] == "csc"]
    assert {f["measure"] for f in figures} == set(SUMMARY_COLUMNS) | NOT_FROM_THE_EXTRACT
    for figure in figures:
        if figure["measure"] in NOT_FROM_THE_EXTRACT:
            continue
        value = summary[SUMMARY_COLUMNS[figure["measure"]]]
        shown = round(value) if figure["unit"] == "percent" else value
        assert shown == int(figure["value"]), f"{figure['measure']}: {value} != published {figure['value']}"
    assert summary["child_population"] == 43363 and summary["population_mid_year"] == 2022


def test_the_metric_table_holds_the_same_figures(built):
    rows = dict(
        built.query(
            """select metric_code, value from marts.fct_metric_values where la_code = 'E06000024'
           and period_end = date '2023-03-31' and is_latest and "window" in ('rolling_12m', 'snapshot')"""
        )
    )
    assert rows["csc_referrals"] == 1024 and rows["csc_re_referrals"] == 122 and rows["csc_cla_open"] == 226
    assert rows["csc_cp_rate_per_10k"] == pytest.approx(108 / 43363 * 10000)


def test_each_authority_is_close_to_its_official_figures(built):
    """Local extracts are taken earlier and counted locally: close to the census, never the same."""
    official = _official_figures()
    checked = 0
    for (la_code, year, measure), expected in official.items():
        rows = built.query(
            f"select {measure} from marts.csc_summary where la_code = ? and period_end = ?", la_code, date(year, 3, 31)
        )
        if not rows or rows[0][0] is None:
            continue
        assert abs(rows[0][0] - expected) <= 0.15 * expected, (la_code, year, measure, rows[0][0], expected)
        checked += 1
    assert checked >= 40


# dfe_published file → (csc_summary column, the file's column, a row filter)
OFFICIAL = {
    "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv": ("referrals", "referral_count", {}),
    "b1_children_in_need_2013_to_2025.csv": ("children_in_need_dfe", "At31_episodes", {}),
    "d5_cpps_at31march_by_duration_2013_to_2025.csv": ("child_protection_plans", "CPP_At31", {}),
    "cla_number_and_rate_per_10k_children.csv": (
        "children_looked_after",
        "children_count",
        {"population_type": "Children looked after on 31 March each year"},
    ),
}


def _official_figures() -> dict[tuple[str, int, str], float]:
    """The DfE's figures for the years ending 31 March 2022-2024, by authority (Somerset as one series)."""
    folder = DBT_PROJECT_DIR.parents[1] / "shared" / "spec" / "dfe_published"
    if not folder.is_dir():
        pytest.skip("../shared/spec/dfe_published is not beside this checkout")
    figures: dict[tuple[str, int, str], float] = {}
    for file_name, (column, source_column, where) in OFFICIAL.items():
        with (folder / file_name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                code = {"E10000027": "E06000066"}.get(row["new_la_code"], row["new_la_code"])
                year = int(row["time_period"])
                if (
                    code.startswith("E06")
                    and 2022 <= year <= 2024
                    and row[source_column].isdigit()
                    and all(row[k] == v for k, v in where.items())
                ):
                    figures[(code, year, column)] = float(row[source_column])
    return figures
