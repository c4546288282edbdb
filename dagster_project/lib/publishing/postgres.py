"""The published warehouse copied to PostgreSQL, for report tools that need a server.

Every reader-facing table of the published file (readers_copy.py: marts, publication, reference) is recreated in
the PostgreSQL database of the same schema and table name, all in one transaction: a report user's query sees the
previous publication, whole, until the commit and the new one, whole, after it (PostgreSQL's DDL is
transactional; a query that reaches a table being replaced waits for the commit). A failure anywhere rolls the
whole publication back. Tables the warehouse no longer publishes are dropped, so the server mirrors the file.

Report users get a role that can read these schemas and nothing else (`reader_role`, NOLOGIN): grant it to each
report tool's login (`create role metabase login password '…' in role safeguarding_reader`).
"""

from collections.abc import Iterable
from pathlib import Path

import duckdb
import sqlalchemy as sa

from dagster_project.lib.publishing.readers_copy import READER_SCHEMAS, connect_published, reader_tables

DEFAULT_READER_ROLE = "safeguarding_reader"

_INTEGER_TYPES = {"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER"}


def publish_to_postgres(published: Path, url: str, reader_role: str = DEFAULT_READER_ROLE) -> dict[str, int]:
    """Copy the published file's reader schemas to the database at `url` in one transaction; rows per table."""
    engine = sa.create_engine(url)
    try:
        with connect_published(published) as source, engine.begin() as target:
            tables = reader_tables(source)
            _ensure_role(target, reader_role)
            _drop_unpublished_tables(target, tables)
            rows = {f"{schema}.{name}": _copy_table(source, target, schema, name) for schema, name in tables}
            _grant_read(target, reader_role, sorted({schema for schema, _ in tables}))
    finally:
        engine.dispose()
    return rows


def _copy_table(source: duckdb.DuckDBPyConnection, target: sa.Connection, schema: str, name: str) -> int:
    columns = source.execute(
        """select column_name, data_type, numeric_precision, numeric_scale from information_schema.columns
           where table_catalog = current_database() and table_schema = ? and table_name = ?
           order by ordinal_position""",
        [schema, name],
    ).fetchall()
    target.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
    table = sa.Table(
        name, sa.MetaData(), *(sa.Column(column, _postgres_type(*kind)) for column, *kind in columns), schema=schema
    )
    table.drop(target, checkfirst=True)
    table.create(target)
    selected = ", ".join(_as_copied(column, table.c[column].type) for column, *_ in columns)
    result = source.execute(f'select {selected} from "{schema}"."{name}"')
    return _copy_rows(target, table, iter(lambda: result.fetchmany(10_000), []))


def _copy_rows(target: sa.Connection, table: sa.Table, batches: Iterable[list[tuple]]) -> int:
    """COPY the rows in, on the transaction's own connection (psycopg 3)."""
    preparer = target.dialect.identifier_preparer
    columns = ", ".join(preparer.quote(column.name) for column in table.columns)
    statement = f"copy {preparer.format_table(table)} ({columns}) from stdin"
    count = 0
    with target.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for batch in batches:
            for row in batch:
                copy.write_row(row)
            count += len(batch)
    return count


def _postgres_type(data_type: str, precision: int | None, scale: int | None) -> sa.types.TypeEngine:
    if data_type == "BOOLEAN":
        return sa.Boolean()
    if data_type in _INTEGER_TYPES:
        return sa.BigInteger()
    if data_type.startswith("DECIMAL"):
        return sa.Numeric(precision, scale)
    if data_type in {"HUGEINT", "UBIGINT"}:
        return sa.Numeric(38, 0)
    if data_type in {"DOUBLE", "FLOAT"}:
        return sa.Double()
    if data_type == "DATE":
        return sa.Date()
    if data_type.startswith("TIMESTAMP"):
        return sa.DateTime(timezone="TIME ZONE" in data_type)
    return sa.Text()


def _as_copied(column: str, postgres_type: sa.types.TypeEngine) -> str:
    """A DuckDB select of the column; what PostgreSQL gets as text (lists, structs, intervals) travels as text."""
    quoted = '"' + column.replace('"', '""') + '"'
    return f"cast({quoted} as varchar)" if isinstance(postgres_type, sa.Text) else quoted


def _drop_unpublished_tables(target: sa.Connection, published: list[tuple[str, str]]) -> None:
    inspector = sa.inspect(target)
    existing = set(inspector.get_schema_names())
    for schema in sorted(set(READER_SCHEMAS) & existing):
        for name in inspector.get_table_names(schema=schema):
            if (schema, name) not in published:
                sa.Table(name, sa.MetaData(), schema=schema).drop(target)


def _ensure_role(target: sa.Connection, role: str) -> None:
    exists = target.execute(sa.text("select 1 from pg_roles where rolname = :role"), {"role": role}).first()
    if not exists:
        target.execute(sa.text(f"create role {_quote(target, role)} nologin"))


def _grant_read(target: sa.Connection, role: str, schemas: list[str]) -> None:
    for schema in schemas:
        quoted_schema, quoted_role = _quote(target, schema), _quote(target, role)
        target.execute(sa.text(f"grant usage on schema {quoted_schema} to {quoted_role}"))
        target.execute(sa.text(f"grant select on all tables in schema {quoted_schema} to {quoted_role}"))


def _quote(target: sa.Connection, identifier: str) -> str:
    return target.dialect.identifier_preparer.quote_identifier(identifier)
