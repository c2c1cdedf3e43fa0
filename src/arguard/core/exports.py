"""Text put into files people open elsewhere: spreadsheets (CSV, XLSX) and PDFs.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return that hides one) as a
formula: `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` in a customer's name would come alive in the
exported file. `spreadsheet_cell` prefixes such text with an apostrophe (OWASP's advice), leaving plain
numbers ("-700.00") as they are. ReportLab's Paragraph reads its text as markup (`<img src=...>` would
embed a file from the server): `pdf_text` escapes it. Pure functions; one home for both rules.
"""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import escape

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_PLAIN_NUMBER = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?$")


def spreadsheet_cell(value: Any) -> Any:
    """The value to write into a CSV or XLSX cell: text that a spreadsheet would run is defused."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def spreadsheet_row(values: list[Any]) -> list[Any]:
    return [spreadsheet_cell(v) for v in values]


def pdf_text(text: str) -> str:
    """Text for a ReportLab Paragraph, shown as written (no tags, no entities, no images)."""
    return escape(text)
