from datetime import date

import pytest

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.landing import FileNameError, identify, partition_fingerprint, scan_landing

POLICE = load_contracts()["police_scorecard"]


def test_a_police_file_name_gives_its_quarter(tmp_path):
    landed = identify(POLICE, tmp_path / "police_scorecard_2023-03.xlsx")
    assert landed.period_end == date(2023, 3, 31)
    assert landed.partition_key == "2023-03"
    assert landed.la_code is None


@pytest.mark.parametrize(
    "name",
    [
        "police_scorecard_2023-04.xlsx",
        "police_scorecard_2023-3.xlsx",
        "police_scorecard_2023-03 (1).xlsx",
        "police_scorecard_2023-03_v2.xlsx",
        "Police_Scorecard_2023-03.xlsx",
        "police_scorecard_2023-03.xls",
    ],
)
def test_a_name_not_in_the_spec_form_is_refused_with_the_expected_form(tmp_path, name):
    with pytest.raises(FileNameError, match=r"police_scorecard_2023-03\.xlsx|quarter end"):
        identify(POLICE, tmp_path / name)


def test_scan_reports_bad_names_and_leaves_them_in_place(tmp_path):
    folder = tmp_path / "police_scorecard"
    folder.mkdir()
    for name in ("police_scorecard_2023-03.xlsx", "scorecard march.xlsx", "~$police_scorecard_2023-03.xlsx"):
        (folder / name).write_bytes(b"x")
    scan = scan_landing(tmp_path, load_contracts())
    assert [f.name for f in scan.files] == ["police_scorecard_2023-03.xlsx"]
    assert len(scan.rejected) == 1
    assert "scorecard march.xlsx" in scan.rejected[0].reason
    assert "e.g. 'police_scorecard_2023-03.xlsx'" in scan.rejected[0].reason
    assert (folder / "scorecard march.xlsx").exists()


def test_partition_fingerprint_changes_when_a_file_changes(tmp_path):
    folder = tmp_path / "police_scorecard"
    folder.mkdir()
    path = folder / "police_scorecard_2023-03.xlsx"
    path.write_bytes(b"first")
    before = partition_fingerprint(scan_landing(tmp_path, load_contracts()).files)
    path.write_bytes(b"second, longer")
    assert partition_fingerprint(scan_landing(tmp_path, load_contracts()).files) != before


def test_a_file_still_being_written_waits_for_a_later_scan(tmp_path):
    import time

    folder = tmp_path / "police_scorecard"
    folder.mkdir()
    (folder / "police_scorecard_2023-03.xlsx").write_bytes(b"half a workbook")

    now = time.time()
    early = scan_landing(tmp_path, load_contracts(), settle_seconds=60, now=now)
    assert early.files == [] and [p.name for p in early.settling] == ["police_scorecard_2023-03.xlsx"]
    later = scan_landing(tmp_path, load_contracts(), settle_seconds=60, now=now + 61)
    assert [f.name for f in later.files] == ["police_scorecard_2023-03.xlsx"] and later.settling == []
