"""The benchmark's parts that need a built warehouse: the DuckDB floor over the sample warehouse's latest quarter of
children's and adult social care (every stage measured, the same rows read as the pipeline parsed, most of each
suite's expectations run as SQL: benchmark/floor.py), and the added-quarter scenario's history copied to synthetic
authorities (benchmark/history.py)."""

import shutil

import duckdb

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.landing import identify
from dagster_project.lib.metering import STAGES
from dagster_project.lib.settings import DBT_PROJECT_DIR
from tools.benchmark.floor import measure_floor
from tools.benchmark.history import copy_history_to_synthetic
from tools.samples.scale import scaled_authorities


def test_the_floor_does_each_stages_work_in_plain_duckdb_over_the_same_files(sample_warehouse, tmp_path):
    contracts = load_contracts()
    latest = [p for source in ("csc", "asc") for p in sample_warehouse.landing.glob(f"{source}/*_2024-03.zip")]
    files = [identify(contracts[p.parent.name], p) for p in latest]
    floor = measure_floor(files, contracts, sample_warehouse.warehouse, DBT_PROJECT_DIR, tmp_path)
    assert set(floor.seconds) == set(STAGES)
    [(parsed,)] = sample_warehouse.query(
        "select sum(row_count) from raw.extracts where file_name in (select unnest(?))", [f.name for f in files]
    )
    assert len(files) == 10 and floor.rows == parsed
    assert floor.expectations_run > 4 * floor.expectations_skipped


def test_the_history_of_real_authorities_is_copied_to_synthetic_ones_under_their_own_codes_and_pseudonyms(
    sample_warehouse, tmp_path
):
    warehouse = shutil.copy(sample_warehouse.warehouse, tmp_path / "warehouse.duckdb")
    copied = copy_history_to_synthetic(warehouse, load_contracts(), scaled_authorities(7))
    with duckdb.connect(str(warehouse), read_only=True) as connection:

        def one(sql: str, *params: object) -> tuple:
            return connection.execute(sql, list(params)).fetchone()

        loads = "select count(*), sum(row_count) from raw.extracts where la_code = ? and source in ('csc', 'asc')"
        assert one(loads, "E06900002") == one(loads, "E06000023") and one(loads, "E06900002")[0] > 0
        assert copied == one(loads, "E06000022")[0] + one(loads, "E06000023")[0]
        children = """select count(*), count(distinct c.child_id) from raw.csc_children c
                      join raw.extracts e using (load_id) where e.la_code = ?"""
        assert one(children, "E06900001") == one(children, "E06000022")
        shared = """select count(*) from (select child_id from raw.csc_children join raw.extracts using (load_id)
                    where la_code = ? intersect select child_id from raw.csc_children join raw.extracts
                    using (load_id) where la_code = ?)"""
        assert one(shared, "E06900001", "E06000022") == (0,)  # each authority's pseudonyms are its own
