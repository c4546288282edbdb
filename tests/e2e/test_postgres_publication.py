"""The published warehouse in a real PostgreSQL: every reader table with its types, replaced in one transaction
(a reader sees the last publication or the new one, whole; a failure leaves the last one), and a report users'
role that can read and do nothing else. Skipped, loudly, where no server is reachable."""

import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from dagster_project.lib.publishing.postgres import publish_to_postgres

pytestmark = pytest.mark.e2e


def published_file(path: Path, rows: int) -> Path:
    """A published warehouse of three small tables, one per reader schema, `rows` rows in the mart."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema marts; create schema publication; create schema reference; create schema raw")
        connection.execute(
            """create table marts.metric_values as
               select 'E0600002' || (i % 5) as la_code, i::integer as n, (i / 3)::decimal(18, 3) as share,
                      i / 7 as ratio, date '2024-03-31' - i::integer as period_end, i % 2 = 0 as is_even,
                      [i, i + 1] as pair, case when i % 4 = 0 then null else 'note ' || i end as note
               from range(?) as t(i)""",
            [rows],
        )
        connection.execute("create table publication.scorecard as select la_code, n::varchar from marts.metric_values")
        connection.execute("create table reference.authorities as select 'E06000022' as la_code, 'Bath' as la_name")
        connection.execute("create table raw.extracts as select 1 as never_published")
    return path


BOTH_COUNTS = sa.text("select (select count(*) from marts.metric_values), (select count(*) from publication.scorecard)")


def counts(engine: sa.Engine) -> tuple[int, int]:
    """Rows of the mart and of the publication, read in one statement (one snapshot)."""
    with engine.connect() as connection:
        return tuple(connection.execute(BOTH_COUNTS).one())


def test_every_reader_table_arrives_with_its_types_and_nothing_else(postgres, tmp_path):
    rows = publish_to_postgres(published_file(tmp_path / "w.duckdb", 10), postgres.url, postgres.reader_role)

    assert rows == {"marts.metric_values": 10, "publication.scorecard": 10, "reference.authorities": 1}
    engine = sa.create_engine(postgres.url)
    inspector = sa.inspect(engine)
    assert "raw" not in inspector.get_schema_names()
    types = {c["name"]: type(c["type"]).__name__ for c in inspector.get_columns("metric_values", schema="marts")}
    assert types == {
        "la_code": "TEXT",
        "n": "BIGINT",
        "share": "NUMERIC",
        "ratio": "DOUBLE_PRECISION",
        "period_end": "DATE",
        "is_even": "BOOLEAN",
        "pair": "TEXT",
        "note": "TEXT",
    }
    with engine.connect() as connection:
        row = connection.execute(sa.text("select * from marts.metric_values where n = 4")).one()
    assert row == ("E06000024", 4, Decimal("1.333"), pytest.approx(4 / 7), date(2024, 3, 27), True, "[4, 5]", None)
    engine.dispose()


def test_report_users_can_read_the_publication_and_change_nothing(postgres, tmp_path):
    publish_to_postgres(published_file(tmp_path / "w.duckdb", 3), postgres.url, postgres.reader_role)
    reader = sa.create_engine(postgres.login_as_reader())

    assert counts(reader) == (3, 3)
    with reader.connect() as connection:
        assert connection.execute(sa.text("select count(*) from reference.authorities")).scalar() == 1
    for statement in (
        "delete from marts.metric_values",
        "create table marts.mine (x int)",
        "drop table publication.scorecard",
    ):
        with (
            reader.connect() as connection,
            pytest.raises(sa.exc.ProgrammingError, match=r"permission denied|must be owner"),
        ):
            connection.execute(sa.text(statement))
    reader.dispose()


def test_a_failed_publication_leaves_the_last_one_whole(postgres, tmp_path):
    publish_to_postgres(published_file(tmp_path / "w.duckdb", 3), postgres.url, postgres.reader_role)
    # Someone's view on the last table to be replaced makes the publication fail after the marts were replaced.
    with sa.create_engine(postgres.url).begin() as connection:
        connection.execute(sa.text("create view public.their_view as select * from reference.authorities"))

    with pytest.raises(sa.exc.InternalError, match="their_view"):
        publish_to_postgres(published_file(tmp_path / "w.duckdb", 50), postgres.url, postgres.reader_role)

    assert counts(sa.create_engine(postgres.url)) == (3, 3)


def test_readers_during_publications_see_the_last_or_the_new_one_never_a_mix(postgres, tmp_path):
    small, large = published_file(tmp_path / "small.duckdb", 5), published_file(tmp_path / "large.duckdb", 20_000)
    publish_to_postgres(small, postgres.url, postgres.reader_role)
    reader_url, seen, errors, done = postgres.login_as_reader(), set(), [], threading.Event()

    def read() -> None:
        engine = sa.create_engine(reader_url)
        while not done.is_set():
            try:
                seen.add(counts(engine))
            except sa.exc.SQLAlchemyError as error:
                errors.append(error)
        engine.dispose()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for published in (large, small, large):
            publish_to_postgres(published, postgres.url, postgres.reader_role)
    finally:
        done.set()
        reader.join()

    assert errors == []
    assert seen <= {(5, 5), (20_000, 20_000)} and len(seen) == 2


def test_tables_no_longer_published_are_dropped(postgres, tmp_path):
    path = published_file(tmp_path / "w.duckdb", 3)
    publish_to_postgres(path, postgres.url, postgres.reader_role)
    with duckdb.connect(str(path)) as connection:
        connection.execute("drop table publication.scorecard")

    assert publish_to_postgres(path, postgres.url, postgres.reader_role).keys() == {
        "marts.metric_values",
        "reference.authorities",
    }
    assert sa.inspect(sa.create_engine(postgres.url)).get_table_names(schema="publication") == []


def test_the_run_copies_the_sample_warehouse_to_postgres_and_skips_without_a_server(sample_warehouse, postgres):
    import dagster as dg

    from dagster_project.assets.publishing import postgres_tables
    from dagster_project.lib.publishing.readers_copy import connect_published, reader_tables
    from dagster_project.resources import PostgresPublicationResource, PublishedWarehouseResource

    def materialize(server: PostgresPublicationResource) -> dg.ExecuteInProcessResult:
        published = PublishedWarehouseResource(path=str(sample_warehouse.published))
        resources = {"published_warehouse": published, "postgres_publication": server}
        return dg.materialize([postgres_tables], resources=resources)

    skipped = materialize(PostgresPublicationResource())
    assert skipped.success and skipped.get_asset_materialization_events() == []

    result = materialize(PostgresPublicationResource(url=postgres.url, reader_role=postgres.reader_role))
    (event,) = result.get_asset_materialization_events()
    with connect_published(sample_warehouse.published) as published:
        expected = {
            f"{schema}.{table}": published.execute(f'select count(*) from "{schema}"."{table}"').fetchone()[0]
            for schema, table in reader_tables(published)
        }
    assert event.materialization.metadata["rows"].value == expected
    with sa.create_engine(postgres.login_as_reader()).connect() as connection:
        served = connection.execute(sa.text("select count(*) from publication.partnership_scorecard")).scalar()
    assert served == expected["publication.partnership_scorecard"] > 0
