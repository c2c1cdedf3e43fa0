"""Text put into files people open elsewhere: spreadsheets (CSV, XLSX) and PDFs.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return that hides one) as a
formula: `=HYPERLINK(...)` or `=cmd|' /C calc'!A0` in a customer's name would come alive in the
exported file. `spreadsheet_cell` prefixes such text with an apostrophe (OWASP's advice), leaving plain
numbers ("-700.00") as they are. ReportLab's Paragraph reads its text as markup (`<img src=...>` would
embed a file from the server): `pdf_text` escapes it. Pure functions; one home for both rules.

A PDF's font (`pdf_font`): Helvetica shows WinAnsi (cp1252) text only; a reader who reads Chinese, or any
text Helvetica cannot show, gets reportlab's built-in CID font STSong-Light (Adobe-GB1, no font file; it
covers Latin too), registered on first use. One rule for the statements, letters and claim files.
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


CJK_FONT = "STSong-Light"


def pdf_font(chinese: bool, *texts: str) -> str:
    """The font of a PDF for a reader who reads Chinese (`chinese`) or not, showing `texts`: Helvetica
    when every text fits WinAnsi and the reader does not read Chinese, else the CID font (registered)."""
    if not chinese:
        try:
            "".join(texts).encode("cp1252")
        except UnicodeEncodeError:
            pass
        else:
            return "Helvetica"
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT
