"""Cover per invoice, the obligations calendar and the stop-supply date. Pure: no database, clock or files.

Rules (numbered as in insurance/README.md):
5. The cover of a delivery is decided by the limit in force on its delivery date (invoice date).
6. Not covered, with the reason: delivered outside the policy period (`outside_period`); buyer excluded
   by code, country, as an affiliate, a public buyer or a private person (`excluded_buyer`,
   `excluded_country`, `excluded_affiliate`, `excluded_public`, `excluded_private_person`); terms
   beyond the maximum credit period (`terms_too_long`); delivered on or after the buyer's stop-supply
   date (`after_stop_supply`); no limit in force at delivery (`no_limit`); above the limit
   (`over_limit`: the open amount of earlier deliveries already uses the limit; the part within it
   stays covered).
7. Stop supply: from the day after an invoice's MEP ended unpaid, from the day after an overdue
   notification, and from the day the seller learned of an adverse event, deliveries are not covered;
   a buyer with insurer or discretionary cover (and not excluded) is then flagged for stop supply.
8. MEP end = original due date + max_extension_days; notification deadline = MEP end +
   overdue_notification_days; claim deadline = notification date (or, not notified, its deadline) +
   claim_filing_days; waiting-period end = the same base + waiting_period_days; an adverse event must be
   notified within adverse_event_notification_days of learning of it.
9. Status: `missed` when a deadline passed with nothing done (or done late); else `due_soon` when the
   next deadline is within the warning days; else `notified` once the overdue notification was sent;
   else `ok`.
10. amount_at_stake = covered open amount × indemnity % (commercial, or political for a buyer in a
    political-risk country), rounded half to even to the cent: the indemnity a missed deadline loses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from operator import attrgetter
from typing import Any, NamedTuple

from arguard.insurance.model import (
    Cover,
    InsuredBuyer,
    InsuredItem,
    Obligation,
    ObligationsReport,
    Policy,
)

DUE_SOON_DAYS = 14
"""Default warning window: a deadline within this many days makes an obligation `due_soon`."""

_DAY = timedelta(days=1)


def exclusion_reasons(policy: Policy, buyer: InsuredBuyer) -> tuple[str, ...]:
    """Why the policy excludes a buyer altogether (empty: it does not)."""
    ex = policy.exclusions
    out = []
    if buyer.code in ex.buyers:
        out.append("excluded_buyer")
    if buyer.country.upper() in ex.countries:
        out.append("excluded_country")
    if ex.affiliates and "affiliate" in buyer.tags:
        out.append("excluded_affiliate")
    if ex.public_buyers and "public" in buyer.tags:
        out.append("excluded_public")
    if ex.private_persons and "private_person" in buyer.tags:
        out.append("excluded_private_person")
    return tuple(out)


def mep_end(policy: Policy, due_date: date) -> date:
    return due_date + timedelta(days=policy.max_extension_days)


def stop_supply_from(policy: Policy, buyer: InsuredBuyer, items: Iterable[InsuredItem], as_of: date) -> date | None:
    """The first day deliveries to the buyer are no longer covered (rule 7), None when none yet."""
    # an MEP ended before as_of  ⇔  due date < as_of − max_extension_days
    threshold = as_of - timedelta(days=policy.max_extension_days)
    first_due: date | None = None
    for i in items:
        if i.due_date < threshold and i.open_minor > 0 and (first_due is None or i.due_date < first_due):
            first_due = i.due_date
    candidates = [] if first_due is None else [mep_end(policy, first_due) + _DAY]
    first_notice = min((d for d in buyer.notifications if d <= as_of), default=None)
    if first_notice is not None:
        candidates.append(first_notice + _DAY)
    if buyer.adverse_event_on is not None and buyer.adverse_event_on <= as_of:
        candidates.append(buyer.adverse_event_on)
    return min(candidates, default=None)


_delivery_order = attrgetter("delivered_on", "number")


def buyer_cover(policy: Policy, buyer: InsuredBuyer, items: Sequence[InsuredItem],
                stop_from: date | None) -> dict[str, Cover]:
    """Cover of each open item of one buyer (rules 5–6). Items use the limit in the order of delivery:
    an item is covered up to what its delivery date's limit leaves after earlier open deliveries."""
    excluded = exclusion_reasons(policy, buyer)
    start, end, max_days = policy.start, policy.end, policy.max_credit_period_days
    spans = buyer.cover
    single = spans[0] if len(spans) == 1 else None
    refused: dict[tuple[str, ...], Cover] = {}
    out: dict[str, Cover] = {}
    used = 0
    for item in (sorted(items, key=_delivery_order) if len(items) > 1 else items):
        d = item.delivered_on
        if single is not None:
            limit = single[2] if single[0] <= d and (single[1] is None or d <= single[1]) else None
        else:
            limit = buyer.limit_on(d)
        if (excluded or not limit or not start <= d <= end or (item.due_date - d).days > max_days
                or (stop_from is not None and d >= stop_from)):
            reasons = list(excluded)
            if not start <= d <= end:
                reasons.append("outside_period")
            if (item.due_date - d).days > max_days:
                reasons.append("terms_too_long")
            if stop_from is not None and d >= stop_from:
                reasons.append("after_stop_supply")
            if not limit:
                reasons.append("no_limit")
            key = tuple(reasons)
            out[item.number] = refused.get(key) or refused.setdefault(key, Cover(False, 0, key))
            continue
        assert limit is not None
        covered = min(item.open_minor, limit - used)
        used += max(item.open_minor, 0)
        if covered >= item.open_minor:
            out[item.number] = Cover(True, item.open_minor)
        else:
            out[item.number] = Cover(covered > 0, max(covered, 0), ("over_limit",))
    return out


def indemnity_pct(policy: Policy, buyer: InsuredBuyer) -> Decimal:
    return (policy.indemnity_political_pct if buyer.country.upper() in policy.political_countries
            else policy.indemnity_commercial_pct)


def at_stake(covered_minor: int, pct: Decimal) -> int:
    """Indemnity on a covered amount in minor units (rule 10), rounded half to even."""
    return int((Decimal(covered_minor) * pct / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def times_half_even(factor: Decimal) -> Callable[[int], int]:
    """x ↦ x × factor rounded half to even, in integers: factor = num/den exactly, so the product is the
    fraction x × num / den, rounded by hand — the same integer as the Decimal computation (exact within
    its 28 digits), without a Decimal per invoice."""
    num, den = factor.as_integer_ratio()

    def times(x: int) -> int:
        q, r = divmod(x * num, den)
        return q + 1 if 2 * r > den or (2 * r == den and q & 1) else q
    return times


def _stake_of(pct: Decimal) -> Callable[[int], int]:
    """`at_stake` for one percentage, in integers."""
    return times_half_even(pct / 100)


class _Deadlines(NamedTuple):
    mep_end: date
    notification: date
    notified_on: date | None
    claim: date
    waiting_end: date
    adverse: date | None


@dataclass(frozen=True, slots=True)
class _Periods:
    """The policy's periods as timedeltas, made once per report."""

    mep: timedelta
    notify: timedelta
    claim: timedelta
    waiting: timedelta
    adverse: timedelta

    @classmethod
    def of(cls, p: Policy) -> _Periods:
        return cls(timedelta(days=p.max_extension_days), timedelta(days=p.overdue_notification_days),
                   timedelta(days=p.claim_filing_days), timedelta(days=p.waiting_period_days),
                   timedelta(days=p.adverse_event_notification_days))


def _deadlines(t: _Periods, buyer: InsuredBuyer, item: InsuredItem) -> _Deadlines:
    mep = item.due_date + t.mep
    notification = mep + t.notify
    # a notification counts for the invoices overdue when it was sent
    notified = next((d for d in buyer.notifications if d > item.due_date), None) if buyer.notifications else None
    base = notified or notification
    adverse = buyer.adverse_event_on + t.adverse if buyer.adverse_event_on is not None else None
    return _Deadlines(mep, notification, notified, base + t.claim, base + t.waiting, adverse)


def _status(d: _Deadlines, buyer: InsuredBuyer, as_of: date, due_soon_days: int) -> tuple[str, date | None]:
    """(status, next open deadline) of one invoice's deadlines (rule 9)."""
    missed = (d.notified_on is None and as_of > d.notification) or (
        d.notified_on is not None and d.notified_on > d.notification)
    open_deadlines = [] if d.notified_on is not None else [d.notification]
    if d.adverse is not None:
        if buyer.adverse_notified_on is None:
            missed = missed or as_of > d.adverse
            open_deadlines.append(d.adverse)
        elif buyer.adverse_notified_on > d.adverse:
            missed = True
    if buyer.claim_filed_on is None:
        missed = missed or as_of > d.claim
        open_deadlines.append(d.claim)
    elif buyer.claim_filed_on > d.claim:
        missed = True
    upcoming: date | None = None
    for x in open_deadlines:
        if x >= as_of and (upcoming is None or x < upcoming):
            upcoming = x
    if missed:
        return "missed", upcoming
    if upcoming is not None and (upcoming - as_of).days <= due_soon_days:
        return "due_soon", upcoming
    return ("notified" if d.notified_on is not None else "ok"), upcoming


def obligations(policy: Policy, buyers: dict[str, InsuredBuyer], items: Sequence[InsuredItem], as_of: date,
                due_soon_days: int = DUE_SOON_DAYS) -> ObligationsReport:
    """Every overdue open invoice delivered in the policy period with its deadlines, status, cover and
    amount at stake (rules 5–10); `items` are the open items of the ledger as of `as_of`.

    An invoice's deadlines and status follow from its due date and what its buyer has notified or filed,
    so they are worked out once per (buyer's notices and claim, due date) — for the many buyers with none,
    once per due date — and shared by every invoice with the same. The report's order (notification
    deadline, buyer, invoice number) comes from walking the buyers and their invoices in order into one
    list per deadline, not from sorting every obligation."""
    by_buyer = _by_buyer(items)
    new = tuple.__new__
    by_deadline: dict[date, list[Obligation]] = {}
    stops: dict[str, date] = {}
    start, end = policy.start, policy.end
    periods = _Periods.of(policy)
    plain: dict[date, tuple[Any, ...]] = {}                  # buyers with no notice, adverse event or claim
    by_history: dict[tuple[Any, ...], dict[date, tuple[Any, ...]]] = {}
    stakes: dict[Decimal, Callable[[int], int]] = {}
    for code in sorted(by_buyer):
        its = by_buyer[code]
        buyer = buyers.get(code) or InsuredBuyer(code=code, country="")
        in_period = [i for i in its if start <= i.delivered_on <= end]
        stop = stop_supply_from(policy, buyer, in_period, as_of)
        if stop is not None and buyer.cover and not exclusion_reasons(policy, buyer):
            stops[code] = stop          # only an insured buyer's supply is stopped for the policy's sake
        covers = buyer_cover(policy, buyer, its, stop)
        pct = indemnity_pct(policy, buyer)
        stake = stakes.get(pct) or stakes.setdefault(pct, _stake_of(pct))
        if buyer.notifications or buyer.adverse_event_on is not None or buyer.claim_filed_on is not None:
            history = (buyer.notifications, buyer.adverse_event_on, buyer.adverse_notified_on, buyer.claim_filed_on)
            cache = by_history.get(history)
            if cache is None:
                cache = by_history[history] = {}
        else:
            cache = plain
        for item in (sorted(in_period, key=_number) if len(in_period) > 1 else in_period):
            due = item.due_date
            if due >= as_of or item.open_minor <= 0:
                continue
            known = cache.get(due)
            if known is None:
                d = _deadlines(periods, buyer, item)
                status, upcoming = _status(d, buyer, as_of, due_soon_days)
                known = cache[due] = ((as_of - due).days, d.mep_end, d.notification, d.notified_on, d.claim,
                                      d.waiting_end, d.adverse, status, upcoming,
                                      by_deadline.setdefault(d.notification, []))
            days, mep, notification, notified, claim, waiting, adverse, status, upcoming, same_deadline = known
            cover = covers[item.number]
            same_deadline.append(new(Obligation, (
                item.number, code, item.delivered_on, due, days, item.open_minor, mep, notification, notified,
                claim, waiting, adverse, status, cover, stake(cover.covered_minor) if cover.covered else 0,
                item.disputed, upcoming)))
    out = [o for day in sorted(by_deadline) for o in by_deadline[day]]
    return ObligationsReport(policy.policy_number, policy.currency, as_of, tuple(out), stops)


_number = attrgetter("number")


def _by_buyer(items: Iterable[InsuredItem]) -> dict[str, list[InsuredItem]]:
    """Items grouped by buyer, in the order given."""
    by_buyer: dict[str, list[InsuredItem]] = {}
    get = by_buyer.get
    for item in items:
        mine = get(item.customer_code)
        if mine is None:
            by_buyer[item.customer_code] = [item]
        else:
            mine.append(item)
    return by_buyer


def cover_per_invoice(policy: Policy, buyers: dict[str, InsuredBuyer], items: Sequence[InsuredItem],
                      as_of: date) -> dict[str, Cover]:
    """Cover of every open item (rules 5–7), keyed by invoice number."""
    out: dict[str, Cover] = {}
    for code, its in _by_buyer(items).items():
        buyer = buyers.get(code) or InsuredBuyer(code=code, country="")
        stop = stop_supply_from(policy, buyer, [i for i in its if policy.covers_delivery_on(i.delivered_on)], as_of)
        out.update(buyer_cover(policy, buyer, its, stop))
    return out


def net_insured_book(policy: Policy, buyers: dict[str, InsuredBuyer], items: Iterable[InsuredItem], as_of: date,
                     ) -> dict[str, int]:
    """Net insured exposure of every buyer with items (`insured_position`'s second figure), in one pass
    over the book: a buyer without cover or excluded insures nothing, and for the others only the items
    that can be covered are walked in delivery order, summing what each limit leaves, without a `Cover`
    per invoice (the same rules 5–7 and 10 as `buyer_cover`, which the tests compare it with)."""
    start, end, max_days = policy.start, policy.end, policy.max_credit_period_days
    out: dict[str, int] = {}
    for code, its in _by_buyer(items).items():
        buyer = buyers.get(code)
        if buyer is None or not buyer.cover or exclusion_reasons(policy, buyer):
            out[code] = 0
            continue
        stop = stop_supply_from(policy, buyer, [i for i in its if start <= i.delivered_on <= end], as_of)
        eligible = [i for i in its if start <= i.delivered_on <= end and (i.due_date - i.delivered_on).days <= max_days
                    and (stop is None or i.delivered_on < stop)]
        spans = buyer.cover
        single = spans[0] if len(spans) == 1 else None
        used = covered = 0
        for item in (sorted(eligible, key=_delivery_order) if len(eligible) > 1 else eligible):
            d = item.delivered_on
            if single is not None:
                limit = single[2] if single[0] <= d and (single[1] is None or d <= single[1]) else None
            else:
                limit = buyer.limit_on(d)
            if not limit:
                continue
            left = limit - used
            used += max(item.open_minor, 0)
            if left >= item.open_minor:
                covered += item.open_minor
            elif left > 0:
                covered += left
        out[code] = at_stake(covered, indemnity_pct(policy, buyer)) if covered else 0
    return out


def insured_position(policy: Policy, buyer: InsuredBuyer, items: Sequence[InsuredItem], as_of: date,
                     ) -> tuple[int, int, int]:
    """(exposure, net insured, uninsured) of a buyer in minor units: net insured = min(exposure, limit)
    taken invoice by invoice (the covered open amounts) × indemnity %; uninsured = exposure − net insured."""
    exposure = sum(i.open_minor for i in items)
    stop = stop_supply_from(policy, buyer, [i for i in items if policy.covers_delivery_on(i.delivered_on)], as_of)
    covers = buyer_cover(policy, buyer, items, stop)
    insured = at_stake(sum(c.covered_minor for c in covers.values()), indemnity_pct(policy, buyer))
    return exposure, insured, exposure - insured
