"""Quarantine: a rejected file is copied, byte for byte (checked by its SHA-256), into a folder of its own with
its issue report, where the data engineers deal with it and the partner's original stays as sent. The landing
area keeps the file too, so nothing is lost and it is never loaded twice; a corrected file replaces it there."""

from pathlib import Path

from dagster_project.lib.atomic_files import copy_atomically
from dagster_project.lib.feedback import IssueReport
from dagster_project.lib.landing import sha256_of


class QuarantineError(RuntimeError):
    """The quarantined copy is not the file the partner sent."""


def quarantine(original: Path, sha256: str, report: IssueReport, folder: Path) -> Path:
    """Copy the rejected file and its issue report into `folder`; the copy's path."""
    copy = copy_atomically(original, folder / original.name)
    if sha256_of(copy) != sha256:
        raise QuarantineError(f"{copy}: the copy differs from {original} (the file changed while it was copied?)")
    for part in (report.csv, report.workbook):
        copy_atomically(part, folder / part.name)
    return copy
