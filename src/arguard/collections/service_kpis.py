"""Collections KPIs: CEI (the ledger's rule), recovery rate of cases, promise-kept rate, amounts per dunning
level and each collector's performance over a period."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from arguard.collections.service import amounts_per_level
from arguard.collections.service_cases import case_balance
from arguard.collections.service_work import worklist
from arguard.collections.tables import Assignment, CaseEntry, CaseRow, Contact, PromiseRow
from arguard.core.money import Money
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext


def _rate(num: Decimal, den: Decimal) -> str | None:
    return None if den == 0 else str((num / den * 100).quantize(Decimal("0.1")))


def recovery_rate(ctx: ServiceContext, as_of: date) -> dict[str, Any]:
    """Recovered ÷ claimed (principal + interest + costs) over every case opened on or before as_of, in
    the base currency at as_of's rates."""
    base, fx = ledger.base_currency(ctx), ledger.fx_table(ctx)
    claimed = recovered = Money.zero(base)
    cases = list(ctx.session.scalars(select(CaseRow).where(CaseRow.company_id == ctx.company_id,
                                                           CaseRow.opened_on <= as_of)))
    entries: dict[int, list[CaseEntry]] = {}
    for e in ctx.session.scalars(select(CaseEntry).where(CaseEntry.company_id == ctx.company_id,
                                                         CaseEntry.entry_on <= as_of)):
        entries.setdefault(e.case_id, []).append(e)
    for c in cases:
        es = entries.get(c.id, [])
        bal = case_balance(c, es)
        total = Money.from_minor(c.principal_minor + c.interest_minor + c.costs_minor
                                 + sum(e.amount_minor for e in es if e.kind == "cost"), c.currency)
        claimed += total if total.currency == base else fx.convert(total, base, as_of)
        recovered += bal.recovered if bal.recovered.currency == base else fx.convert(bal.recovered, base, as_of)
    return {"cases": len(cases), "claimed": str(claimed.amount), "recovered": str(recovered.amount),
            "currency": base, "recovery_rate_pct": _rate(recovered.amount, claimed.amount)}


def promise_kept_rate(ctx: ServiceContext, since: date, as_of: date) -> dict[str, Any]:
    """Kept ÷ settled (kept + broken) among promises falling due in (since, as_of]."""
    rows = ctx.session.execute(select(PromiseRow.status).where(
        PromiseRow.company_id == ctx.company_id, PromiseRow.due_on > since, PromiseRow.due_on <= as_of)).scalars()
    counts = {"open": 0, "kept": 0, "broken": 0}
    for s in rows:
        counts[s] = counts.get(s, 0) + 1
    return {**counts, "promise_kept_rate_pct": _rate(Decimal(counts["kept"]),
                                                     Decimal(counts["kept"] + counts["broken"]))}


def collector_performance(ctx: ServiceContext, since: date, as_of: date) -> list[dict[str, Any]]:
    """Per collector: buyers assigned, overdue on the worklist now, contacts logged, promises obtained and
    kept in the period."""
    owners = dict(ctx.session.execute(select(Assignment.customer_code, Assignment.collector)
                                      .where(Assignment.company_id == ctx.company_id)).all())
    stats: dict[str, dict[str, Any]] = {}

    def of(collector: str) -> dict[str, Any]:
        return stats.setdefault(collector, {"collector": collector, "buyers": 0, "overdue": Decimal(0), "contacts": 0,
                                            "promises": 0, "kept": 0, "broken": 0})

    for collector in owners.values():
        of(collector)["buyers"] += 1
    items, _ = worklist(ctx, as_of, limit=10**9)
    for w in items:
        of(w.collector or "-")["overdue"] += w.overdue.amount
    for actor, code in ctx.session.execute(select(Contact.actor, Contact.customer_code).where(
            Contact.company_id == ctx.company_id, Contact.contacted_on > since, Contact.contacted_on <= as_of)):
        of(owners.get(code, actor))["contacts"] += 1
    for code, status in ctx.session.execute(select(PromiseRow.customer_code, PromiseRow.status).where(
            PromiseRow.company_id == ctx.company_id, PromiseRow.made_on > since, PromiseRow.made_on <= as_of)):
        s = of(owners.get(code, "-"))
        s["promises"] += 1
        if status in ("kept", "broken"):
            s[status] += 1
    out = []
    for s in sorted(stats.values(), key=lambda s: s["collector"]):
        out.append({**s, "overdue": str(s["overdue"]),
                    "promise_kept_rate_pct": _rate(Decimal(s["kept"]), Decimal(s["kept"] + s["broken"]))})
    return out


def kpis(ctx: ServiceContext, as_of: date, period_days: int = 90) -> dict[str, Any]:
    """Every collections KPI as of a date over the period (as_of − period_days, as_of]."""
    since = as_of - timedelta(days=period_days)
    cei = [{"currency": f.currency, "cei_pct": None if f.cei is None else str(f.cei)}
           for f in ledger.dso_report(ctx, as_of, period_days)]
    return {"as_of": as_of.isoformat(), "period_days": period_days, "cei": cei,
            "recovery": recovery_rate(ctx, as_of), "promises": promise_kept_rate(ctx, since, as_of),
            "per_level": amounts_per_level(ctx, as_of),
            "collectors": collector_performance(ctx, since, as_of)}
