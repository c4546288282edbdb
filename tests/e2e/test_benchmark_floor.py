"""The benchmark's DuckDB floor over the sample warehouse's latest quarter of children's and adult social care:
every stage measured, the same rows read as the pipeline parsed, and most of each suite's expectations run as
SQL (benchmark/floor.py)."""

from dagster_project.benchmark.floor import measure_floor
from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.landing import identify
from dagster_project.lib.metering import STAGES
from dagster_project.lib.settings import DBT_PROJECT_DIR


def test_the_floor_does_each_stages_work_in_plain_duckdb_over_the_same_files(sample_warehouse, tmp_path):
    contracts = load_contracts()
    files = [identify(contracts[p.parent.name], p) for p in sample_warehouse.landing.glob("*/*_2024-03.zip")]
    floor = measure_floor(files, contracts, sample_warehouse.warehouse, DBT_PROJECT_DIR, tmp_path)
    assert set(floor.seconds) == set(STAGES)
    [(parsed,)] = sample_warehouse.query(
        "select sum(row_count) from raw.extracts where file_name in (select unnest(?))", [f.name for f in files]
    )
    assert len(files) == 10 and floor.rows == parsed
    assert floor.expectations_run > 4 * floor.expectations_skipped
