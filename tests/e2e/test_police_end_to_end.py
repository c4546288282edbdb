"""Sample extracts → every asset materialized → police_scorecard equals the published figures."""

import csv
from datetime import date

import dagster as dg
import pytest

from dagster_project.lib.settings import DBT_PROJECT_DIR, REPO_ROOT
from tests.conftest import SAMPLES

pytestmark = pytest.mark.e2e

SHARED_SPEC = REPO_ROOT.parent / "shared" / "spec"


def published(name: str) -> list[dict[str, str]]:
    """The spec's transcription where it is beside the checkout, else the repository's copy."""
    path = SHARED_SPEC / name if (SHARED_SPEC / name).exists() else DBT_PROJECT_DIR / "seeds" / name
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def built(sample_warehouse):
    return sample_warehouse


def test_every_asset_is_materialized_and_every_check_passes(built):
    from dagster_project.assets.submissions import ON_TIME_CHECK
    from dagster_project.definitions import build_definitions

    defs = build_definitions()
    instance = built.instance
    raw = dg.AssetKey(["raw", "police_scorecard"])
    assert sorted(instance.get_materialized_partitions(raw)) == [p.stem[-7:] for p in sorted(SAMPLES.iterdir())]
    graph = defs.resolve_asset_graph()
    # With no PostgreSQL configured its copy is skipped; the partners' punctuality is checked by a job of its own.
    for key in graph.materializable_asset_keys - {dg.AssetKey(["publication", "postgres_tables"])}:
        assert instance.get_latest_materialization_event(key) is not None, key
    for check_key in graph.asset_check_keys:
        if check_key.name == ON_TIME_CHECK:
            continue
        evaluation = instance.event_log_storage.get_latest_asset_check_execution_by_key([check_key])
        assert evaluation, check_key


def test_police_scorecard_equals_every_published_police_figure(built):
    rows = {
        (la, str(period), measure): (la_name, section, current, previous, chg, float(pct) if pct is not None else None)
        for la, la_name, period, section, measure, current, previous, chg, pct in built.query(
            """select la_code, la_name, period_end, section, measure, "current", previous, chg, pct_chg
               from marts.police_scorecard"""
        )
    }
    figures = published("published_police_figures.csv")
    assert len(figures) == 48
    for figure in figures:
        key = (figure["la_code"], figure["period_end"], figure["measure"])
        assert key in rows, f"no police_scorecard row for {key}"
        expected = (
            figure["la_name"],
            figure["section"],
            int(figure["current"]),
            int(figure["previous"]),
            int(figure["chg"]),
            float(figure["pct_chg"]),
        )
        assert rows[key] == expected, f"{key}: {rows[key]} != published {expected}"


def test_restatements_a_year_later_are_flagged_with_the_latest_figure(built):
    """Where the 2022-23 report's 'previous' restates the 2021-22 report's 'current', the mart says so."""
    figures = published("published_police_figures.csv")
    later = {(f["la_code"], f["measure"]): int(f["previous"]) for f in figures if f["period_end"] == "2023-03-31"}
    checked = 0
    for figure in figures:
        key = (figure["la_code"], figure["measure"])
        if figure["period_end"] != "2022-03-31" or key not in later:
            continue
        ((restated, latest_value),) = built.query(
            """select restated, latest_value from marts.police_scorecard
               where la_code = ? and period_end = date '2022-03-31' and measure = ?""",
            *key,
        )
        assert latest_value == later[key]
        assert restated == (later[key] != int(figure["current"]))
        checked += 1
    assert checked == 16
    ((restated, latest),) = built.query(
        """select restated, latest_value from marts.police_scorecard where la_code = 'E06000022'
           and period_end = date '2022-03-31' and measure = 'Number of Missing Children'"""
    )
    assert (restated, latest) == (True, 61)


def test_the_other_published_police_figures(built):
    def figure(la_code: str, period: str, metric: str, column: str = '"current"') -> int:
        ((value,),) = built.query(
            f"select {column} from marts.police_scorecard where la_code = ? and period_end = ? and metric_code = ?",
            la_code,
            date.fromisoformat(period),
            metric,
        )
        return value

    bath, march_2022 = "E06000022", "2022-03-31"
    assert figure(bath, march_2022, "police_icpc_invited") == 70
    assert figure(bath, march_2022, "police_icpc_attended") == 70
    assert figure(bath, march_2022, "police_protection_powers_s46") == 11
    assert figure(bath, march_2022, "police_protection_powers_s46", "previous") == 3
    assert figure(bath, march_2022, "police_children_brought_into_custody") == 38
    assert figure(bath, march_2022, "police_children_charged_and_detained") == 0
    assert figure("E23000036", march_2022, "police_protection_powers_s46") == 320
    assert figure("E23000036", march_2022, "police_protection_powers_s46", "previous") == 139
    assert figure("E23000036", march_2022, "police_protection_records_no_beat_code") == 20
    assert figure("E06000024", "2023-03-31", "police_icpc_attended") == 78
    assert figure("E06000024", "2023-03-31", "police_icpc_invited") == 78


def test_metric_values_keep_every_vintage_and_mark_the_latest(built):
    vintages = built.query(
        """select vintage_period_end, value, is_latest from marts.fct_metric_values
           where la_code = 'E06000022' and metric_code = 'police_missing_children'
             and period_end = date '2022-03-31' and "window" = 'rolling_12m'
           order by vintage_period_end"""
    )
    assert vintages == [(date(2022, 3, 31), 59.0, False), (date(2023, 3, 31), 61.0, True)]
    ((duplicates,),) = built.query(
        """select count(*) from (select la_code, metric_code, period_end, "window" from marts.fct_metric_values
           where is_latest group by all having count(*) > 1)"""
    )
    assert duplicates == 0


def test_the_force_area_is_above_the_sum_of_its_authorities(built):
    ((below,),) = built.query(
        """select count(*) from marts.police_scorecard force_area
           join (select period_end, metric_code, sum("current") as total from marts.police_scorecard
                 where la_code <> 'E23000036' group by all) authorities using (period_end, metric_code)
           where force_area.la_code = 'E23000036' and force_area."current" <= authorities.total"""
    )
    assert below == 0


def test_the_same_files_again_change_nothing(built):
    before = built.query("select count(*), max(loaded_at) from raw.extracts")
    outcome = built.refresh()
    assert outcome.runs == []
    assert built.query("select count(*), max(loaded_at) from raw.extracts") == before


def test_sensor_and_schedule_see_nothing_new_after_the_run(built):
    from dagster_project.resources import LandingResource, PostgresPublicationResource
    from dagster_project.schedules import nightly_refresh
    from dagster_project.sensors import landing_sensor

    resources = {
        "landing": LandingResource(root=str(built.landing)),
        "postgres_publication": PostgresPublicationResource(),
    }
    with dg.build_sensor_context(instance=built.instance, resources=resources) as context:
        assert landing_sensor(context).run_requests == []
    with dg.build_schedule_context(instance=built.instance, resources=resources) as context:
        assert isinstance(nightly_refresh(context), dg.SkipReason)
