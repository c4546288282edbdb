"""The benchmark's parts that need no pipeline run: the scale knob, the national copy of the project, the
stage meter and the floor's translation of expectations into SQL."""

import csv
import subprocess
import sys
import zipfile
from datetime import date

import duckdb
import pandas as pd
import pytest

from dagster_project.lib import metering
from dagster_project.lib.registry import load_registry
from dagster_project.lib.settings import REPO_ROOT
from tools.benchmark.floor import UNIQUE, _failing_rows, _row_condition
from tools.benchmark.national import national_project
from tools.samples import scale
from tools.samples.simulation import ExtractWriter


def test_the_scale_knob_adds_synthetic_authorities_modelled_on_the_real_five_in_turn():
    members = scale.scaled_authorities(8)
    assert [m.code for m in members[:5]] == list(scale.REAL)
    assert [(m.code, m.template) for m in members[5:]] == [
        ("E06900001", "E06000022"),
        ("E06900002", "E06000023"),
        ("E06900003", "E06000024"),
    ]
    assert len(scale.scaled_authorities(scale.NATIONAL)) == 153
    with pytest.raises(ValueError, match="between 1 and 153"):
        scale.scaled_authorities(154)
    with pytest.raises(ValueError, match="between 1 and 12"):
        scale.scaled_quarters(13)
    assert scale.scaled_quarters(2) == [date(2023, 12, 31), date(2024, 3, 31)]


def test_synthetic_authorities_send_copies_of_their_templates_extracts(tmp_path, monkeypatch):
    def build(la_code: str, period_end: date, inject: str | None = None) -> dict[str, bytes]:
        return {"rows.csv": f"id\n{la_code}-{period_end}\n".encode()}

    writer = ExtractWriter("csc", scale.REAL, [], build, lambda la, period: f"csc_{la}_{period:%Y-%m}.zip")
    monkeypatch.setattr(scale, "SCALED_SOURCES", (writer,))
    written = scale.write_scaled(tmp_path, 7, 2, progress=lambda _: None)
    assert len(written) == 14
    folder = tmp_path / "csc"
    copy, template = (zipfile.ZipFile(folder / f"csc_{code}_2024-03.zip") for code in ("E06900002", "E06000023"))
    assert copy.read("rows.csv") == template.read("rows.csv") == b"id\nE06000023-2024-03-31\n"
    assert copy.comment.startswith(b"E06900002")  # not byte for byte: the pipeline would load it as a duplicate
    register = scale.read_register(tmp_path / scale.REGISTER)
    assert register == scale.scaled_authorities(7)


def test_the_national_copy_of_the_project_lists_every_authority_with_its_templates_layout(tmp_path):
    members = scale.scaled_authorities(7)
    project = national_project(REPO_ROOT, members, tmp_path / "project")
    registry = load_registry(project / "dbt" / "seeds")
    assert registry.authorities()[-2:] == ["E06900001", "E06900002"]
    assert registry.layout_of("csc", "E06900002") == registry.layout_of("csc", "E06000023") == "bristol_case_system"
    assert registry.areas["E06900001"].area_type == "local_authority" and registry.areas["E06900001"].aliases == ()
    assert (project / "sources" / "csc.yaml").read_bytes() == (REPO_ROOT / "sources" / "csc.yaml").read_bytes()
    with (project / "dbt" / "seeds" / "child_population.csv").open() as handle:
        population = [row for row in csv.DictReader(handle) if row["la_code"] in ("E06900001", "E06000022")]
    by_code = {
        code: sorted(r["population_0_17"] for r in population if r["la_code"] == code)
        for code in ("E06900001", "E06000022")
    }
    assert by_code["E06900001"] == by_code["E06000022"]
    assert not (project / "dbt" / "target").exists()
    # The repository's own contracts are untouched.
    assert "E06900001" not in (REPO_ROOT / "sources" / "csc.yaml").read_text()


def test_a_recording_times_each_stage_and_samples_the_memory_of_children_too():
    with metering.recording(sample_every=0.01) as record:
        with metering.stage("parsing") as parsing:
            parsing.rows = 10
            child = subprocess.run([sys.executable, "-c", "x = bytearray(200 << 20); import time; time.sleep(0.5)"])
        with metering.stage("loading"):
            pass
    assert child.returncode == 0
    figures = record.figures()
    assert figures["parsing"].rows == 10 and figures["parsing"].seconds >= 0.5
    assert figures["parsing"].peak_bytes > 200 << 20  # the child's 200 MB were counted while it ran
    assert 0 < figures["loading"].peak_bytes < figures["parsing"].peak_bytes  # shorter than a sample: the one before
    with metering.stage("parsing"):  # outside a recording: nothing is kept
        pass
    assert len(record.intervals) == 2


@pytest.mark.parametrize(
    ("expectation", "failing"),
    [
        ({"type": "expect_column_values_to_be_in_set", "kwargs": {"column": "sex", "value_set": ["M", "F"]}}, ["X"]),
        (
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": {"column": "day", "max_value": {"$PARAMETER": "period_end"}},
            },
            ["late"],
        ),
        (
            {
                "type": "expect_column_values_to_be_null",
                "kwargs": {"column": "extra", "row_condition": 'sex != "M"', "condition_parser": "pandas"},
            },
            ["X"],
        ),
        (
            {
                "type": "expect_column_pair_values_a_to_be_greater_than_b",
                "kwargs": {"column_A": "day", "column_B": "before", "or_equal": True},
            },
            ["early"],
        ),
    ],
)
def test_the_floor_counts_the_rows_an_expectation_fails(expectation, failing):
    rows = pd.DataFrame(
        {
            "id": ["ok", "X", "late", "early"],
            "sex": ["M", "X", "F", "M"],
            "day": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-05-01", "2023-01-01"]),
            "before": pd.to_datetime(["2023-12-01", "2023-12-01", "2024-01-01", "2023-06-01"]),
            "extra": [None, "x", None, "y"],
        }
    )
    condition = _failing_rows(expectation, {"period_end": pd.Timestamp(2024, 3, 31)})
    connection = duckdb.connect()
    connection.register("rows", rows)
    assert [
        r[0] for r in connection.execute(f"select id from rows where {condition} order by id").fetchall()
    ] == failing


def test_the_floor_runs_uniqueness_as_its_own_query_and_reads_the_suites_row_conditions():
    unique = {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": ["child_id", "start"]}}
    assert _failing_rows(unique, {}) == UNIQUE + '"child_id", "start"'
    assert _row_condition('end_date.notnull() and risk_identified == "YES"') == (
        '"end_date" is not null and "risk_identified" = \'YES\''
    )
    assert _failing_rows({"type": "expect_column_kl_divergence_to_be_less_than", "kwargs": {"column": "x"}}, {}) is None
