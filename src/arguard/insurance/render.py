"""Declarations as files for the insurer: CSV, JSON or PDF (reportlab, imported when a PDF is asked)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from arguard.core.errors import ValidationError
from arguard.core.exports import pdf_text, spreadsheet_row

FORMATS = ("csv", "json", "pdf")


def _rows(decl: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    content = decl["content"]
    if decl["kind"] == "overdue":
        head = ["customer", "invoice_number", "delivered_on", "due_date", "days_overdue", "open_amount", "mep_end",
                "notification_deadline"]
        return head, [[str(i[k]) for k in head] for i in content.get("invoices", [])]
    return ["customer", "turnover"], [[b["customer"], b["turnover"]] for b in content.get("buyers", [])]


def render_declaration(decl: dict[str, Any], fmt: str) -> bytes:
    """A declaration (`service_claims.declaration_json`) as CSV, JSON or PDF bytes."""
    if fmt not in FORMATS:
        raise ValidationError(f"a declaration is rendered as {', '.join(FORMATS)}, not {fmt!r}", code="invalid_format")
    if fmt == "json":
        return json.dumps(decl, ensure_ascii=False, indent=2).encode("utf-8")
    head, rows = _rows(decl)
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(spreadsheet_row(head))
        w.writerows(spreadsheet_row(r) for r in rows)
        return buf.getvalue().encode("utf-8")
    return _pdf(decl, head, rows)


def _pdf(decl: dict[str, Any], head: list[str], rows: list[list[str]]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), title=f"{decl['kind']} declaration {decl['id']}")
    styles = getSampleStyleSheet()
    title = (f"{decl['kind'].capitalize()} declaration — policy {decl['policy_number']}, "
             f"{decl['period_start']} to {decl['period_end']}")
    total = f"Total: {decl['amount']} {decl['currency']}" + (
        f" · premium due {decl['premium']} {decl['currency']}" if decl["kind"] == "turnover" else "")
    table = Table([head, *rows] if rows else [head, ["(nothing to declare)"] + [""] * (len(head) - 1)],
                  repeatRows=1)
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 8),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                               ("ALIGN", (4, 1), (-1, -1), "RIGHT")]))
    doc.build([Paragraph(pdf_text(title), styles["Title"]), Paragraph(pdf_text(total), styles["Normal"]),
               Spacer(1, 12), table])
    return buf.getvalue()
