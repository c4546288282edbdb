"""The added-quarter scenario's history at national scale, without loading it file by file.

Eight national quarters through the pipeline take hours here, and their loading is not what the scenario measures:
it measures adding a ninth quarter to a warehouse that holds them. So the five real authorities' eight quarters
are loaded through the pipeline, and each synthetic authority's history is then copied from its template's loads
in SQL, as the scale generator copies the template's files: the same rows under a new load id, its own code, and
ids pseudonymised in its own namespace (a keyed hash like ingest's, not the same one: nothing joins them).
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import duckdb

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.loading import RAW_SCHEMA
from dagster_project.lib.parsing import parser_format
from tools.samples.scale import SCALED_SOURCES, ScaledAuthority


def copy_history_to_synthetic(
    warehouse: Path, contracts: dict[str, SourceContract], authorities: list[ScaledAuthority]
) -> int:
    """Copy every scaled source's loads of each real authority to the synthetic authorities modelled on it;
    returns the number of loads written."""
    synthetic = [(a.code, a.template) for a in authorities if a.synthetic]
    if not synthetic:
        return 0
    sources = [contracts[writer.source] for writer in SCALED_SOURCES]
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("create temp table synthetic (la_code varchar, template varchar)")
        connection.executemany("insert into synthetic values (?, ?)", synthetic)
        connection.execute(
            f"""create temp table copies as
                select e.load_id as template_load_id, md5(e.load_id || s.la_code) as load_id, s.la_code, s.template
                from {RAW_SCHEMA}.extracts e join synthetic s on e.la_code = s.template
                where e.source in ({", ".join("?" for _ in sources)})""",
            [c.source for c in sources],
        )
        connection.execute(
            f"""insert into {RAW_SCHEMA}.extracts
                select e.* replace (c.load_id as load_id, c.la_code as la_code,
                                    replace(e.file_name, c.template, c.la_code) as file_name,
                                    sha256(e.sha256 || c.la_code) as sha256)
                from {RAW_SCHEMA}.extracts e join copies c on e.load_id = c.template_load_id"""
        )
        for table in ("findings", "resubmission_changes"):
            _copy_rows(connection, table)
        for contract in sources:
            ids = {c for m in contract.terms.modules.values() for c, spec in m.columns.items() if spec.kind == "id"}
            for table in parser_format(contract).empty_tables(contract):
                _copy_rows(connection, table, ids)
        (loads,) = connection.execute("select count(*) from copies").fetchone()
    return loads


def _copy_rows(connection: duckdb.DuckDBPyConnection, table: str, id_columns: Collection[str] = ()) -> None:
    columns = [r[0] for r in connection.execute(f"describe {RAW_SCHEMA}.{table}").fetchall()]
    renamed = ["c.load_id as load_id"] + [
        f"left(sha256(c.la_code || ':' || t.{column}), 32) as {column}" for column in columns if column in id_columns
    ]
    if table == "resubmission_changes":
        renamed.append("md5(t.previous_load_id || c.la_code) as previous_load_id")
    connection.execute(
        f"""insert into {RAW_SCHEMA}.{table}
            select t.* replace ({", ".join(renamed)})
            from {RAW_SCHEMA}.{table} t join copies c on t.load_id = c.template_load_id"""
    )
