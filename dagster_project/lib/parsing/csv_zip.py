"""Zips of CSV modules: one CSV per module (children's social care). Each partner's headers, codes and
date format are mapped to the canonical model by the contract, so a new authority's layout is YAML.

Identifiers are pseudonymised and dates of birth cut to the month here, as each module is read:
nothing after this point, findings included, ever holds a raw identifier.
"""

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile
from dagster_project.lib.parsing import ColumnRef, ParsedExtract, ParsedTable, ParserFormat
from dagster_project.lib.parsing.values import CellValueError, parse_count
from dagster_project.lib.privacy import WITHHELD, personal_columns, pseudonymisation_key, pseudonymise

DTYPES = {
    "id": "str",
    "date": "datetime64[us]",
    "month": "str",
    "code": "str",
    "codes": "str",
    "flag": "str",
    "count": "Int64",
}


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    kind: str
    codes: str | None = None
    optional: bool = False
    separator: str = ","  # between the codes of a `codes` column


@dataclass(frozen=True)
class ModuleSpec:
    name: str
    file: str
    key: tuple[str, ...]
    columns: dict[str, ColumnSpec]
    required: bool = False
    required_because: str = ""


@dataclass(frozen=True)
class PartnerLayout:
    """How one partner writes the canonical model: headers per module, code spellings, date format."""

    date_format: str
    birth_month_from_full_date: bool = False
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    codes: dict[str, dict[str, str]] = field(default_factory=dict)

    def header_for(self, module: str, column: str) -> str:
        renamed = {canonical: header for header, canonical in self.headers.get(module, {}).items()}
        return renamed.get(column, column)


def modules_of(contract: SourceContract) -> dict[str, ModuleSpec]:
    return {
        name: ModuleSpec(
            name=name,
            file=spec["file"],
            key=tuple(spec["key"]),
            required=spec.get("required", False),
            required_because=spec.get("required_because", ""),
            columns={column: ColumnSpec(name=column, **kind) for column, kind in spec["columns"].items()},
        )
        for name, spec in contract.spec["modules"].items()
    }


def layout_for(contract: SourceContract, la_code: str | None) -> PartnerLayout:
    partner = contract.spec.get("partners", {}).get(la_code, {})
    return PartnerLayout(
        date_format=partner.get("date_format", contract.spec["date_format"]),
        birth_month_from_full_date=partner.get("birth_month_from_full_date", False),
        headers=partner.get("headers", {}),
        codes=partner.get("codes", {}),
    )


def successor_code(contract: SourceContract, la_code: str) -> str:
    return contract.spec.get("predecessor_codes", {}).get(la_code, la_code)


def table_name(contract: SourceContract, module: str) -> str:
    return f"{contract.source}_{module}"


class _ModuleReader:
    """Reads one module's CSV into canonical columns, collecting findings with file, module, row, column."""

    def __init__(
        self, contract: SourceContract, module: ModuleSpec, layout: PartnerLayout, landed: LandedFile, key: bytes
    ):
        self.contract, self.module, self.layout, self.landed, self.key = contract, module, layout, landed, key
        self.personal = personal_columns(contract)
        # Pseudonyms are namespaced by the authority's current code, so Somerset's people keep theirs across 2023.
        self.authority = successor_code(contract, landed.la_code or "")
        self.findings: list[Finding] = []
        self.refs: dict[str, ColumnRef] = {}

    def finding(self, rule: str, message: str, severity: Severity = Severity.ERROR, **place: Any) -> None:
        self.findings.append(
            Finding(
                rule=rule,
                severity=severity,
                message=message,
                file_name=self.landed.name,
                sheet=self.module.file,
                **place,
            )
        )

    def read(self, content: bytes) -> pd.DataFrame:
        try:
            raw = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
            self.finding("unreadable_module", f"not a readable UTF-8 CSV ({type(exc).__name__}: {exc})")
            return empty_frame(self.module)
        canonical = self.map_headers(list(raw.columns))
        frame = pd.DataFrame({"row_number": pd.Series(range(2, len(raw) + 2), dtype="Int64")})
        for column, spec in self.module.columns.items():
            header = canonical.get(column)
            values = raw[header].str.strip() if header is not None else pd.Series([""] * len(raw), dtype="str")
            frame[column] = self.convert(spec, values, present=header is not None)
        return frame.astype({c: DTYPES[s.kind] for c, s in self.module.columns.items()})

    def map_headers(self, headers: list[str]) -> dict[str, str]:
        """Canonical column → the header in this file; findings for missing and unknown headers."""
        mapping = self.layout.headers.get(self.module.name) or {c: c for c in self.module.columns}
        found: dict[str, str] = {}
        for position, header in enumerate(headers, start=1):
            canonical = mapping.get(header.strip())
            if canonical in self.module.columns:
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
                expected = self.layout.header_for(self.module.name, column)
                self.refs[column] = ColumnRef(expected)
                self.finding("missing_column", f"required column {expected!r} is absent", column_name=expected)
        return found

    def convert(self, spec: ColumnSpec, values: pd.Series, present: bool) -> pd.Series:
        if present and not spec.optional:
            for index in values.index[values == ""]:
                self.cell_finding("missing_value", "a value is required here", spec, index, None)
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
        return self.counts(spec, values)

    def cell_finding(self, rule: str, message: str, spec: ColumnSpec, index: int, value: str | None) -> None:
        ref = self.refs.get(spec.name, ColumnRef(spec.name))
        shown = WITHHELD if spec.name in self.personal and value else value
        self.finding(
            rule, message, row_number=int(index) + 2, column_name=ref.header, column_letter=ref.letter, value=shown
        )

    def dates(self, spec: ColumnSpec, values: pd.Series, date_format: str | None = None) -> pd.Series:
        fmt = date_format or self.layout.date_format
        parsed = pd.to_datetime(values.replace("", None), format=fmt, errors="coerce")
        for index in values.index[(values != "") & parsed.isna()]:
            self.cell_finding("impossible_date", f"not a real date in the form {fmt}", spec, index, values[index])
        return parsed

    def months(self, spec: ColumnSpec, values: pd.Series) -> pd.Series:
        if self.layout.birth_month_from_full_date:
            return self.dates(spec, values).dt.strftime("%Y-%m")
        return self.dates(spec, values, "%Y-%m").dt.strftime("%Y-%m")

    def codes(self, spec: ColumnSpec, values: pd.Series) -> pd.Series:
        spelling = self.layout.codes.get(spec.codes or "", {})
        if spec.kind == "code":
            return values.map(lambda v: spelling.get(v, v) if v else None)
        sep = spec.separator
        return values.map(lambda v: sep.join(spelling.get(c.strip(), c.strip()) for c in v.split(sep)) if v else None)

    def counts(self, spec: ColumnSpec, values: pd.Series) -> pd.Series:
        def one(index: int, value: str) -> int | None:
            try:
                return parse_count(value)
            except CellValueError as exc:
                self.cell_finding("not_a_number", str(exc), spec, index, value)
                return None

        return pd.Series([one(i, v) for i, v in values.items()], index=values.index, dtype="Int64")


def empty_frame(module: ModuleSpec) -> pd.DataFrame:
    columns = {"row_number": "Int64"} | {c: DTYPES[s.kind] for c, s in module.columns.items()}
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})


def parse(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    modules = modules_of(contract)
    tables = {
        table_name(contract, m.name): ParsedTable(table_name(contract, m.name), empty_frame(m), m.file)
        for m in modules.values()
    }
    key = pseudonymisation_key()  # before anything is read: no key, nothing personal is touched
    summary = {"modules": 0}
    try:
        archive = zipfile.ZipFile(landed.path)
    except (zipfile.BadZipFile, OSError) as exc:
        finding = Finding(
            rule="unreadable_file",
            severity=Severity.ERROR,
            file_name=landed.name,
            message=f"not a readable .zip archive ({type(exc).__name__}: {exc})",
        )
        return ParsedExtract(landed, tables, [finding], summary)
    findings = _authority_findings(contract, landed)
    absent: set[str] = set()
    with archive:
        members = _members(archive, modules, landed, findings)
        layout = layout_for(contract, landed.la_code)
        for module in modules.values():
            member = members.get(module.file)
            if member is None:
                findings.append(_absent(module, landed))
                absent.add(table_name(contract, module.name))
                continue
            reader = _ModuleReader(contract, module, layout, landed, key)
            name = table_name(contract, module.name)
            tables[name] = ParsedTable(name, reader.read(archive.read(member)), module.file, reader.refs)
            findings.extend(reader.findings)
            summary["modules"] += 1
    return ParsedExtract(landed, tables, findings, summary, absent)


def _authority_findings(contract: SourceContract, landed: LandedFile) -> list[Finding]:
    known = set(contract.spec.get("authorities", [])) | set(contract.spec.get("predecessor_codes", {}))
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


def _members(
    archive: zipfile.ZipFile, modules: dict[str, ModuleSpec], landed: LandedFile, findings: list[Finding]
) -> dict[str, zipfile.ZipInfo]:
    """Module file name → zip member; any other member is reported and ignored."""
    expected = {m.file.casefold(): m.file for m in modules.values()}
    members: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        name = PurePosixPath(info.filename).name
        if name.casefold() in expected:
            members[expected[name.casefold()]] = info
        else:
            findings.append(
                Finding(
                    rule="unknown_file",
                    severity=Severity.QUERY,
                    file_name=landed.name,
                    sheet=info.filename,
                    message="file is not a module of the contract; ignored",
                )
            )
    return members


def _absent(module: ModuleSpec, landed: LandedFile) -> Finding:
    if module.required:
        return Finding(
            rule="missing_module",
            severity=Severity.ERROR,
            file_name=landed.name,
            sheet=module.file,
            message=f"{module.file} is required" + (f": {module.required_because}" if module.required_because else ""),
        )
    return Finding(
        rule="module_absent",
        severity=Severity.QUERY,
        file_name=landed.name,
        sheet=module.file,
        message=f"{module.file} is absent: read as nothing to report for {module.name}",
    )


def empty_tables(contract: SourceContract) -> dict[str, pd.DataFrame]:
    return {table_name(contract, m.name): empty_frame(m) for m in modules_of(contract).values()}


def add_check_columns(contract: SourceContract, parsed: ParsedExtract) -> dict[str, pd.DataFrame]:
    """The rules that look across rows or modules, as columns the suite checks (see `checks` in the contract)."""
    frames = {name: table.frame.copy() for name, table in parsed.tables.items()}
    checks = contract.spec.get("checks", {})
    period_end = pd.Timestamp(parsed.landed.period_end)
    known_child = checks.get("known_child", [])
    children = set(frames[table_name(contract, "children")]["child_id"].dropna()) if known_child else set()
    for module in known_child:
        frame = frames[table_name(contract, module)]
        frame["child_known"] = frame["child_id"].isin(children)
    for lookup in checks.get("lookups", []):
        frame, source = frames[table_name(contract, lookup["module"])], frames[table_name(contract, lookup["from"])]
        values = source.drop_duplicates(lookup["by"]).set_index(lookup["by"], drop=False)[lookup["column"]]
        frame[f"{lookup['from']}_{lookup['column']}"] = frame[lookup["by"]].map(values)
    for period in checks.get("no_overlap", []):
        frame = frames[table_name(contract, period["module"])]
        frame["overlaps_another"] = _overlaps(frame, period["start"], period["end"], period_end)
    for between in checks.get("days_between", []):
        frame = frames[table_name(contract, between["module"])]
        frame[between["column"]] = (frame[between["to"]] - frame[between["from"]]).dt.days
    for column, module in _code_lists(contract):
        spec = modules_of(contract)[module].columns[column]
        frame, allowed = frames[table_name(contract, module)], set(contract.spec["codes"][spec.codes])
        frame[f"{column}_unknown"] = [_unknown(value, allowed, spec.separator) for value in frame[column]]
    stale = checks.get("stale_open_referral")
    if stale:
        frames[table_name(contract, "referrals")]["stale_open"] = _stale_open(contract, frames, stale, period_end)
    return frames


def _code_lists(contract: SourceContract) -> list[tuple[str, str]]:
    return [
        (column, module)
        for module, spec in contract.spec["modules"].items()
        for column, kind in spec["columns"].items()
        if kind["kind"] == "codes"
    ]


def _unknown(value: object, allowed: set[str], separator: str) -> str | None:
    if value is None or pd.isna(value):
        return None
    unknown = [code for code in str(value).split(separator) if code not in allowed]
    return separator.join(unknown) or None


def _overlaps(frame: pd.DataFrame, start: str, end: str, period_end: pd.Timestamp) -> pd.Series:
    """True for a period that starts before the previous period of the same child ends (open = period end)."""
    ordered = frame[["child_id", start]].assign(_end=frame[end].fillna(period_end)).sort_values(["child_id", start])
    previous_end = ordered.groupby("child_id")["_end"].shift()
    overlapping = ordered[start] < previous_end
    return overlapping.reindex(frame.index).fillna(False).astype(bool)


def _stale_open(
    contract: SourceContract, frames: dict[str, pd.DataFrame], stale: dict, period_end: pd.Timestamp
) -> pd.Series:
    """Open referrals older than the limit whose child has no dated activity within it."""
    since = period_end - pd.DateOffset(years=stale["years"])
    active: set[str] = set()
    for module, columns in stale["activity"].items():
        frame = frames[table_name(contract, module)]
        for column in columns:
            active |= set(frame.loc[frame[column] >= since, "child_id"].dropna())
    referrals = frames[table_name(contract, "referrals")]
    old_and_open = referrals["closure_date"].isna() & (referrals["referral_date"] < since)
    return old_and_open & ~referrals["child_id"].isin(active)


FORMAT = ParserFormat(parse=parse, add_check_columns=add_check_columns, empty_tables=empty_tables)
