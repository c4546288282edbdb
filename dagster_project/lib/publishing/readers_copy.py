"""The warehouse readers open: a copy of what they may see (marts, publication, reference), published
atomically after each complete build, so a report tool or an analyst holding it open never blocks a run and
never sees a half-built one.

The pipeline writes only its own build file (WAREHOUSE_PATH). After a build, the reader-facing schemas are
copied into a new file beside the published one, in DuckDB's v1.0.0 storage format (most BI drivers still
bundle DuckDB 1.x, which cannot read the 2.0 format), and renamed over it. A rename is atomic on one file
system: a reader that opened the old file keeps reading it (the old build, whole) until it reconnects; a reader
that opens the path gets the new one. Nothing ever writes to the published file, so readers never lock a writer
out, nor the other way round.
"""

from pathlib import Path

import duckdb

from dagster_project.lib.atomic_files import replace_atomically

READER_SCHEMAS = ("marts", "publication", "reference")
STORAGE_VERSION = "v1.0.0"


def publish_warehouse(build: duckdb.DuckDBPyConnection, published: Path) -> dict[str, int]:
    """Copy the reader-facing schemas of the open build warehouse to `published`, atomically; rows per table."""
    tables = reader_tables(build)
    rows: dict[str, int] = {}

    def copy_reader_schemas(staging: Path) -> None:
        build.execute(f"attach '{staging}' as published_copy (STORAGE_VERSION '{STORAGE_VERSION}')")
        try:
            for schema in sorted({schema for schema, _ in tables}):
                build.execute(f'create schema published_copy."{schema}"')
            for schema, table in tables:
                build.execute(f'create table published_copy."{schema}"."{table}" as from "{schema}"."{table}"')
                (count,) = build.execute(f'select count(*) from published_copy."{schema}"."{table}"').fetchone()
                rows[f"{schema}.{table}"] = count
        finally:
            build.execute("detach published_copy")

    replace_atomically(published, copy_reader_schemas)
    return rows


def reader_tables(connection: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(schema, table) of every table readers may see in the open warehouse, in order."""
    return connection.execute(
        """select table_schema, table_name from information_schema.tables
           where table_catalog = current_database() and table_type = 'BASE TABLE'
             and table_schema in (select unnest(?)) order by 1, 2""",
        [list(READER_SCHEMAS)],
    ).fetchall()


def connect_published(published: Path) -> duckdb.DuckDBPyConnection:
    """A reader's connection: read-only, to the last complete build."""
    return duckdb.connect(str(published), read_only=True)
