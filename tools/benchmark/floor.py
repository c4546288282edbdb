"""The floor each pipeline stage is compared with: the same work written as plain DuckDB SQL over the same files,
in one process, with none of the pipeline's findings, provenance, privacy or orchestration.

- landing: hash every file (`sha256` over `read_blob`).
- parsing: every CSV of every file into a typed table (`read_csv` with the contract's column types, a partner's
  own headers renamed), a zip's members unpacked first.
- validation: the source's expectations as one `count_if` per expectation over those tables, with the derived
  columns the suite checks that are plain joins or expressions (lookups from another module, unknown codes in a
  list column, children not in the children module, days between two dates); the expectations it cannot
  express are counted, not run, and the benchmark prints the coverage.
- loading: those tables into a DuckDB file.
- dbt build: every model's compiled SQL, in dependency order, as a table or view in a copy of the pipeline's
  warehouse; then every test's compiled SQL (dbt's own `compile` writes it, untimed).
- publishing: the published schemas copied into a new DuckDB file (storage v1.0.0), as the pipeline does.

Spreadsheets (the police scorecard) have no floor: DuckDB reads .xlsx only through an extension fetched online.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.dbt_project import DBT_EXECUTABLE
from dagster_project.lib.landing import LandedFile
from dagster_project.lib.parsing.csv_modules import layout_for, table_name
from dagster_project.lib.publishing.readers_copy import STORAGE_VERSION
from dagster_project.lib.validation import load_suite_definition, suite_parameters

DUCKDB_TYPES = {"id": "VARCHAR", "code": "VARCHAR", "codes": "VARCHAR", "flag": "VARCHAR", "text": "VARCHAR"}
PUBLISHED_SCHEMAS = ("marts", "publication", "reference")
UNIQUE = "unique: "  # a uniqueness expectation: a query of its own (a window cannot sit inside count_if)


@dataclass
class Floor:
    seconds: dict[str, float] = field(default_factory=dict)
    rows: int = 0
    expectations_run: int = 0
    expectations_skipped: int = 0

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds


def measure_floor(
    files: list[LandedFile], contracts: dict[str, SourceContract], warehouse: Path, dbt_project: Path, work: Path
) -> Floor:
    """Every stage's floor over the landed files (those DuckDB can read) and the pipeline's finished warehouse."""
    floor = Floor()
    readable = [f for f in files if f.path.suffix in (".zip", ".csv")]
    work.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(work / "floor.duckdb")) as connection:
        _timed(
            floor,
            "landing",
            lambda: connection.execute(
                "select sum(len(sha256(content))) from read_blob(?)", [[str(f.path) for f in readable]]
            ).fetchall(),
        )
        for landed in readable:
            _file_floor(floor, connection, contracts[landed.source], landed, work)
    _dbt_floor(floor, warehouse, dbt_project, work)
    _publishing_floor(floor, warehouse, work)
    return floor


def _timed(floor: Floor, stage: str, work: Any) -> Any:
    started = time.perf_counter()
    result = work()
    floor.add(stage, time.perf_counter() - started)
    return result


def _file_floor(
    floor: Floor, connection: duckdb.DuckDBPyConnection, contract: SourceContract, landed: LandedFile, work: Path
) -> None:
    unpacked = work / "unpacked"
    tables: dict[str, str] = {}  # the suite's table name -> the floor's table

    def parse() -> None:
        shutil.rmtree(unpacked, ignore_errors=True)
        unpacked.mkdir()
        if landed.path.suffix == ".zip":
            with zipfile.ZipFile(landed.path) as archive:
                archive.extractall(unpacked)
        else:
            shutil.copyfile(landed.path, unpacked / landed.path.name)
        layout = layout_for(contract, landed.la_code)
        for module in contract.terms.modules.values():
            path = unpacked / (module.file or landed.path.name)
            if not path.exists():
                continue
            name = table_name(contract, module.name) if module.file else contract.source
            with path.open(encoding="utf-8-sig", newline="") as handle:
                present = _headers(next(csv.reader(handle), []), contract.terms.headers_ignore_case)
            fold = str.casefold if contract.terms.headers_ignore_case else str
            columns = ", ".join(
                f"{_typed(present[fold(header)], spec.kind, layout.date_format)} as {_q(column)}"
                for column, spec in module.columns.items()
                if fold(header := layout.header_for(module, column)) in present
            )
            if not columns:  # nothing the contract reads (the parser's missing_column findings)
                continue
            connection.execute(
                f"create or replace table {name} as select {columns} from read_csv('{path}', all_varchar=true)"
            )
            tables[name] = name
        floor.rows += sum(connection.execute(f"select count(*) from {t}").fetchone()[0] for t in tables.values())

    _timed(floor, "parsing", parse)
    _timed(floor, "validation", lambda: _validate(floor, connection, contract, landed, tables))
    _timed(floor, "loading", lambda: _load(connection, tables, work / "loaded.duckdb"))


def _headers(headers: list[str], ignore_case: bool) -> dict[str, str]:
    """A file's headers by the name the contract's is compared with (folded when the contract ignores case)."""
    return {(header.casefold() if ignore_case else header): header for header in headers}


def _typed(header: str, kind: str, date_format: str) -> str:
    column = _q(header)
    if kind == "date":
        return f"try_strptime({column}, '{date_format}')::date"
    if kind == "month":
        return f"try_strptime(left({column}, 7), '%Y-%m')::date"
    if kind == "count":
        return f"try_cast({column} as integer)"
    return f"{column}::{DUCKDB_TYPES.get(kind, 'VARCHAR')}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _validate(
    floor: Floor, connection: duckdb.DuckDBPyConnection, contract: SourceContract, landed: LandedFile, tables: dict
) -> None:
    """One pass per table: a count of the rows failing each expectation the floor can express."""
    definition = load_suite_definition(contract.suite)
    parameters = suite_parameters(contract, landed.period_end)
    derived = _derived_columns(contract, tables)
    by_table: dict[str, list[str]] = {}
    for expectation in definition["expectations"]:
        table = expectation.get("meta", {}).get("table", contract.source)
        if table not in tables:
            continue
        condition = _failing_rows(expectation, parameters)
        if condition is None:
            floor.expectations_skipped += 1
            continue
        by_table.setdefault(table, []).append(condition)
    for table, conditions in by_table.items():
        source = derived.get(table, table)
        columns = set(connection.execute(f"select * from {source} limit 0").fetchdf().columns)
        runnable = [c for c in conditions if set(re.findall(r'"([^"]+)"', c)) <= columns]
        floor.expectations_skipped += len(conditions) - len(runnable)
        floor.expectations_run += len(runnable)
        rows = [c for c in runnable if not c.startswith(UNIQUE)]
        if rows:
            connection.execute(f"select {', '.join(f'count_if({c})' for c in rows)} from {source}").fetchall()
        for keys in (c.removeprefix(UNIQUE) for c in runnable if c.startswith(UNIQUE)):
            connection.execute(f"select count(*) from (select {keys} from {source} group by all having count(*) > 1)")


def _derived_columns(contract: SourceContract, tables: dict[str, str]) -> dict[str, str]:
    """Each table with the check columns the suite reads that SQL can derive simply, as a select over it."""
    checks, modules = contract.terms.checks, contract.terms.modules
    extra: dict[str, list[str]] = {}
    joins: dict[str, list[str]] = {}
    people, key = table_name(contract, checks.people.module), checks.people.column
    for module in checks.known_child if people in tables else ():
        extra.setdefault(table_name(contract, module), []).append(
            f"t.{key} in (select {key} from {people}) as child_known"
        )
    for n, lookup in enumerate(checks.lookups):
        table, source = table_name(contract, lookup.module), table_name(contract, lookup.from_)
        if source not in tables:
            continue
        alias = f"l{n}"
        joins.setdefault(table, []).append(
            f"left join (select {lookup.by}, any_value({lookup.column}) as v from {source} group by all) {alias}"
            f" using ({lookup.by})"
        )
        extra.setdefault(table, []).append(f"{alias}.v as {lookup.from_}_{lookup.column}")
    for between in checks.days_between:
        extra.setdefault(table_name(contract, between.module), []).append(
            f"date_diff('day', t.{between.from_}, t.{between.to}) as {between.column}"
        )
    for module in modules.values():
        for spec in (s for s in module.columns.values() if s.kind == "codes"):
            allowed = ", ".join(f"'{c}'" for c in contract.terms.codes[spec.codes or ""])
            extra.setdefault(table_name(contract, module.name), []).append(
                f"nullif(list_filter(string_split(t.{spec.name}, '{spec.separator}'), lambda x: x not in ({allowed}))"
                f", []) as {spec.name}_unknown"
            )
    return {
        table: f"(select t.*, {', '.join(columns)} from {table} t {' '.join(joins.get(table, []))})"
        for table, columns in extra.items()
        if table in tables
    }


def _failing_rows(expectation: dict, parameters: dict[str, Any]) -> str | None:
    """A SQL condition true for each row the expectation fails; None for what the floor does not express."""
    kwargs = {k: parameters[v["$PARAMETER"]] if isinstance(v, dict) else v for k, v in expectation["kwargs"].items()}
    kind = expectation["type"]
    column = _q(kwargs["column"]) if "column" in kwargs else None
    if kind == "expect_column_values_to_be_in_set":
        failing = f"{column} not in ({_literals(kwargs['value_set'])})"
    elif kind == "expect_column_values_to_not_be_in_set":
        failing = f"{column} in ({_literals(kwargs['value_set'])})"
    elif kind == "expect_column_values_to_be_between":
        bounds = [f"{column} < {_literal(kwargs['min_value'])}"] if kwargs.get("min_value") is not None else []
        bounds += [f"{column} > {_literal(kwargs['max_value'])}"] if kwargs.get("max_value") is not None else []
        failing = " or ".join(bounds) or "false"
    elif kind == "expect_column_values_to_be_null":
        failing = f"{column} is not null"
    elif kind == "expect_column_values_to_not_be_null":
        failing = f"{column} is null"
    elif kind == "expect_column_values_to_match_regex":
        failing = f"not regexp_matches({column}, {_literal(kwargs['regex'])})"
    elif kind in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"):
        return UNIQUE + ", ".join(map(_q, kwargs.get("column_list") or [kwargs["column"]]))
    elif kind == "expect_column_pair_values_a_to_be_greater_than_b":
        operator = "<" if kwargs.get("or_equal") else "<="
        failing = f"{_q(kwargs['column_A'])} {operator} {_q(kwargs['column_B'])}"
    elif kind == "expect_column_pair_values_to_be_equal":
        failing = f"{_q(kwargs['column_A'])} is distinct from {_q(kwargs['column_B'])}"
    else:
        return None
    condition = _row_condition(kwargs.get("row_condition"))
    return f"({condition}) and ({failing})" if condition else f"coalesce({failing}, false)"


ROW_CONDITION_TOKEN = re.compile(r"'[^']*'|\"[^\"]*\"|\w+\.(?:isnull|notnull|isna|notna)\(\)|==|!=|<=|>=|\w+|\S")
SQL_WORDS = {"and", "or", "not", "in", "is", "null", "true", "false"}
SQL_SYMBOLS = {"==": "=", "&": "and", "|": "or", "[": "(", "]": ")"}


def _row_condition(condition: str | None) -> str | None:
    """GX's pandas row conditions as the suites write them (`x.isna()`, `x != 'V'`, `x in ['A', 'B']`, `&`, `|`)
    in SQL, every column name quoted (so a condition on a column the floor does not derive is skipped)."""
    if not condition:
        return None
    return " ".join(map(_sql_token, ROW_CONDITION_TOKEN.findall(condition)))


def _sql_token(token: str) -> str:
    if token.startswith('"'):
        return "'" + token[1:-1].replace("'", "''") + "'"
    if token.startswith("'") or token.isdigit() or token.lower() in SQL_WORDS:
        return token
    if token.endswith("()"):
        column, test = token[:-2].split(".")
        return f'"{column}" is ' + ("null" if test in {"isnull", "isna"} else "not null")
    if re.fullmatch(r"\w+", token):
        return f'"{token}"'
    return SQL_SYMBOLS.get(token, token)


def _literal(value: Any) -> str:
    if hasattr(value, "date"):
        return f"date '{value.date().isoformat()}'"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(value)


def _literals(values: Iterable[Any]) -> str:
    return ", ".join(_literal(v) for v in values)


def _load(connection: duckdb.DuckDBPyConnection, tables: dict[str, str], path: Path) -> None:
    connection.execute(f"attach if not exists '{path}' as loaded")
    for name in tables.values():
        connection.execute(f"create table if not exists loaded.{name} as select * from {name} limit 0")
        connection.execute(f"insert into loaded.{name} select * from {name}")
    connection.execute("checkpoint loaded")


def _dbt_floor(floor: Floor, warehouse: Path, dbt_project: Path, work: Path) -> None:
    """Every model's and test's compiled SQL run directly in one DuckDB connection on a copy of the warehouse."""
    manifest = _compiled_manifest(dbt_project, warehouse, work)
    copy = work / "dbt" / warehouse.name  # the compiled SQL names the warehouse's catalog, the file's stem
    copy.parent.mkdir(exist_ok=True)
    shutil.copyfile(warehouse, copy)
    nodes = manifest["nodes"]
    order = _dependency_order({k: v for k, v in nodes.items() if v["resource_type"] in ("model", "test")})
    with duckdb.connect(str(copy)) as connection:
        started = time.perf_counter()
        for unique_id in order:
            node = nodes[unique_id]
            sql = node.get("compiled_code")
            if not sql:
                continue
            if node["resource_type"] == "test":
                connection.execute(f"select count(*) from ({sql}) as failures").fetchall()
                continue
            relation = f'"{node["schema"]}"."{node["alias"]}"'
            kind = "view" if node["config"].get("materialized") == "view" else "table"
            connection.execute(f'create schema if not exists "{node["schema"]}"')
            existing = connection.execute(
                "select table_type from information_schema.tables where table_schema = ? and table_name = ?",
                [node["schema"], node["alias"]],
            ).fetchone()
            if existing:
                connection.execute(f"drop {'view' if existing[0] == 'VIEW' else 'table'} {relation}")
            connection.execute(f"create {kind} {relation} as {sql}")
        floor.add("dbt build", time.perf_counter() - started)


def _compiled_manifest(dbt_project: Path, warehouse: Path, work: Path) -> dict:
    target = work / "dbt_compile"
    command = [
        str(DBT_EXECUTABLE),
        "compile",
        "--project-dir",
        str(dbt_project),
        "--profiles-dir",
        str(dbt_project),
        "--target-path",
        str(target),
        "--quiet",
    ]
    subprocess.run(command, check=True, cwd=dbt_project, env=_dbt_env(warehouse))
    return json.loads((target / "manifest.json").read_text())


def _dbt_env(warehouse: Path) -> dict[str, str]:
    return os.environ | {"WAREHOUSE_PATH": str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}


def _dependency_order(nodes: dict[str, dict]) -> list[str]:
    ordered: list[str] = []
    done: set[str] = set()

    def visit(unique_id: str) -> None:
        if unique_id in done or unique_id not in nodes:
            return
        done.add(unique_id)
        for parent in nodes[unique_id]["depends_on"]["nodes"]:
            visit(parent)
        ordered.append(unique_id)

    for unique_id in nodes:
        visit(unique_id)
    return ordered


def _publishing_floor(floor: Floor, warehouse: Path, work: Path) -> None:
    target = work / "published_floor.duckdb"
    target.unlink(missing_ok=True)
    with duckdb.connect() as connection:
        started = time.perf_counter()
        connection.execute(f"attach '{warehouse}' as built (read_only)")
        connection.execute(f"attach '{target}' as published (storage_version '{STORAGE_VERSION}')")
        tables = connection.execute(
            "select table_schema, table_name from information_schema.tables where table_catalog = 'built'"
            f" and table_schema in ({_literals(PUBLISHED_SCHEMAS)}) and table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, table in tables:
            connection.execute(f'create schema if not exists published."{schema}"')
            connection.execute(
                f'create table published."{schema}"."{table}" as select * from built."{schema}"."{table}"'
            )
        connection.execute("detach published")
        floor.add("publishing", time.perf_counter() - started)
