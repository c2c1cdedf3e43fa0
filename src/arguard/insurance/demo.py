"""Demo step: a credit insurance policy (this year's and last year's) over the demo book, with live
obligations (some buyers notified on time, some late, some not yet), turnover declarations with premium,
an overdue declaration sent and one pending, a claim paid with a recovery and a claim filed, buyers on
stop supply held through the order check, and deadline alerts for a few buyers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from random import Random

from arguard.core.errors import ArguardError
from arguard.core.money import Money
from arguard.demo.model import DemoWorld
from arguard.insurance import rules, service, service_claims
from arguard.insurance.terms import declaration_periods
from arguard.limits import interface as limits
from arguard.platform.context import ServiceContext

MAX_ALERT_BUYERS = 20       # each alert re-evaluates its buyer in monitoring; keep the large demo quick


def policy_text(number: str, currency: str, start: date, end: date) -> str:
    return f"""policy_number: {number}
insurer: Demo Credit Insurance 示例信用保险
currency: {currency}
period: {{start: {start}, end: {end}}}
indemnity_pct: {{commercial: 90, political: 90}}
max_credit_period_days: 120
max_extension_days: 60
overdue_notification_days: 30
adverse_event_notification_days: 10
claim_filing_days: 60
waiting_period_days: 150
insolvency_payout_days: 30
deductible_per_claim: 0
aggregate_first_loss: 5000
non_qualifying_loss: 500
max_liability: {{multiple_of_premium: 30}}
premium: {{rate_pct: 0.18, minimum: 20000, declaration: quarterly, buyer_fee: "12.00"}}
discretionary_limit: {{max_amount: 50000, conditions: [credit report under 12 months, no overdue over 60 days]}}
exclusions: {{countries: [], affiliates: true, public_buyers: true, private_persons: true}}
"""


def insurance_demo(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    cur, as_of = world.base_currency, world.as_of
    start = as_of - timedelta(days=300)
    service.load_policy(ctx, policy_text(f"DEMO-{start.year}", cur, start, start + timedelta(days=364)), "demo")
    service.load_policy(ctx, policy_text(f"DEMO-{start.year - 1}", cur, start - timedelta(days=365),
                                         start - timedelta(days=1)), "demo")
    policy = service.get_policy(ctx, f"DEMO-{start.year}")
    report, _ = service.obligations_report(ctx, policy, as_of)
    covered = [o for o in report.obligations if o.cover.covered]
    by_buyer: dict[str, list] = {}
    for o in covered:
        by_buyer.setdefault(o.customer_code, []).append(o)
    claimed = _claims(ctx, world, policy, by_buyer, rng)
    # notifications: most buyers whose MEP has ended were notified on time, a few late, some not yet
    for code, obs in sorted(by_buyer.items()):
        first = min(obs, key=lambda o: o.notification_deadline)
        if code in claimed or first.mep_end >= as_of:
            continue
        roll = rng.random()
        if roll < 0.6:
            on = min(as_of, first.mep_end + timedelta(days=rng.randint(1, 25)))
        elif roll < 0.7:
            on = first.notification_deadline + timedelta(days=rng.randint(1, 10))
        else:
            continue
        if on <= as_of:
            service.record_notification(ctx, policy.policy_number, code, "overdue", notified_on=on,
                                        reference=f"demo notification {code}")
    for period in declaration_periods(policy):
        if period[1] <= as_of:
            row = service_claims.declare_turnover(ctx, policy, period)
            service_claims.mark_sent(ctx, row.id, period[1] + timedelta(days=10))
    service_claims.declare_overdue(ctx, policy, as_of)
    report, _ = service.obligations_report(ctx, policy, as_of)
    service.sync_stop_supply(ctx, policy, as_of, report)
    service.post_deadline_alerts(ctx, policy, as_of, report, max_buyers=MAX_ALERT_BUYERS)
    _limit_requests(ctx, policy, as_of)


def _claims(ctx: ServiceContext, world: DemoWorld, policy, by_buyer: dict, rng: Random) -> set[str]:  # type: ignore[no-untyped-def]
    """A paid claim with a recovery (opened four months ago) and a filed claim (opened three weeks ago),
    on buyers picked from the book as it is on the day each claim is opened (`_claimable`): whatever limits
    and cover the limits step gave, the demo has both. Should no buyer have a loss the policy covers, the
    insurer is taken to have insured the largest defaulted (else overdue) buyers for the policy years."""
    as_of = world.as_of
    done: set[str] = set()
    for attempt in range(2):
        for days in (120, 90, 60):
            if len(done) < 1 and _claim(ctx, world, policy, by_buyer, as_of - timedelta(days=days), done, rng,
                                        paid=True):
                break
        for days in (20, 10, 35):
            if len(done) < 2 and _claim(ctx, world, policy, by_buyer, as_of - timedelta(days=days), done, rng,
                                        paid=False):
                break
        if len(done) == 2 or attempt == 1:
            break
        _insure_claim_candidates(ctx, world, policy, done)
    return done


def _claim(ctx: ServiceContext, world: DemoWorld, policy, by_buyer: dict, opened: date, done: set[str],  # type: ignore[no-untyped-def]
           rng: Random, *, paid: bool) -> bool:
    """Open and file a claim on the best candidate as of `opened` (and, `paid`, have it paid and a first
    dividend recovered); False when no buyer can be claimed on that day."""
    if opened < policy.start:
        return False
    for code, cause, _ in _claimable(ctx, world, policy, by_buyer, opened):
        if code in done:
            continue
        try:
            claim = service_claims.open_claim(ctx, policy, code, cause, opened)
            service_claims.advance_claim(ctx, policy, claim.id, "file", opened + timedelta(days=2))
            if paid and claim.indemnity_minor > 0:
                pay_on = opened + timedelta(days=60)
                service_claims.advance_claim(ctx, policy, claim.id, "review", opened + timedelta(days=10))
                service_claims.advance_claim(ctx, policy, claim.id, "pay", pay_on)
                recovered = Money.from_minor(max(1, claim.loss_minor // 5), claim.currency)
                on = max(pay_on, world.as_of - timedelta(days=rng.randint(5, 30)))
                service_claims.add_recovery(ctx, claim.id, recovered, on, "administrator's first dividend")
        except ArguardError:
            continue
        done.add(code)
        return True
    return False


def _claimable(ctx: ServiceContext, world: DemoWorld, policy, by_buyer: dict, on: date,  # type: ignore[no-untyped-def]
               ) -> list[tuple[str, str, int]]:
    """(buyer, cause, loss in policy-currency minor units) of every buyer a claim could be made on as of
    `on`, best first. The loss is what the claim would cover (the insurance rules: cover in force at
    delivery, undisputed): all its open invoices for an insolvency, the overdue ones for a protracted
    default. Best: a buyer in default by then (the cause as it happened), then one still overdue under
    cover today (`by_buyer`), then a loss above the aggregate first loss (the insurer pays on it), then
    the larger loss."""
    defaulted = {b.code: b for b in world.buyers if b.defaulted_on is not None and b.defaulted_on <= on}
    items, countries, _ = service.insured_items(ctx, policy, on, in_period_only=True)  # only these are covered
    buyers = service.insured_buyers(ctx, policy, on, countries)
    covers = rules.cover_per_invoice(policy, buyers, items, on)
    loss: dict[tuple[str, str], int] = {}
    for i in items:
        b = defaulted.get(i.customer_code)
        cause = "insolvency" if b is not None and b.default_kind == "insolvency" else "protracted_default"
        covered = 0 if i.disputed else covers[i.number].covered_minor
        if covered and (cause == "insolvency" or i.due_date < on):
            key = (i.customer_code, cause)
            loss[key] = loss.get(key, 0) + covered
    first_loss = policy.aggregate_first_loss.minor
    ranked = sorted(loss.items(), key=lambda kv: (kv[0][0] not in defaulted, kv[0][0] not in by_buyer,
                                                   kv[1] <= first_loss, -kv[1], kv[0][0]))
    return [(code, cause, minor) for (code, cause), minor in ranked]


def _insure_claim_candidates(ctx: ServiceContext, world: DemoWorld, policy, done: set[str]) -> None:  # type: ignore[no-untyped-def]
    """Insured cover, from the start of last year's policy, for the (two) buyers owing the most on
    deliveries of this policy year long overdue, defaulted buyers first: the demo's claims then have a loss
    to claim on a book without any."""
    start = policy.start - timedelta(days=365)
    defaulted = {b.code for b in world.buyers if b.defaulted_on is not None}
    items, _, _ = service.insured_items(ctx, policy, world.as_of - timedelta(days=20))
    owed: dict[str, int] = {}
    for i in items:
        if (i.customer_code not in done and policy.covers_delivery_on(i.delivered_on) and not i.disputed
                and i.due_date < world.as_of - timedelta(days=60)):
            owed[i.customer_code] = owed.get(i.customer_code, 0) + i.open_minor
    for code in sorted(owed, key=lambda c: (c not in defaulted, -owed[c], c))[:2 - len(done)]:
        amount = Money.from_minor(owed[code], policy.currency).amount
        service_claims.record_insurer_decision(
            ctx, code, status="approved", amount=Money.of((amount / 1000).to_integral_value(ROUND_CEILING) * 1000,
                                                          policy.currency),
            on=start, effective_from=start, reason="insured at the policy's inception", reference="DEMO-UW-0")


# How much more cover the demo's requests ask for (× the limit in force) and whether the insurer attaches
# conditions; the insurer grants at most the risk engine's recommendation (`_limit_requests`).
_ASKS = ((Decimal("1.5"), None), (Decimal(2), None), (Decimal("1.3"), None),
         (Decimal("1.5"), "payment terms at most 60 days"))


def _limit_requests(ctx: ServiceContext, policy, as_of: date) -> None:  # type: ignore[no-untyped-def]
    """A few requests for more insured cover in the last weeks — some answered, some still waiting — so
    the underwriter's view has work in it. The insurer's answers follow the buyer's risk: the
    recommendation or what was asked, whichever is less (approved, partly approved or conditional); when
    the recommendation allows no more than the limit in force, that limit stays (partly approved: a
    refusal would end the cover). A seller asking above the recommendation is one of the view's
    disagreements. Its own seeded draws: the rest of the demo does not move."""
    rng = Random(f"underwriting {as_of}")
    limit_now = {r["customer"]: Decimal(r["limit"]) for r in service_claims.insured_limits(ctx, policy, as_of)
                 if r["limit"]}
    picked = rng.sample(sorted(limit_now), min(6, len(limit_now)))
    recommended = limits.recommended_limits(ctx, picked, as_of)
    for k, code in enumerate(picked):
        factor, conditions = _ASKS[k % len(_ASKS)]
        asked = Money.of(max(1, int(limit_now[code] * factor / 1000)) * Decimal(1000), policy.currency)
        on = as_of - timedelta(days=rng.randint(15, 40))
        rid = service_claims.request_insured_limit(ctx, code, asked, on, "more volume next season")
        if k >= len(_ASKS):
            continue
        rec = recommended.get(code)
        cap = asked.amount if rec is None or rec.amount.currency != policy.currency else rec.amount.amount
        granted = min(asked.amount, (cap / 1000).to_integral_value(ROUND_FLOOR) * 1000)
        reason = "insurer's answer to the request"
        if granted <= limit_now[code]:  # no increase: the limit in force stays (a refusal would end it)
            granted, conditions, reason = limit_now[code], None, "insurer's answer: no increase, the limit stays"
        status = ("conditional" if conditions else "approved" if granted >= asked.amount else "partly_approved")
        service_claims.record_insurer_decision(
            ctx, code, status=status, request_id=rid, amount=Money.of(granted, policy.currency),
            on=on + timedelta(days=7), reason=reason, reference=f"DEMO-UW-{k + 1}", conditions=conditions)
