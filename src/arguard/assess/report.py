"""The assessment as JSON (API, CLI) and as a bilingual PDF (reportlab, imported when called)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any
from xml.sax.saxutils import escape

from arguard.assess.model import Assessment
from arguard.assess.rules import TOOLS_EN, TOOLS_ZH

FIT_ZH = {"strong": "强烈建议", "consider": "可以考虑", "not_needed": "暂不需要"}


def assessment_json(a: Assessment) -> dict[str, Any]:
    m = asdict(a.metrics)
    m["sector_shares"] = dict(list(m["sector_shares"].items())[:12])
    m["country_shares"] = dict(list(m["country_shares"].items())[:12])
    return {"as_of": a.as_of.isoformat(), "currency": a.currency,
            "metrics": {k: (round(v, 6) if isinstance(v, float) else v) for k, v in m.items()},
            "recommendations": [{"tool": r.tool, "name": {"en": TOOLS_EN[r.tool], "zh": TOOLS_ZH[r.tool]},
                                 "fit": r.fit, "reasons": {"en": list(r.reasons_en), "zh": list(r.reasons_zh)}}
                                for r in a.recommendations],
            "summary": {"en": a.summary_en, "zh": a.summary_zh}}


def _metric_lines(a: Assessment) -> list[tuple[str, str, str]]:
    m, cur = a.metrics, a.currency
    terms = f"{m.terms_days:.0f}" if m.terms_days is not None else "–"
    return [
        ("Buyers with open receivables", "有未收款的买方", f"{m.buyers:,}"),
        ("Open receivables", "应收账款余额", f"{m.receivables:,.0f} {cur}"),
        ("Average terms (days)", "平均账期（天）", terms),
        ("Concentration HHI / top-10 share", "集中度 HHI / 前十大占比", f"{m.hhi:.3f} / {m.top10_share:.0%}"),
        ("Cyclical sectors", "强周期行业占比", f"{m.cyclical_share:.0%}"),
        ("Export share / OECD class 5–7", "出口占比 / 高风险国家占比",
         f"{m.export_share:.0%} / {m.high_risk_country_share:.0%}"),
        ("Overdue / over 90 days", "逾期 / 逾期超过 90 天", f"{m.overdue_share:.0%} / {m.overdue_90_share:.0%}"),
        ("Expected loss (12 months)", "预期损失（12 个月）", f"{m.expected_loss:,.0f} {cur}"),
        ("VaR 99.9 % / ES 99.9 %", "风险价值 / 预期短缺（99.9%）", f"{m.var_999:,.0f} / {m.es_999:,.0f} {cur}"),
    ]


def assessment_pdf(a: Assessment) -> bytes:
    """A two-language PDF (STSong-Light for Chinese, as the ledger's statements); text escaped."""
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=9.5, leading=13)
    head = ParagraphStyle("head", parent=body, fontSize=14, leading=18, spaceAfter=6)
    sub = ParagraphStyle("sub", parent=body, fontSize=11, leading=15, spaceBefore=8)
    out = io.BytesIO()
    story: list[Any] = [Paragraph(escape(f"Receivables protection needs assessment · 应收账款保护需求评估 · "
                                         f"{a.as_of.isoformat()}"), head),
                        Paragraph(escape(a.summary_en), body), Paragraph(escape(a.summary_zh), body), Spacer(1, 8)]
    rows = [[Paragraph(escape(en), body), Paragraph(escape(zh), body), Paragraph(escape(v), body)]
            for en, zh, v in _metric_lines(a)]
    story.append(Table(rows, colWidths=[190, 170, 140]))
    for r in a.recommendations:
        story.append(Paragraph(escape(f"{TOOLS_EN[r.tool]} · {TOOLS_ZH[r.tool]} — {r.fit.replace('_', ' ')} · "
                                      f"{FIT_ZH[r.fit]}"), sub))
        for en, zh in zip(r.reasons_en, r.reasons_zh, strict=True):
            story.append(Paragraph(escape(f"• {en} / {zh}"), body))
    SimpleDocTemplate(out, pagesize=A4, title="arguard needs assessment").build(story)
    return out.getvalue()
