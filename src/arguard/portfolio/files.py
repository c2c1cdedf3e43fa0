"""Reading the buyers file and the factors file (text in, records and issues out; no file access).

Buyers: CSV with columns id, pd, ead, lgd, country, sector (more columns are ignored): 12-month PD
0–1, exposure at default ≥ 0 in one currency, LGD 0–1, ISO alpha-2 country, sector code.
Factors: CSV with columns kind, code, rho: `global,,0.10`, `country,*,0.05` (every country),
`country,CN,0.08` (one country), `sector,*,0.05`, `sector,F41,0.08`.
Every bad cell is one `Issue` (file, line, field, reason); a file with any issue is not simulated.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator

from arguard.core.errors import ImportRejected, Issue
from arguard.portfolio.model import Book, Correlation

BUYER_COLUMNS = ("id", "pd", "ead", "lgd", "country", "sector")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _number(text: str, source: str, line: int, field: str, lo: float, hi: float,
            issues: list[Issue]) -> float:
    try:
        value = float(text.strip().replace("_", ""))
    except ValueError:
        issues.append(Issue(source, line, field, f"not a number: {text!r}"))
        return math.nan
    if not (lo <= value <= hi) or math.isnan(value):
        issues.append(Issue(source, line, field, f"{value:g} outside {lo:g}–{hi:g}"))
    return value


def _csv_reader(text: str, source: str) -> Iterator[list[str]]:
    """The file's records; a file the csv module cannot read is a clear rejection, not a crash."""
    try:
        yield from csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    except csv.Error as exc:
        raise ImportRejected(f"{source}: not a readable CSV file ({exc})") from None


def read_buyers(text: str, source: str = "buyers.csv", currency: str = "EUR") -> tuple[Book, list[Issue]]:
    """The book in the file and every problem found in it."""
    reader = _csv_reader(text, source)
    header = [h.strip().lower() for h in next(reader, [])]
    missing = [c for c in BUYER_COLUMNS if c not in header]
    if missing:
        return Book.of([], currency), [Issue(source, 1, c, "column missing") for c in missing]
    col = {c: header.index(c) for c in BUYER_COLUMNS}
    rows: list[tuple[str, float, float, float, str, str]] = []
    issues: list[Issue] = []
    seen: dict[str, int] = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) < len(header):
            issues.append(Issue(source, line, None, f"{len(record)} cells, the header has {len(header)}"))
            continue
        cell = {c: record[i].strip() for c, i in col.items()}
        before = len(issues)
        if not cell["id"]:
            issues.append(Issue(source, line, "id", "empty"))
        elif cell["id"] in seen:
            issues.append(Issue(source, line, "id", f"{cell['id']} already on line {seen[cell['id']]}"))
        seen.setdefault(cell["id"], line)
        pd = _number(cell["pd"], source, line, "pd", 0.0, 1.0, issues)
        ead = _number(cell["ead"], source, line, "ead", 0.0, 1e15, issues)
        lgd = _number(cell["lgd"], source, line, "lgd", 0.0, 1.0, issues)
        country = cell["country"].upper()
        if not _COUNTRY.match(country):
            issues.append(Issue(source, line, "country", f"not an ISO 3166 alpha-2 code: {cell['country']!r}"))
        if not cell["sector"]:
            issues.append(Issue(source, line, "sector", "empty"))
        if len(issues) == before:
            rows.append((cell["id"], pd, ead, lgd, country, cell["sector"]))
    if not rows and not issues:
        issues.append(Issue(source, None, None, "no buyers in the file"))
    return Book.of(rows, currency), issues


def read_factors(text: str, source: str = "factors.csv") -> tuple[Correlation, list[Issue]]:
    """The correlation structure in a factors file (absent lines keep the defaults)."""
    reader = _csv_reader(text, source)
    header = [h.strip().lower() for h in next(reader, [])]
    issues = [Issue(source, 1, c, "column missing") for c in ("kind", "code", "rho") if c not in header]
    if issues:
        return Correlation(), issues
    base = Correlation()
    shares = {"global": base.rho_global, "country": base.rho_country, "sector": base.rho_sector}
    named: dict[str, dict[str, float]] = {"country": {}, "sector": {}}
    for line, record in enumerate(reader, start=2):
        if not any(c.strip() for c in record):
            continue
        cell = dict(zip(header, (c.strip() for c in record), strict=False))
        kind, code = cell.get("kind", "").lower(), cell.get("code", "")
        rho = _number(cell.get("rho", ""), source, line, "rho", 0.0, 0.95, issues)
        if kind not in shares:
            issues.append(Issue(source, line, "kind", f"{kind!r}: global, country or sector"))
        elif kind == "global" or code in ("", "*"):
            shares[kind] = rho
        else:
            named[kind][code.upper() if kind == "country" else code] = rho
    corr = Correlation(shares["global"], shares["country"], shares["sector"], named["country"], named["sector"])
    worst = corr.rho_global + max([corr.rho_country, *named["country"].values()]) + max(
        [corr.rho_sector, *named["sector"].values()])
    if not issues and worst >= 1:
        issues.append(Issue(source, None, "rho", f"global + country + sector reach {worst:.2f}; must stay below 1"))
    return corr, issues
