"""Loading into the warehouse's raw layer, with lineage.

The raw layer is append-only: every version of every extract stays, with its file name, sha256,
received time and load id. Loading the same bytes twice changes nothing. Which version is current
(a resubmission supersedes the earlier one) is derived in dbt, so both stay queryable.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity, findings_frame
from dagster_project.lib.parsing import ParsedExtract, parser_format

RAW_SCHEMA = "raw"
_DDL = (
    f"create schema if not exists {RAW_SCHEMA}",
    f"""create table if not exists {RAW_SCHEMA}.extracts (
        load_id varchar primary key,
        source varchar not null,
        la_code varchar,
        period_end date not null,
        file_name varchar not null,
        sha256 varchar not null,
        size_bytes bigint not null,
        received_at timestamp not null,
        loaded_at timestamp not null,
        status varchar not null,
        error_count integer not null,
        query_count integer not null,
        row_count integer not null,
        run_id varchar
    )""",
    f"""create table if not exists {RAW_SCHEMA}.findings (
        load_id varchar not null,
        rule varchar not null,
        severity varchar not null,
        message varchar not null,
        file_name varchar not null,
        sheet varchar,
        row_number integer,
        column_name varchar,
        column_letter varchar,
        value varchar
    )""",
    # What each new version changed against the version it replaced (lib/resubmissions.py).
    f"""create table if not exists {RAW_SCHEMA}.resubmission_changes (
        load_id varchar not null,
        previous_load_id varchar not null,
        table_name varchar not null,
        rows_added bigint not null,
        rows_removed bigint not null,
        rows_changed bigint not null
    )""",
)
LOCK_WAIT_SECONDS = 300.0


class Status:
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class LoadOutcome:
    load_id: str
    status: str
    errors: int
    queries: int
    rows: int

    @property
    def loaded(self) -> bool:
        return self.status != Status.DUPLICATE


@contextmanager
def connect(
    path: Path, *, read_only: bool = False, wait_seconds: float = LOCK_WAIT_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, waiting while another process holds DuckDB's single-writer lock."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.5
    while True:
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 10.0)
    try:
        yield connection
    finally:
        connection.close()


def ensure_raw_layer(connection: duckdb.DuckDBPyConnection, contracts: Iterable[SourceContract] = ()) -> None:
    """Create the raw layer's tables that do not exist yet, so dbt always finds its sources."""
    for statement in _DDL:
        connection.execute(statement)
    for contract in contracts:
        for name, frame in parser_format(contract).empty_tables(contract).items():
            _create_table_like(connection, name, frame)


def find_loaded(connection: duckdb.DuckDBPyConnection, source: str, sha256: str) -> str | None:
    """The load id of an extract of `source` with these exact bytes, if one was loaded."""
    ensure_raw_layer(connection)
    row = connection.execute(
        f"select load_id from {RAW_SCHEMA}.extracts where source = ? and sha256 = ? order by loaded_at limit 1",
        [source, sha256],
    ).fetchone()
    return None if row is None else row[0]


def load_extract(
    connection: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    parsed: ParsedExtract,
    findings: list[Finding],
    sha256: str,
    run_id: str | None = None,
    also: Callable[[duckdb.DuckDBPyConnection, str], None] | None = None,
) -> LoadOutcome:
    """Write one extract version, its rows and its findings in one transaction, with whatever `also` writes
    about the new load id (what it changed against the version it replaces)."""
    ensure_raw_layer(connection, [contract])
    errors = sum(f.severity is Severity.ERROR for f in findings)
    queries = len(findings) - errors
    connection.begin()
    try:
        duplicate_of = find_loaded(connection, contract.source, sha256)
        if duplicate_of is not None:
            connection.rollback()
            return LoadOutcome(duplicate_of, Status.DUPLICATE, errors, queries, 0)
        load_id = uuid.uuid4().hex
        status = Status.REJECTED if errors else Status.ACCEPTED
        _insert_extract(connection, contract, parsed, sha256, load_id, status, errors, queries, run_id)
        _insert_frame(connection, "findings", findings_frame(findings), load_id)
        for table in parsed.tables.values():
            _insert_frame(connection, table.name, table.frame, load_id)
        if also is not None:
            also(connection, load_id)
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    return LoadOutcome(load_id, status, errors, queries, parsed.row_count)


def replace_table(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """`schema.table` replaced by the frame's rows in one transaction: readers see the old table or the new."""
    schema = table.split(".")[0]
    connection.register("replacing_rows", frame)
    try:
        connection.begin()
        connection.execute(f"create schema if not exists {schema}")
        connection.execute(f"create or replace table {table} as select * from replacing_rows")
        connection.commit()
    finally:
        connection.unregister("replacing_rows")


def _insert_extract(
    connection: duckdb.DuckDBPyConnection,
    contract: SourceContract,
    parsed: ParsedExtract,
    sha256: str,
    load_id: str,
    status: str,
    errors: int,
    queries: int,
    run_id: str | None,
) -> None:
    landed = parsed.landed
    connection.execute(
        f"insert into {RAW_SCHEMA}.extracts values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            contract.source,
            landed.la_code,
            landed.period_end,
            landed.name,
            sha256,
            landed.path.stat().st_size,
            _naive_utc(landed.received_at()),
            _naive_utc(datetime.now(UTC)),
            status,
            errors,
            queries,
            parsed.row_count,
            run_id,
        ],
    )


def _insert_frame(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, load_id: str) -> None:
    """Append a DataFrame under a load id, creating the table from its columns the first time."""
    staged = frame.assign(load_id=load_id)
    _create_table_like(connection, table, staged)
    if staged.empty:
        return
    connection.register("staged_rows", staged)
    try:
        connection.execute(f"insert into {RAW_SCHEMA}.{table} by name select * from staged_rows")
    finally:
        connection.unregister("staged_rows")


def _create_table_like(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Create `raw.<table>` with the frame's columns (load_id first) unless it exists."""
    shaped = frame if "load_id" in frame.columns else frame.assign(load_id=pd.Series(dtype="str"))
    shaped = shaped[["load_id", *(c for c in shaped.columns if c != "load_id")]].head(0)
    connection.register("table_shape", shaped)
    try:
        connection.execute(f"create table if not exists {RAW_SCHEMA}.{table} as select * from table_shape")
    finally:
        connection.unregister("table_shape")


def _naive_utc(moment: datetime) -> datetime:
    """Timestamps are stored as UTC without a zone, which every BI client reads the same way."""
    return moment.astimezone(UTC).replace(tzinfo=None)
