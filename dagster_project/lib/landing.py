"""The landing area: one folder per source, where partners drop one file per period.

Nothing here moves or changes a file. A file whose name is not in its contract's form is
reported with the expected form and left where it is.
"""

from __future__ import annotations

import calendar
import hashlib
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from dagster_project.lib.contracts import SourceContract

QUARTER_END_MONTHS = (3, 6, 9, 12)
# Files a person or a copy in progress leaves behind; never a partner's extract.
IGNORED_PREFIXES = (".", "~$")
IGNORED_SUFFIXES = (".tmp", ".part", ".crdownload")


class FileNameError(ValueError):
    """A landed file's name does not say, in the contract's form, which period it describes."""


@dataclass(frozen=True)
class LandedFile:
    source: str
    path: Path
    period_end: date
    la_code: str | None

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def partition_key(self) -> str:
        """The quarterly partition the file belongs to: its period as YYYY-MM."""
        return period_key(self.period_end)

    def received_at(self) -> datetime:
        """When the file landed: its modification time, in UTC."""
        return datetime.fromtimestamp(self.path.stat().st_mtime, tz=UTC)

    def fingerprint(self) -> str:
        """Cheap identity of the file as it is now (name, size, modification time)."""
        stat = self.path.stat()
        return f"{self.name}:{stat.st_size}:{stat.st_mtime_ns}"


@dataclass(frozen=True)
class RejectedFile:
    source: str
    path: Path
    reason: str


@dataclass(frozen=True)
class LandingScan:
    files: list[LandedFile]
    rejected: list[RejectedFile]
    # Files changed too recently to be complete: a partner's upload may still be writing them.
    settling: list[Path] = field(default_factory=list)

    def by_partition(self, source: str) -> dict[str, list[LandedFile]]:
        grouped: dict[str, list[LandedFile]] = defaultdict(list)
        for landed in self.files:
            if landed.source == source:
                grouped[landed.partition_key].append(landed)
        return dict(sorted(grouped.items()))


def period_key(period_end: date) -> str:
    return f"{period_end:%Y-%m}"


def quarter_end(period: str) -> date:
    """`2023-03` → 2023-03-31; anything but a quarter-end month is a FileNameError."""
    try:
        year, month = (int(part) for part in period.split("-"))
    except ValueError as exc:
        raise FileNameError(f"period {period!r} is not YYYY-MM") from exc
    if month not in QUARTER_END_MONTHS:
        raise FileNameError(f"period {period!r} is not a quarter end (MM must be 03, 06, 09 or 12)")
    return date(year, month, calendar.monthrange(year, month)[1])


def identify(contract: SourceContract, path: Path) -> LandedFile:
    """Read source, period and authority from a file name, or say what the name should look like."""
    match = contract.file_pattern.fullmatch(path.name)
    if match is None:
        raise FileNameError(
            f"{path.name!r} is not a {contract.source} file name: expected {contract.file_form}, "
            f"e.g. {contract.file_example!r}"
        )
    return LandedFile(
        source=contract.source,
        path=path,
        period_end=quarter_end(match["period"]),
        la_code=match.groupdict().get("la_code"),
    )


def _is_ignored(path: Path) -> bool:
    return path.name.startswith(IGNORED_PREFIXES) or path.name.endswith(IGNORED_SUFFIXES)


def scan_landing(
    root: Path, contracts: Mapping[str, SourceContract], settle_seconds: float = 0.0, now: float | None = None
) -> LandingScan:
    """Every file in every source folder under `root`, identified or rejected by name. A file modified less than
    `settle_seconds` ago is left for a later scan: an upload still being written must not be read half-written."""
    files: list[LandedFile] = []
    rejected: list[RejectedFile] = []
    settling: list[Path] = []
    now = time.time() if now is None else now
    for source, contract in contracts.items():
        folder = root / source
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.iterdir() if p.is_file() and not _is_ignored(p)):
            if 0 <= now - path.stat().st_mtime < settle_seconds:  # a future time is a skewed clock, not a write
                settling.append(path)
                continue
            try:
                files.append(identify(contract, path))
            except FileNameError as exc:
                rejected.append(RejectedFile(source=source, path=path, reason=str(exc)))
    return LandingScan(files=files, rejected=rejected, settling=settling)


def partition_fingerprint(files: Iterable[LandedFile]) -> str:
    """One hash for the files of a partition as they are now: changes when any is added or changed."""
    digest = hashlib.sha256()
    for fingerprint in sorted(landed.fingerprint() for landed in files):
        digest.update(fingerprint.encode())
    return digest.hexdigest()[:16]


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()
