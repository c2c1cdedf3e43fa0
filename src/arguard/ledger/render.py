"""Statement of account renderers: CSV, XLSX (openpyxl) and PDF (reportlab), in the customer's language.

Chinese in PDF: reportlab's built-in CID font 'STSong-Light' (Adobe-GB1) needs no font file; Latin text
uses Helvetica. Amounts are printed from Decimal, never through float.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from arguard.core.exports import pdf_font, pdf_text, spreadsheet_row
from arguard.core.money import Money
from arguard.ledger.model import StatementOfAccount
from arguard.ledger.statement import labels

FORMATS = ("json", "csv", "xlsx", "pdf")
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "pdf": "application/pdf"}


def _amt(m: Money | None) -> str:
    return "" if m is None or m.is_zero() else f"{m.amount:,}"


def statement_dict(st: StatementOfAccount) -> dict[str, object]:
    """JSON shape of a statement: money as strings, dates ISO."""
    def money(m: Money) -> str:
        return str(m.amount)

    return {"customer": {"code": st.customer.code, "name": st.customer.name, "language": st.customer.language},
            "as_of": st.as_of.isoformat(), "currency": st.currency,
            "opening_balance": money(st.opening_balance), "closing_balance": money(st.closing_balance),
            "lines": [{"date": ln.on.isoformat(), "kind": ln.kind, "reference": ln.reference,
                       "due_date": ln.due_date.isoformat() if ln.due_date else None, "debit": money(ln.debit),
                       "credit": money(ln.credit), "balance": money(ln.balance)} for ln in st.lines],
            "open_items": [{"number": i.number, "document_type": i.document_type,
                            "issue_date": i.issue_date.isoformat(), "due_date": i.due_date.isoformat(),
                            "amount": money(i.amount), "open": money(i.open),
                            "days_past_due": i.days_past_due(st.as_of)} for i in st.open_items]}


def render_csv(statements: Sequence[StatementOfAccount]) -> bytes:
    """UTF-8 with BOM (so that Excel shows Chinese correctly), one section per currency."""
    buf = io.StringIO()
    w = _SafeWriter(csv.writer(buf))
    for st in statements:
        t = labels(st.customer.language)
        w.writerow([t["title"], st.customer.name, st.customer.code])
        w.writerow([t["as_of"], st.as_of.isoformat(), t["currency"], st.currency])
        w.writerow([t["date"], t["type"], t["reference"], t["due_date"], t["debit"], t["credit"], t["balance"]])
        w.writerow(["", t["opening_balance"], "", "", "", "", str(st.opening_balance.amount)])
        for ln in st.lines:
            w.writerow([ln.on.isoformat(), t.get(ln.kind, ln.kind), ln.reference,
                        ln.due_date.isoformat() if ln.due_date else "", str(ln.debit.amount), str(ln.credit.amount),
                        str(ln.balance.amount)])
        w.writerow(["", t["closing_balance"], "", "", "", "", str(st.closing_balance.amount)])
        w.writerow([])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


class _SafeWriter:
    """A csv writer whose text cells cannot become formulas (`core.exports.spreadsheet_cell`)."""

    def __init__(self, writer: Any) -> None:
        self.writer = writer

    def writerow(self, row: list[Any]) -> None:
        self.writer.writerow(spreadsheet_row(row))


def render_xlsx(statements: Sequence[StatementOfAccount]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for st in statements:
        t = labels(st.customer.language)
        ws = wb.create_sheet(re.sub(r"[\[\]:*?/\\]", "_", f"{st.customer.code[:24]} {st.currency}"))
        _append(ws, [t["title"]])
        ws["A1"].font = Font(bold=True, size=14)
        _append(ws, [t["customer"], st.customer.name, t["customer_id"], st.customer.code])
        _append(ws, [t["as_of"], st.as_of, t["currency"], st.currency])
        _append(ws, [])
        _append(ws, [t["date"], t["type"], t["reference"], t["due_date"], t["debit"], t["credit"], t["balance"]])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        _append(ws, [None, t["opening_balance"], None, None, None, None, st.opening_balance.amount])
        for ln in st.lines:
            _append(ws, [ln.on, t.get(ln.kind, ln.kind), ln.reference, ln.due_date, ln.debit.amount, ln.credit.amount,
                       ln.balance.amount])
        _append(ws, [None, t["closing_balance"], None, None, None, None, st.closing_balance.amount])
        ws[ws.max_row][1].font = Font(bold=True)
        _append(ws, [])
        _append(ws, [t["open_items"]])
        _append(ws, [t["reference"], t["type"], t["date"], t["due_date"], t["amount"], t["open"], t["days_past_due"]])
        for i in st.open_items:
            _append(ws, [i.number, t.get(i.document_type, i.document_type), i.issue_date, i.due_date, i.amount.amount,
                       i.open.amount, i.days_past_due(st.as_of)])
        fmt = "#,##0" if _decimals(st.currency) == 0 else "#,##0." + "0" * _decimals(st.currency)
        for row in ws.iter_rows(min_row=5):
            for cell in row:
                if isinstance(cell.value, Decimal):
                    cell.number_format = fmt
                elif hasattr(cell.value, "isoformat"):
                    cell.number_format = "yyyy-mm-dd"
        for col, width in zip("ABCDEFG", (12, 22, 20, 12, 16, 16, 16), strict=True):
            ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _append(ws: Any, row: list[Any]) -> None:
    ws.append(spreadsheet_row(row))


def _decimals(currency: str) -> int:
    from arguard.core.money import exponent

    return exponent(currency)


def render_pdf(statements: Sequence[StatementOfAccount], company_name: str = "") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
                            bottomMargin=15 * mm, title="Statement of account", author=company_name or "arguard")
    story: list[object] = []
    for k, st in enumerate(statements):
        t = labels(st.customer.language)
        font = pdf_font(st.customer.language.lower().startswith("zh"), st.customer.name, company_name,
                        *(ln.reference for ln in st.lines))
        h = ParagraphStyle("h", fontName=font, fontSize=16, leading=20)
        p = ParagraphStyle("p", fontName=font, fontSize=9, leading=12)
        if k:
            story.append(PageBreak())
        story += [Paragraph(pdf_text(t["title"]), h), Spacer(1, 3 * mm)]
        if company_name:
            story.append(Paragraph(pdf_text(company_name), p))
        # Paragraph reads markup: names such as "A & B <GmbH>" are escaped to print as written.
        story += [Paragraph(pdf_text(f"{t['customer']}: {st.customer.name} ({st.customer.code})"), p),
                  Paragraph(pdf_text(f"{t['as_of']}: {st.as_of.isoformat()}"), p),
                  Paragraph(pdf_text(f"{t['currency']}: {st.currency}"), p),
                  Spacer(1, 4 * mm)]
        rows: list[list[str]] = [[t["date"], t["type"], t["reference"], t["due_date"], t["debit"], t["credit"],
                                  t["balance"]],
                                 ["", t["opening_balance"], "", "", "", "", f"{st.opening_balance.amount:,}"]]
        rows += [[ln.on.isoformat(), t.get(ln.kind, ln.kind), ln.reference,
                  ln.due_date.isoformat() if ln.due_date else "", _amt(ln.debit), _amt(ln.credit),
                  f"{ln.balance.amount:,}"] for ln in st.lines]
        rows.append(["", t["closing_balance"], "", "", "", "", f"{st.closing_balance.amount:,}"])
        story.append(_table(rows, font, bold_last=True))
        if st.open_items:
            story += [Spacer(1, 6 * mm), Paragraph(pdf_text(t["open_items"]), p), Spacer(1, 2 * mm)]
            items = [[t["reference"], t["type"], t["date"], t["due_date"], t["amount"], t["open"], t["days_past_due"]]]
            items += [[i.number, t.get(i.document_type, i.document_type), i.issue_date.isoformat(),
                       i.due_date.isoformat(), f"{i.amount.amount:,}", f"{i.open.amount:,}",
                       str(i.days_past_due(st.as_of))] for i in st.open_items]
            story.append(_table(items, font))
        story += [Spacer(1, 6 * mm), Paragraph(pdf_text(t["confirm"]), p)]
    doc.build(story)
    return buf.getvalue()


def _table(rows: list[list[str]], font: str, bold_last: bool = False) -> object:
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Table, TableStyle

    table = Table(rows, repeatRows=1, colWidths=[w * mm for w in (22, 30, 32, 22, 24, 24, 26)])
    style = [("FONT", (0, 0), (-1, -1), font, 8), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
             ("ALIGN", (4, 0), (-1, -1), "RIGHT"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    if bold_last:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey))
    table.setStyle(TableStyle(style))
    return table


def render(statements: Sequence[StatementOfAccount], fmt: str, company_name: str = "") -> bytes:
    if fmt == "csv":
        return render_csv(statements)
    if fmt == "xlsx":
        return render_xlsx(statements)
    if fmt == "pdf":
        return render_pdf(statements, company_name)
    import json

    return json.dumps([statement_dict(s) for s in statements], ensure_ascii=False, indent=2).encode("utf-8")
