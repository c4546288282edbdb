"""Files replaced in one step: whoever opens one gets the old file or the new one, whole, never half of either.
Used by every stage that writes a file people or programs read (issue reports, quarantine, pages, the readers'
copy of the warehouse)."""

import os
import shutil
from collections.abc import Callable
from pathlib import Path


def write_atomically(destination: Path, content: str | bytes) -> Path:
    data = content.encode("utf-8") if isinstance(content, str) else content
    return replace_atomically(destination, lambda staging: staging.write_bytes(data))


def copy_atomically(source: Path, destination: Path) -> Path:
    """Copy `source` over `destination`, streaming (files may be large)."""
    return replace_atomically(destination, lambda staging: shutil.copyfile(source, staging))


def replace_atomically(destination: Path, write: Callable[[Path], object]) -> Path:
    """`write` the new file beside `destination` (one file system), then rename it over it."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = staging_path(destination)
    try:
        write(staging)
        os.replace(staging, destination)
    finally:
        staging.unlink(missing_ok=True)
    return destination


def staging_path(destination: Path) -> Path:
    """Where to write a file before renaming it over `destination`: beside it, hidden."""
    return destination.with_name(f".{destination.name}.{os.getpid()}.tmp")
