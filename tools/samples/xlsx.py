"""Byte-deterministic writing of zip containers (xlsx workbooks, zips of CSVs).

openpyxl stamps the current time into docProps/core.xml and every zip entry, so two runs
of a sample generator would differ byte for byte. Fixing those stamps makes the samples
reproducible: same code, same sha256.
"""

import datetime
import io
import zipfile
from collections.abc import Mapping
from pathlib import Path

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter

FIXED_PROPERTIES_TIME = datetime.datetime(2000, 1, 1)
ZIP_ENTRY_TIME = (1980, 1, 1, 0, 0, 0)
ZIP_ENTRY_ATTR = 0o100644 << 16  # regular file, rw-r--r--
ZIP_CREATE_SYSTEM_UNIX = 3


def write_deterministic_zip(members: Mapping[str, bytes], path: Path) -> None:
    """Write members (name -> bytes, in order) to a zip that depends on nothing else."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_ENTRY_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = ZIP_CREATE_SYSTEM_UNIX
            info.external_attr = ZIP_ENTRY_ATTR
            archive.writestr(info, data)


def workbook_members(wb: Workbook) -> dict[str, bytes]:
    """The workbook's package parts as openpyxl writes them, document times fixed."""
    wb.properties.created = FIXED_PROPERTIES_TIME
    wb.properties.modified = FIXED_PROPERTIES_TIME
    buffer = io.BytesIO()
    # ExcelWriter, not wb.save(): save() sets `modified` to the current time.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def save_workbook_deterministic(wb: Workbook, path: Path) -> None:
    """Save wb to path so that the same workbook content always gives the same bytes."""
    write_deterministic_zip(workbook_members(wb), path)
