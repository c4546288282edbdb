"""Tables of CSV modules, whatever carries them (a zip of CSVs, csv_zip; one CSV file, csv_file): the
contract's column kinds, each partner's headers, codes and date formats mapped to the canonical model, and the
rules that look across rows or modules as check columns for the suite. A new authority's layout is YAML.

Identifiers are pseudonymised and dates of birth cut to the month here, as each module is read:
nothing after this point, findings included, ever holds a raw identifier.
"""

import difflib
import io
import re
import warnings
from collections.abc import Iterable
from datetime import date
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from dagster_project.lib.contract_schema import (
    Ages,
    Column,
    InReference,
    ItemColumns,
    Lookup,
    Module,
    Neighbours,
    PartnerLayout,
    StaleOpenReferral,
    ValuePattern,
)
from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile
from dagster_project.lib.parsing import ColumnRef, ParsedExtract
from dagster_project.lib.parsing.values import VALUE_CHECKS, CellValueError, parse_count
from dagster_project.lib.periods import financial_year_start
from dagster_project.lib.privacy import WITHHELD, personal_columns, pseudonymise
from dagster_project.lib.registry import load_registry
from dagster_project.lib.settings import DBT_PROJECT_DIR

DTYPES = {
    "id": "str",
    "date": "datetime64[us]",
    "month": "str",
    "code": "str",
    "codes": "str",
    "flag": "str",
    "count": "Int64",
    "text": "str",
    "postcode": "str",
}
# A UK postcode as written (any case, with or without its space): the outward code (district) and the inward code.
POSTCODE = re.compile(r"(?P<district>[A-Z]{1,2}[0-9][A-Z0-9]?) ?[0-9][A-Z]{2}")


def layout_for(contract: SourceContract, la_code: str | None) -> PartnerLayout:
    """The layout the registry says this authority's files of the source are in, or the contract's own."""
    return contract.terms.case_system_layout(load_registry().layout_of(contract.source, la_code or ""))


def table_name(contract: SourceContract, module: str) -> str:
    return f"{contract.source}_{module}"


class ModuleReader:
    """Reads one module's CSV into canonical columns, collecting findings with file, module, row, column."""

    def __init__(self, contract: SourceContract, module: Module, layout: PartnerLayout, landed: LandedFile, key: bytes):
        self.contract, self.module, self.layout, self.landed, self.key = contract, module, layout, landed, key
        self.personal = personal_columns(contract)
        # Pseudonyms are namespaced by the authority's current code, so Somerset's people keep theirs across 2023.
        self.authority = load_registry().current_code(landed.la_code or "")
        self.findings: list[Finding] = []
        self.refs: dict[str, ColumnRef] = {}
        self.item_headers: list[tuple[str, str, str]] = []  # (item reference, header, column letter)
        self.row_numbers: list[int] = []  # each row's number in the file, by position
        self.items = empty_items(module)

    def finding(self, rule: str, message: str, severity: Severity = Severity.ERROR, **place: Any) -> None:
        self.findings.append(
            Finding(
                rule=rule,
                severity=severity,
                message=message,
                file_name=self.landed.name,
                sheet=self.module.file or self.module.sheet or self.module.record,
                **place,
            )
        )

    def read(self, content: bytes) -> pd.DataFrame:
        if b"\x00" in content:
            self.finding("unreadable_module", "holds NUL bytes: not a text CSV (saved as UTF-16, or a binary file?)")
            return empty_frame(self.module)
        try:
            with warnings.catch_warnings():
                # Rows longer than the header would silently become an index (or lose cells): an error here.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                raw = pd.read_csv(
                    io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig", index_col=False
                )
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.ParserWarning, pd.errors.EmptyDataError) as exc:
            self.finding("unreadable_module", f"not a readable UTF-8 CSV ({type(exc).__name__}: {exc})")
            return empty_frame(self.module)
        canonical = self.map_headers(list(raw.columns))
        frame = self.typed(raw, canonical, list(range(2, len(raw) + 2)))
        if self.module.item_columns is not None:
            self.items = self.item_rows(raw, frame, self.module.item_columns)
        return frame

    def typed(self, raw: pd.DataFrame, canonical: dict[str, str], row_numbers: list[int]) -> pd.DataFrame:
        """The module's columns converted from the raw text cells (`canonical`: column → its header in `raw`), each
        row with the number a person finds it at in the file (a spreadsheet row, an XML line)."""
        self.row_numbers = row_numbers
        frame = pd.DataFrame({"row_number": pd.Series(row_numbers, dtype="Int64")})
        for column, spec in self.module.columns.items():
            header = canonical.get(column)
            values = raw[header].str.strip() if header is not None else pd.Series([""] * len(raw), dtype="str")
            frame[column] = self.convert(spec, values, present=header is not None)
            if spec.maps_to:
                frame[spec.maps_to] = self.mapped(spec, frame[column])
        return frame.astype({c: DTYPES[s.kind] for c, s in self.module.columns.items()})

    def mapped(self, spec: Column, values: pd.Series) -> pd.Series:
        """Each value through the contract's mapping; a value it does not hold is an error naming the nearest."""
        mapping = self.contract.terms.indicators
        for index, value in values.items():
            if value is not None and not pd.isna(value) and value not in mapping:
                nearest = difflib.get_close_matches(value, list(mapping), n=1, cutoff=0.6)
                hint = f"; did you mean {nearest[0]!r}?" if nearest else ""
                message = f"not a {spec.name} of the contract{hint}"
                self.cell_finding(f"unknown_{spec.name}", message, spec, index, value)
        return values.map(mapping.get).astype("str")

    def item_rows(self, raw: pd.DataFrame, frame: pd.DataFrame, items: ItemColumns) -> pd.DataFrame:
        """One row per answered item cell: the module's key, the item reference, the value and where it was."""
        empty = empty_items(self.module)
        parts = []
        for reference, header, letter in self.item_headers:
            answers = raw[header].str.strip()
            answered = answers != ""
            part = frame.loc[answered, ["row_number", *self.module.key]].copy()
            part["item_ref"] = reference
            part[items.value] = answers[answered]
            part["cell_header"], part["cell_letter"] = header, letter
            parts.append(part)
        return pd.concat([empty, *parts], ignore_index=True).astype(empty.dtypes)

    def map_headers(self, headers: list[str]) -> dict[str, str]:
        """Canonical column → the header in this file; findings for missing and unknown headers."""
        mapping = self.layout.headers_of(self.module)
        fold = str.casefold if self.contract.terms.headers_ignore_case else str
        mapping = {fold(header): column for header, column in mapping.items()}
        ignored = {fold(header) for header in self.module.ignored_columns}
        found: dict[str, str] = {}
        items = self.module.item_columns
        for position, header in enumerate(headers, start=1):
            canonical = mapping.get(fold(header.strip()))
            if fold(header.strip()) in ignored:
                continue
            if items is not None and (item := items.header.match(header.strip())):
                self.item_headers.append((item["item_ref"], header, get_column_letter(position)))
            elif canonical in self.module.columns:
                found[canonical] = header
                self.refs[canonical] = ColumnRef(header.strip(), get_column_letter(position))
            else:
                self.finding(
                    "unknown_column",
                    "column is not in the contract; ignored",
                    Severity.QUERY,
                    column_name=header,
                    column_letter=get_column_letter(position),
                )
        for column in self.module.columns:
            if column not in found:
                expected = self.layout.header_for(self.module, column)
                self.refs[column] = ColumnRef(expected)
                self.finding("missing_column", f"required column {expected!r} is absent", column_name=expected)
        return found

    def convert(self, spec: Column, values: pd.Series, present: bool) -> pd.Series:
        if present and not spec.optional:
            for index in values.index[values == ""]:
                self.cell_finding("missing_value", "a value is required here", spec, index, None)
        for shape in spec.patterns:
            for index in values.index[(values != "") & ~has_shape(values, shape)]:
                self.cell_finding(shape.rule, shape.message, spec, index, values[index], Severity(shape.severity))
        if spec.kind == "id":
            return pseudonymise(values, self.key, self.authority)
        if spec.kind == "date":
            return self.dates(spec, values)
        if spec.kind == "month":
            return self.months(spec, values)
        if spec.kind in {"code", "codes"}:
            return self.codes(spec, values)
        if spec.kind == "flag":
            return values.str.upper().replace("", None)
        if spec.kind == "text":
            return values.replace("", None)
        if spec.kind == "postcode":
            return self.districts(spec, values)
        return self.counts(spec, values)

    def cell_finding(
        self, rule: str, message: str, spec: Column, index: int, value: str | None, severity: Severity = Severity.ERROR
    ) -> None:
        ref = self.refs.get(spec.name, ColumnRef(spec.name))
        shown = WITHHELD if spec.name in self.personal and value else value
        self.finding(
            spec.rule_codes.get(rule, rule),
            message,
            severity,
            row_number=self.row_numbers[int(index)],
            column_name=ref.header,
            column_letter=ref.letter,
            value=shown,
        )

    def dates(self, spec: Column, values: pd.Series, date_format: str | None = None) -> pd.Series:
        fmt = date_format or self.layout.date_format
        parsed = pd.to_datetime(values.replace("", None), format=fmt, errors="coerce")
        for index in values.index[(values != "") & parsed.isna()]:
            self.cell_finding("impossible_date", f"not a real date in the form {fmt}", spec, index, values[index])
        return parsed

    def months(self, spec: Column, values: pd.Series) -> pd.Series:
        if self.layout.birth_month_from_full_date:
            return self.dates(spec, values).dt.strftime("%Y-%m")
        return self.dates(spec, values, "%Y-%m").dt.strftime("%Y-%m")

    def codes(self, spec: Column, values: pd.Series) -> pd.Series:
        spelling = self.layout.codes.get(spec.codes or "", {})
        if (written := spec.code_from) is not None:
            values = values.map(lambda v: m["code"] if (m := written.fullmatch(v)) else v, na_action="ignore")
        if spec.kind == "codes":  # each code of the list stripped (and respelt), the separator kept
            sep = spec.separator
            values = (
                values.str.split(re.escape(sep), regex=True).map(
                    lambda codes: sep.join(spelling.get(c.strip(), c.strip()) for c in codes), na_action="ignore"
                )
                if spelling
                else values.str.replace(rf"\s*{re.escape(sep)}\s*", sep, regex=True)
            )
        elif spelling:
            values = values.replace(spelling)
        return values.replace("", None)

    def districts(self, spec: Column, values: pd.Series) -> pd.Series:
        """Each postcode cut to its district (BS1 of BS1 4DJ), the part that is not personal; a value that is not a
        postcode is an error (its value withheld like the postcode's)."""

        def one(index: int, value: str) -> str | None:
            if value == "":
                return None
            match = POSTCODE.fullmatch(" ".join(value.upper().split()))
            if match is None:
                self.cell_finding("not_a_postcode", "not a UK postcode (e.g. BS1 4DJ)", spec, index, value)
                return None
            return match["district"]

        return pd.Series([one(i, v) for i, v in values.items()], index=values.index, dtype="str")

    def counts(self, spec: Column, values: pd.Series) -> pd.Series:
        def one(index: int, value: str) -> int | None:
            try:
                return parse_count(value)
            except CellValueError as exc:
                self.cell_finding("not_a_number", str(exc), spec, index, value)
                return None

        return pd.Series([one(i, v) for i, v in values.items()], index=values.index, dtype="Int64")


def has_shape(values: pd.Series, shape: ValuePattern) -> pd.Series:
    """Whether each value (as written) has the pattern's shape."""
    if shape.regex is not None:
        return values.str.fullmatch(shape.regex.pattern).astype(bool)
    return values.map(VALUE_CHECKS[str(shape.check)]).astype(bool)


def empty_frame(module: Module) -> pd.DataFrame:
    columns = {"row_number": "Int64"} | {c: DTYPES[s.kind] for c, s in module.columns.items()}
    columns |= {c: DTYPES[kind] for c, kind in module.mapped_columns().items()}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def empty_items(module: Module) -> pd.DataFrame:
    """The item table of a module with item columns (empty frame with no columns otherwise)."""
    if module.item_columns is None:
        return pd.DataFrame()
    columns = {"row_number": "Int64"} | {k: DTYPES[module.columns[k].kind] for k in module.key}
    columns |= {"item_ref": "str", module.item_columns.value: "str", "cell_header": "str", "cell_letter": "str"}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def absent_module(module: Module, landed: LandedFile) -> Finding:
    """The finding for a module whose part of the file (a zip member, a sheet) is not there."""
    part = module.file or module.sheet
    if module.required:
        return Finding(
            rule="missing_module",
            severity=Severity.ERROR,
            file_name=landed.name,
            sheet=part,
            message=f"{part} is required" + (f": {module.required_because}" if module.required_because else ""),
        )
    return Finding(
        rule="module_absent",
        severity=Severity.QUERY,
        file_name=landed.name,
        sheet=part,
        message=f"{part} is absent: read as nothing to report for {module.name}",
    )


def authority_findings(contract: SourceContract, landed: LandedFile) -> list[Finding]:
    known = load_registry().known_authority_codes()
    if landed.la_code in known:
        return []
    return [
        Finding(
            rule="unknown_authority",
            severity=Severity.ERROR,
            file_name=landed.name,
            value=landed.la_code,
            message=f"{landed.la_code} is not an authority of the partnership: expected one of {sorted(known)}",
        )
    ]


def empty_tables(contract: SourceContract) -> dict[str, pd.DataFrame]:
    tables = {}
    for module in contract.terms.modules.values():
        tables[table_name(contract, module.name)] = empty_frame(module)
        if module.item_columns is not None:
            tables[table_name(contract, module.item_columns.table)] = empty_items(module)
    return tables


def table_keys(contract: SourceContract) -> dict[str, list[str]]:
    keys = {}
    for module in contract.terms.modules.values():
        keys[table_name(contract, module.name)] = list(module.key)
        if module.item_columns is not None:
            keys[table_name(contract, module.item_columns.table)] = [*module.key, "item_ref"]
    return keys


def add_check_columns(contract: SourceContract, parsed: ParsedExtract) -> dict[str, pd.DataFrame]:
    """The rules that look across rows or modules, as columns the suite checks (see `checks` in the contract)."""
    frames = {name: table.frame.copy() for name, table in parsed.tables.items()}
    checks = contract.terms.checks
    period_end = pd.Timestamp(parsed.landed.period_end)
    people = checks.people
    known = set(frames[table_name(contract, people.module)][people.column].dropna()) if checks.known_child else set()
    for module in checks.known_child:
        frame = frames[table_name(contract, module)]
        frame["child_known"] = _isin(frame[people.column], known)
    for lookup in checks.lookups:
        frame, source = frames[table_name(contract, lookup.module)], frames[table_name(contract, lookup.from_)]
        frame[f"{lookup.from_}_{lookup.column}"] = _looked_up(frame[lookup.by], source, lookup)
    for period in checks.no_overlap:
        frame = frames[table_name(contract, period.module)]
        frame["overlaps_another"] = _overlaps(frame, period.by, period.start, period.end, period_end)
    for between in checks.days_between:
        frame = frames[table_name(contract, between.module)]
        frame[between.column] = (frame[between.to] - frame[between.from_]).dt.days
    for module in contract.terms.modules.values():
        for spec in (s for s in module.columns.values() if s.kind == "codes"):
            frame, allowed = frames[table_name(contract, module.name)], set(contract.terms.codes[spec.codes or ""])
            frame[f"{spec.name}_unknown"] = [_unknown(value, allowed, spec.separator) for value in frame[spec.name]]
    for reference in checks.in_reference:
        frame = frames[table_name(contract, reference.module)]
        known = reference_values(reference, parsed.landed.la_code or "")
        frame[reference.flag] = _isin(frame[reference.column], known)
    for age in checks.ages:
        frame = frames[table_name(contract, age.module)]
        birth = _birth_months(frames, contract, age)
        on = _reference_day(frame, age.at, parsed.landed.period_end)
        frame[f"{age.column}_at_most"] = _whole_years(birth, on)
        frame[f"{age.column}_at_least"] = _whole_years(birth + pd.offsets.MonthEnd(0), on)
    for neighbours in checks.neighbours:
        frame = frames[table_name(contract, neighbours.module)]
        frames[table_name(contract, neighbours.module)] = _with_neighbours(frame, neighbours)
    if (stale := checks.stale_open_referral) is not None:
        frames[table_name(contract, "referrals")]["stale_open"] = _stale_open(contract, frames, stale, period_end)
    return frames


def _birth_months(frames: dict[str, pd.DataFrame], contract: SourceContract, age: Ages) -> pd.Series:
    """The first day of each row's birth month (NaT where unknown), from its own module or looked up."""
    frame = frames[table_name(contract, age.module)]
    if age.birth_from is None:
        months = frame[age.birth]
    else:
        key = contract.terms.checks.people.column
        lookup = Lookup(module=age.module, **{"from": age.birth_from}, by=key, column=age.birth)
        months = _looked_up(frame[key], frames[table_name(contract, age.birth_from)], lookup)
    return pd.to_datetime(months.astype(object), format="%Y-%m", errors="coerce")


def _reference_day(frame: pd.DataFrame, at: str, period_end: date) -> pd.Series:
    if at in {"period_start", "period_end"}:
        day = financial_year_start(period_end) if at == "period_start" else period_end
        return pd.Series(pd.Timestamp(day), index=frame.index)
    return frame[at]


def _whole_years(birth: pd.Series, on: pd.Series) -> pd.Series:
    """Completed years from birth to on (negative before birth); null where either is unknown."""
    before_birthday = (on.dt.month < birth.dt.month) | ((on.dt.month == birth.dt.month) & (on.dt.day < birth.dt.day))
    years = on.dt.year - birth.dt.year - before_birthday.astype("Int64")
    return years.where(birth.notna() & on.notna()).astype("Int64")


def _with_neighbours(frame: pd.DataFrame, neighbours: Neighbours) -> pd.DataFrame:
    """The frame with its rows' previous and next rows' columns of the same person, in `order`."""
    ordered = frame.sort_values([neighbours.by, neighbours.order], kind="stable")
    grouped = ordered.groupby(neighbours.by, sort=False)
    added = {f"previous_{c}": grouped[c].shift(1) for c in neighbours.previous}
    added |= {f"next_{c}": grouped[c].shift(-1) for c in neighbours.next}
    return frame.assign(**{name: values.reindex(frame.index) for name, values in added.items()})


def _looked_up(keys: pd.Series, source: pd.DataFrame, lookup: Lookup) -> pd.Series:
    """Each key's `column` in the module it is looked up in, keeping that column's type (a date stays a date,
    also when either module is empty or absent: Series.map on no rows gives floats)."""
    values = source.drop_duplicates(lookup.by).set_index(lookup.by, drop=False)[lookup.column]
    return pd.Series(values.reindex(keys.astype(object)).array, index=keys.index, name=lookup.column)


def reference_values(reference: InReference, la_code: str) -> set[str]:
    """The values of a reference-data seed (dbt/seeds) column, for the file's authority when the seed has la_code."""
    seed = pd.read_csv(DBT_PROJECT_DIR / "seeds" / f"{reference.seed}.csv", dtype=str, keep_default_na=False)
    if "la_code" in seed.columns:
        seed = seed[seed["la_code"] == load_registry().current_code(la_code)]
    return set(seed[reference.seed_column])


def _unknown(value: object, allowed: set[str], separator: str) -> str | None:
    if value is None or pd.isna(value):
        return None
    unknown = [code for code in str(value).split(separator) if code not in allowed]
    return separator.join(unknown) or None


def _overlaps(frame: pd.DataFrame, by: str, start: str, end: str, period_end: pd.Timestamp) -> pd.Series:
    """True for a period that starts before the previous period of the same person ends (open = period end)."""
    ordered = frame[[by, start]].assign(_end=frame[end].fillna(period_end)).sort_values([by, start])
    previous_end = ordered.groupby(by)["_end"].shift()
    overlapping = ordered[start] < previous_end
    return overlapping.reindex(frame.index).fillna(False).astype(bool)


def _stale_open(
    contract: SourceContract, frames: dict[str, pd.DataFrame], stale: StaleOpenReferral, period_end: pd.Timestamp
) -> pd.Series:
    """Open referrals older than the limit whose child has no dated activity within it."""
    since = period_end - pd.DateOffset(years=stale.years)
    active: set[str] = set()
    for module, columns in stale.activity.items():
        frame = frames[table_name(contract, module)]
        for column in columns:
            active |= set(frame.loc[frame[column] >= since, "child_id"].dropna())
    referrals = frames[table_name(contract, "referrals")]
    old_and_open = referrals["closure_date"].isna() & (referrals["referral_date"] < since)
    return old_and_open & ~_isin(referrals["child_id"], active)


def _isin(values: pd.Series, members: Iterable[object]) -> pd.Series:
    """Series.isin through a hash table: pandas 3's Arrow strings turn every member into a Python scalar first."""
    return values.astype(object).isin(members)
