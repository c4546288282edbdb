"""What a new version of a partner's file changed against the version it replaces: per raw table, the rows
added, removed and changed, matched on the table's key (the contract's module keys; a police sheet and measure).
Where a row sits in the file (its row number, sheet or spreadsheet cell) is not a change. The metrics that moved
are the mart resubmission_changes' to add, from the values both versions gave.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.loading import RAW_SCHEMA
from dagster_project.lib.parsing import parser_format
from dagster_project.lib.registry import load_registry

POSITION_COLUMNS = ("load_id", "row_number", "file_name", "sheet_name", "cell_letter", "cell_header")
CHANGES_TABLE = f"{RAW_SCHEMA}.resubmission_changes"  # created with the raw layer (lib/loading.py)


@dataclass(frozen=True)
class TableChanges:
    table: str
    rows_added: int
    rows_removed: int
    rows_changed: int


def record_resubmission_changes(
    connection: duckdb.DuckDBPyConnection, contract: SourceContract, load_id: str
) -> tuple[str | None, list[TableChanges]]:
    """Compare the version just loaded with the one it replaces (if any) and keep the counts in
    raw.resubmission_changes; the replaced version's load id and the changes."""
    previous = replaced_version(connection, contract, load_id)
    if previous is None:
        return None, []
    changes = [
        compare_tables(connection, table, keys, previous, load_id)
        for table, keys in parser_format(contract).table_keys(contract).items()
    ]
    connection.executemany(
        f"insert into {CHANGES_TABLE} values (?, ?, ?, ?, ?, ?)",
        [[load_id, previous, c.table, c.rows_added, c.rows_removed, c.rows_changed] for c in changes],
    )
    return previous, changes


def replaced_version(connection: duckdb.DuckDBPyConnection, contract: SourceContract, load_id: str) -> str | None:
    """The latest accepted version, received before this one, of the same source, partner (under any of its
    codes) and period."""
    la_code, period_end, received_at, loaded_at = connection.execute(
        f"select la_code, period_end, received_at, loaded_at from {RAW_SCHEMA}.extracts where load_id = ?", [load_id]
    ).fetchone()
    row = connection.execute(
        f"""select load_id from {RAW_SCHEMA}.extracts
            where source = ? and period_end = ? and status = 'accepted' and load_id <> ?
              and (la_code is not distinct from ? or la_code in (select unnest(?)))
              and (received_at < ? or (received_at = ? and loaded_at < ?))
            order by received_at desc, loaded_at desc limit 1""",
        [
            contract.source,
            period_end,
            load_id,
            la_code,
            list(partner_codes(contract, la_code)),
            received_at,
            received_at,
            loaded_at,
        ],
    ).fetchone()
    return None if row is None else row[0]


def partner_codes(contract: SourceContract, la_code: str | None) -> set[str]:
    """Every code a partner's files may carry: its current one and its predecessors'."""
    if la_code is None:
        return set()
    return load_registry().codes_of(la_code)


def compare_tables(
    connection: duckdb.DuckDBPyConnection, table: str, keys: list[str], old_load: str, new_load: str
) -> TableChanges:
    columns = [
        name
        for (name,) in connection.execute(
            """select column_name from information_schema.columns
               where table_schema = ? and table_name = ? order by ordinal_position""",
            [RAW_SCHEMA, table],
        ).fetchall()
        if name not in POSITION_COLUMNS
    ]
    selected = ", ".join(_quoted(c) for c in columns)
    matched = " and ".join(f"old.{_quoted(k)} is not distinct from new.{_quoted(k)}" for k in keys)
    added, removed, changed = connection.execute(
        f"""with old as (select true as present, {selected} from {RAW_SCHEMA}.{table} where load_id = ?),
                 new as (select true as present, {selected} from {RAW_SCHEMA}.{table} where load_id = ?)
            select count(*) filter (where old.present is null), count(*) filter (where new.present is null),
                   count(*) filter (where old.present and new.present and old is distinct from new)
            from old full outer join new on {matched}""",
        [old_load, new_load],
    ).fetchone()
    return TableChanges(table, added, removed, changed)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
