"""OECD Country Risk Classification (0 = lowest … 7 = highest) of a buyer's country.

The table is passed in (`CountryTable`), so grading stays pure; `load_oecd_table` parses the shipped
CSV text (see `risk/data/README.md` for the OECD attribution).

Unclassified countries are handled deliberately, never silently:
1. The OECD does not classify high-income OECD and euro-area countries ('-' in the table): they are
   treated as class 0, the lowest country risk, because the OECD leaves them out for that reason.
2. A country missing from the table or an unknown code is treated as class 4 (the middle of the
   scale) and the reason says so; this is a choice of prudence, not a fact.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from arguard.risk.model import CountryRisk

UNCLASSIFIED_AS = 0
UNKNOWN_AS = 4
OECD_DATE = "2026-01-30"


@dataclass(frozen=True, slots=True)
class CountryTable:
    """classes: ISO alpha-2 → OECD class (None = in the table but not classified)."""

    classes: dict[str, int | None]
    valid_from: str = OECD_DATE

    def risk_of(self, iso2: str | None) -> CountryRisk:
        code = (iso2 or "").strip().upper()
        if code not in self.classes:
            return CountryRisk(code, None, UNKNOWN_AS,
                               f"country {code or '?'} not in the OECD table: treated as class {UNKNOWN_AS}")
        oecd = self.classes[code]
        if oecd is None:
            return CountryRisk(code, None, UNCLASSIFIED_AS,
                               "not classified by the OECD (high-income OECD / euro area): "
                               f"treated as class {UNCLASSIFIED_AS}")
        return CountryRisk(code, oecd, oecd, f"OECD class {oecd} (valid from {self.valid_from})")


def load_oecd_table(oecd_csv: str, iso_csv: str, valid_from: str = OECD_DATE) -> CountryTable:
    """Parse the OECD classification and the ISO 3166 table (alpha-3 → alpha-2) from CSV text."""
    alpha2 = {"XKV": "XK"}  # Kosovo: the OECD uses XKV, ISO 3166 has no code, XK is customary
    for row in csv.DictReader(io.StringIO(iso_csv.lstrip("\ufeff"))):
        alpha2[row["Alpha-3"].strip()] = row["Alpha-2"].strip()
    classes: dict[str, int | None] = {}
    for row in csv.DictReader(io.StringIO(oecd_csv)):
        iso3 = row["iso3"].strip()
        if iso3 not in alpha2:
            continue
        value = row["current_prevailing"].strip()
        classes[alpha2[iso3]] = int(value) if value.isdigit() else None
    return CountryTable(classes, valid_from)
