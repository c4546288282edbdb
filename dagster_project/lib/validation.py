"""Validation with Great Expectations: one suite per source, kept as JSON under `expectations/`.

Suites run on the parsed tables as pandas DataFrames (GX's SQL source does not work on DuckDB),
before anything is loaded. Each failed expectation becomes findings that name the file, sheet,
spreadsheet row, column, rule and offending value. GX is imported lazily: it takes seconds.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from dagster_project.lib.atomic_files import write_atomically
from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.parsing import ParsedExtract, ParsedTable, parser_format
from dagster_project.lib.periods import collection_year, financial_year_start
from dagster_project.lib.privacy import WITHHELD, personal_columns
from dagster_project.lib.settings import EXPECTATIONS_DIR
from dagster_project.lib.working_days import working_days_from

SEVERITY_BY_GX = {"critical": Severity.ERROR, "warning": Severity.QUERY, "info": Severity.QUERY}


class SuiteError(ValueError):
    """An expectation suite file that GX cannot use as written."""


def load_suite_definition(name: str, expectations_dir: Path = EXPECTATIONS_DIR) -> dict[str, Any]:
    path = expectations_dir / name
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _gx_validator() -> Any:
    """An in-memory GX context with a pandas data source; built once per process."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    asset = context.data_sources.add_pandas("extracts").add_dataframe_asset("parsed_rows")
    return asset.add_batch_definition_whole_dataframe("whole_extract")


def build_suite(definition: dict[str, Any]) -> Any:
    import great_expectations as gx

    try:
        suite = gx.ExpectationSuite(
            name=definition["name"], expectations=definition["expectations"], meta=definition.get("meta")
        )
    except Exception as exc:  # GX raises pydantic and its own errors for a bad configuration
        raise SuiteError(
            f"suite {definition['name']!r}: an expectation is not a valid GX configuration: {exc}"
        ) from exc
    if len(suite.expectations) != len(definition["expectations"]):
        # GX logs and drops an expectation it cannot build; a dropped rule must not pass silently.
        raise SuiteError(f"suite {definition['name']!r}: some expectations are not valid GX configurations")
    return suite


def validate_extract(contract: SourceContract, parsed: ParsedExtract, data_docs: Path | None = None) -> list[Finding]:
    """Findings from the source's suite, each expectation run on the table its meta names, and with `data_docs`
    a folder, GX's Data Docs page of each table's validation written there (`<table>.html`).

    An expectation whose meta names no `table` runs on the extract's only table; one whose meta `needs`
    another table is skipped when that table's part of the file is absent, and one whose meta names
    `collection_years` runs only on files of those years. Suites may use the parameters
    (`{"$PARAMETER": name}`) of suite_parameters: the contract's code lists, the period end, its financial year's
    start, its academic year.
    """
    if parsed.row_count == 0:
        return []
    definition = load_suite_definition(contract.suite)
    frames = parser_format(contract).add_check_columns(contract, parsed)
    parameters = suite_parameters(contract, parsed.landed.period_end)
    personal = personal_columns(contract)
    findings: list[Finding] = []
    for name, frame in frames.items():
        expectations = [
            e
            for e in definition["expectations"]
            if e.get("meta", {}).get("table", name) == name
            and not parsed.absent & set(e["meta"].get("needs", []))
            and _applies_in(e["meta"].get("collection_years"), parsed.landed.period_end)
        ]
        if frame.empty or not expectations:
            continue
        gx_frame = _for_gx(frame.reset_index(drop=True))
        batch = _gx_validator().get_batch(batch_parameters={"dataframe": gx_frame})
        result = _validate(batch, {**definition, "name": f"{definition['name']}.{name}"}, expectations, parameters)
        for outcome in result.results:
            _raise_if_expectation_failed_to_run(outcome, definition["name"], name)
            if not outcome.success:
                findings.extend(_findings_from(outcome, gx_frame, parsed, parsed.tables[name], personal))
        if data_docs is not None:
            write_data_docs(result, personal, data_docs / f"{name}.html")
    return findings


def _applies_in(years: dict[str, str] | None, period_end: date) -> bool:
    """An expectation with meta `collection_years: {from, to}` (either may be left out) runs on a yearly return's
    files of those collection years only (a DfE rule added or withdrawn in a year)."""
    if not years:
        return True
    year = collection_year(period_end)
    return years.get("from", year) <= year <= years.get("to", year)


def _validate(batch: Any, definition: dict[str, Any], expectations: list[dict], parameters: dict[str, Any]) -> Any:
    """The suite's result on the batch: every expectation run first for pass or fail only (GX's BOOLEAN_ONLY, about
    half the time of COMPLETE, which gathers every unexpected value and row index of every expectation), then the
    ones that failed run again in full, for the findings and the Data Docs. Each expectation's `id` pairs them."""
    numbered = [{**e, "id": str(uuid.UUID(int=position))} for position, e in enumerate(expectations)]
    result = batch.validate(
        build_suite({**definition, "expectations": numbered}),
        result_format="BOOLEAN_ONLY",
        expectation_parameters=parameters,
    )
    failed = {outcome.expectation_config.id for outcome in result.results if not outcome.success}
    if failed:
        suite = build_suite({**definition, "expectations": [e for e in numbered if e["id"] in failed]})
        again = batch.validate(suite, result_format="COMPLETE", expectation_parameters=parameters)
        in_full = {outcome.expectation_config.id: outcome for outcome in again.results}
        result.results = [in_full.get(outcome.expectation_config.id, outcome) for outcome in result.results]
    return result


# The parts of a result that carry the data's own values.
UNEXPECTED_KEYS = (
    "partial_unexpected_list",
    "partial_unexpected_counts",
    "partial_unexpected_index_list",
    "unexpected_list",
    "unexpected_index_list",
    "unexpected_index_query",
)


def write_data_docs(result: Any, personal: frozenset[str], path: Path) -> Path:
    """Great Expectations' own Data Docs page for one validation; an expectation on a personal column shows how
    many values failed, never which (as findings do)."""
    for outcome in result.results:
        kwargs = outcome.expectation_config.kwargs
        columns = {kwargs.get(k) for k in ("column", "column_A", "column_B")} | set(kwargs.get("column_list") or [])
        if columns & personal:
            for key in UNEXPECTED_KEYS:
                outcome.result.pop(key, None)
    renderer, view = _data_docs_renderer()
    page = view.render(renderer.render(result))
    return write_atomically(path, page)


@cache
def _data_docs_renderer() -> tuple[Any, Any]:
    """GX's page renderer and view, made once: each view compiles its Jinja templates on first use."""
    from great_expectations.render.renderer import ValidationResultsPageRenderer
    from great_expectations.render.view import DefaultJinjaPageView

    return ValidationResultsPageRenderer(), DefaultJinjaPageView()


def _raise_if_expectation_failed_to_run(outcome: Any, suite: str, table: str) -> None:
    """An expectation GX could not evaluate says nothing about the data: the suite is wrong, so stop."""
    info = outcome.exception_info or {}
    # One exception for the expectation, or one per metric it needed.
    raised = [info] if "raised_exception" in info else [i for i in info.values() if isinstance(i, dict)]
    for exception in raised:
        if not exception.get("raised_exception"):
            continue
        message = (str(exception.get("exception_message") or "").splitlines() or [""])[0]
        raise SuiteError(f"suite {suite!r}, table {table}: {outcome.expectation_config.type} could not run: {message}")


def suite_parameters(contract: SourceContract, period_end: date) -> dict[str, Any]:
    """What a suite's `{"$PARAMETER": name}` stands for: the contract's code lists (`codes_<list>`, so a list is
    written once, in the contract), the period end, its financial year's start, the first day of the six months
    to it, its academic year and the contract's `working_days` dates."""
    year_of_september = period_end.year if period_end.month >= 9 else period_end.year - 1
    anchors = {"period_start": financial_year_start(period_end), "period_end": period_end}
    working = {
        name: pd.Timestamp(working_days_from(anchors[spec.from_], spec.days))
        for name, spec in contract.terms.working_days.items()
    }
    return {
        **working,
        **{f"codes_{name}": list(codes) for name, codes in contract.terms.codes.items()},
        "period_end": pd.Timestamp(period_end),
        "financial_year_start": pd.Timestamp(financial_year_start(period_end)),
        # The first day of the six months that end on the period end (an Annex A's lists).
        "six_months_start": pd.Timestamp(period_end) - pd.offsets.MonthEnd(6) + pd.Timedelta(days=1),
        # The academic year the period end falls in, as schools write it (2021-22), as a one-value set.
        "academic_years": [f"{year_of_september}-{(year_of_september + 1) % 100:02d}"],
    }


def _for_gx(frame: pd.DataFrame) -> pd.DataFrame:
    """Nullable extension dtypes as plain float/object columns, which every GX metric handles."""
    converted = frame.copy()
    for column in converted.columns:
        dtype = converted[column].dtype
        if isinstance(dtype, pd.Int64Dtype | pd.Float64Dtype):
            converted[column] = converted[column].astype("float64")
        elif not pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_datetime64_any_dtype(dtype):
            converted[column] = converted[column].astype(object).where(converted[column].notna(), None)
    return converted


def _findings_from(
    outcome: Any, frame: pd.DataFrame, parsed: ParsedExtract, table: ParsedTable, personal: frozenset[str]
) -> list[Finding]:
    config = outcome.expectation_config
    meta = config.meta or {}
    severity = SEVERITY_BY_GX[str(getattr(config, "severity", "critical")).rsplit(".", 1)[-1].lower()]
    column = meta.get("column_name") or config.kwargs.get("column") or config.kwargs.get("column_A")
    place = table.columns.get(column) if column else None
    base = {
        "rule": meta.get("rule", config.type),
        "severity": severity,
        "file_name": parsed.landed.name,
        "column_name": place.header if place else column,
        "column_letter": place.letter if place else None,
    }
    indexes = outcome.result.get("unexpected_index_list") or []
    if not indexes or meta.get("whole_table"):
        message = meta.get("message", config.type)
        observed = outcome.result.get("unexpected_percent")
        if observed is not None:
            message = f"{message} ({observed:.1f}% of rows)"
        return [Finding(message=message, sheet=table.part, **base)]
    return [_row_finding(frame.loc[index], meta, config, base, table, personal) for index in _row_indexes(indexes)]


def _row_indexes(indexes: list[Any]) -> list[int]:
    """GX gives plain indexes, or dicts holding the index for some expectation types."""
    return sorted({int(i["index"]) if isinstance(i, dict) else int(i) for i in indexes})


def _row_finding(
    row: pd.Series,
    meta: dict[str, Any],
    config: Any,
    base: dict[str, Any],
    table: ParsedTable,
    personal: frozenset[str],
) -> Finding:
    value_column = meta.get("value_column") or config.kwargs.get("column") or config.kwargs.get("column_A")
    value = row.get(value_column)
    message = meta.get("message", config.type)
    expected_column = meta.get("expected_column")
    if expected_column and not pd.isna(row.get(expected_column)):
        message = f"{message} (expected {_display(row[expected_column])})"
    shown = None if value is None or pd.isna(value) else _display(value)
    if "cell_letter" in row:  # a table made of many columns' cells (survey items): each row says its column
        base = base | {"column_name": row["cell_header"], "column_letter": row["cell_letter"]}
    return Finding(
        message=message,
        sheet=row.get("sheet_name", table.part),
        row_number=int(row["row_number"]) if not pd.isna(row.get("row_number")) else None,
        value=WITHHELD if value_column in personal and shown is not None else shown,
        **base,
    )


def _display(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)
