"""Declarations as files for the insurer: CSV, JSON or PDF (reportlab, imported when a PDF is asked)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from arguard.core.errors import ValidationError
from arguard.core.exports import pdf_font, pdf_text, spreadsheet_row

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


LANGUAGES = ("en", "zh-CN")


def claim_labels(language: str) -> Any:
    """`label(key, **values)` in the language asked (English or 中文), from the capability's messages."""
    from arguard.insurance.messages import MESSAGES

    k = 1 if language.lower().startswith("zh") else 0

    def label(key: str, **values: object) -> str:
        pair = MESSAGES.get(key)
        text = pair[k] if pair else key
        return text.format(**values) if values else text

    return label


def render_claim_file(claim: dict[str, Any], language: str = "en") -> bytes:
    """A claim with its file (`service_claims.claim_json(..., with_file=True)`) as a PDF for the insurer, in
    English or 中文: the indemnity with every term, the invoices claimed, the statement of account, the
    notifications, the dunning history and the disputes. Chinese uses reportlab's built-in CID font."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    if language not in LANGUAGES:
        raise ValidationError(f"a claim file is written in {', '.join(LANGUAGES)}, not {language!r}",
                              code="invalid_language")
    t = claim_labels(language)
    font = pdf_font(language == "zh-CN", json.dumps(claim, ensure_ascii=False))
    h1 = ParagraphStyle("h1", fontName=font, fontSize=15, leading=19)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=11, leading=15, spaceBefore=6)
    p = ParagraphStyle("p", fontName=font, fontSize=9, leading=12)
    file = claim.get("file") or {}
    cur = claim["currency"]
    story: list[object] = [
        Paragraph(pdf_text(t("insurance.file.title", id=claim["id"], buyer=claim["customer"])), h1), Spacer(1, 2 * mm),
        Paragraph(pdf_text(t("insurance.file.head", policy=claim["policy_number"],
                             cause=t(f"insurance.cause.{claim['cause']}"), status=t(f"insurance.claim.{claim['status']}"),
                             as_of=file.get("as_of", claim["opened_on"]), currency=cur)), p)]
    for title, rows in _claim_sections(claim, file, t, language):
        story += [Paragraph(pdf_text(title), h2), Spacer(1, 1 * mm)]
        story.append(_grid(rows, font) if len(rows) > 1 else Paragraph(pdf_text(t("insurance.file.none")), p))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                      bottomMargin=12 * mm, title=f"claim {claim['id']}").build(story)
    return buf.getvalue()


def _claim_sections(claim: dict[str, Any], file: dict[str, Any], t: Any, language: str,
                    ) -> list[tuple[str, list[list[str]]]]:
    from arguard.insurance.messages import term_explanation

    # each term's explanation in the reader's language (a term stored before the message keys: in English)
    terms = [[t("insurance.term.indemnity"), t("insurance.amount"), ""]] + [
        [t(f"insurance.term.{x['name']}"), x["amount"], term_explanation(x, language)]
        for x in claim.get("terms", [])]
    invoices = [[t("insurance.invoice"), t("insurance.file.delivery_ref"), t("insurance.file.delivered_on"),
                 t("insurance.due"), t("insurance.open"), t("insurance.file.covered"), t("insurance.cover")]] + [
        [i["invoice_number"], i["delivery_reference"], i["delivered_on"], i["due_date"], i["open_amount"],
         i["covered_amount"], ", ".join(t(f"insurance.reason.{r}") if r != "disputed" else t("insurance.file.disputes")
                                        for r in i.get("reasons", []))] for i in file.get("invoices", [])]
    statement = [[t("insurance.file.date"), t("insurance.kind"), t("insurance.file.reference"), "+", "−",
                  t("insurance.file.closing_balance")]]
    for s in file.get("statement_of_account", []):
        statement += [[ln["on"], ln["kind"], ln["reference"], ln["debit"], ln["credit"], ln["balance"]]
                      for ln in s["lines"]]
        statement.append(["", t("insurance.file.closing_balance"), s["currency"], "", "", s["closing_balance"]])
    notes = [[t("insurance.kind"), t("insurance.file.date"), t("insurance.file.reference")]] + [
        [n["kind"], n.get("notified_on") or n.get("event_on") or "", n.get("reference") or ""]
        for n in file.get("notifications", [])]
    dunning = [[t("insurance.file.date"), t("insurance.file.step"), t("insurance.file.channel"),
                t("insurance.file.reference"), t("insurance.amount"), t("insurance.file.outcome")]] + [
        [d["on"], t(f"insurance.file.kind.{d['kind']}") + (f" · {d['level']}" if d.get("level") else "")
         + (f" · {t('insurance.file.promise_due', due=d['due_on'])}" if d.get("due_on") else ""),
         d.get("channel") or "", d["reference"], f"{d['amount']} {d['currency']}" if d.get("amount") else "",
         d["outcome"]] for d in file.get("dunning_history", [])]
    disputes = [[t("insurance.invoice"), t("insurance.file.date"), t("insurance.status"), t("insurance.file.outcome")]] + [
        [d["invoice_number"], d["opened_on"], d["status"], f"{d['reason']} {d.get('resolution') or ''}".strip()]
        for d in file.get("disputes", [])]
    return [(t("insurance.file.terms"), terms), (t("insurance.file.invoices"), invoices),
            (t("insurance.file.statement"), statement), (t("insurance.file.notifications"), notes),
            (t("insurance.file.dunning"), dunning), (t("insurance.file.disputes"), disputes)]


def _grid(rows: list[list[str]], font: str) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    cell = ParagraphStyle("cell", fontName=font, fontSize=7.5, leading=9)
    table = Table([[Paragraph(pdf_text(str(c)), cell) for c in r] for r in rows], repeatRows=1)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                               ("GRID", (0, 0), (-1, -1), 0.25, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table
