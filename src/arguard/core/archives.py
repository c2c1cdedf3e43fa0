"""Bounds on archives read from users: zips of bank statements and XLSX workbooks (which are zips).

A zip's headers may lie about sizes and a zip may hold zips; so one budget covers a whole upload (total
bytes actually decompressed, number of entries), nested archives are refused, and members are read
through a reader that stops at the budget. Pure: works on bytes, no files.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field

from arguard.core.errors import ImportRejected

MAX_ENTRIES = 200
MAX_TOTAL_BYTES = 200 * 1024 * 1024
MAX_XLSX_BYTES = 300 * 1024 * 1024
MAX_XLSX_ROWS = 1_048_576
"""Excel's own row limit: a sheet claiming more is not a real export."""


def open_zip(data: bytes, source: str) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        raise ImportRejected(f"{source}: not a readable zip archive", code="bad_archive") from None


@dataclass
class ZipBudget:
    """What one upload may decompress in all: entries and bytes, counted as they are read."""

    max_entries: int = field(default_factory=lambda: MAX_ENTRIES)
    max_bytes: int = field(default_factory=lambda: MAX_TOTAL_BYTES)
    entries: int = 0
    bytes_read: int = 0

    def read(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, source: str) -> bytes:
        self.entries += 1
        if self.entries > self.max_entries:
            raise ImportRejected(f"{source}: more than {self.max_entries} files in the archive",
                                 code="file_too_large")
        left = self.max_bytes - self.bytes_read
        if info.file_size > left:
            raise ImportRejected(f"{source}: the archive expands to more than {self.max_bytes // 2**20} MiB",
                                 code="file_too_large")
        try:
            with archive.open(info) as member:
                data = member.read(left + 1)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError, OSError) as exc:
            raise ImportRejected(f"{source}: {info.filename} cannot be read ({type(exc).__name__})",
                                 code="bad_archive") from None
        self.bytes_read += len(data)
        if self.bytes_read > self.max_bytes:
            raise ImportRejected(f"{source}: the archive expands to more than {self.max_bytes // 2**20} MiB",
                                 code="file_too_large")
        if data[:4] == b"PK\x03\x04":
            raise ImportRejected(f"{source}: {info.filename} is an archive inside the archive; unpack it first",
                                 code="nested_archive")
        return data


def check_xlsx(data: bytes, source: str, max_bytes: int = MAX_XLSX_BYTES) -> None:
    """Refuse a workbook whose parts would decompress beyond `max_bytes` (the headers are what the zip
    reader later trusts: it stops each part at its declared size) or that holds too many parts."""
    archive = open_zip(data, source)
    infos = archive.infolist()
    if len(infos) > 10_000 or sum(i.file_size for i in infos) > max_bytes:
        raise ImportRejected(f"{source}: the workbook expands to more than {max_bytes // 2**20} MiB",
                             code="file_too_large")


def too_many_rows(source: str) -> ImportRejected:
    return ImportRejected(f"{source}: more than {MAX_XLSX_ROWS} rows", code="file_too_large")
