"""Dunning letters (PDF, reportlab) and their e-mail text, in the customer's language (English or 中文).

Every text that comes from data (names, numbers, the policy's templates) is escaped before it reaches
reportlab's Paragraph markup, so a customer called "A <b>&</b> B" prints as written. Chinese uses the
built-in CID font STSong-Light, as the ledger's statements do; amounts are printed from Decimal.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from string import Template
from typing import Any

from arguard.collections.model import DunningAction, DunningLevel
from arguard.core.exports import pdf_font
from arguard.core.exports import pdf_text as escape
from arguard.ledger.model import CustomerRecord

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "title.reminder": "Payment reminder", "title.default": "Reminder: overdue invoices",
        "title.final": "Final notice before collection",
        "intro": "Dear $customer,\n\naccording to our books the invoices below are overdue on $as_of. "
                 "Please pay $total_due $currency without delay.",
        "pre_due": "Dear $customer,\n\na friendly reminder that the invoices below fall due soon.",
        "invoice": "Invoice", "due_date": "Due date", "days": "Days overdue", "open": "Open", "interest": "Interest",
        "overdue_total": "Overdue total", "interest_total": "Interest", "fee": "Dunning fee",
        "compensation": "Recovery costs (fixed)", "credits": "Your credits (netted off)", "total_due": "Total due",
        "closing": "If you have paid in the meantime, please ignore this letter. If you dispute an invoice, "
                   "tell us which and why.", "customer": "Customer", "date": "Date",
        "subject": "$level: $total_due $currency overdue — $company",
    },
    "zh-CN": {
        "title.reminder": "付款提醒", "title.default": "逾期账款催收函", "title.final": "最后催告函",
        "intro": "尊敬的$customer：\n\n根据我方账簿，截至$as_of以下发票已逾期。请尽快支付 $total_due $currency。",
        "pre_due": "尊敬的$customer：\n\n温馨提示：以下发票即将到期。",
        "invoice": "发票号", "due_date": "到期日", "days": "逾期天数", "open": "未付金额", "interest": "利息",
        "overdue_total": "逾期合计", "interest_total": "利息", "fee": "催收费", "compensation": "固定追偿费用",
        "credits": "贵方贷项（已抵扣）", "total_due": "应付合计",
        "closing": "如您已付款，请忽略本函。如对发票有异议，请告知发票号及原因。", "customer": "客户", "date": "日期",
        "subject": "$level：逾期 $total_due $currency — $company",
    },
}


def language_of(customer: CustomerRecord | None) -> str:
    lang = (customer.language if customer else "en") or "en"
    return "zh-CN" if lang.lower().startswith("zh") else "en"


def _values(payload: Mapping[str, Any], customer: CustomerRecord | None, sender: str,
            as_of: str) -> dict[str, str]:
    return {"customer": customer.name if customer else str(payload["customer_id"]), "company": sender,
            "as_of": as_of, "total_due": str(payload["total_due"]), "currency": str(payload.get("currency", "")),
            "level": str(payload["level"]), "customer_id": str(payload["customer_id"])}


def letter_lines(action: DunningAction, level: DunningLevel, customer: CustomerRecord | None, sender: str,
                 as_of: date) -> tuple[str, list[str], list[list[str]], list[tuple[str, str]]]:
    """(title, paragraphs, invoice table rows, totals) of the letter, as plain (unescaped) text."""
    lang = language_of(customer)
    t = TEXTS[lang]
    payload = action.as_dict()
    values = _values(payload, customer, sender, as_of.isoformat())
    title = t["title.reminder"] if level.pre_due or level.fee == 0 and level.channel == "email" else (
        t["title.final"] if level.channel == "letter" else t["title.default"])
    body = level.templates.get(lang) or (t["pre_due"] if level.pre_due else t["intro"])
    paragraphs = [p for p in Template(body).safe_substitute(values).split("\n") if p.strip()]
    rows = [[t["invoice"], t["due_date"], t["days"], t["open"], t["interest"]]]
    rows += [[i.number, i.due_date.isoformat(), str(i.days_overdue), f"{i.open.amount:,} {i.open.currency}",
              f"{i.interest.amount:,}"] for i in action.invoices]
    cur = action.currency
    totals = [(t["overdue_total"], f"{action.overdue_total.amount:,} {cur}"),
              (t["interest_total"], f"{action.interest_total.amount:,} {cur}"),
              (t["fee"], f"{action.fee.amount:,} {cur}"), (t["compensation"], f"{action.compensation.amount:,} {cur}")]
    if action.credits:
        totals.append((t["credits"], f"−{action.credits_total.amount:,} {cur}"))
    totals.append((t["total_due"], f"{action.total_due.amount:,} {cur}"))
    paragraphs.append(t["closing"])
    return title, paragraphs, rows, totals


def render_letter(action: DunningAction, level: DunningLevel, customer: CustomerRecord | None, sender: str,
                  as_of: date) -> bytes:
    """The dunning letter as PDF bytes."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    title, paragraphs, rows, totals = letter_lines(action, level, customer, sender, as_of)
    lang = language_of(customer)
    texts = [title, sender, *paragraphs, *(c for r in rows for c in r), *(a for t in totals for a in t),
             customer.name if customer else ""]
    font = pdf_font(lang == "zh-CN", *texts)
    h = ParagraphStyle("h", fontName=font, fontSize=15, leading=19)
    p = ParagraphStyle("p", fontName=font, fontSize=10, leading=14)
    t = TEXTS[lang]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=title, author=sender or "arguard")
    story: list[Any] = []
    if sender:
        story += [Paragraph(escape(sender), p), Spacer(1, 4 * mm)]
    if customer is not None:
        story.append(Paragraph(escape(f"{t['customer']}: {customer.name} ({customer.code})"), p))
    story += [Paragraph(escape(f"{t['date']}: {as_of.isoformat()}"), p), Spacer(1, 6 * mm),
              Paragraph(escape(title), h), Spacer(1, 4 * mm)]
    story += [Paragraph(escape(x), p) for x in paragraphs[:-1]]
    story.append(Spacer(1, 4 * mm))
    table = Table(rows, repeatRows=1, colWidths=[w * mm for w in (40, 26, 24, 40, 26)])
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 9), ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                               ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.grey)]))
    sums = Table([list(x) for x in totals], colWidths=[60 * mm, 50 * mm], hAlign="RIGHT")
    sums.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font, 9), ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                              ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.grey)]))
    story += [table, Spacer(1, 4 * mm), sums, Spacer(1, 6 * mm), Paragraph(escape(paragraphs[-1]), p)]
    doc.build(story)
    return buf.getvalue()


def email_text(payload: Mapping[str, Any], customer: CustomerRecord | None, sender: str) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail that carries the letter."""
    t = TEXTS[language_of(customer)]
    values = _values(payload, customer, sender, str(payload.get("as_of", "")))
    lines = [Template(t["intro"]).safe_substitute(values), ""]
    lines += [f"  {i['invoice_number']}  {i['due_date']}  {i['open_amount']} {i.get('currency', '')}"
              for i in payload["invoices"]]
    lines += ["", f"{t['total_due']}: {payload['total_due']} {payload.get('currency', '')}", "", t["closing"]]
    return Template(t["subject"]).safe_substitute(values), "\n".join(lines)
