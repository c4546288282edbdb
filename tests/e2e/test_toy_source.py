"""A new partner source is data alone (docs/adding-a-source.md): in a copy of the project, a toy source gets a
contract, a suite, a staging model, a metric and a sample file, and no line of Python; its file then runs
through the pipeline, as a run does, to the marts."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from dagster_project.lib.settings import REPO_ROOT
from tools.benchmark.national import national_project

pytestmark = pytest.mark.e2e

CONTRACT = """\
source: toy
description: A toy partner's quarterly count of things, one row per team.
partner: The toy partner
format: csv_file
file_pattern: 'toy_(?P<la_code>E\\d{8})_(?P<period>\\d{4}-\\d{2})\\.csv'
file_example: toy_E06000024_2023-03.csv
file_form: toy_<la_code>_YYYY-MM.csv
suite: toy.json
delivery: {period_months: [3, 6, 9, 12], first_period: "2023-03", grace_days: 30}
sent_by: authorities
modules:
  returns:
    key: [team]
    columns:
      team: {kind: text}
      things: {kind: count}
date_format: "%Y-%m-%d"
"""
SUITE = {
    "name": "toy",
    "expectations": [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "things", "min_value": 0},
            "severity": "critical",
            "meta": {"table": "toy_returns", "rule": "negative_count", "message": "a count cannot be negative"},
        }
    ],
}
DBT_FILES = {
    "models/staging/toy/_toy__sources.yml": """\
        version: 2
        sources:
          - name: raw_toy
            description: The toy partner's returns in the raw layer.
            schema: raw
            tables:
              - name: toy_returns
                description: One row per team of a toy return version.
        """,
    "models/staging/toy/stg_toy__returns.sql": """\
        select load_id, team, things from {{ source('raw_toy', 'toy_returns') }}
        """,
    "models/staging/toy/_toy__models.yml": """\
        version: 2
        models:
          - name: stg_toy__returns
            description: One row per team of a toy return version.
            columns:
              - name: load_id
                description: The return version.
                data_tests: [not_null]
              - name: team
                description: The team.
              - name: things
                description: How many things it counted.
        """,
    "models/intermediate/toy/int_toy__metric_values.sql": """\
        select
            versions.current_la_code as la_code,
            'toy_things' as metric_code,
            versions.period_end,
            'quarter' as "window",
            sum(returns.things) as value,
            'computed' as stated_as,
            returns.load_id
        from {{ ref('stg_toy__returns') }} as returns
        inner join {{ ref('int_extract_versions') }} as versions using (load_id)
        where versions.load_status = 'accepted'
        group by all
        """,
    "models/intermediate/toy/_int_toy.yml": """\
        version: 2
        models:
          - name: int_toy__metric_values
            description: The toy metric of every accepted return version.
        """,
}


def add_toy_source(project: Path) -> None:
    (project / "sources" / "toy.yaml").write_text(CONTRACT, encoding="utf-8")
    (project / "expectations" / "toy.json").write_text(json.dumps(SUITE, indent=2), encoding="utf-8")
    for name, text in DBT_FILES.items():
        path = project / "dbt" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    with (project / "dbt" / "seeds" / "metric_catalogue.csv").open("a", encoding="utf-8") as catalogue:
        catalogue.write(
            "toy_things,Things counted,toy,count,quarter,neutral,Things the toy partner's teams counted.,,\n"
        )
    dbt_project = project / "dbt" / "dbt_project.yml"
    anchor = "    - int_agency_kpis__metric_values\n"
    text = dbt_project.read_text(encoding="utf-8")
    assert anchor in text
    dbt_project.write_text(text.replace(anchor, anchor + "    - int_toy__metric_values\n"), encoding="utf-8")


def test_a_toy_source_added_as_data_alone_reaches_the_marts(tmp_path):
    project = national_project(REPO_ROOT, [], tmp_path / "project")
    add_toy_source(project)
    extracts, work = tmp_path / "extracts", tmp_path / "work"
    (extracts / "toy").mkdir(parents=True)
    (extracts / "toy" / "toy_E06000024_2023-03.csv").write_text("team,things\nnorth,3\nsouth,4\n", encoding="utf-8")
    env = os.environ | {"PYTHONPATH": str(project), "GX_ANALYTICS_ENABLED": "false"}
    command = [sys.executable, "-m", "tools.benchmark.scenario", "--extracts", str(extracts)]
    command += ["--work", str(work), "--result", str(tmp_path / "result.json")]
    run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert json.loads((tmp_path / "result.json").read_text())["success"]

    with duckdb.connect(str(work / "warehouse.duckdb"), read_only=True) as warehouse:
        assert warehouse.execute(
            """select la_code, period_end::varchar, value, is_latest from marts.fct_metric_values
               where metric_code = 'toy_things'"""
        ).fetchall() == [("E06000024", "2023-03-31", 7.0, True)]
        assert warehouse.execute(
            "select source, status from raw.extracts where file_name = 'toy_E06000024_2023-03.csv'"
        ).fetchall() == [("toy", "accepted")]
    assert not list((project / "dagster_project").rglob("*toy*")), "the toy source touched no Python"


def test_a_metric_model_left_out_of_the_union_stops_the_build_naming_it(tmp_path):
    project = national_project(REPO_ROOT, [], tmp_path / "project")
    add_toy_source(project)
    dbt_project = project / "dbt" / "dbt_project.yml"
    dbt_project.write_text(
        dbt_project.read_text(encoding="utf-8").replace("    - int_toy__metric_values\n", ""), encoding="utf-8"
    )
    dbt = Path(sys.executable).parent / "dbt"
    env = os.environ | {"WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb")}
    command = [str(dbt), "compile", "--select", "fct_metric_values", "--project-dir", "dbt", "--profiles-dir", "dbt"]
    run = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "must list every int_*__metric_values model: not listed: int_toy__metric_values" in run.stdout
