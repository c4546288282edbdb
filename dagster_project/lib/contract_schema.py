"""What a contract in `sources/` may say, as pydantic models that reject what they do not know.

A misspelt key (`personal_colums:`) or a name that points nowhere (a personal column no module has, a code list
no `codes:` entry defines) would otherwise be read as "not there" and change what the pipeline does without a
word: a personal column no longer withheld from findings, a rule no longer run. Every such mistake fails when the
contracts load, naming the file, the key and the nearest key that is known.
"""

from __future__ import annotations

import difflib
import re
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ColumnKind = Literal["id", "date", "month", "code", "codes", "flag", "count", "text", "postcode"]
Month = Annotated[int, Field(ge=1, le=12)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Delivery(Strict):
    """When partners are expected to send (lib/submissions.py)."""

    period_months: list[Month] = Field(min_length=1)
    first_period: str = Field(pattern=r"^\d{4}-\d{2}$")
    grace_days: int = Field(ge=0)


class ValuePattern(Strict):
    """A shape each value must have as written, checked before the value is pseudonymised or cut (a UPN's digits,
    its check letter): a finding under the rule's own name and severity. The shape is a regex the whole value
    matches, or a named `check` computed in lib/parsing/values.py."""

    regex: re.Pattern[str] | None = None
    check: Literal["upn_check_letter"] | None = None
    rule: str
    message: str
    severity: Literal["error", "query"] = "error"

    @model_validator(mode="after")
    def one_shape(self) -> ValuePattern:
        if (self.regex is None) == (self.check is None):
            raise ValueError(f"{self.rule}: give a regex or a check, not both nor neither")
        return self


class Column(Strict):
    name: str = Field("", exclude=True)  # its key under `columns:`, set when the contract loads
    kind: ColumnKind
    codes: str | None = None
    optional: bool = False
    separator: str = ","  # between the codes of a `codes` column
    # A text column whose values the contract maps to codes (`via` names the mapping), kept as `maps_to`.
    maps_to: str | None = None
    via: str | None = None
    patterns: list[ValuePattern] = []
    # xml_records: the element holding the value, by its path from the module's record ("../" steps up to an
    # ancestor: a plan's child's LAchildID); a `codes` column joins every element the path finds.
    element: str | None = None
    # The return's own codes for the parser's findings on this column (impossible_date → 903_141), so an analyst
    # sees the rule as the DfE's validator names it.
    rule_codes: dict[str, str] = {}
    # The header the file writes for it, when not its name (Annex A's "Date of Contact"), and other spellings
    # accepted for it (a template's older or newer wording).
    header: str | None = None
    header_aliases: list[str] = []
    # The code within a value as written, the pattern's `code` group ("a) 1A: Individual" → 1A): a value the
    # pattern does not match is checked as written.
    code_from: re.Pattern[str] | None = None


class ItemColumns(Strict):
    """Columns discovered from their headers (a survey's items, "1.1" ... "7.4"): each cell becomes a row of
    another table holding the module's key, the item's reference and the cell's value."""

    header: re.Pattern[str]
    table: str
    value: str


class Module(Strict):
    name: str = Field("", exclude=True)  # its key under `modules:`, set when the contract loads
    file: str | None = None  # None when the module is the whole landed file
    record: str | None = None  # xml_records: the path from the root to the elements that are its rows
    # xlsx_sheets: the sheet that holds it, matched whatever the case and spacing and with any title after the
    # name ("List 1" is also "LIST 1 - Contacts"; not "List 10").
    sheet: str | None = None
    key: list[str] = Field(min_length=1)
    columns: dict[str, Column]
    required: bool = False
    required_because: str = ""
    # Headers dropped unread and never stored, without a finding (a survey tool's own columns).
    ignored_columns: list[str] = []
    item_columns: ItemColumns | None = None

    def mapped_columns(self) -> dict[str, str]:
        return {column.maps_to: "text" for column in self.columns.values() if column.maps_to}

    def headers(self) -> dict[str, str]:
        """Each header (and alias) the contract's own layout accepts → its column."""
        return {
            header: name
            for name, column in self.columns.items()
            for header in (column.header or name, *column.header_aliases)
        }


class PartnerLayout(Strict):
    """How one case system writes the canonical model: headers per module, code spellings, date format."""

    date_format: str | None = None  # the contract's when not set
    birth_month_from_full_date: bool = False
    headers: dict[str, dict[str, str]] = {}
    codes: dict[str, dict[str, str]] = {}

    def header_for(self, module: Module, column: str) -> str:
        renamed = {canonical: header for header, canonical in self.headers.get(module.name, {}).items()}
        return renamed.get(column) or module.columns[column].header or column

    def headers_of(self, module: Module) -> dict[str, str]:
        """The headers this layout writes for the module's columns → the columns."""
        return self.headers.get(module.name) or module.headers()


class Lookup(Strict):
    module: str
    from_: str = Field(alias="from")
    by: str
    column: str


class NoOverlap(Strict):
    module: str
    start: str
    end: str
    by: str = "child_id"  # whose periods must not overlap


class People(Strict):
    """The module that lists the people every other module's rows must belong to, and its key."""

    module: str = "children"
    column: str = "child_id"


class DaysBetween(Strict):
    module: str
    from_: str = Field(alias="from")
    to: str
    column: str


class InReference(Strict):
    module: str
    column: str
    seed: str
    seed_column: str
    flag: str


class Ages(Strict):
    """A person's age in whole years on a date, from a birth month (the day is never kept): `<column>_at_most` if
    born on the 1st of the month, `<column>_at_least` if born on its last day. A rule that flags only what both
    make certain never flags a child wrongly for the day of birth it cannot see."""

    module: str
    birth: str
    birth_from: str | None = None  # the module the birth month is looked up in, by the people's key
    at: str  # a date column of the module, or period_start / period_end (the return's year)
    column: str


class Neighbours(Strict):
    """Each row's previous and next rows of the same person in date order, as `previous_<column>` and
    `next_<column>` columns (an episode's predecessor's end, its successor's start)."""

    module: str
    by: str
    order: str
    previous: list[str] = []
    next: list[str] = []


class StaleOpenReferral(Strict):
    years: int = Field(gt=0)
    activity: dict[str, list[str]]


# The checks that each concern one module (named by their `module`).
MODULE_CHECKS = ("no_overlap", "days_between", "in_reference", "ages", "neighbours")


class Checks(Strict):
    people: People = People()
    known_child: list[str] = []
    lookups: list[Lookup] = []
    no_overlap: list[NoOverlap] = []
    days_between: list[DaysBetween] = []
    in_reference: list[InReference] = []
    ages: list[Ages] = []
    neighbours: list[Neighbours] = []
    stale_open_referral: StaleOpenReferral | None = None


class ValueColumn(Strict):
    header: str
    column: str
    kind: Literal["count", "percent"]


class WorkbookLayout(Strict):
    title_row: int = Field(ge=1)
    period_row: int = Field(ge=1)
    period_pattern: str
    window_banner: str
    footnote_prefixes: list[str] = []
    value_columns: list[ValueColumn] = Field(min_length=1)


class Measure(Strict):
    section: str
    metric_code: str
    label: str
    force_area_only: bool = False


YEAR = r"^\d{4}-\d{2}$"


class YearChanges(Strict):
    """What a collection year changed from the year before: modules (tables) added, codes added or withdrawn."""

    modules_added: list[str] = []
    codes_added: dict[str, list[str]] = {}
    codes_withdrawn: dict[str, list[str]] = {}


class CollectionYears(Strict):
    """A yearly return's schema by collection year (2021-22: the year to 31 March 2022). The contract's modules and
    codes are the latest year's; `changes` say, per year after `first`, what that year changed, so an earlier
    year's schema is the latest one with the later changes undone."""

    first: str = Field(pattern=YEAR)
    last: str = Field(pattern=YEAR)
    changes: dict[str, YearChanges] = {}

    def years(self) -> list[str]:
        start, end = int(self.first[:4]), int(self.last[:4])
        return [f"{year}-{(year + 1) % 100:02d}" for year in range(start, end + 1)]


class WorkingDayDate(Strict):
    """A date a number of England working days from the file's year's start or end (lib/working_days.py), for a
    suite's rules as a parameter of its name."""

    from_: Literal["period_start", "period_end"] = Field(alias="from")
    days: int


class Contract(Strict):
    """One file of `sources/`. The formats of tables (csv_zip, csv_file, xml_records, xlsx_sheets) describe
    `modules`; the police workbook (block_workbook) its `areas`, `layout` and `measures`."""

    source: str
    description: str
    partner: str
    format: Literal["csv_zip", "csv_file", "block_workbook", "xml_records", "xlsx_sheets"]
    file_pattern: str
    file_example: str
    file_form: str
    suite: str
    delivery: Delivery
    # Who sends: a file from each authority of the partner registry (lib/registry.py), from the authorities the
    # registry says have chosen to send this source (partner_returns.csv: a statutory return sent instead of, or
    # beside, the partnership's own extract), or one for the force area.
    sent_by: Literal["authorities", "registered_authorities", "force_area"]
    window: str | None = None
    personal_columns: list[str] = []
    # CSV modules
    modules: dict[str, Module] = {}
    date_format: str | None = None
    xml_root: str | None = None  # xml_records: the root element's name
    # Headers match whatever their case (a statutory return's CHILD, Child or child).
    headers_ignore_case: bool = False
    # Month columns are written as full dates and cut to the month at ingest (dates of birth).
    birth_month_from_full_date: bool = False
    collection_years: CollectionYears | None = None
    working_days: dict[str, WorkingDayDate] = {}
    # Case systems' layouts by name; which authority writes which is the registry's (partner_layouts.csv).
    layouts: dict[str, PartnerLayout] = {}
    codes: dict[str, list[str]] = {}
    indicators: dict[str, str] = {}
    checks: Checks = Checks()
    # The police workbook
    raw_table: str | None = None
    ignored_sheets: list[str] = []
    layout: WorkbookLayout | None = None
    measures: list[Measure] = []

    @model_validator(mode="before")
    @classmethod
    def name_modules_and_columns(cls, data: Any) -> Any:
        """Each module and column knows its own name (its key), so the parser can pass one object around."""
        if not isinstance(data, dict) or not isinstance(data.get("modules"), dict):
            return data
        modules = {}
        for name, module in data["modules"].items():
            if isinstance(module, dict) and isinstance(module.get("columns"), dict):
                columns = {c: {**v, "name": c} if isinstance(v, dict) else v for c, v in module["columns"].items()}
                module = {**module, "columns": columns}
            modules[name] = {**module, "name": name} if isinstance(module, dict) else module
        return {**data, "modules": modules}

    def case_system_layout(self, name: str) -> PartnerLayout:
        """The named case system's layout with the contract's date format where it sets none."""
        layout = self.layouts.get(name, PartnerLayout())
        return layout.model_copy(
            update={
                "date_format": layout.date_format or self.date_format,
                "birth_month_from_full_date": layout.birth_month_from_full_date or self.birth_month_from_full_date,
            }
        )

    def for_collection_year(self, year: str) -> Contract:
        """The contract as it stood in a collection year: later years' modules and codes taken out, the codes they
        withdrew put back. A KeyError for a year the contract does not know."""
        if self.collection_years is None:
            return self
        years = self.collection_years.years()
        if year not in years:
            raise KeyError(year)
        modules, codes = dict(self.modules), {name: list(values) for name, values in self.codes.items()}
        for later in reversed(years[years.index(year) + 1 :]):
            change = self.collection_years.changes.get(later, YearChanges())
            for module in change.modules_added:
                modules.pop(module, None)
            for name, added in change.codes_added.items():
                codes[name] = [code for code in codes[name] if code not in added]
            for name, withdrawn in change.codes_withdrawn.items():
                codes[name] = [*codes[name], *(code for code in withdrawn if code not in codes[name])]
        checks = self.checks.model_copy(
            update={
                "known_child": [m for m in self.checks.known_child if m in modules],
                "lookups": [c for c in self.checks.lookups if {c.module, c.from_} <= modules.keys()],
                **{kind: [c for c in getattr(self.checks, kind) if c.module in modules] for kind in MODULE_CHECKS},
            }
        )
        return self.model_copy(update={"modules": modules, "codes": codes, "checks": checks})

    @model_validator(mode="after")
    def names_point_somewhere(self) -> Contract:
        problems = [
            *self._format_sections(),
            *self._module_references(),
            *self._check_references(),
            *self._year_references(),
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _format_sections(self) -> list[str]:
        if self.format == "block_workbook":
            needed = {"raw_table": self.raw_table, "layout": self.layout, "measures": self.measures}
        else:
            needed = {"modules": self.modules, "date_format": self.date_format}
            if self.format == "csv_file" and len(self.modules) != 1:
                return ["a csv_file contract has exactly one module"]
            if self.format == "xml_records":
                needed["xml_root"] = self.xml_root
                needed |= {f"modules.{name}.record": module.record for name, module in self.modules.items()}
            if self.format == "xlsx_sheets":
                needed |= {f"modules.{name}.sheet": module.sheet for name, module in self.modules.items()}
        return [f"format {self.format} needs {name!r}" for name, value in needed.items() if not value]

    def _module_references(self) -> list[str]:
        problems = []
        columns = {name for module in self.modules.values() for name in module.columns}
        problems += [
            f"personal_columns: {name!r} is no module's column{_nearest(name, columns)}"
            for name in self.personal_columns
            if name not in columns
        ]
        for module_name, module in self.modules.items():
            where = f"modules.{module_name}"
            problems += [
                f"{where}.key: {k!r} is not a column{_nearest(k, module.columns)}"
                for k in module.key
                if k not in module.columns
            ]
            for column_name, column in module.columns.items():
                if column.kind in {"code", "codes"} and column.codes not in self.codes:
                    problems.append(
                        f"{where}.columns.{column_name}.codes: {column.codes!r} is no list under codes:"
                        f"{_nearest(column.codes or '', self.codes)}"
                    )
                if column.via is not None and column.via != "indicators":
                    problems.append(f"{where}.columns.{column_name}.via: {column.via!r} is not 'indicators'")
        for layout_name, layout in self.layouts.items():
            for module_name, headers in layout.headers.items():
                module = self.modules.get(module_name)
                if module is None:
                    problems.append(f"layouts.{layout_name}.headers: {module_name!r} is no module")
                    continue
                problems += [
                    f"layouts.{layout_name}.headers.{module_name}: {header!r} maps to {column!r}, not a column"
                    f"{_nearest(column, module.columns)}"
                    for header, column in headers.items()
                    if column not in module.columns
                ]
        return problems

    def _check_references(self) -> list[str]:
        modules = self.modules
        named = [("known_child", m) for m in self.checks.known_child]
        named += [("people", self.checks.people.module)] if self.checks.known_child else []
        named += [("lookups", c.module) for c in self.checks.lookups] + [
            ("lookups", c.from_) for c in self.checks.lookups
        ]
        named += [(kind, c.module) for kind in MODULE_CHECKS for c in getattr(self.checks, kind)]
        if self.checks.stale_open_referral is not None:
            named += [("stale_open_referral", m) for m in self.checks.stale_open_referral.activity]
        return [
            f"checks.{kind}: {module!r} is no module{_nearest(module, modules)}"
            for kind, module in named
            if module not in modules
        ]

    def _year_references(self) -> list[str]:
        if self.collection_years is None:
            return []
        known = self.collection_years.years()
        problems = []
        for year, change in self.collection_years.changes.items():
            where = f"collection_years.changes.{year}"
            if year not in known[1:]:
                problems.append(f"{where}: not a year after {self.collection_years.first} up to {known[-1]}")
            problems += [
                f"{where}.modules_added: {m!r} is no module{_nearest(m, self.modules)}"
                for m in change.modules_added
                if m not in self.modules
            ]
            for kind, lists in (("codes_added", change.codes_added), ("codes_withdrawn", change.codes_withdrawn)):
                problems += [
                    f"{where}.{kind}: {name!r} is no list under codes:{_nearest(name, self.codes)}"
                    for name in lists
                    if name not in self.codes
                ]
            problems += [
                f"{where}.codes_added.{name}: {code!r} is not in the list (the lists are the latest year's)"
                for name, codes in change.codes_added.items()
                for code in codes
                if code not in self.codes.get(name, [code])
            ]
        return problems


def validate_contract(spec: Any, origin: str) -> Contract:
    """The contract, or a ValueError listing every problem with its key path and the nearest known key."""
    try:
        return Contract.model_validate(spec)
    except ValidationError as error:
        raise ValueError(f"{origin}: " + "; ".join(_describe(e) for e in error.errors())) from None


def _describe(error: Any) -> str:
    location = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        known = _known_keys(error["loc"][:-1])
        return f"{location}: not a key the contract knows{_nearest(str(error['loc'][-1]), known)}"
    message = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
    return f"{location}: {message}" if location else message


def _known_keys(parent: tuple[Any, ...]) -> list[str]:
    """The keys a model at `parent` (a path from the contract's top) takes, by the names written in YAML."""
    current: Any = Contract
    for part in parent:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {field.alias or name: field for name, field in current.model_fields.items()}
            current = fields[part].annotation if part in fields else None
        elif get_origin(current) in {dict, list}:
            current = get_args(current)[-1]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [field.alias or name for name, field in current.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """`X | None` → X."""
    if get_origin(annotation) in {Union, types.UnionType}:
        options = [a for a in get_args(annotation) if a is not type(None)]
        return options[0] if len(options) == 1 else annotation
    return annotation


def _nearest(name: str, known: Any) -> str:
    nearest = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {nearest[0]!r}?" if nearest else ""
