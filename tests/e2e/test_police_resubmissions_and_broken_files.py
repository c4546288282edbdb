"""Resubmissions supersede and keep history; broken workbooks are rejected with a clear finding
while the rest of the run still loads."""

import os
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import dagster as dg
import openpyxl
import pytest

from tests.builders import measure_row, sheet_for
from tests.conftest import SAMPLES

pytestmark = pytest.mark.e2e

MISSING = "Number of Missing Children"
BATH = "E06000022"


def edit_sample(pipeline, period: str, edit) -> None:
    """Land a sample after `edit(workbook)`, dated after anything already landed."""
    target = pipeline.police_folder / f"police_scorecard_{period}.xlsx"
    workbook = openpyxl.load_workbook(SAMPLES / target.name)
    edit(workbook)
    workbook.save(target)
    stamp = max(p.stat().st_mtime for p in pipeline.police_folder.iterdir()) + 60
    os.utime(target, (stamp, stamp))


def test_a_resubmission_supersedes_the_earlier_file_and_both_stay_queryable(pipeline):
    pipeline.land_sample("2022-03")
    pipeline.land_sample("2023-03")
    assert pipeline.refresh().success

    def correct_bath_missing_children(workbook):
        sheet = sheet_for(workbook, BATH)
        row = measure_row(sheet, MISSING)
        sheet.cell(row, 2).value, sheet.cell(row, 4).value, sheet.cell(row, 5).value = 96, 35, "57.4%"

    edit_sample(pipeline, "2023-03", correct_bath_missing_children)
    outcome = pipeline.refresh()
    assert outcome.success, outcome.report()
    assert len(outcome.runs) == 2  # the changed quarter, then the warehouse

    versions = pipeline.query(
        """select version_number, load_status, is_current, superseded_by_load_id is not null
           from intermediate.int_extract_versions where period_end = date '2023-03-31' order by version_number"""
    )
    assert versions == [(1, "accepted", False, True), (2, "accepted", True, False)]
    assert pipeline.query(
        """select "current", previous, chg, pct_chg from marts.police_scorecard
           where la_code = ? and period_end = date '2023-03-31' and measure = ?""",
        BATH,
        MISSING,
    ) == [(96, 61, 35, Decimal("57.4"))]
    history = pipeline.query(
        """select value, is_superseded, is_latest from marts.fct_metric_values
           where la_code = ? and metric_code = 'police_missing_children' and period_end = date '2023-03-31'
           order by is_superseded desc""",
        BATH,
    )
    assert history == [(95.0, True, False), (96.0, False, True)]
    assert pipeline.query("select count(*) from raw.extracts") == [(3,)]

    # What the resubmission changed: one row of the workbook, one figure, in the mart and in the run's metadata.
    assert pipeline.query(
        """select table_name, rows_added, rows_removed, rows_changed from marts.resubmission_changes
           where change_kind = 'rows'"""
    ) == [("police_scorecard_rows", 0, 0, 1)]
    moved = pipeline.query(
        """select metric_la_code, metric_code, previous_value, value from marts.resubmission_changes
           where change_kind = 'metric' and metric_period_end = date '2023-03-31'"""
    )
    assert (BATH, "police_missing_children", 95.0, 96.0) in moved
    assert {la_code for la_code, *_ in moved} == {BATH}
    event = pipeline.instance.get_latest_materialization_event(dg.AssetKey(["raw", "police_scorecard"]))
    assert "police_scorecard_rows +0 −0 ~1 (replaces" in event.asset_materialization.metadata["files"].value


def test_broken_workbooks_each_give_their_clear_error_and_the_others_still_load(pipeline):
    pipeline.land_sample("2022-03")
    edit_sample(pipeline, "2022-06", lambda wb: wb.remove(sheet_for(wb, "E06000023")))

    def unknown_label(workbook):
        sheet = sheet_for(workbook, "E06000024")
        sheet.cell(measure_row(sheet, MISSING), 1).value = "Number of Missing Adults"

    def text_in_number(workbook):
        sheet = sheet_for(workbook, "E06000025")
        sheet.cell(measure_row(sheet, MISSING), 3).value = "about 70"

    def period_disagrees(workbook):
        sheet_for(workbook, "E06000066").cell(2, 1).value = "12 months to 31/12/2022"

    def pct_rounded_another_way(workbook):
        sheet = sheet_for(workbook, "E06000024")
        row = measure_row(sheet, MISSING)
        current, previous = (int(str(sheet.cell(row, col).value).replace(",", "")) for col in (2, 3))
        exact = (current - previous) * 100 / previous
        sheet.cell(row, 5).value = f"{int(exact * 100) / 100:.2f}%"  # truncated to two decimals

    edit_sample(pipeline, "2023-09", pct_rounded_another_way)
    edit_sample(pipeline, "2022-09", unknown_label)
    edit_sample(pipeline, "2022-12", text_in_number)
    edit_sample(pipeline, "2023-03", period_disagrees)
    edit_sample(pipeline, "2023-12", lambda wb: wb.remove(sheet_for(wb, "E23000036")))  # the force area's
    corrupt = pipeline.police_folder / "police_scorecard_2023-06.xlsx"
    corrupt.write_bytes((SAMPLES / "police_scorecard_2023-06.xlsx").read_bytes()[:2000])
    misnamed = pipeline.police_folder / "Police Scorecard March 2024.xlsx"
    shutil.copy(SAMPLES / "police_scorecard_2024-03.xlsx", misnamed)

    outcome = pipeline.refresh()
    assert outcome.success, outcome.report()
    assert misnamed.exists()
    assert any(
        "Police Scorecard March 2024.xlsx" in line and "police_scorecard_2023-03.xlsx" in line for line in outcome.lines
    )

    findings = pipeline.query(
        """select file_name, rule, sheet_or_module, spreadsheet_row, column_letter, offending_value
           from marts.extract_findings where severity = 'error' order by file_name"""
    )
    by_file = {name: (rule, sheet, row, column, value) for name, rule, sheet, row, column, value in findings}
    assert by_file["police_scorecard_2022-06.xlsx"][0] == "missing_sheet"
    assert by_file["police_scorecard_2022-09.xlsx"][0:1] + by_file["police_scorecard_2022-09.xlsx"][3:] == (
        "unknown_label",
        "A",
        "Number of Missing Adults",
    )
    assert by_file["police_scorecard_2022-12.xlsx"][0] == "not_a_number"
    assert by_file["police_scorecard_2022-12.xlsx"][3:] == ("C", "about 70")
    assert by_file["police_scorecard_2023-03.xlsx"][0:1] + by_file["police_scorecard_2023-03.xlsx"][2:4] == (
        "period_mismatch",
        2,
        "A",
    )
    assert by_file["police_scorecard_2023-06.xlsx"][0] == "unreadable_file"
    assert all(sheet for name, (rule, sheet, *_) in by_file.items() if rule in {"unknown_label", "not_a_number"})

    statuses = dict(
        pipeline.query("select strftime(period_end, '%Y-%m'), load_status from intermediate.int_extract_versions")
    )
    assert statuses == {
        "2022-03": "accepted",
        "2022-06": "rejected",
        "2022-09": "rejected",
        "2022-12": "rejected",
        "2023-03": "rejected",
        "2023-06": "rejected",
        "2023-09": "accepted",
        "2023-12": "accepted",
    }
    assert pipeline.query(
        "select period_end, bool_or(has_queries) from marts.police_scorecard group by all order by 1"
    ) == [(date(2022, 3, 31), False), (date(2023, 9, 30), True), (date(2023, 12, 31), True)]
    # Without the force-area sheet the five authorities' figures load; the force area's are not available.
    assert pipeline.query(
        """select count(distinct la_code), count(*) filter (where la_code = 'E23000036') from marts.police_scorecard
           where period_end = date '2023-12-31'"""
    ) == [(5, 0)]
    assert pipeline.query(
        "select rule, severity from marts.extract_findings where file_name = 'police_scorecard_2023-12.xlsx'"
    ) == [("missing_force_area_sheet", "query")]
    assert pipeline.query(
        "select rule, severity from marts.extract_findings where file_name = 'police_scorecard_2023-09.xlsx'"
    ) == [("pct_chg_rounding", "query")]

    # Each file's partner gets an issue report, CSV and Excel, found from the run's metadata.
    (run_2022_12,) = [r for r in outcome.runs if r.dagster_run.tags.get("dagster/partition") == "2022-12"]
    (materialization,) = [
        m
        for m in run_2022_12.get_asset_materialization_events()
        if m.asset_key == dg.AssetKey(["raw", "police_scorecard"])
    ]
    workbook_path = materialization.materialization.metadata["issue_report police_scorecard_2022-12.xlsx"].value
    sheet = openpyxl.load_workbook(workbook_path).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][:2] == ["error", "not_a_number"] and rows[0][4:7] == ["C", "Previous", "about 70"]
    assert Path(workbook_path).with_suffix(".csv").read_text(encoding="utf-8-sig").count("not_a_number") == 1

    # Each rejected file is quarantined byte for byte with its report; the landing area keeps its own copy.
    quarantined = pipeline.landing.parent / "quarantine" / "police_scorecard"
    rejected = {f"police_scorecard_{p}.xlsx" for p in ("2022-06", "2022-09", "2022-12", "2023-03", "2023-06")}
    assert {p.name for p in quarantined.glob("*.xlsx") if ".issues" not in p.name} == rejected
    for name in rejected:
        assert (quarantined / name).read_bytes() == (pipeline.police_folder / name).read_bytes()
        assert (quarantined / f"{name}.issues.xlsx").exists() and (quarantined / f"{name}.issues.csv").exists()

    errors_check = {
        run.dagster_run.tags.get("dagster/partition"): evaluation.passed
        for run in outcome.runs
        for evaluation in run.get_asset_check_evaluations()
        if evaluation.check_name == "errors"
    }
    assert errors_check == {
        "2022-03": True,
        "2022-06": False,
        "2022-09": False,
        "2022-12": False,
        "2023-03": False,
        "2023-06": False,
        "2023-09": True,
        "2023-12": True,
    }
    queries_check = {
        run.dagster_run.tags.get("dagster/partition"): evaluation.passed
        for run in outcome.runs
        for evaluation in run.get_asset_check_evaluations()
        if evaluation.check_name == "queries"
    }
    assert queries_check["2023-09"] is False
    assert queries_check["2022-03"] is True
