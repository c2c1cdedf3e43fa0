"""Statement readers and format sniffing: `read_statement(data, source)` reads any supported file."""

from __future__ import annotations

from arguard.core.archives import ZipBudget, open_zip
from arguard.core.errors import ImportRejected, Issue
from arguard.recon.model import Statement
from arguard.recon.readers.base import ReadResult, StatementReader
from arguard.recon.readers.camt import looks_like_camt, read_camt
from arguard.recon.readers.mt940 import looks_like_mt940, read_mt940
from arguard.recon.readers.tabular import ColumnMapping, read_tabular

__all__ = ["READERS", "ColumnMapping", "ReadResult", "StatementReader", "read_statement", "sniff_format"]


class _Camt:
    name = "camt"

    def sniff(self, head: bytes) -> bool:
        return head.lstrip().startswith(b"<") and looks_like_camt(head)

    def read(self, data: bytes, source: str) -> ReadResult:
        return read_camt(data, source)


class _Mt940:
    name = "mt940"

    def sniff(self, head: bytes) -> bool:
        return looks_like_mt940(head.decode("latin-1"))

    def read(self, data: bytes, source: str) -> ReadResult:
        return read_mt940(data, source)


READERS: list[StatementReader] = [_Camt(), _Mt940()]


def sniff_format(data: bytes) -> str | None:
    """'zip', 'camt', 'mt940', 'xlsx', 'csv' or None, from the first bytes."""
    head = data[:8192]
    if head.startswith(b"PK\x03\x04"):
        try:
            names = open_zip(data, "upload").namelist()
        except ImportRejected:
            return None
        return "xlsx" if "[Content_Types].xml" in names else "zip"
    for reader in READERS:
        if reader.sniff(head):
            return reader.name
    if head.lstrip().startswith(b"<"):
        return "xml"
    return "csv" if b"," in head or b";" in head or b"\t" in head else None


def read_statement(data: bytes, source: str = "statement", mapping: ColumnMapping | None = None) -> ReadResult:
    """Read an MT940/MT942, camt.05x, zip of those, or (with a `mapping`) a CSV/XLSX export."""
    fmt = sniff_format(data)
    if fmt == "zip":
        return _read_zip(data, source)
    for reader in READERS:
        if reader.name == fmt:
            return reader.read(data, source)
    if fmt in ("csv", "xlsx"):
        if mapping is None:
            raise ImportRejected(f"{source}: a CSV/XLSX statement needs a saved column mapping",
                                 code="mapping_required")
        return read_tabular(data, source, mapping, xlsx=(fmt == "xlsx"))
    if fmt == "xml":
        return read_camt(data, source)     # gives the precise reason it is not camt
    raise ImportRejected(f"{source}: not a bank statement this version reads (MT940/MT942, camt.052/053/054, "
                         "CSV/XLSX with a mapping)", code="unknown_format")


def _read_zip(data: bytes, source: str) -> ReadResult:
    """One budget for the whole archive (`core.archives.ZipBudget`: entries and bytes really
    decompressed); an archive inside it is refused, not opened."""
    archive = open_zip(data, source)
    infos = [i for i in archive.infolist() if not i.is_dir()]
    budget = ZipBudget()
    statements: list[Statement] = []
    issues: list[Issue] = []
    for info in sorted(infos, key=lambda i: i.filename):
        member = budget.read(archive, info, source)
        if sniff_format(member) in ("zip", "xlsx"):
            raise ImportRejected(f"{source}: {info.filename} is an archive inside the archive; unpack it first",
                                 code="nested_archive")
        result = read_statement(member, f"{source}!{info.filename}")
        statements.extend(result.statements)
        issues.extend(result.issues)
    return ReadResult(tuple(statements), tuple(issues))
