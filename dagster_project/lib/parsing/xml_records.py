"""XML files of records (the DfE's Children in Need census): each module is the elements at a path from the root,
one row each, its columns the text of elements found by a path from the row's element (`../` reaches an ancestor:
a plan's child's identifier). The values are then typed, checked and pseudonymised by csv_modules, as every
module is, so a row's findings name the XML line of its element.

The file is parsed by lxml with entities unresolved, no DTD and no network, so an XML bomb or an external
entity is refused as malformed instead of being expanded or fetched.
"""

from __future__ import annotations

import pandas as pd
from lxml import etree

from dagster_project.lib.contract_schema import Module
from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile
from dagster_project.lib.parsing import ColumnRef, ParsedExtract, ParsedTable, ParserFormat
from dagster_project.lib.parsing.csv_modules import (
    ModuleReader,
    add_check_columns,
    authority_findings,
    empty_tables,
    layout_for,
    table_keys,
    table_name,
)
from dagster_project.lib.parsing.limits import file_size_finding
from dagster_project.lib.privacy import pseudonymisation_key


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    tables = {name: ParsedTable(name, frame) for name, frame in empty_tables(contract).items()}
    key = pseudonymisation_key()  # before anything is read: no key, nothing personal is touched
    if (too_large := file_size_finding(landed, landed.path)) is not None:
        return ParsedExtract(landed, tables, [too_large])
    try:
        root = etree.fromstring(landed.path.read_bytes(), _safe_parser())
    except (etree.XMLSyntaxError, OSError, ValueError) as exc:
        return ParsedExtract(landed, tables, [_unreadable(landed, exc)])
    if root is None or etree.QName(root).localname != contract.terms.xml_root:
        found = etree.QName(root).localname if root is not None else "nothing"
        message = f"the root element is {found!r}, not {contract.terms.xml_root!r}: not a {contract.source} file"
        finding = Finding(rule="unreadable_file", severity=Severity.ERROR, file_name=landed.name, message=message)
        return ParsedExtract(landed, tables, [finding])
    findings = authority_findings(contract, landed)
    layout = layout_for(contract, landed.la_code)
    for module in contract.terms.modules.values():
        reader = ModuleReader(contract, module, layout, landed, key)
        raw, lines = _records(root, module)
        reader.refs = {
            name: ColumnRef(_element_name(column.element or name)) for name, column in module.columns.items()
        }
        name = table_name(contract, module.name)
        tables[name] = ParsedTable(name, reader.typed(raw, {c: c for c in module.columns}, lines), module.record)
        tables[name].columns = reader.refs
        findings.extend(reader.findings)
    return ParsedExtract(landed, tables, findings, {"modules": len(contract.terms.modules)})


def _records(root: etree._Element, module: Module) -> tuple[pd.DataFrame, list[int]]:
    """The module's rows as text cells (blank where an element is absent) and each row's line in the file."""
    elements = _find_all(root, module.record or "")
    cells = {
        name: [_text(element, column.element or name, column.separator, column.kind == "codes") for element in elements]
        for name, column in module.columns.items()
    }
    raw = pd.DataFrame(
        {name: pd.Series(values, dtype="str") for name, values in cells.items()}, index=range(len(elements))
    )
    return raw, [element.sourceline or 0 for element in elements]


def _find_all(element: etree._Element, path: str) -> list[etree._Element]:
    """The elements at a path of element names from `element`, in any namespace; `..` steps to the parent and `.`
    is the element itself."""
    found = [element]
    for step in (s for s in path.split("/") if s and s != "."):
        if step == "..":
            found = [parent for e in found if (parent := e.getparent()) is not None]
        else:
            found = [child for e in found for child in e.iterchildren(f"{{*}}{step}")]
    return found


def _text(element: etree._Element, path: str, separator: str, every: bool) -> str:
    values = [(found.text or "").strip() for found in _find_all(element, path)]
    values = [value for value in values if value]
    if every:
        return separator.join(values)
    return values[0] if values else ""


def _element_name(path: str) -> str:
    return path.rsplit("/", 1)[-1]


def _unreadable(landed: LandedFile, exc: Exception) -> Finding:
    line = getattr(exc, "lineno", None)
    where = f" (line {line})" if line else ""
    return Finding(
        rule="unreadable_file",
        severity=Severity.ERROR,
        file_name=landed.name,
        row_number=line,
        message=f"not well-formed XML{where}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}",
    )


FORMAT = ParserFormat(
    parse=parse, add_check_columns=add_check_columns, empty_tables=empty_tables, table_keys=table_keys
)
