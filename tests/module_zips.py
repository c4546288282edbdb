"""Zips of CSV modules written in tests, for any csv_zip contract (children's and adult social care)."""

import csv
import io
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

Modules = dict[str, list[dict[str, str]]]


def csv_bytes(rows: list[dict[str, str]], columns: list[str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def write_module_zip(
    path: Path, contract: Mapping[str, Any], modules: Modules, extra_members: dict[str, bytes] | None = None
) -> Path:
    """One CSV per module under the contract's file name, columns as in the first row (or the contract's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for module, rows in modules.items():
            spec = contract["modules"][module]
            columns = list(rows[0]) if rows else list(spec["columns"])
            archive.writestr(spec["file"], csv_bytes(rows, columns))
        for name, content in (extra_members or {}).items():
            archive.writestr(name, content)
    return path


def set_values(module: str, row: int, **values: str) -> Callable[[Modules], None]:
    """An edit of one row of a module, for a test that breaks one rule."""

    def mutate(modules: Modules) -> None:
        modules[module][row].update(values)

    return mutate


def append_copy(module: str, row: int, **values: str) -> Callable[[Modules], None]:
    """An edit adding a copy of one row of a module (with some values changed)."""

    def mutate(modules: Modules) -> None:
        modules[module].append(dict(modules[module][row], **values))

    return mutate
