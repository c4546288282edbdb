"""What holds for every record-level source (children's and adult social care) once all the sample extracts are
in the warehouse: every catalogued metric is there for every authority and quarter, and no raw case number
or date of birth from any sample file is anywhere in the warehouse file."""

import csv
import io
import re
import zipfile
from datetime import date

import openpyxl
import pandas as pd
import pytest
from lxml import etree

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.settings import DBT_PROJECT_DIR, SAMPLE_EXTRACTS_DIR

pytestmark = pytest.mark.e2e

# A birth month (YYYY-MM) is what the warehouse keeps of a date of birth; a full date or case number never.
KEPT_AS_IS = re.compile(r"\d{4}-\d{2}")
RECORD_LEVEL = sorted(
    source
    for source, contract in load_contracts().items()
    if contract.format in {"csv_zip", "xml_records", "xlsx_sheets"}
)
# Record-level sources with metrics of their own in the catalogue (an SSDA903 return states csc's metrics).
CATALOGUED = sorted(set(RECORD_LEVEL) & set(pd.read_csv(DBT_PROJECT_DIR / "seeds" / "metric_catalogue.csv")["source"]))


@pytest.mark.parametrize("source", CATALOGUED)
def test_every_catalogued_metric_has_values_for_every_authority_and_quarter(sample_warehouse, source):
    catalogued = {
        code
        for (code,) in sample_warehouse.query(
            "select metric_code from reference.metric_catalogue where source = ?", source
        )
    }
    per_area_quarter = sample_warehouse.query(
        """select la_code, period_end, count(distinct metric_code) from marts.fct_metric_values
           where source = ? and is_latest group by all""",
        source,
    )
    assert len(per_area_quarter) == 60
    assert {count for *_, count in per_area_quarter} == {len(catalogued)}


def test_no_raw_identifier_reaches_the_warehouse(sample_warehouse):
    """Every identifier in the sample zips is looked for in every text value of every table (as a whole value
    or a word within one, e.g. in a finding's message) and in the file's bytes."""
    identifiers = set().union(*(_sample_identifiers(source) for source in RECORD_LEVEL))
    assert len(identifiers) > 10_000
    import duckdb

    with duckdb.connect(str(sample_warehouse.warehouse), read_only=True) as connection:
        columns = connection.execute(
            """select table_schema, table_name, column_name from information_schema.columns
               where data_type = 'VARCHAR' and table_schema not in ('information_schema', 'pg_catalog')"""
        ).fetchall()
        connection.register("identifiers", pd.DataFrame({"identifier": sorted(identifiers)}))
        leaks = []
        for schema, table, column in columns:
            (found,) = connection.execute(
                f"""select count(*) from (
                        select unnest(regexp_extract_all("{column}", '[A-Za-z0-9_/-]+')) as word
                        from "{schema}"."{table}") words
                    inner join identifiers on words.word = identifiers.identifier"""
            ).fetchone()
            if found:
                leaks.append(f"{schema}.{table}.{column}: {found}")
    assert leaks == []
    words = set(re.findall(rb"[A-Za-z0-9_/-]{6,}", sample_warehouse.warehouse.read_bytes()))
    assert not {i.encode() for i in identifiers} & words


def _sample_identifiers(source: str) -> set[str]:
    """The raw values of the contract's personal columns (under any partner's header) in every sample zip:
    case numbers, full dates of birth, postcodes (coded columns, such as the adopters' details, are withheld from
    findings but are categories, not identifiers)."""
    terms = load_contracts()[source].terms
    kinds = {name: column.kind for module in terms.modules.values() for name, column in module.columns.items()}
    personal = {name for name in terms.personal_columns if kinds[name] not in {"code", "codes", "flag"}}
    headers = set(personal)
    for module in terms.modules.values():
        headers |= {column.header for name, column in module.columns.items() if name in personal and column.header}
    for partner in terms.layouts.values():
        for renamed in partner.headers.values():
            headers |= {header for header, canonical in renamed.items() if canonical in personal}
    identifiers: set[str] = set()
    for sample in (SAMPLE_EXTRACTS_DIR / source).iterdir():
        if sample.suffix == ".xml":  # a census: the personal elements are named as the contract's columns
            # Its dates of birth are ISO dates, which name periods too (2021-06-30): only its identifiers are
            # looked for here; that dates of birth are kept as months is test_cin_extract.py's.
            ids = {name for name in headers if kinds[name] == "id"}
            tree = etree.parse(str(sample))
            identifiers.update(e.text.strip() for e in tree.iter() if etree.QName(e).localname in ids and e.text)
            continue
        if sample.suffix == ".xlsx":  # Annex A: a list per sheet, its headers in the first row (dates are dates)
            workbook = openpyxl.load_workbook(sample, read_only=True)
            for sheet in workbook.worksheets:
                rows = sheet.iter_rows(values_only=True)
                names = next(rows, ())
                for row in rows:
                    identifiers.update(
                        value
                        for name, value in zip(names, row, strict=False)
                        if name in headers and isinstance(value, str) and value
                    )
            workbook.close()
            continue
        with zipfile.ZipFile(sample) as archive:
            for member in archive.namelist():
                for row in csv.DictReader(io.TextIOWrapper(archive.open(member), encoding="utf-8-sig")):
                    identifiers.update(value for header, value in row.items() if header in headers and value)
    return {value for value in identifiers if not KEPT_AS_IS.fullmatch(value)}


def test_the_fidelity_record_matches_every_published_figure_the_warehouse_holds(sample_warehouse):
    statuses = sample_warehouse.query(
        "select source, measure, status, published_value, warehouse_value from marts.published_figure_fidelity"
    )
    assert len(statuses) == 51 + 16  # published_other_figures.csv and published_kpi_targets.csv
    assert [row for row in statuses if row[2] not in ("matches", "not held")] == []
    not_held = {(source, measure) for source, measure, status, *_ in statuses if status == "not held"}
    # Partnership activity is not from a partner extract, nor is the population a report gives (the warehouse
    # uses the ONS estimate: see test_csc_end_to_end.py).
    assert {source for source, _ in not_held} == {"partnership", "csc"}
    assert {m for s, m in not_held if s == "csc"} == {"Children and young people (0-17) population"}
    # A police figure published for 2021-22 that the next year's workbook restated still matches as published.
    restated = sample_warehouse.query(
        "select source, la_code, period_end from marts.published_figure_fidelity where is_restated group by all"
    )
    assert restated == [("police", "E06000022", date(2022, 3, 31))]
    ((note,),) = sample_warehouse.query(
        "select note from marts.published_figure_fidelity where measure = 'Section 175 audits returned'"
    )
    assert "95%" in note and "92.8%" in note
