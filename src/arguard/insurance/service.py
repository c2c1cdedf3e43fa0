"""Credit insurance service: policies, the buyers and open items the rules see, obligations, stop supply,
alerts and insured exposure. Claims, declarations and limits: `service_claims.py`.

Reads are set-based: one statement for every open invoice of the book (`ledger.interface.
open_invoices_bulk`), one for every buyer's cover (`limits.interface.cover_spans`), one each for tags,
notifications and claims; the rules (`rules.py`) run over them in Python.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from arguard.core.collector import many_records
from arguard.core.errors import ImportRejected, NotFound, ValidationError
from arguard.core.money import Money, exponent
from arguard.insurance import rules
from arguard.insurance.model import BUYER_TAGS, InsuredBuyer, InsuredItem, ObligationsReport, Policy
from arguard.insurance.policy import parse_policy, policy_terms
from arguard.insurance.policy_io import load_policy_text
from arguard.insurance.tables import BuyerTag, Claim, InsurancePolicyRow, Notification, StopSupply
from arguard.ledger import interface as ledger
from arguard.limits import interface as limits
from arguard.platform.context import ServiceContext

STOP_SUPPLY_CAUSE = "insurance.stop_supply"


# ---------------------------------------------------------------- policies

def parse_policy_file(text: str, source: str) -> Policy:
    """The policy a file describes, or ImportRejected naming every bad key."""
    policy, issues = load_policy_text(text, source)
    if policy is None:
        where = source if issues[0].line is None else f"{source} line {issues[0].line}"
        raise ImportRejected(f"{where}: " + "; ".join(f"{i.field or 'file'}: {i.reason}" for i in issues),
                             code="invalid_policy")
    return policy


def load_policy(ctx: ServiceContext, text: str, source: str) -> tuple[Policy, bool]:
    """Store the policy a file describes for the company (replacing the same policy number's terms).
    Returns (policy, created). Admin or credit manager; audited."""
    ctx.require("credit_manager")
    policy = parse_policy_file(text, source)
    row = ctx.session.scalar(select(InsurancePolicyRow).where(
        InsurancePolicyRow.company_id == ctx.company_id, InsurancePolicyRow.policy_number == policy.policy_number))
    terms = policy_terms(policy)
    before = None if row is None else row.terms
    if row is None:
        row = InsurancePolicyRow(company_id=ctx.company_id, policy_number=policy.policy_number, terms=terms,
                                 insurer=policy.insurer, currency=policy.currency, start_on=policy.start,
                                 end_on=policy.end, actor=ctx.actor)
        ctx.session.add(row)
    else:
        row.terms, row.insurer, row.currency = terms, policy.insurer, policy.currency
        row.start_on, row.end_on, row.actor = policy.start, policy.end, ctx.actor
    ctx.session.flush()
    ctx.audit("insurance.policy_load", "insurance_policy", policy.policy_number, reason=f"loaded from {source}",
              before=before, after=terms)
    return policy, before is None


def list_policies(ctx: ServiceContext) -> list[Policy]:
    rows = ctx.session.scalars(select(InsurancePolicyRow).where(InsurancePolicyRow.company_id == ctx.company_id)
                               .order_by(InsurancePolicyRow.start_on, InsurancePolicyRow.policy_number))
    return [_policy_of(r) for r in rows]


def _policy_of(row: InsurancePolicyRow) -> Policy:
    policy, issues = parse_policy(row.terms, f"policy {row.policy_number}")
    assert policy is not None, issues
    return policy


def get_policy(ctx: ServiceContext, policy_number: str | None = None, as_of: date | None = None) -> Policy:
    """A stored policy by number; without one, the policy whose period contains `as_of` (the latest
    starting one when several do), else the latest."""
    policies = list_policies(ctx)
    if policy_number is not None:
        for p in policies:
            if p.policy_number == policy_number:
                return p
        raise NotFound(f"no policy {policy_number!r}", code="policy_not_found")
    if not policies:
        raise NotFound("no credit insurance policy is loaded (arguard insurance policy load FILE)",
                       code="policy_not_found")
    current = [p for p in policies if as_of is not None and p.start <= as_of <= p.end]
    return (current or policies)[-1]


# ---------------------------------------------------------------- what the rules see

def tag_buyer(ctx: ServiceContext, code: str, tag: str, on: bool = True) -> None:
    """Mark (or unmark) a buyer as affiliate, public buyer or private person. Audited."""
    ctx.require("analyst")
    if tag not in BUYER_TAGS:
        raise ValidationError(f"unknown tag {tag!r}; tags are {', '.join(BUYER_TAGS)}", code="invalid_tag")
    _known_buyer(ctx, code)
    row = ctx.session.scalar(select(BuyerTag).where(BuyerTag.company_id == ctx.company_id,
                                                    BuyerTag.customer_code == code, BuyerTag.tag == tag))
    if on and row is None:
        ctx.session.add(BuyerTag(company_id=ctx.company_id, customer_code=code, tag=tag))
    elif not on and row is not None:
        ctx.session.delete(row)
    ctx.session.flush()
    ctx.audit("insurance.buyer_tag", "customer", code, after={"tag": tag, "on": on})


def _known_buyer(ctx: ServiceContext, code: str) -> None:
    if not ledger.customers_by_code(ctx, [code]):
        raise NotFound(f"no customer {code!r}", code="customer_not_found")


def _rates(ctx: ServiceContext) -> Any:
    return ledger.fx_table(ctx)


def insured_items(ctx: ServiceContext, policy: Policy, as_of: date, in_period_only: bool = False,
                  ) -> tuple[list[InsuredItem], dict[str, str], dict[str, int]]:
    """Every open invoice as of `as_of` in policy currency (converted at the latest rate on or before
    as_of), and each buyer's country. One statement. Invoices in a currency without a rate to the policy
    currency are left out and counted: (items, countries, {currency: invoices left out}).
    `in_period_only`: only invoices delivered in the policy period (all the obligations report needs:
    deliveries outside the period neither are covered nor use the limit, README rule 6)."""
    rows = (ledger.open_invoices_bulk(ctx, as_of, policy.start, policy.end) if in_period_only
            else ledger.open_invoices_bulk(ctx, as_of))
    cur = policy.currency
    fx = _rates(ctx) if any(r.currency != cur for r in rows) else None
    convert: dict[str, Callable[[int], int] | None] = {}
    items: list[InsuredItem] = []
    skipped: dict[str, int] = {}
    append, new, item = items.append, tuple.__new__, InsuredItem
    for number, code, _country, issued, due, currency, _amount, minor, disputed in rows:
        if currency != cur:
            if currency not in convert:
                f = _minor_factor(fx, currency, cur, as_of)
                convert[currency] = None if f is None else rules.times_half_even(f)
            to_policy = convert[currency]
            if to_policy is None:
                skipped[currency] = skipped.get(currency, 0) + 1
                continue
            minor = to_policy(minor)
        append(new(item, (number, code, issued, due, minor, disputed)))
    return items, {r.customer_code: r.country for r in rows}, skipped


def _minor_factor(fx: Any, source: str, target: str, on: date) -> Decimal | None:
    """Minor units of `target` per minor unit of `source` at the rate on `on` (None: no rate)."""
    try:
        rate = fx.rate(source, target, on)
    except ValidationError:
        return None
    return Decimal(rate).scaleb(exponent(target) - exponent(source))


def insured_buyers(ctx: ServiceContext, policy: Policy, as_of: date, countries: dict[str, str],
                   ) -> dict[str, InsuredBuyer]:
    """What the policy's rules know of each buyer: tags, cover spans, notifications, claims."""
    c = ctx.company_id
    fx = None
    spans: dict[str, tuple[tuple[date, date | None, int], ...]] = {}
    for code, found in limits.cover_spans(ctx, policy.discretionary_max).items():
        kept = []
        for start, end, amount in found:
            if amount is None:
                continue
            if amount.currency != policy.currency:
                fx = fx or _rates(ctx)
                amount = fx.convert(amount, policy.currency, as_of)
            kept.append((start, end, amount.minor))
        spans[code] = tuple(kept)
    tags: dict[str, set[str]] = {}
    for code, tag in ctx.session.execute(select(BuyerTag.customer_code, BuyerTag.tag).where(BuyerTag.company_id == c)):
        tags.setdefault(code, set()).add(tag)
    notes: dict[str, list[Any]] = {}
    for n in ctx.session.execute(select(Notification.customer_code, Notification.kind, Notification.event_on,
                                        Notification.notified_on).where(
            Notification.company_id == c, Notification.policy_number == policy.policy_number)
            .order_by(Notification.id)):
        notes.setdefault(n.customer_code, []).append(n)
    filed: dict[str, date] = {}
    for code, on in ctx.session.execute(select(Claim.customer_code, Claim.filed_on).where(
            Claim.company_id == c, Claim.policy_number == policy.policy_number, Claim.filed_on.is_not(None))):
        if on is not None:
            filed[code] = min(on, filed.get(code, on))
    out: dict[str, InsuredBuyer] = {}
    for code in set(countries) | set(spans) | set(tags) | set(notes):
        ns = notes.get(code, [])
        overdue = tuple(sorted(n.notified_on for n in ns if n.kind == "overdue" and n.notified_on is not None))
        adverse = [n for n in ns if n.kind == "adverse_event" and n.event_on is not None]
        first = min(adverse, key=lambda n: n.event_on or date.max) if adverse else None
        out[code] = InsuredBuyer(code=code, country=countries.get(code, ""), tags=frozenset(tags.get(code, ())),
                                 cover=spans.get(code, ()), notifications=overdue,
                                 adverse_event_on=first.event_on if first else None,
                                 adverse_notified_on=first.notified_on if first else None,
                                 claim_filed_on=filed.get(code))
    return out


def obligations_report(ctx: ServiceContext, policy: Policy, as_of: date, due_soon_days: int = rules.DUE_SOON_DAYS,
                       ) -> tuple[ObligationsReport, dict[str, InsuredBuyer]]:
    """Obligations of every overdue invoice delivered in the policy period as of `as_of` (README rules 5–10)."""
    with many_records():
        items, countries, skipped = insured_items(ctx, policy, as_of, in_period_only=True)
        buyers = insured_buyers(ctx, policy, as_of, countries)
        report = rules.obligations(policy, buyers, items, as_of, due_soon_days)
    return replace(report, unconverted=skipped), buyers


def money_text(minor: int, currency: str) -> str:
    """Minor units as the decimal string of the amount ('1111.05'), without building a Money."""
    return _money_text_of(exponent(currency))(minor)


def _money_text_of(digits: int) -> Callable[[int], str]:
    """`money_text` for a currency with `digits` decimals."""
    if digits == 0:
        return str
    unit = 10 ** digits

    def text(minor: int) -> str:
        if minor < 0:
            return f"-{-minor // unit}.{-minor % unit:0{digits}d}"
        return f"{minor // unit}.{minor % unit:0{digits}d}"
    return text


class _IsoDates(dict[date | None, str | None]):
    """date → ISO text (None → None), each distinct date written once."""

    def __missing__(self, day: date) -> str:
        found = self[day] = day.isoformat()
        return found


def check(ctx: ServiceContext, policy: Policy, as_of: date) -> dict[str, Any]:
    """The obligations and compliance of the stored ledger under `policy` (the contract JSON shape)."""
    with many_records():
        report, _ = obligations_report(ctx, policy, as_of)
        return check_json(report)


def check_json(report: ObligationsReport) -> dict[str, Any]:
    cur = report.currency
    money = _money_text_of(exponent(cur))
    iso = _IsoDates({None: None})
    zero = money(0)
    obligations: list[dict[str, Any]] = []
    append = obligations.append
    counts = {"missed": 0, "due_soon": 0}
    at_stake = {"missed": 0, "due_soon": 0}
    for o in report.obligations:
        status, cover, stake = o.status, o.cover, o.at_stake_minor
        open_text = money(o.open_minor)
        append({
            "invoice_number": o.number, "customer_id": o.customer_code, "delivered_on": iso[o.delivered_on],
            "due_date": iso[o.due_date], "days_overdue": o.days_overdue,
            "open_amount": open_text, "mep_end": iso[o.mep_end],
            "notification_deadline": iso[o.notification_deadline], "notified_on": iso[o.notified_on],
            "claim_deadline": iso[o.claim_deadline], "waiting_period_end": iso[o.waiting_period_end],
            "adverse_event_deadline": iso[o.adverse_event_deadline],
            "status": status, "covered": cover.covered,
            "covered_amount": open_text if cover.covered_minor == o.open_minor else money(cover.covered_minor),
            "reasons": list(cover.reasons), "disputed": o.disputed,
            "amount_at_stake": money(stake) if stake else zero})
        if status in counts:
            counts[status] += 1
            at_stake[status] += stake
    return {"policy_number": report.policy_number, "as_of": report.as_of.isoformat(), "currency": cur,
            "obligations": obligations,
            "compliance": {"missed": counts["missed"], "due_soon": counts["due_soon"],
                           "missed_at_stake": money(at_stake["missed"]),
                           "due_soon_at_stake": money(at_stake["due_soon"])},
            "stop_supply": {code: d.isoformat() for code, d in sorted(report.stop_supply.items())},
            "unconverted": dict(sorted(report.unconverted.items()))}


# ---------------------------------------------------------------- notifications

def record_notification(ctx: ServiceContext, policy_number: str, code: str, kind: str, *, notified_on: date | None,
                        event_on: date | None = None, amount: Money | None = None, reference: str | None = None,
                        details: str | None = None) -> Notification:
    """Record an overdue notification sent (notified_on) or an adverse event learned (event_on; notified_on
    when it was notified, None while still to do). Audited."""
    ctx.require("analyst")
    policy = get_policy(ctx, policy_number)
    if kind not in ("overdue", "adverse_event"):
        raise ValidationError("a notification is 'overdue' or 'adverse_event'", code="invalid_notification")
    if kind == "overdue" and notified_on is None:
        raise ValidationError("an overdue notification has the day it was sent", code="invalid_notification")
    if kind == "adverse_event" and event_on is None:
        raise ValidationError("an adverse event has the day the seller learned of it", code="invalid_notification")
    _known_buyer(ctx, code)
    if kind == "adverse_event":
        row = ctx.session.scalar(select(Notification).where(
            Notification.company_id == ctx.company_id, Notification.policy_number == policy_number,
            Notification.customer_code == code, Notification.kind == kind, Notification.event_on == event_on))
        if row is not None:
            row.notified_on = notified_on or row.notified_on
            ctx.session.flush()
            ctx.audit("insurance.notify", "customer", code, after={"kind": kind, "event_on": event_on,
                                                                   "notified_on": row.notified_on})
            return row
    row = Notification(company_id=ctx.company_id, policy_number=policy_number, customer_code=code, kind=kind,
                       event_on=event_on, notified_on=notified_on, currency=policy.currency,
                       amount_minor=None if amount is None else amount.minor, reference=reference, details=details,
                       actor=ctx.actor)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("insurance.notify", "customer", code, after={
        "policy": policy_number, "kind": kind, "event_on": event_on, "notified_on": notified_on,
        "amount": None if amount is None else str(amount.amount), "reference": reference})
    return row


def list_notifications(ctx: ServiceContext, policy_number: str | None = None) -> list[Notification]:
    q = select(Notification).where(Notification.company_id == ctx.company_id)
    if policy_number:
        q = q.where(Notification.policy_number == policy_number)
    return list(ctx.session.scalars(q.order_by(Notification.id.desc())))


# ---------------------------------------------------------------- stop supply and alerts

def sync_stop_supply(ctx: ServiceContext, policy: Policy, as_of: date,
                     report: ObligationsReport | None = None) -> dict[str, list[str]]:
    """Hold the orders of every buyer on stop supply (through limits' order block) and lift our own hold
    for buyers no longer on it. Returns {'held': [...], 'lifted': [...]}."""
    ctx.require("analyst")
    if report is None:
        report, _ = obligations_report(ctx, policy, as_of)
    active = {r.customer_code: r for r in ctx.session.scalars(select(StopSupply).where(
        StopSupply.company_id == ctx.company_id, StopSupply.policy_number == policy.policy_number,
        StopSupply.lifted_on.is_(None)))}
    held, lifted = [], []
    for code, since in sorted(report.stop_supply.items()):
        if code in active:
            continue
        ctx.session.add(StopSupply(company_id=ctx.company_id, policy_number=policy.policy_number,
                                   customer_code=code, since=since))
        limits.set_order_block(ctx, code, True, f"credit insurance {policy.policy_number}: stop supply since "
                               f"{since} (deliveries from then are not covered)", cause=STOP_SUPPLY_CAUSE)
        held.append(code)
    for code, row in sorted(active.items()):
        if code not in report.stop_supply:
            row.lifted_on = as_of
            limits.set_order_block(ctx, code, False, f"credit insurance {policy.policy_number}: stop supply lifted",
                                   cause=STOP_SUPPLY_CAUSE)
            lifted.append(code)
    ctx.session.flush()
    return {"held": held, "lifted": lifted}


def stop_supply_of(ctx: ServiceContext, code: str) -> date | None:
    """The date a buyer has been on stop supply since under any policy (None: it is not)."""
    return ctx.session.scalar(select(StopSupply.since).where(
        StopSupply.company_id == ctx.company_id, StopSupply.customer_code == code, StopSupply.lifted_on.is_(None))
        .order_by(StopSupply.since).limit(1))


def post_deadline_alerts(ctx: ServiceContext, policy: Policy, as_of: date,
                         report: ObligationsReport | None = None, max_buyers: int | None = None) -> int:
    """Tell monitoring of each buyer's next open deadline (due soon or missed): one `insurance.deadline`
    event per buyer and deadline; monitoring's rule raises the alert. Returns the events posted."""
    from arguard.monitor.interface import post_event
    from arguard.monitor.model import EventRecord

    if report is None:
        report, _ = obligations_report(ctx, policy, as_of)
    firsts: dict[str, tuple[date, str]] = {}
    for o in report.obligations:
        if o.status not in ("due_soon", "missed"):
            continue
        if o.status == "missed":
            when, kind = o.notification_deadline if o.notified_on is None else o.claim_deadline, "missed"
        else:
            when, kind = o.next_deadline or o.notification_deadline, "open"
        if o.customer_code not in firsts or when < firsts[o.customer_code][0]:
            firsts[o.customer_code] = (when, kind)
    posted = 0
    # the most urgent first (missed, then the nearest deadline) when only some are posted
    ordered = sorted(firsts.items(), key=lambda kv: (kv[1][1] != "missed", kv[1][0], kv[0]))
    for code, (when, kind) in ordered[:max_buyers]:
        ref = f"{policy.policy_number}:{code}:{when.isoformat()}"
        _, created, _ = post_event(ctx, EventRecord(
            "insurance.deadline", code, as_of,
            {"reference": ref, "kind": "overdue_notification", "deadline_on": when.isoformat(),
             "status": "open"}, external_id=f"ins-{ref}"), as_of, source="insurance")
        posted += int(created)
    return posted


# ---------------------------------------------------------------- insured exposure

def insured_exposure(ctx: ServiceContext, code: str, as_of: date, policy_number: str | None = None,
                     ) -> dict[str, Any]:
    """A buyer's exposure (open invoices), net insured part (covered open amounts × indemnity %) and the
    uninsured rest, in the policy currency, with its stop-supply date."""
    policy = get_policy(ctx, policy_number, as_of)
    items, countries, _ = insured_items(ctx, policy, as_of)
    mine = [i for i in items if i.customer_code == code]
    buyers = insured_buyers(ctx, policy, as_of, countries or {code: ""})
    buyer = buyers.get(code) or InsuredBuyer(code=code, country=countries.get(code, ""))
    exposure, insured, uninsured = rules.insured_position(policy, buyer, mine, as_of)
    stop = rules.stop_supply_from(policy, buyer, [i for i in mine if policy.covers_delivery_on(i.delivered_on)],
                                  as_of)
    limit = buyer.limit_on(as_of)
    cur = policy.currency
    return {"customer": code, "policy_number": policy.policy_number, "as_of": as_of.isoformat(), "currency": cur,
            "exposure": money_text(exposure, cur), "insured_limit": None if limit is None else money_text(limit, cur),
            "net_insured": money_text(insured, cur), "uninsured": money_text(uninsured, cur),
            "stop_supply_from": stop.isoformat() if stop else None,
            "excluded": list(rules.exclusion_reasons(policy, buyer))}
