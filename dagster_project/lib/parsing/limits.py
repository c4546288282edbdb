"""What a partner's file may make the pipeline read. A broken or hostile file (a zip bomb, a member named
`../../etc/passwd`, a 1 GB single line, a binary file with a CSV's name) ends in an error finding that names it,
never in memory exhaustion; nothing in a file is ever written to disk (archives are read in memory), so a member's
name cannot place a file anywhere.
"""

import zipfile
import zlib
from pathlib import Path, PurePosixPath

from dagster_project.lib.findings import Finding, Severity
from dagster_project.lib.landing import LandedFile

# One CSV (or one zip member) uncompressed. A national authority's largest module is tens of MB.
MAX_BYTES = 256 * 1024**2
# CSV compresses 5-15 to 1; a zip bomb a thousand to one.
MAX_COMPRESSION_RATIO = 200


def _finding(rule: str, landed: LandedFile, message: str, member: str | None = None) -> Finding:
    return Finding(rule=rule, severity=Severity.ERROR, file_name=landed.name, sheet=member, message=message)


def file_size_finding(landed: LandedFile, path: Path) -> Finding | None:
    size = path.stat().st_size
    if size > MAX_BYTES:
        return _finding("file_too_large", landed, f"{size:,} bytes: more than the {MAX_BYTES:,} a file may hold")
    return None


def member_finding(info: zipfile.ZipInfo, landed: LandedFile) -> Finding | None:
    """Why a member of an archive must not be read, if it must not."""
    parts = PurePosixPath(info.filename.replace("\\", "/")).parts
    if info.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
        return _finding("unsafe_member_name", landed, "a member's name points outside the archive", info.filename)
    if info.file_size > MAX_BYTES:
        message = f"{info.file_size:,} bytes uncompressed: more than the {MAX_BYTES:,} a module may hold"
        return _finding("member_too_large", landed, message, info.filename)
    if info.compress_size and info.file_size / info.compress_size > MAX_COMPRESSION_RATIO:
        ratio = info.file_size / info.compress_size
        message = f"compressed {ratio:,.0f} to 1 (a zip bomb?): more than {MAX_COMPRESSION_RATIO} to 1 is not read"
        return _finding("suspicious_compression", landed, message, info.filename)
    return None


def archive_findings(path: Path, landed: LandedFile) -> list[Finding]:
    """Every member of a zip-based file (a .zip, or an .xlsx) that must not be read; none for a non-archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            return [f for info in archive.infolist() if (f := member_finding(info, landed)) is not None]
    except (zipfile.BadZipFile, OSError):
        return []  # the format's own reader says it cannot be opened


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, landed: LandedFile) -> bytes | Finding:
    """The member's bytes, read no further than the limit whatever its header claims; a finding for a member that
    cannot be decompressed (a damaged archive whose directory still reads)."""
    try:
        with archive.open(info) as stream:
            content = stream.read(MAX_BYTES + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        message = f"cannot be decompressed ({type(exc).__name__}: {exc})"
        return _finding("damaged_member", landed, message, info.filename)
    if len(content) > MAX_BYTES:
        message = f"more than {MAX_BYTES:,} bytes uncompressed (its header says {info.file_size:,})"
        return _finding("member_too_large", landed, message, info.filename)
    return content
