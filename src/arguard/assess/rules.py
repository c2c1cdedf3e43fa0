"""The needs assessment's rules (README rules 1–9): measures of the book, then which protection fits."""

from __future__ import annotations

from collections import defaultdict

from arguard.assess.model import Assessment, BookFacts, Metrics, Recommendation
from arguard.assess.sectors import cyclicality

LONG_TERMS_DAYS = 60
HIGH_PD = 0.05
HIGH_RISK_COUNTRY = 5
TOOLS_EN = {"credit_checks": "stronger credit checks and limits", "secured_terms":
            "prepayment, guarantees or letters of credit for high-risk deals", "insurance":
            "trade credit insurance", "factoring": "factoring"}
TOOLS_ZH = {"credit_checks": "加强信用调查与限额管理", "secured_terms": "高风险交易采用预付款、担保或信用证",
            "insurance": "信用保险", "factoring": "保理"}


def measure(facts: BookFacts) -> Metrics:
    total = sum(p.exposure for p in facts.positions)
    share = (lambda x: x / total) if total > 0 else (lambda x: 0.0)
    sizes = sorted((p.exposure for p in facts.positions), reverse=True)
    by_sector: dict[str, float] = defaultdict(float)
    by_country: dict[str, float] = defaultdict(float)
    for p in facts.positions:
        by_sector[p.sector] += p.exposure
        by_country[p.country] += p.exposure
    termed = [p for p in facts.positions if p.terms_days is not None]
    termed_total = sum(p.exposure for p in termed)
    graded = [p for p in facts.positions if p.pd is not None]
    graded_total = sum(p.exposure for p in graded)
    return Metrics(
        buyers=len(facts.positions), receivables=total,
        terms_days=(sum(p.exposure * (p.terms_days or 0) for p in termed) / termed_total) if termed_total else None,
        long_terms_share=share(sum(p.exposure for p in termed if (p.terms_days or 0) > LONG_TERMS_DAYS)),
        hhi=sum(share(x) ** 2 for x in sizes), top10_share=share(sum(sizes[:10])),
        largest_share=share(sizes[0]) if sizes else 0.0,
        cyclical_share=share(sum(v for k, v in by_sector.items() if cyclicality(k)[0] == "high")),
        sector_shares={k: share(v) for k, v in sorted(by_sector.items(), key=lambda kv: -kv[1])},
        export_share=share(sum(v for k, v in by_country.items() if k != facts.home_country)),
        high_risk_country_share=share(sum(v for k, v in by_country.items()
                                          if (facts.country_class.get(k) or 0) >= HIGH_RISK_COUNTRY)),
        country_shares={k: share(v) for k, v in sorted(by_country.items(), key=lambda kv: -kv[1])},
        ungraded_share=share(total - graded_total),
        high_pd_share=share(sum(p.exposure for p in graded if (p.pd or 0) >= HIGH_PD)),
        weighted_pd=(sum(p.exposure * (p.pd or 0) for p in graded) / graded_total) if graded_total else None,
        overdue_share=facts.overdue_share, overdue_90_share=facts.overdue_90_share,
        expected_loss=facts.expected_loss, var_999=facts.var_999, es_999=facts.es_999,
        capital=facts.var_999 - facts.expected_loss,
        capital_ratio=share(facts.var_999 - facts.expected_loss))


def _fit(strong: list[tuple[str, str]], consider: list[tuple[str, str]], tool: str) -> Recommendation:
    reasons = strong or consider
    fit = "strong" if strong else "consider" if consider else "not_needed"
    return Recommendation(tool, fit, tuple(r[0] for r in reasons), tuple(r[1] for r in reasons))


def recommend(m: Metrics) -> tuple[Recommendation, ...]:
    """Each tool with its fit and reasons; thresholds in README rules 4–8."""
    pct = "{:.0%}".format
    checks_s, checks_c = [], []
    if m.ungraded_share >= 0.20:
        checks_s.append((f"{pct(m.ungraded_share)} of receivables are with buyers never graded",
                         f"{pct(m.ungraded_share)} 的应收账款来自从未评级的买方"))
    elif m.ungraded_share > 0:
        checks_c.append((f"{pct(m.ungraded_share)} of receivables are with ungraded buyers",
                         f"{pct(m.ungraded_share)} 的应收账款来自未评级买方"))
    if m.overdue_90_share >= 0.05:
        checks_s.append((f"{pct(m.overdue_90_share)} is more than 90 days overdue",
                         f"{pct(m.overdue_90_share)} 逾期超过 90 天"))
    elif m.overdue_share >= 0.20:
        checks_c.append((f"{pct(m.overdue_share)} is overdue", f"{pct(m.overdue_share)} 已逾期"))
    if m.weighted_pd is not None and m.weighted_pd >= 0.03:
        checks_s.append((f"exposure-weighted PD {m.weighted_pd:.1%}", f"按敞口加权的违约概率为 {m.weighted_pd:.1%}"))
    secured_s, secured_c = [], []
    for value, en, zh in ((m.high_pd_share, "is with buyers of PD ≥ 5 %", "来自违约概率 ≥ 5% 的买方"),
                          (m.high_risk_country_share, "is in countries of OECD class 5–7",
                           "位于经合组织国家风险 5–7 级的国家")):
        if value >= 0.10:
            secured_s.append((f"{pct(value)} {en}", f"{pct(value)} {zh}"))
        elif value >= 0.03:
            secured_c.append((f"{pct(value)} {en}", f"{pct(value)} {zh}"))
    ins_s, ins_c = [], []
    for value, strong, consider, en, zh in (
            (m.top10_share, 0.50, 0.30, "of receivables are with the ten largest buyers", "集中在前十大买方"),
            (m.largest_share, 0.10, 0.05, "is with the largest buyer", "集中在最大买方"),
            (m.capital_ratio, 0.15, 0.08, "of receivables could be lost in a 1-in-1,000 year (VaR 99.9 % − EL)",
             "的应收账款可能在千年一遇的年份损失（VaR 99.9% − 预期损失）"),
            (m.cyclical_share, 0.60, 0.40, "is with buyers in cyclical sectors", "来自强周期行业的买方"),
            (m.export_share, 0.70, 0.30, "is export receivables", "为出口应收账款")):
        if value >= strong:
            ins_s.append((f"{pct(value)} {en}", f"{pct(value)} {zh}"))
        elif value >= consider:
            ins_c.append((f"{pct(value)} {en}", f"{pct(value)} {zh}"))
    fact_s, fact_c = [], []
    if m.terms_days is not None and m.terms_days >= 75:
        fact_s.append((f"average terms {m.terms_days:.0f} days tie up cash", f"平均账期 {m.terms_days:.0f} 天，占用资金"))
    elif m.terms_days is not None and m.terms_days >= 45:
        fact_c.append((f"average terms {m.terms_days:.0f} days", f"平均账期 {m.terms_days:.0f} 天"))
    if m.long_terms_share >= 0.50:
        fact_s.append((f"{pct(m.long_terms_share)} is on terms over {LONG_TERMS_DAYS} days",
                       f"{pct(m.long_terms_share)} 的账期超过 {LONG_TERMS_DAYS} 天"))
    return (_fit(checks_s, checks_c, "credit_checks"), _fit(secured_s, secured_c, "secured_terms"),
            _fit(ins_s, ins_c, "insurance"), _fit(fact_s, fact_c, "factoring"))


def assess(facts: BookFacts) -> Assessment:
    metrics = measure(facts)
    recs = recommend(metrics)
    strong = [r.tool for r in recs if r.fit == "strong"]
    consider = [r.tool for r in recs if r.fit == "consider"]
    en = ("Fits strongly: " + ", ".join(TOOLS_EN[t] for t in strong) + "." if strong else
          "No tool is pressing.") + (" Worth considering: " + ", ".join(TOOLS_EN[t] for t in consider) + "."
                                     if consider else "")
    zh = ("强烈建议：" + "、".join(TOOLS_ZH[t] for t in strong) + "。" if strong else "暂无迫切需要的工具。") + (
        "可以考虑：" + "、".join(TOOLS_ZH[t] for t in consider) + "。" if consider else "")
    return Assessment(facts.as_of, facts.currency, metrics, recs, en, zh)
