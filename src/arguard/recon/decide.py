"""How the engine weighs the evidence for one payment (see the rules in recon/README.md).

1. Referenced items that are still open decide, whoever paid (third parties pay with references).
   References only to items already settled mean a duplicate: the money stays unapplied.
2. Without a usable reference, a customer identified by account, name or alias is searched for one
   open item of the amount, one short by bank charges, or a unique subset of its open items.
3. Amount alone (no customer, no reference) at most suggests.
4. A buyer's open credit notes are offered as negative items: when the remittance names them next to the
   invoices, when a payment naming invoices falls short by exactly one set of its credit notes, and when an
   identified customer's payment equals open invoices less one set of its credit notes. A credit note is
   never used for another customer's invoices, never beyond what the invoices it settles have open, and
   never on amount alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import combinations
from typing import TYPE_CHECKING

from arguard.core.errors import ArguardError
from arguard.recon.matchtext import EntryFacts
from arguard.recon.model import Application, Proposal
from arguard.recon.parties import CustomerHit
from arguard.recon.refindex import RefHit

if TYPE_CHECKING:
    from arguard.recon.matching import Matcher

STRONG_REF = 0.85
KNOWN_CUSTOMER = 0.8
MAX_CREDITS = 4
"""At most this many of a customer's open credit notes (oldest first) are tried in combinations."""


class _Payment:
    """The payment in the currency of the items it may settle."""

    def __init__(self, m: Matcher, facts: EntryFacts, currency: str) -> None:
        self.currency = currency
        self.reason = ""
        self.approximate = False
        if currency == facts.currency:
            self.amount: Decimal | None = facts.amount
        elif facts.instructed and facts.instructed[1] == currency:
            self.amount = facts.instructed[0]
            self.reason = f"instructed amount {self.amount} {currency}"
        elif m.fx is not None and facts.on is not None:
            try:
                rate = m.fx.rate(facts.currency, currency, facts.on)
            except ArguardError:
                self.amount = None
                return
            self.amount = (facts.amount * rate).quantize(Decimal("0.01"))
            self.approximate = True
            self.reason = f"converted at the {facts.on} rate {rate}"
        else:
            self.amount = None


def decide(m: Matcher, facts: EntryFacts, hits: list[CustomerHit], refs: list[RefHit]) -> Proposal:
    payer = hits[0] if hits else None
    rejected = m.knowledge.rejected
    refs = [r for r in refs if (facts.payer_key, m.items[r.item].number) not in rejected]
    usable = [r for r in refs if r.strength >= STRONG_REF
              or (payer and payer.score >= KNOWN_CUSTOMER and m.items[r.item].customer_id == payer.customer_id
                  and r.strength >= 0.5)]
    credit_refs = [r for r in usable if m.is_credit(r.item) and m.open_of(r.item) < 0]
    usable = [r for r in usable if not m.is_credit(r.item)]
    open_refs = [r for r in usable if m.open_of(r.item) > 0]
    if usable and not open_refs:
        settled = ", ".join(sorted({m.items[r.item].number for r in usable}))
        return _unmatched(facts, payer, f"references {settled}, already settled: duplicate payment, kept as "
                                        "unapplied cash", status="unmatched")
    if open_refs:
        proposal = _by_reference(m, facts, payer, open_refs, credit_refs)
        if proposal is not None:
            return proposal
    if payer and payer.score >= 0.6:
        proposal = _by_customer(m, facts, hits)
        if proposal is not None:
            return proposal
        return _unmatched(facts, payer, f"customer {payer.customer_id} ({payer.reason}) but no open item fits "
                                        f"{facts.amount} {facts.currency}: unapplied cash on account",
                          status="unmatched")
    return _by_amount_only(m, facts)


def _finish(m: Matcher, facts: EntryFacts, pay: _Payment, ids: Sequence[int], confidence: float,
            reasons: list[str], payer: CustomerHit | None, kind: str = "") -> Proposal:
    """Apply the payment to `ids` oldest first; what is left over is unapplied, what is short stays open."""
    remaining = pay.amount or Decimal(0)
    apps: list[Application] = []
    shortfalls: list[tuple[str, Decimal, str]] = []
    ordered = sorted(ids, key=lambda i: (m.items[i].open_amount > 0, str(m.items[i].due_date or ""), m.items[i].number))
    # Credit notes first, each at most what the invoices still have room for: the credit and the cash
    # together settle the invoices, so no credit is used beyond what they have open.
    room = sum((max(m.open_of(i), Decimal(0)) for i in ids), Decimal(0))
    for i in ordered:
        item = m.items[i]
        open_amount = m.open_of(i)
        if open_amount < 0:
            take = -min(-open_amount, room)
            room += take
        else:
            take = min(open_amount, remaining)
        if take == 0:
            continue
        remaining -= take
        apps.append(Application(item.number, item.customer_id, take, item.currency, i))
        if take < open_amount:
            shortfalls.append((item.number, open_amount - take, kind or "short_payment"))
    if pay.reason:
        reasons.append(pay.reason)
    residual = remaining if not pay.approximate else Decimal(0)
    if pay.approximate and remaining > 0:
        reasons.append(f"{remaining} {pay.currency} over the open amount at the dated rate")
    if residual and pay.currency != facts.currency:
        residual = Decimal(0)  # residuals in a converted currency are stated in reasons only
    status = _status(m, confidence)
    customers = {a.customer_id for a in apps}
    return Proposal(
        entry_index=facts.entry_index, detail_index=facts.detail_index, entry_ref=facts.entry_ref,
        amount=facts.amount, currency=facts.currency, status=status, confidence=round(confidence, 3),
        applications=tuple(apps), customer_id=(next(iter(customers)) if len(customers) == 1 else
                                               payer.customer_id if payer else None),
        reasons=tuple(reasons), residual=residual, residual_kind="overpayment" if residual > 0 else "",
        shortfalls=tuple(shortfalls), payer_name=facts.names[0] if facts.names else None,
        payer_account=facts.accounts[0] if facts.accounts else None,
        payer_confidence=payer.score if payer else 0.0,
        item_amount=pay.amount if pay.currency != facts.currency else None,
        item_currency=pay.currency if pay.currency != facts.currency else None,
    )


def _status(m: Matcher, confidence: float) -> str:
    if confidence >= m.config.auto_threshold:
        return "auto"
    return "suggested" if confidence >= m.config.suggest_threshold else "unmatched"


def _tolerance(m: Matcher, amount: Decimal) -> Decimal:
    return min(m.config.charge_tolerance, (abs(amount) * m.config.charge_tolerance_ratio).quantize(Decimal("0.01")))


def _by_reference(m: Matcher, facts: EntryFacts, payer: CustomerHit | None, refs: list[RefHit],
                  credit_refs: Sequence[RefHit] = ()) -> Proposal | None:
    # Prefer the payer's own items when the references span several customers.
    customers = {m.items[r.item].customer_id for r in refs}
    if len(customers) > 1 and payer and payer.customer_id in customers:
        refs = [r for r in refs if m.items[r.item].customer_id == payer.customer_id]
        customers = {payer.customer_id}
    currencies = {m.items[r.item].currency for r in refs}
    if len(currencies) != 1:
        return None
    pay = _Payment(m, facts, currencies.pop())
    if pay.amount is None:
        return None
    # A credit note named in the remittance counts only with invoices of its own customer and currency.
    credits = [r for r in credit_refs if len(customers) == 1 and m.items[r.item].customer_id in customers
               and m.items[r.item].currency == pay.currency]
    refs = refs + credits
    ids = [r.item for r in refs]
    strength = min(r.strength for r in refs)
    reasons = [r.reason + f" → {m.items[r.item].number}" for r in refs]
    third_party = payer is not None and payer.score >= KNOWN_CUSTOMER and payer.customer_id not in customers
    if payer and not third_party and payer.customer_id in customers:
        reasons.append(payer.reason)
        strength = min(0.995, strength + 0.04)
    elif third_party and payer is not None:
        reasons.append(f"paid by another customer ({payer.customer_id}): third-party payment")
        strength -= 0.03
    total = sum((m.open_of(i) for i in ids), Decimal(0))
    fx_slack = (total * m.config.fx_tolerance_ratio) if pay.approximate else Decimal(0)
    diff = pay.amount - total
    if abs(diff) <= fx_slack or diff == 0:
        reasons.append("amount equals the open amount" + ("s" if len(ids) > 1 else ""))
        return _finish(m, facts, pay, ids, strength * (0.97 if pay.approximate else 1.0), reasons, payer, "fx_difference")
    if diff < 0 and -diff <= _tolerance(m, total):
        reasons.append(f"short by {-diff}: bank charges")
        return _finish(m, facts, pay, ids, strength * 0.96, reasons, payer, "bank_charges")
    consistent = payer is not None and payer.customer_id in customers and payer.score >= KNOWN_CUSTOMER
    if diff < 0 and not credits and len(customers) == 1 and not pay.approximate:
        net = _net_of_credits(m, facts, pay, next(iter(customers)), -diff, total)
        if net is not None:
            found, exact = net
            numbers = ", ".join(m.items[i].number for i in found)
            credit = -sum((m.open_of(i) for i in found), Decimal(0))
            reasons.append(f"short by {-diff}: net of credit note(s) {numbers} ({credit})"
                           + ("" if exact else " and bank charges"))
            return _finish(m, facts, pay, ids + found, strength * (0.95 if consistent else 0.85), reasons, payer,
                           "" if exact else "bank_charges")
    invoices = [i for i in ids if not m.is_credit(i)]
    if diff < 0 and len(invoices) > 1:
        # Some of the referenced invoices, less the referenced credit notes, make the payment.
        credit = -sum((m.open_of(r.item) for r in credits), Decimal(0))
        sols, _ = m.subsets(invoices, pay.amount + credit - _tolerance(m, pay.amount), pay.amount + credit,
                            pay.currency)
        if len(sols) == 1:
            reasons.append("amount equals some of the referenced items")
            return _finish(m, facts, pay, list(sols[0]) + [r.item for r in credits], strength * 0.9, reasons, payer,
                           "bank_charges")
    if diff < 0:
        # A partial payment is applied automatically only when the payer is the invoiced customer:
        # a mistyped reference must not short-pay someone else's invoice.
        reasons.append(f"partial payment: {pay.amount} of {total}")
        factor = 0.93 if len(ids) == 1 and consistent else 0.8
        return _finish(m, facts, pay, ids, strength * factor, reasons, payer)
    cid = m.items[ids[0]].customer_id
    others = [i for i in m.by_customer.get(cid, []) if i not in ids and m.open_of(i) > 0
              and m.items[i].currency == pay.currency]
    sols, complete = m.subsets(others, diff, diff, pay.currency) if others else ([], True)
    single = [i for i in others if m.open_of(i) == diff]
    extra = [single[0]] if len(single) == 1 else (list(sols[0]) if len(sols) == 1 and complete and not single else [])
    if extra:
        reasons.append(f"the rest ({diff}) equals {len(extra)} more open item(s) of the customer")
        return _finish(m, facts, pay, ids + extra, strength * (0.95 if consistent else 0.85), reasons, payer)
    reasons.append(f"pays {diff} more than the referenced items: the rest stays unapplied")
    return _finish(m, facts, pay, ids, strength * 0.85, reasons, payer)


def _by_customer(m: Matcher, facts: EntryFacts, hits: list[CustomerHit]) -> Proposal | None:
    best = hits[0]
    runner_up = hits[1].score if len(hits) > 1 else 0.0
    certainty = best.score - (0.1 if best.score - runner_up < 0.05 else 0.0)
    ids_all = m.by_customer.get(best.customer_id, [])
    by_currency: dict[str, list[int]] = {}
    rejected = m.knowledge.rejected
    for i in ids_all:
        if m.open_of(i) > 0 and (facts.payer_key, m.items[i].number) not in rejected:
            by_currency.setdefault(m.items[i].currency, []).append(i)
    for currency, ids in sorted(by_currency.items(), key=lambda kv: kv[0] != facts.currency):
        pay = _Payment(m, facts, currency)
        if pay.amount is None:
            continue
        proposal = _customer_amount(m, facts, best, certainty, pay, ids)
        if proposal is not None:
            return proposal
    return None


def _customer_amount(m: Matcher, facts: EntryFacts, payer: CustomerHit, certainty: float, pay: _Payment,
                     ids: list[int]) -> Proposal | None:
    amount = pay.amount or Decimal(0)
    slack = amount * m.config.fx_tolerance_ratio if pay.approximate else Decimal(0)
    reasons = [payer.reason]
    exact = [i for i in ids if abs(m.open_of(i) - amount) <= slack]
    if len(exact) == 1:
        reasons.append(f"the only open item of {amount} {pay.currency}")
        return _finish(m, facts, pay, exact, certainty * 0.97, reasons, payer, "fx_difference")
    if len(exact) > 1:
        reasons.append(f"{len(exact)} open items of {amount}: the oldest proposed")
        return _finish(m, facts, pay, exact[:1], certainty * 0.7, reasons, payer)
    tol = _tolerance(m, amount)
    sols, complete = m.subsets(ids, amount - slack, amount + slack, pay.currency)
    if sols:
        unique = len(sols) == 1 and complete
        reasons.append(f"{len(sols[0])} open items add up to the payment" + ("" if unique else " (not unique)"))
        return _finish(m, facts, pay, list(sols[0]), certainty * (0.95 if unique else 0.6), reasons, payer)
    short = [i for i in ids if Decimal(0) < m.open_of(i) - amount <= tol]
    if len(short) == 1:
        reasons.append(f"short by {m.open_of(short[0]) - amount}: bank charges")
        return _finish(m, facts, pay, short, certainty * 0.93, reasons, payer, "bank_charges")
    sols, complete = m.subsets(ids, amount, amount + tol, pay.currency)
    if sols:
        unique = len(sols) == 1 and complete
        reasons.append(f"{len(sols[0])} open items add up to the payment plus bank charges")
        return _finish(m, facts, pay, list(sols[0]), certainty * (0.9 if unique else 0.55), reasons, payer,
                       "bank_charges")
    return _less_credits(m, facts, payer, certainty, pay, ids)


def _net_of_credits(m: Matcher, facts: EntryFacts, pay: _Payment, customer_id: str, short: Decimal,
                    total: Decimal) -> tuple[list[int], bool] | None:
    """The one set of the customer's open credit notes whose credit makes up what the payment lacks
    (exactly, or with at most bank charges more missing), and whether exactly; None when none or several."""
    credits = m.open_credits(customer_id, pay.currency, facts.payer_key)[:MAX_CREDITS]
    if not credits:
        return None
    sols, complete = m.subsets(credits, short - _tolerance(m, total), short, pay.currency, min_size=1)
    if len(sols) != 1 or not complete:
        return None
    found = list(sols[0])
    return found, -sum((m.open_of(i) for i in found), Decimal(0)) == short


def _less_credits(m: Matcher, facts: EntryFacts, payer: CustomerHit, certainty: float, pay: _Payment,
                  ids: list[int]) -> Proposal | None:
    """Open invoices less credit notes the buyer deducted add up to the payment: each set of (at most
    `MAX_CREDITS`) open credit notes is tried; one combination applies, several are a suggestion."""
    credits = m.open_credits(payer.customer_id, pay.currency, facts.payer_key)[:MAX_CREDITS]
    if not credits or pay.approximate or pay.amount is None:
        return None
    found: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    complete = True
    for size in range(1, len(credits) + 1):
        for combo in combinations(credits, size):
            target = pay.amount - sum((m.open_of(i) for i in combo), Decimal(0))
            sols, done = m.subsets(ids, target, target, pay.currency, min_size=1)
            complete = complete and done
            found.extend((combo, s) for s in sols)
            if len(found) > 1:
                break
        if len(found) > 1:
            break
    if not found:
        return None
    combo, invoices = found[0]
    unique = len(found) == 1 and complete
    credit = -sum((m.open_of(i) for i in combo), Decimal(0))
    reasons = [payer.reason, f"{len(invoices)} open item(s) less credit note(s) "
               f"{', '.join(m.items[i].number for i in combo)} ({credit}) add up to the payment"
               + ("" if unique else " (not unique)")]
    return _finish(m, facts, pay, list(invoices) + list(combo), certainty * (0.93 if unique else 0.55), reasons,
                   payer)


def _by_amount_only(m: Matcher, facts: EntryFacts) -> Proposal:
    same = m.items_of_amount(facts.currency, facts.amount)
    same = [i for i in same if m.open_of(i) == facts.amount
            and (facts.payer_key, m.items[i].number) not in m.knowledge.rejected]
    if len(same) == 1:
        pay = _Payment(m, facts, facts.currency)
        return _finish(m, facts, pay, same, 0.5, ["only the amount fits (payer unknown, no reference)"], None)
    why = "no reference, unknown payer" + (f", {len(same)} open items of this amount" if same else "")
    return _unmatched(facts, None, why, status="unmatched")


def _unmatched(facts: EntryFacts, payer: CustomerHit | None, why: str, status: str) -> Proposal:
    return Proposal(
        entry_index=facts.entry_index, detail_index=facts.detail_index, entry_ref=facts.entry_ref,
        amount=facts.amount, currency=facts.currency, status=status,
        confidence=0.0, customer_id=payer.customer_id if payer else None, reasons=(why,),
        residual=facts.amount, residual_kind="unapplied_cash",
        payer_name=facts.names[0] if facts.names else None,
        payer_account=facts.accounts[0] if facts.accounts else None,
        payer_confidence=payer.score if payer else 0.0,
    )
