"""Hostile and broken files thrown at every parser: each ends in findings that say what is wrong, never in an
exception, unbounded memory or a file written outside the warehouse (lib/parsing/limits.py)."""

import csv
import io
import zipfile
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dagster_project.lib.contracts import load_contracts
from dagster_project.lib.findings import Severity
from dagster_project.lib.ingest import INTERNAL_ERROR, IngestResult, ingest_file
from dagster_project.lib.landing import identify
from dagster_project.lib.loading import Status
from dagster_project.lib.parsing import parse_extract
from dagster_project.lib.parsing.limits import MAX_BYTES
from dagster_project.lib.registry import load_registry
from dagster_project.lib.settings import SAMPLE_EXTRACTS_DIR

SAMPLES = {
    "csc": SAMPLE_EXTRACTS_DIR / "csc" / "csc_E06000024_2023-03.zip",
    "csc903": SAMPLE_EXTRACTS_DIR / "csc903" / "csc903_E06000024_2024-03.zip",
    "cin": SAMPLE_EXTRACTS_DIR / "cin" / "cin_E06000024_2023-03.xml",
    "annexa": SAMPLE_EXTRACTS_DIR / "annexa" / "annexa_E06000022_2024-03.xlsx",
    "s175": SAMPLE_EXTRACTS_DIR / "s175" / "s175_E06000022_2022-03.csv",
    "police_scorecard": SAMPLE_EXTRACTS_DIR / "police_scorecard" / "police_scorecard_2023-03.xlsx",
}
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def parse(source: str, path: Path):
    return parse_extract(load_contracts()[source], identify(load_contracts()[source], path))


def ingested(source: str, path: Path) -> IngestResult:
    """The file through the real stages (parse, validate, load into a DuckDB of its own), as the extract asset
    runs them: it must end accepted or rejected with findings, and none of them an exception of ours caught."""
    contract = load_contracts()[source]
    with duckdb.connect() as connection:
        result = ingest_file(connection, contract, identify(contract, path))
    caught = [str(f) for f in result.findings if f.rule == INTERNAL_ERROR]
    assert not caught, caught
    assert result.outcome.status in {Status.ACCEPTED, Status.REJECTED}
    return result


def errors(parsed) -> set[str]:
    return {f.rule for f in parsed.findings if f.severity is Severity.ERROR}


def landed_as(tmp_path: Path, source: str, content: bytes) -> Path:
    path = tmp_path / SAMPLES[source].name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("source", sorted(SAMPLES))
@FUZZ
@given(data=st.data())
def test_a_damaged_file_gives_findings_never_an_exception(source, data, tmp_path):
    original = SAMPLES[source].read_bytes()
    cut = data.draw(st.integers(0, len(original)), label="truncated at")
    flips = data.draw(st.lists(st.tuples(st.integers(0, max(cut - 1, 0)), st.integers(1, 255)), max_size=20))
    damaged = bytearray(original[:cut])
    for position, mask in flips:
        if damaged:
            damaged[position] ^= mask
    result = ingested(source, landed_as(tmp_path, source, bytes(damaged)))
    # A cut that leaves whole rows may still be a valid (smaller) file: what matters is an answer, not a crash.
    assert all(f.rule and f.file_name == SAMPLES[source].name for f in result.findings)


@pytest.mark.parametrize("damage", [slice(0, 8), slice(-8, None)], ids=["first bytes", "last bytes"])
def test_a_member_that_cannot_be_decompressed_is_named_in_a_finding(damage, tmp_path):
    """Found by the fuzz test above: the archive's directory reads, its member's bytes do not."""
    with zipfile.ZipFile(SAMPLES["csc"]) as sample:
        children = sample.read("children.csv")
    compressed = zipfile.ZipInfo("children.csv")
    compressed.compress_type = zipfile.ZIP_DEFLATED
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(compressed, children)
    content = bytearray(buffer.getvalue())
    data = slice(30 + len("children.csv"), 30 + len("children.csv") + compressed.compress_size)
    member = bytearray(content[data])
    member[damage] = bytes(b ^ 0xFF for b in member[damage])
    content[data] = member
    parsed = parse("csc", landed_as(tmp_path, "csc", bytes(content)))
    (finding,) = [f for f in parsed.findings if f.rule == "damaged_member"]
    assert finding.sheet == "children.csv" and "cannot be decompressed" in finding.message


@FUZZ
@given(content=st.binary(max_size=4096))
def test_arbitrary_bytes_as_a_csv_are_findings(content, tmp_path):
    parse("s175", landed_as(tmp_path, "s175", content))


def test_wrong_encodings_and_nul_bytes_are_named(tmp_path):
    text = SAMPLES["s175"].read_text(encoding="utf-8")
    with_bom = parse("s175", landed_as(tmp_path, "s175", "\ufeff".encode() + text.encode()))
    assert "unreadable_module" not in errors(with_bom), "a byte-order mark is read as UTF-8"
    cp1252 = parse("s175", landed_as(tmp_path, "s175", text.replace("Academy", "Académie").encode("cp1252")))
    assert "unreadable_module" in errors(cp1252)
    utf16 = parse("s175", landed_as(tmp_path, "s175", text.encode("utf-16")))
    assert next(f.message for f in utf16.findings if f.rule == "unreadable_module").startswith("holds NUL bytes")


def zip_of(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression, compresslevel=9) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sample_members() -> dict[str, bytes]:
    with zipfile.ZipFile(SAMPLES["csc"]) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_zip_bomb_is_refused_unread(tmp_path):
    members = sample_members() | {"contacts.csv": b"0" * (64 * 1024**2)}  # 64 MB of zeros, ~64 KB compressed
    parsed = parse("csc", landed_as(tmp_path, "csc", zip_of(members)))
    (bomb,) = [f for f in parsed.findings if f.rule == "suspicious_compression"]
    assert bomb.sheet == "contacts.csv" and "zip bomb" in bomb.message


def test_a_member_larger_than_its_header_says_is_read_no_further_than_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr("dagster_project.lib.parsing.limits.MAX_BYTES", 1000)
    members = sample_members()
    parsed = parse("csc", landed_as(tmp_path, "csc", zip_of(members, zipfile.ZIP_STORED)))
    assert "member_too_large" in errors(parsed)
    assert MAX_BYTES == 256 * 1024**2


def test_a_member_named_outside_the_archive_is_refused_and_nothing_is_written(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    members = sample_members()
    members["../../outside/children.csv"] = members.pop("children.csv")
    work = tmp_path / "landing"
    work.mkdir()
    parsed = parse("csc", landed_as(work, "csc", zip_of(members)))
    assert "unsafe_member_name" in errors(parsed)
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in work.iterdir()) == [SAMPLES["csc"].name]


@pytest.mark.parametrize("source", ["police_scorecard", "annexa"])
def test_a_workbook_bomb_is_refused_before_it_is_opened(tmp_path, source):
    with zipfile.ZipFile(SAMPLES[source]) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members["xl/worksheets/sheet1.xml"] = b" " * (64 * 1024**2)
    parsed = parse(source, landed_as(tmp_path, source, zip_of(members)))
    assert errors(parsed) == {"suspicious_compression"}


def test_a_file_over_the_limit_is_refused_without_being_read(tmp_path, monkeypatch):
    monkeypatch.setattr("dagster_project.lib.parsing.limits.MAX_BYTES", 10_000)
    one_line = landed_as(tmp_path, "s175", b"urn," + b"x" * 50_000)
    assert errors(parse("s175", one_line)) == {"file_too_large"}


def test_a_formula_in_a_cell_stays_text(tmp_path):
    rows = list(csv.reader(io.StringIO(SAMPLES["s175"].read_text(encoding="utf-8"))))
    rows[1][rows[0].index("setting_name")] = '=HYPERLINK("http://evil.example","x")'
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    parsed = parse("s175", landed_as(tmp_path, "s175", buffer.getvalue().encode()))
    assert '=HYPERLINK("http://evil.example","x")' in set(parsed.tables["s175_returns"].frame["setting_name"])


def test_a_one_gigabyte_file_is_refused_without_being_read(tmp_path):
    path = tmp_path / SAMPLES["s175"].name
    with path.open("wb") as handle:
        handle.truncate(1024**3)  # sparse: a gigabyte on paper, nothing on disk
    assert errors(parse("s175", path)) == {"file_too_large"}


# What a partner's export can do to one CSV module: each is a file someone has sent somewhere.
def _header_only(content: bytes, _: int) -> bytes:
    return content.splitlines(keepends=True)[0] if content else content


def _blank_rows(content: bytes, count: int) -> bytes:
    header = _header_only(content, 0)
    separators = header.count(b",")
    return header + b"".join(b"," * separators + b"\n" if n % 2 else b"\n" for n in range(count + 1))


def _one_cp1252_byte(content: bytes, position: int) -> bytes:
    """An accented letter saved by Excel on Windows, somewhere in the data (é in cp1252 is not UTF-8)."""
    header = len(_header_only(content, 0))
    data = len(content) - header
    if data <= 0:
        return content
    at = header + position % data
    return content[:at] + b"\xe9" + content[at:]


def _all_cp1252(content: bytes, _: int) -> bytes:
    return content.decode("utf-8-sig").replace("a", "á", 1).encode("cp1252")


def _first_rows(content: bytes, count: int) -> bytes:
    return b"".join(content.splitlines(keepends=True)[: count + 1])


def _windows_export(content: bytes, _: int) -> bytes:
    """Byte-order mark, CRLF line ends and headers in another case with spaces around them."""
    lines = content.decode("utf-8").splitlines()
    header = ",".join(f" {name.upper()} " for name in lines[0].split(",")) if lines else ""
    return "\ufeff".encode() + "\r\n".join([header, *lines[1:]]).encode()


MODULE_DAMAGE = {
    "as sent": lambda content, _: content,
    "header only": _header_only,
    "only blank rows": _blank_rows,
    "one cp1252 byte": _one_cp1252_byte,
    "all cp1252": _all_cp1252,
    "first rows only": _first_rows,
    "windows export": _windows_export,
}


def _layout_samples() -> list[tuple[str, Path]]:
    """For every record-level source and audit (CSV modules, zipped or not), a sample in each configured partner
    layout and one in the contract's own."""
    samples = []
    for source, contract in load_contracts().items():
        if contract.format not in {"csv_zip", "csv_file"}:
            continue
        files = sorted((SAMPLE_EXTRACTS_DIR / source).glob("*"))
        layout = {f: load_registry().layout_of(source, identify(contract, f).la_code or "") for f in files}
        for name in [None, *contract.terms.layouts]:
            samples.append((source, next(f for f in files if layout[f] == name)))
    return samples


@pytest.mark.parametrize(("source", "sample"), _layout_samples(), ids=lambda v: getattr(v, "name", v))
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_subset_of_modules_in_any_state_ends_in_findings(source, sample, data, tmp_path):
    """Found a crash once (issue 16): a Bristol zip of children and contacts only, one module in cp1252. Every
    subset of the modules (the required one alone, or none), each header only, blank, cut short, in another
    encoding or exported from Windows, through parse, validation and load."""
    damage = st.tuples(st.sampled_from(sorted(MODULE_DAMAGE)), st.integers(0, 10_000))
    path = tmp_path / sample.name
    if sample.suffix == ".zip":
        with zipfile.ZipFile(sample) as archive:
            members = {name: archive.read(name) for name in archive.namelist()}
        kept = data.draw(st.sets(st.sampled_from(sorted(members))), label="modules sent")
        sent = {}
        for name in sorted(kept):
            how, amount = data.draw(damage, label=name)
            sent[name] = MODULE_DAMAGE[how](members[name], amount)
        path.write_bytes(zip_of(sent))
    else:
        how, amount = data.draw(damage, label="the file")
        path.write_bytes(MODULE_DAMAGE[how](sample.read_bytes(), amount))
    ingested(source, path)


def test_the_bristol_zip_that_crashed_the_load_is_findings(tmp_path):
    """The file of issue 16, exactly: children and contacts only, in Bristol's layout, a cp1252 byte in a code."""
    sample = SAMPLE_EXTRACTS_DIR / "csc" / "csc_E06000023_2023-03.zip"
    with zipfile.ZipFile(sample) as archive:
        contacts = archive.read("contacts.csv").replace(b",REF\n", b",R\xe9F\n", 1)
        members = {"children.csv": archive.read("children.csv"), "contacts.csv": contacts}
    path = tmp_path / sample.name
    path.write_bytes(zip_of(members))
    result = ingested("csc", path)
    assert result.outcome.status == Status.REJECTED
    assert ("unreadable_module", "contacts.csv") in {(f.rule, f.sheet) for f in result.findings}
