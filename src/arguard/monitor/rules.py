"""The monitoring rules: pure functions from a buyer's facts as of a date to alert drafts.

Each rule kind is one function `(rule, snapshot, as_of) -> list[AlertDraft]` (portfolio rules take a
`PortfolioSnapshot`). Dedupe keys name the fact that raised the alert (rule id, buyer, and the invoice,
event, threshold or period it is about), never the run, so evaluating the same facts again gives the
same keys and merges. Event-driven rules look back `lookback_days` (default 30) from as_of.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import Any, Protocol

from arguard.core.money import Money
from arguard.monitor.model import AlertDraft, BuyerSnapshot, PortfolioSnapshot, RuleConfig, severity_rank


class BuyerRule(Protocol):
    def __call__(self, rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]: ...


class PortfolioRule(Protocol):
    def __call__(self, rule: RuleConfig, portfolio: PortfolioSnapshot, as_of: date) -> list[AlertDraft]: ...


def _draft(rule: RuleConfig, code: str | None, key: str, title: str, evidence: Mapping[str, Any], as_of: date,
           severity: str | None = None, event_id: int | None = None, react: bool = True) -> AlertDraft:
    return AlertDraft(rule_id=rule.id, kind=rule.kind, customer_code=code, severity=severity or rule.severity,
                      dedupe_key=f"{rule.id}:{key}", title=title, evidence=dict(evidence), as_of=as_of,
                      reactions=rule.reactions if react else (), event_id=event_id)


def _m(money: Money | None) -> str | None:
    return None if money is None else f"{money.amount} {money.currency}"


def _pct(part: Decimal, whole: Decimal) -> Decimal:
    return (part * 100 / whole).quantize(Decimal("0.1")) if whole else Decimal(0)


def _p(rule: RuleConfig, name: str, default: Any) -> Any:
    return rule.params.get(name, default)


def _recent(occurred_on: date, as_of: date, rule: RuleConfig) -> bool:
    return as_of - timedelta(days=int(_p(rule, "lookback_days", 30))) < occurred_on <= as_of


# ---------------------------------------------------------------- exposure and overdue

def limit_utilisation(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """Exposure (open receivables + shipped-not-invoiced + released orders) above the credit limit
    (breach) or above `warn_at_pct` % of it. The rule's reactions follow a breach; a warning reacts
    only with `warn_reactions = true`."""
    if snap.limit is None:
        return []
    warn = Decimal(str(_p(rule, "warn_at_pct", 80)))
    limit, exposure = snap.limit.amount, snap.exposure.amount
    pct = _pct(exposure, limit) if limit > 0 else (Decimal(0) if exposure <= 0 else Decimal(10**6))
    if exposure > limit:
        tier, severity = "breach", str(_p(rule, "breach_severity", "high"))
        title = f"{snap.code}: exposure {_m(snap.exposure)} exceeds the limit {_m(snap.limit)}"
    elif exposure > 0 and exposure * 100 >= warn * limit:
        tier, severity = f"warn{warn}", rule.severity
        title = f"{snap.code}: limit {pct}% used"
    else:
        return []
    evidence = {"exposure": _m(snap.exposure), "open_receivables": _m(snap.open_total),
                "shipped_not_invoiced": _m(snap.shipped), "open_orders": _m(snap.orders), "limit": _m(snap.limit),
                "utilisation_pct": str(pct), "warn_at_pct": str(warn)}
    return [_draft(rule, snap.code, f"{snap.code}:{snap.limit.minor}{snap.currency}:{tier}", title, evidence,
                   as_of, severity, react=tier == "breach" or bool(_p(rule, "warn_reactions", False)))]


def overdue_days(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """The highest of `thresholds` (days past due) that items worth at least `min_amount` have crossed.

    Keyed on the threshold and the oldest item that crossed it: a later crossing of the same
    threshold by other items (after the first were paid) is a new fact."""
    thresholds = sorted(int(t) for t in _p(rule, "thresholds", [30, 60, 90]))
    severities = list(_p(rule, "severities", [])) or [rule.severity] * len(thresholds)
    min_amount = Decimal(str(_p(rule, "min_amount", 0)))
    for i in reversed(range(len(thresholds))):
        t = thresholds[i]
        items = [it for it in snap.overdue if it.days_past_due(as_of) >= t]
        amount = sum((it.open.amount for it in items), Decimal(0))
        if not items or amount <= 0 or amount < min_amount:
            continue
        oldest = min(items, key=lambda it: (it.due_date, it.number))
        evidence = {"threshold_days": t, "overdue_amount": f"{amount} {snap.currency}",
                    "oldest_days_past_due": oldest.days_past_due(as_of),
                    "items": [{"number": it.number, "due_date": it.due_date.isoformat(),
                               "days_past_due": it.days_past_due(as_of), "open": _m(it.open)}
                              for it in sorted(items, key=lambda it: it.due_date)[:20]],
                    "item_count": len(items)}
        title = f"{snap.code}: {len(items)} item(s), {amount} {snap.currency}, over {t} days past due"
        return [_draft(rule, snap.code, f"{snap.code}:{t}:{oldest.number}", title, evidence, as_of,
                       severities[min(i, len(severities) - 1)])]
    return []


def overdue_amount(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """Overdue receivables (at least `min_days` past due) above `above` in base currency."""
    above = Decimal(str(_p(rule, "above", 50000)))
    min_days = int(_p(rule, "min_days", 1))
    items = [it for it in snap.overdue if it.days_past_due(as_of) >= min_days]
    total = sum((it.open.amount for it in items), Decimal(0))
    if total <= above or not items:
        return []
    oldest = min(items, key=lambda it: (it.due_date, it.number))
    evidence = {"overdue_amount": f"{total} {snap.currency}", "above": f"{above} {snap.currency}",
                "item_count": len(items), "oldest": oldest.number,
                "oldest_days_past_due": oldest.days_past_due(as_of)}
    return [_draft(rule, snap.code, f"{snap.code}:{oldest.number}", f"{snap.code}: {total} {snap.currency} overdue",
                   evidence, as_of)]


def dbt_trend(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """Days beyond terms rising window after window by at least `min_increase_days` overall."""
    windows = [w for w in snap.dbt if w.paid.amount >= Decimal(str(_p(rule, "min_paid", 0)))]
    need = int(_p(rule, "windows", 3))
    if len(windows) < need:
        return []
    windows = windows[-need:]
    rising = all(b.dbt_days >= a.dbt_days for a, b in pairwise(windows))
    increase = windows[-1].dbt_days - windows[0].dbt_days
    if not rising or increase < Decimal(str(_p(rule, "min_increase_days", 5))):
        return []
    evidence = {"windows": [{"ends_on": w.ends_on.isoformat(), "dbt_days": str(w.dbt_days), "paid": _m(w.paid)}
                            for w in windows], "increase_days": str(increase)}
    return [_draft(rule, snap.code, f"{snap.code}:{as_of:%Y-%m}",
                   f"{snap.code}: days beyond terms up {increase} days", evidence, as_of)]


def missing_rate(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """Open amounts of the buyer left out of every figure (exposure, overdue, limit use) for want of an
    exchange rate into the base currency on or before as_of: the buyer is not being watched in full."""
    if not snap.missing_rates:
        return []
    currencies = [c for c, _ in snap.missing_rates]
    left = ", ".join(f"{m.amount} {c}" for c, m in snap.missing_rates)
    evidence = {"left_out": {c: str(m.amount) for c, m in snap.missing_rates}, "base_currency": snap.currency,
                "rates_needed": [f"{c}/{snap.currency}" for c in currencies]}
    return [_draft(rule, snap.code, f"{snap.code}:{'+'.join(currencies)}",
                   f"{snap.code}: {left} not watched — no {'/'.join(currencies)} rate into {snap.currency} "
                   f"on or before {as_of.isoformat()}", evidence, as_of)]


# ---------------------------------------------------------------- grades, cover, promises, deadlines

def downgrade(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """A grade change in the look-back window that worsens the grade by `min_notches` since the window
    began, or moves it into `into_grades` (8–10 by default; 1 best … 10 insolvent). A buyer's first
    grade is no downgrade: it counts only with `first_grade = true`."""
    changes = sorted((c for c in snap.grade_changes if _recent(c.occurred_on, as_of, rule)),
                     key=lambda c: (c.occurred_on, c.event_id))
    if not changes:
        return []
    latest, baseline = changes[-1], changes[0].from_grade
    if baseline is None and len(changes) > 1:  # graded for the first time in the window: that grade is the base
        baseline = changes[0].to_grade
    elif baseline is None and not bool(_p(rule, "first_grade", False)):
        return []
    into = {int(g) for g in _p(rule, "into_grades", [8, 9, 10])}
    notches = latest.to_grade - baseline if baseline is not None else 0
    entered = latest.to_grade in into and (baseline is None or baseline not in into)
    if notches < int(_p(rule, "min_notches", 2)) and not entered:
        return []
    severity = str(_p(rule, "into_severity", "high")) if entered else rule.severity
    evidence = {"from_grade": baseline, "to_grade": latest.to_grade, "notches": notches,
                "changes": [{"on": c.occurred_on.isoformat(), "from": c.from_grade, "to": c.to_grade}
                            for c in changes]}
    return [_draft(rule, snap.code, f"{snap.code}:{latest.event_id}",
                   f"{snap.code}: grade {baseline} → {latest.to_grade}", evidence, as_of, severity,
                   latest.event_id)]


_CUT = {"withdrawn", "refused", "cancelled"}
_REDUCED = {"reduced", "partly_approved"}


def cover_reduced(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """An insurer decision that withdraws or reduces the buyer's cover."""
    out = []
    for d in snap.cover:
        if not _recent(d.occurred_on, as_of, rule):
            continue
        lower = d.amount is not None and d.previous is not None and d.amount.amount < d.previous.amount
        if d.decision in _CUT:
            severity = str(_p(rule, "withdrawn_severity", "critical"))
        elif d.decision in _REDUCED or lower:
            severity = rule.severity
        else:
            continue
        evidence = {"decision": d.decision, "cover": _m(d.amount), "previous_cover": _m(d.previous),
                    "effective_on": d.effective_on.isoformat() if d.effective_on else None,
                    "reference": d.reference, "exposure": _m(snap.exposure)}
        title = f"{snap.code}: insurer cover {d.decision}" + (f" to {_m(d.amount)}" if d.amount else "")
        out.append(_draft(rule, snap.code, f"{snap.code}:{d.event_id}", title, evidence, as_of, severity,
                          d.event_id))
    return out


def broken_promise(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """A promise to pay not kept within `grace_days` of its date (or reported broken), and a reminder
    `remind_days` before a promise falls due."""
    grace, remind = int(_p(rule, "grace_days", 3)), int(_p(rule, "remind_days", 0))
    out = []
    for p in snap.promises:
        paid = p.paid_until(min(as_of, p.due_on + timedelta(days=grace)))
        evidence = {"promise_id": p.promise_id, "promised": _m(p.amount), "due_on": p.due_on.isoformat(),
                    "made_on": p.made_on.isoformat(), "paid": f"{paid} {p.amount.currency}",
                    "grace_days": grace}
        if as_of > p.due_on + timedelta(days=grace) and paid < p.amount.amount:
            out.append(_draft(rule, snap.code, f"{snap.code}:{p.promise_id}",
                              f"{snap.code}: promise {p.promise_id} to pay {_m(p.amount)} by {p.due_on} broken",
                              evidence, as_of, event_id=p.event_id))
        elif remind and p.due_on - timedelta(days=remind) <= as_of <= p.due_on and paid < p.amount.amount:
            out.append(_draft(rule, snap.code, f"{snap.code}:{p.promise_id}:due",
                              f"{snap.code}: promise {p.promise_id} falls due on {p.due_on}", evidence, as_of,
                              str(_p(rule, "remind_severity", "info")), p.event_id))
    for e in snap.events:
        if e.kind == "promise.broken" and _recent(e.occurred_on, as_of, rule):
            pid = str(e.details.get("promise_id") or e.id)
            out.append(_draft(rule, snap.code, f"{snap.code}:{pid}", f"{snap.code}: promise {pid} reported broken",
                              {"promise_id": pid, **dict(e.details)}, as_of, event_id=e.id))
    return out


def insurance_deadline(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """A policy deadline within `warn_days` (each stage its own alert) or missed."""
    stages = sorted((int(d) for d in _p(rule, "warn_days", [14, 3])), reverse=True)
    severities = list(_p(rule, "severities", [])) or [rule.severity] * len(stages)
    out = []
    for d in snap.deadlines:
        if d.met:
            continue
        left = (d.deadline_on - as_of).days
        evidence = {"reference": d.reference, "deadline_kind": d.kind, "deadline_on": d.deadline_on.isoformat(),
                    "days_left": left, "exposure": _m(snap.exposure)}
        if left < 0:
            if left >= -int(_p(rule, "missed_lookback_days", 30)):
                out.append(_draft(rule, snap.code, f"{snap.code}:{d.reference}:missed",
                                  f"{snap.code}: {d.kind} deadline {d.deadline_on} missed", evidence, as_of,
                                  str(_p(rule, "missed_severity", "critical")), d.event_id))
            continue
        hit = [i for i, s in enumerate(stages) if left <= s]
        if hit:
            i = hit[-1]
            out.append(_draft(rule, snap.code, f"{snap.code}:{d.reference}:{stages[i]}",
                              f"{snap.code}: {d.kind} deadline in {left} day(s) ({d.deadline_on})", evidence,
                              as_of, severities[min(i, len(severities) - 1)], d.event_id))
    return out


# ---------------------------------------------------------------- external events and countries

def adverse_event(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """Each recent external event of the configured `types` (a rating change only when it goes down)."""
    types = set(_p(rule, "types", ["insolvency.filing", "legal.action", "payment.default", "news.negative",
                                   "rating.changed"]))
    out = []
    for e in snap.events:
        if e.kind not in types or not _recent(e.occurred_on, as_of, rule):
            continue
        if e.kind == "rating.changed" and str(e.details.get("direction", "down")).lower() != "down":
            continue
        summary = e.details.get("headline") or e.details.get("description") or e.details.get("case_number") or ""
        title = f"{snap.code}: {e.kind}" + (f" — {summary}" if summary else "")
        evidence = {"event_type": e.kind, "occurred_on": e.occurred_on.isoformat(), "details": dict(e.details),
                    "exposure": _m(snap.exposure)}
        out.append(_draft(rule, snap.code, f"{snap.code}:{e.id}", title[:250], evidence, as_of, event_id=e.id))
    return out


def country_risk(rule: RuleConfig, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """The buyer's country worsened by `min_increase` classes, or into `into_classes`, while the buyer
    owes money (unless `only_with_exposure = false`)."""
    if bool(_p(rule, "only_with_exposure", True)) and snap.exposure.amount <= 0:
        return []
    into = {int(c) for c in _p(rule, "into_classes", [6, 7])}
    out = []
    for c in snap.country_changes:
        if c.country != snap.country or not _recent(c.valid_from, as_of, rule):
            continue
        rise = c.to_class - c.from_class if c.from_class is not None else 0
        entered = c.to_class in into and (c.from_class is None or c.from_class not in into)
        if rise < int(_p(rule, "min_increase", 1)) and not entered:
            continue
        evidence = {"country": c.country, "from_class": c.from_class, "to_class": c.to_class,
                    "valid_from": c.valid_from.isoformat(), "exposure": _m(snap.exposure)}
        out.append(_draft(rule, snap.code, f"{snap.code}:{c.country}:{c.valid_from.isoformat()}",
                          f"{snap.code}: country {c.country} risk class {c.from_class} → {c.to_class}", evidence,
                          as_of, event_id=c.event_id))
    return out


# ---------------------------------------------------------------- portfolio

def concentration(rule: RuleConfig, portfolio: PortfolioSnapshot, as_of: date) -> list[AlertDraft]:
    """One buyer, country or sector (`dimension`) holding more than `above_pct` % of open receivables.
    Keyed per month, so a lasting concentration is raised again at most once a month after resolution."""
    dim = str(_p(rule, "dimension", "buyer"))
    above = Decimal(str(_p(rule, "above_pct", 20)))
    total = portfolio.total.amount
    if total <= 0:
        return []
    out = []
    for value, amount in sorted(portfolio.by_dimension.get(dim, {}).items()):
        share = _pct(amount.amount, total)
        if share <= above:
            continue
        evidence = {"dimension": dim, "value": value, "share_pct": str(share), "above_pct": str(above),
                    "amount": _m(amount), "total": _m(portfolio.total)}
        out.append(_draft(rule, value if dim == "buyer" else None, f"{dim}:{value}:{as_of:%Y-%m}",
                          f"{dim} {value} holds {share}% of receivables", evidence, as_of))
    return out


BUYER_RULES: dict[str, BuyerRule] = {
    "limit_utilisation": limit_utilisation,
    "overdue_days": overdue_days,
    "overdue_amount": overdue_amount,
    "dbt_trend": dbt_trend,
    "missing_rate": missing_rate,
    "downgrade": downgrade,
    "cover_reduced": cover_reduced,
    "broken_promise": broken_promise,
    "insurance_deadline": insurance_deadline,
    "adverse_event": adverse_event,
    "country_risk": country_risk,
}
PORTFOLIO_RULES: dict[str, PortfolioRule] = {"concentration": concentration}
RULE_KINDS: tuple[str, ...] = (*BUYER_RULES, *PORTFOLIO_RULES)


def rank(draft: AlertDraft) -> int:
    return severity_rank(draft.severity)
