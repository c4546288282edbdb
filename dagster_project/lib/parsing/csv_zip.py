"""Zips of CSV modules: one CSV per module (children's and adult social care). The modules themselves are
read by csv_modules; here, which member of the zip is which module, and what is missing or extra.
"""

import zipfile
from pathlib import PurePosixPath

from dagster_project.lib.contract_schema import Module
from dagster_project.lib.contracts import SourceContract
from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile
from dagster_project.lib.parsing import ParsedExtract, ParsedTable, ParserFormat
from dagster_project.lib.parsing.csv_modules import (
    ModuleReader,
    absent_module,
    add_check_columns,
    authority_findings,
    empty_frame,
    empty_tables,
    layout_for,
    table_keys,
    table_name,
)
from dagster_project.lib.parsing.limits import member_finding, read_member
from dagster_project.lib.privacy import pseudonymisation_key


def parse(contract: SourceContract, landed: LandedFile) -> ParsedExtract:
    modules = contract.terms.modules
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
    findings = authority_findings(contract, landed)
    absent: set[str] = set()
    with archive:
        members = _members(archive, modules, landed, findings)
        for info in list(members.values()):
            if (refused := member_finding(info, landed)) is not None:
                findings.append(refused)
                members = {file: member for file, member in members.items() if member is not info}
        layout = layout_for(contract, landed.la_code)
        for module in modules.values():
            member = members.get(module.file)
            if member is None:
                findings.append(absent_module(module, landed))
                absent.add(table_name(contract, module.name))
                continue
            content = read_member(archive, member, landed)
            if isinstance(content, Finding):
                findings.append(content)
                absent.add(table_name(contract, module.name))
                continue
            reader = ModuleReader(contract, module, layout, landed, key)
            name = table_name(contract, module.name)
            tables[name] = ParsedTable(name, reader.read(content), module.file, reader.refs)
            findings.extend(reader.findings)
            summary["modules"] += 1
    return ParsedExtract(landed, tables, findings, summary, absent)


def _members(
    archive: zipfile.ZipFile, modules: dict[str, Module], landed: LandedFile, findings: list[Finding]
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


FORMAT = ParserFormat(
    parse=parse, add_check_columns=add_check_columns, empty_tables=empty_tables, table_keys=table_keys
)
