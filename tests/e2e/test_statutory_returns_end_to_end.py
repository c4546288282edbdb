"""Statutory returns (the SSDA903, the Children in Need census) and Annex A → warehouse: the samples agree with the
csc zips on every metric both give, the zip counts where both cover a period, and an authority that sends only a
return gets its metrics from it, with the metrics the return cannot give left without a value and the scorecard
saying why."""

import csv
import shutil

import pytest

from dagster_project.lib.settings import DBT_PROJECT_DIR, SAMPLE_EXTRACTS_DIR
from tests.conftest import built_once
from tests.csc903_builders import Child, write_return

pytestmark = pytest.mark.e2e

RETURNS = SAMPLE_EXTRACTS_DIR / "csc903"
LAYOUTS = ("csc903", "cin", "annexa")


def layout_metrics(layout: str) -> set[str]:
    with (DBT_PROJECT_DIR / "seeds" / "csc_layout_metrics.csv").open(encoding="utf-8") as handle:
        return {row["metric_code"] for row in csv.DictReader(handle) if row["layout"] == layout}


RETURN_METRICS = layout_metrics("csc903")


def files(layout: str) -> int:
    return len(list((SAMPLE_EXTRACTS_DIR / layout).iterdir()))


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_sample_return_is_accepted(sample_warehouse, layout):
    statuses = sample_warehouse.query(
        "select load_status, count(*) from staging.stg_pipeline__extracts where source = ? group by all", layout
    )
    assert statuses == [("accepted", files(layout))]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_the_returns_and_the_zips_agree_on_every_metric_both_give(sample_warehouse, layout):
    rows = sample_warehouse.query(
        """select metric_code, "window", count(*), count(*) filter (where agrees), count(distinct la_code)
           from marts.csc_layout_reconciliation where other_layout = ? group by all order by all""",
        layout,
    )
    assert {metric for metric, *_ in rows} == layout_metrics(layout)
    assert all(pairs == files(layout) and areas == 5 for _, _, pairs, _, areas in rows), rows
    # Annex A's lists cover six months: its files give the quarter and its last day, never the rolling 12 months.
    windows = {window for _, window, *_ in rows}
    assert windows == ({"quarter", "snapshot"} if layout == "annexa" else {"quarter", "rolling_12m", "snapshot"})
    differ = sample_warehouse.query(
        """select distinct la_code, metric_code from marts.csc_layout_reconciliation
           where other_layout = ? and not agrees order by all""",
        layout,
    )
    # North Somerset's case system keeps a child's earlier referrals open (tools/samples/csc.py): its zip counts
    # them, as its annual report does, where the census may hold one episode of need at a time (rule 8820).
    expected = {
        "csc903": [],
        "annexa": [],
        "cin": [("E06000024", m) for m in ("csc_cin_open", "csc_cin_rate_per_10k", "csc_referrals")],
    }
    assert differ == expected[layout]
    # Children looked after on 31 March 2023, North Somerset: the report's figure, either way.
    (values,) = sample_warehouse.query(
        """select counted_value, other_value, counted_layout, other_layout from marts.csc_layout_reconciliation
           where la_code = 'E06000024' and metric_code = 'csc_cla_open' and period_end = '2023-03-31'"""
    )
    assert values[0] == values[1] and values[2:] == ("csc", "csc903")


def test_the_zip_counts_where_both_cover_the_period(sample_warehouse):
    layouts = sample_warehouse.query("select distinct layout from marts.fct_metric_values where source = 'csc'")
    assert layouts == [("csc",)]


@pytest.fixture(scope="module")
def return_only(tmp_path_factory):
    """Bath and North East Somerset sending only its 2022-23 SSDA903 return, South Gloucestershire only its
    census, Bristol only its Annex A to September 2023, North Somerset only its zip."""

    def land(pipeline):
        for layout, name in (
            ("csc903", "csc903_E06000022_2023-03.zip"),
            ("cin", "cin_E06000025_2023-03.xml"),
            ("annexa", "annexa_E06000023_2023-09.xlsx"),
        ):
            (pipeline.landing / layout).mkdir(parents=True)
            shutil.copy2(SAMPLE_EXTRACTS_DIR / layout / name, pipeline.landing / layout)
        (pipeline.landing / "csc").mkdir()
        shutil.copy2(SAMPLE_EXTRACTS_DIR / "csc" / "csc_E06000024_2023-03.zip", pipeline.landing / "csc")

    return built_once(tmp_path_factory.mktemp("return_only"), land)


def test_an_authority_sending_only_the_return_has_the_metrics_it_gives(return_only, sample_warehouse):
    metrics = dict(
        return_only.query(
            """select metric_code, value from marts.fct_metric_values
               where la_code = 'E06000022' and period_end = '2023-03-31' and is_latest and "window" <> 'quarter'"""
        )
    )
    assert set(metrics) == RETURN_METRICS
    (zip_value,) = sample_warehouse.query(
        """select value from marts.fct_metric_values where la_code = 'E06000022' and metric_code = 'csc_cla_open'
           and period_end = '2023-03-31' and is_latest"""
    )
    assert metrics["csc_cla_open"] == zip_value[0]
    (summary,) = return_only.query(
        "select children_looked_after, contacts, referrals from marts.csc_summary where la_code = 'E06000022'"
    )
    assert summary[0] == zip_value[0] and summary[1:] == (None, None)


def test_an_authority_sending_only_the_census_has_the_metrics_it_gives(return_only, sample_warehouse):
    metrics = dict(
        return_only.query(
            """select metric_code, value from marts.fct_metric_values
               where la_code = 'E06000025' and period_end = '2023-03-31' and is_latest and "window" <> 'quarter'"""
        )
    )
    assert set(metrics) == layout_metrics("cin")
    zip_values = dict(
        sample_warehouse.query(
            """select metric_code, value from marts.fct_metric_values where la_code = 'E06000025'
               and period_end = '2023-03-31' and is_latest and "window" <> 'quarter'"""
        )
    )
    assert metrics == {metric: zip_values[metric] for metric in metrics}
    (summary,) = return_only.query(
        "select children_in_need_dfe, referrals, contacts, children_looked_after from marts.csc_summary "
        "where la_code = 'E06000025'"
    )
    assert summary[:2] == (zip_values["csc_cin_open"], zip_values["csc_referrals"]) and summary[2:] == (None, None)


def test_an_authority_sending_only_annex_a_has_the_quarters_metrics_it_gives(return_only, sample_warehouse):
    query = """select metric_code, "window", value from marts.fct_metric_values
               where la_code = 'E06000023' and period_end = '2023-09-30' and is_latest"""
    metrics = {(metric, window): value for metric, window, value in return_only.query(query)}
    assert {metric for metric, _ in metrics} == layout_metrics("annexa")
    assert {window for _, window in metrics} == {"quarter", "snapshot"}
    zip_values = {(metric, window): value for metric, window, value in sample_warehouse.query(query)}
    assert metrics == {key: zip_values[key] for key in metrics}


def test_the_scorecard_says_why_a_metric_the_return_cannot_give_has_no_value(return_only):
    rows = dict(
        return_only.query(
            """select metric_code, coalesce(comparison_note, '') from marts.partnership_scorecard
               where la_code = 'E06000022' and period_end = '2023-03-31' and source = 'csc'"""
        )
    )
    assert not rows["csc_cla_open"].startswith("not available")
    assert rows["csc_contacts"].startswith("not available: the csc903 file for this period does not hold it")
    assert "SSDA903" in rows["csc_contacts"] and "no contacts" in rows["csc_contacts"]


def test_a_return_with_an_error_is_rejected_with_the_dfe_rule(tmp_path_factory):
    child = Child.clean(1)
    child.tables["episodes"][0]["RNE"] = "X"

    def land(pipeline):
        write_return(pipeline.landing / "csc903" / "csc903_E06000025_2023-03.zip", [child])

    built = built_once(tmp_path_factory.mktemp("broken_return"), land)
    assert built.query("select load_status from staging.stg_pipeline__extracts") == [("rejected",)]
    findings = built.query(
        "select rule, severity, sheet_or_module, spreadsheet_row, column_name from marts.extract_findings"
    )
    assert ("903_143", "error", "Episodes.csv", 2, "RNE") in findings
