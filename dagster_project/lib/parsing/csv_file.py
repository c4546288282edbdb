"""One CSV file as one module (a survey tool's export, an annual return): the section 175 audit exports and the
agency KPI returns. Read by csv_modules like a module of a zip; a module with item columns (one column per
audit item) also gives a long table of the answers.
"""

from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile
from dagster_project.lib.parsing import ParsedExtract, ParsedTable, ParserFormat
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
from dagster_project.lib.privacy import personal_columns, pseudonymisation_key


def parse(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    (module,) = contract.terms.modules.values()
    tables = {name: ParsedTable(name, frame) for name, frame in empty_tables(contract).items()}
    key = pseudonymisation_key() if personal_columns(contract) else b""
    try:
        if (too_large := file_size_finding(landed, landed.path)) is not None:
            return ParsedExtract(landed, tables, [too_large])
        content = landed.path.read_bytes()
    except OSError as exc:
        finding = Finding(
            rule="unreadable_file",
            severity=Severity.ERROR,
            file_name=landed.name,
            message=f"the file cannot be read ({type(exc).__name__}: {exc})",
        )
        return ParsedExtract(landed, tables, [finding])
    reader = ModuleReader(contract, module, layout_for(contract, landed.la_code), landed, key)
    name = table_name(contract, module.name)
    tables[name] = ParsedTable(name, reader.read(content), columns=reader.refs)
    if module.item_columns is not None:
        items = table_name(contract, module.item_columns.table)
        tables[items] = ParsedTable(items, reader.items)
    return ParsedExtract(landed, tables, authority_findings(contract, landed) + reader.findings)


FORMAT = ParserFormat(
    parse=parse, add_check_columns=add_check_columns, empty_tables=empty_tables, table_keys=table_keys
)
