"""Simulate three years of trade with the demo buyers: invoices, credit notes, payments and what each
payment settles. Pure and vectorised (numpy over columns): a million invoices take seconds.

Days are integers counted from the world's `start_on`; amounts are integer minor units of the buyer's
currency. Rules (numbered as in README.md):
5. Invoices arrive as a Poisson stream over the buyer's active span, more often for bigger buyers;
   amounts are lognormal around purchases per year / invoices per year. Due = issue + terms.
6. Days late = the buyer's habit (country culture) + 200 × PD^0.75, times a Gamma(2, ½) draw per invoice;
   reliable buyers sometimes pay early. In the 270 days before a default, lateness grows up to 5×.
7. Partial payments (3 % + 1.5 × PD of invoices): 30–80 % first, the rest weeks later.
   Disputes (1 % + 30 % × PD): resolved 3–10 weeks later by a credit note (a quarter of them for the
   full amount), the rest paid; unresolved disputes stay open and flagged. Returns: 1.5 % of invoices
   get a 5–30 % credit note. Buyers pay invoices net of their credit notes (the credit note is cleared
   against its invoice). 2 % of foreign payments arrive short by a bank charge.
8. A defaulted buyer pays nothing on or after its default day; the seller ships until it notices
   (insolvency: within 20 days; protracted default: 30–75 days later). Nothing is paid after as_of.
9. 35 % of buyers pay in fortnightly runs: every invoice settled in full in a run shares one payment;
   first instalments and short payments are payments of their own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from arguard.core.money import exponent
from arguard.demo.geography import EUR_RATES
from arguard.demo.model import DemoWorld

FULL, PARTIAL = 0, 1
RETURN, DISPUTE = 0, 1


@dataclass(frozen=True)
class LedgerHistory:
    """Columns of the simulated ledger. inv_*: one row per invoice, sorted by issue day; cn_*: credit
    notes (cn_invoice indexes the invoice they credit, cn_amount is positive); al_*: allocations
    (al_payment indexes the payment); pay_*: payments sorted by day; inv_disputed_open: disputes still
    open at as_of."""

    inv_buyer: np.ndarray
    inv_issue: np.ndarray
    inv_due: np.ndarray
    inv_amount: np.ndarray
    inv_disputed_open: np.ndarray
    cn_invoice: np.ndarray
    cn_day: np.ndarray
    cn_amount: np.ndarray
    cn_reason: np.ndarray
    pay_buyer: np.ndarray
    pay_day: np.ndarray
    pay_amount: np.ndarray
    al_payment: np.ndarray
    al_invoice: np.ndarray
    al_amount: np.ndarray


def _buyer_columns(world: DemoWorld) -> dict[str, np.ndarray]:
    start = world.start_on
    big = 10**6
    b = world.buyers
    return {
        "pd": np.array([x.pd_12m for x in b]),
        "culture": np.array([x.culture_days for x in b]),
        "terms": np.array([x.terms_days for x in b]),
        "purchases": np.array([float(x.purchases_per_year) for x in b]),
        "fx": np.array([float(EUR_RATES.get(x.currency, "1")) * 10 ** exponent(x.currency) for x in b]),
        "onboard": np.array([max(0, (x.onboarded_on - start).days) for x in b]),
        "default": np.array([(x.defaulted_on - start).days if x.defaulted_on else big for x in b]),
        "insolvency": np.array([x.default_kind == "insolvency" for x in b]),
        "foreign": np.array([x.country not in {"DE", "AT", "NL", "BE", "FR", "IT", "ES"} for x in b]),
    }


def _invoices(world: DemoWorld, col: dict[str, np.ndarray], rng: np.random.Generator):  # type: ignore[no-untyped-def]
    span = (world.as_of - world.start_on).days
    n = len(world.buyers)
    notice = np.where(col["insolvency"], rng.integers(0, 20, n), rng.integers(30, 75, n))
    end = np.minimum(span, col["default"] + notice)
    active_years = np.maximum(0, end - col["onboard"]) / 365.25
    frequency = np.sqrt(col["purchases"]) * rng.lognormal(0, 0.3, n)
    lam = frequency * active_years
    lam *= world.size.invoices * 1.02 / lam.sum()
    count = np.maximum(rng.poisson(lam), (active_years > 0).astype(int))
    buyer = np.repeat(np.arange(n), count)
    issue = col["onboard"][buyer] + np.floor(rng.random(len(buyer)) * (end - col["onboard"])[buyer]).astype(int)
    per_year = np.maximum(lam / np.maximum(active_years, 1e-9), 1.0)
    mean_eur = col["purchases"] / per_year
    amount_eur = mean_eur[buyer] * rng.lognormal(-0.18, 0.6, len(buyer))
    amount = np.maximum(np.round(amount_eur * col["fx"][buyer]), 100).astype(np.int64)
    order = np.lexsort((buyer, issue))
    buyer, issue, amount = buyer[order], issue[order], amount[order]
    due = issue + col["terms"][buyer]
    return buyer, issue.astype(np.int64), due.astype(np.int64), amount


def _lateness(col: dict[str, np.ndarray], buyer: np.ndarray, due: np.ndarray,
              rng: np.random.Generator) -> np.ndarray:
    pd = col["pd"][buyer]
    habit = col["culture"][buyer] + 200 * pd ** 0.75
    late = habit * rng.gamma(2.0, 0.5, len(buyer)) + rng.normal(0, 2, len(buyer))
    early = (pd < 0.01) & (rng.random(len(buyer)) < 0.12)
    late = np.where(early, -rng.integers(1, 10, len(buyer)), late)
    to_default = col["default"][buyer] - due
    near = (to_default >= 0) & (to_default < 270)
    late = np.where(near, late * (1 + 4 * (1 - to_default / 270)) + 5, late)
    return np.round(late).astype(np.int64)


def lateness_draws(world: DemoWorld, codes: np.ndarray, due_days: np.ndarray, draws: int,
                   rng: np.random.Generator) -> np.ndarray:
    """`draws` days late per invoice (rows) of the buyers `codes` due `due_days` after the world's start,
    from rule 6 itself: what a payment-date forecast could know at best about the demo, with each buyer's
    true habit, PD and default day in hand (the runs of rule 9 and the partials of rule 7 come on top)."""
    col = _buyer_columns(world)
    at = {b.code: i for i, b in enumerate(world.buyers)}
    buyer = np.repeat(np.array([at[str(c)] for c in codes], dtype=np.int64), draws)
    late = _lateness(col, buyer, np.repeat(np.asarray(due_days, dtype=np.int64), draws), rng)
    return late.reshape(len(codes), draws)


@dataclass
class _Allocs:
    invoice: list[np.ndarray]
    day: list[np.ndarray]
    amount: list[np.ndarray]
    kind: list[np.ndarray]

    def add(self, invoice: np.ndarray, day: np.ndarray, amount: np.ndarray, kind: int | np.ndarray) -> None:
        self.invoice.append(invoice)
        self.day.append(day)
        self.amount.append(amount)
        self.kind.append(np.broadcast_to(np.asarray(kind, dtype=np.int8), invoice.shape).copy())


def simulate(world: DemoWorld, seed: int | None = None) -> LedgerHistory:
    """The ledger history of `world`, reproducible from its seed."""
    rng = np.random.default_rng([world.seed if seed is None else seed, 2])
    col = _buyer_columns(world)
    span = (world.as_of - world.start_on).days
    buyer, issue, due, amount = _invoices(world, col, rng)
    pay = np.maximum(due + _lateness(col, buyer, due, rng), issue + 1)
    notes = _credit_notes(col["pd"][buyer], issue, amount, pay, span, rng)
    cut = np.minimum(col["default"][buyer], span + 1)
    allocs = _settle(col, buyer, amount, notes, cut, rng)
    pays = _payments(col, buyer, allocs, cut, rng)
    cn = np.flatnonzero(notes.day >= 0)
    return LedgerHistory(
        inv_buyer=buyer, inv_issue=issue, inv_due=due, inv_amount=amount, inv_disputed_open=notes.open_dispute,
        cn_invoice=cn, cn_day=notes.day[cn], cn_amount=notes.credit[cn], cn_reason=notes.reason[cn], **pays)


@dataclass
class _Notes:
    """Per invoice: credit (minor units), day and reason of its credit note (-1: none), whether a
    dispute is still open at as_of, and the day the buyer means to pay (after any dispute)."""

    credit: np.ndarray
    day: np.ndarray
    reason: np.ndarray
    open_dispute: np.ndarray
    pay: np.ndarray


def _credit_notes(pd: np.ndarray, issue: np.ndarray, amount: np.ndarray, pay: np.ndarray, span: int,
                  rng: np.random.Generator) -> _Notes:
    """Returns, then disputes: a resolved dispute credits part or all of the invoice."""
    m = len(issue)
    credit = np.zeros(m, np.int64)
    day = np.full(m, -1, np.int64)
    reason = np.full(m, -1, np.int8)
    returned = rng.random(m) < 0.015
    credit[returned] = np.round(amount[returned] * rng.uniform(0.05, 0.3, returned.sum()))
    day[returned] = issue[returned] + rng.integers(5, 40, returned.sum())
    reason[returned] = RETURN
    disputed = (~returned) & (rng.random(m) < np.minimum(0.25, 0.01 + 0.3 * pd))
    resolved = issue + rng.integers(5, 40, m) + 20 + np.round(rng.exponential(30, m)).astype(np.int64)
    open_dispute = disputed & (resolved > span)
    done = disputed & ~open_dispute
    share = np.where(rng.random(m) < 0.25, 1.0, rng.uniform(0.05, 0.5, m))
    credit[done] = np.round(amount[done] * share[done])
    day[done] = resolved[done]
    reason[done] = DISPUTE
    pay = np.where(done, np.maximum(pay, resolved + rng.integers(3, 20, m)), pay)
    # A credit note dated after as_of does not exist yet: its invoice is paid in full, later.
    future = day > span
    credit[future], day[future], reason[future] = 0, -1, -1
    return _Notes(credit, day, reason, open_dispute, pay)


def _settle(col: dict[str, np.ndarray], buyer: np.ndarray, amount: np.ndarray, notes: _Notes, cut: np.ndarray,
            rng: np.random.Generator) -> _Allocs:
    """What each invoice receives and when: net of its credit note, in one or two parts, sometimes
    short by a bank charge; nothing on or after the cut-off (default day, or after as_of)."""
    m = len(buyer)
    pd = col["pd"][buyer]
    pay, credit = notes.pay, notes.credit
    net = amount - credit
    allocs = _Allocs([], [], [], [])
    partial = (net > 0) & ~notes.open_dispute & (rng.random(m) < np.minimum(0.5, 0.03 + 1.5 * pd))
    first = np.round(net * rng.uniform(0.3, 0.8, m)).astype(np.int64)
    second_day = pay + 7 + np.round(rng.exponential(25 + 100 * pd, m)).astype(np.int64)
    ok1 = partial & (pay < cut)
    allocs.add(np.flatnonzero(ok1), pay[ok1], first[ok1], PARTIAL)
    ok2 = ok1 & (second_day < cut)
    allocs.add(np.flatnonzero(ok2), second_day[ok2], (net - first)[ok2], FULL)
    whole = (net > 0) & ~notes.open_dispute & ~partial & (pay < cut)
    charge = np.round(rng.uniform(10, 35, m) * col["fx"][buyer]).astype(np.int64)  # 10-35 EUR worth
    short = whole & col["foreign"][buyer] & (rng.random(m) < 0.02) & (net > 4 * charge)
    paid = np.where(short, net - charge, net)
    kind = np.where(short, PARTIAL, FULL)
    allocs.add(np.flatnonzero(whole), pay[whole], paid[whole], kind[whole])
    return allocs


def _payments(col: dict[str, np.ndarray], inv_buyer: np.ndarray, allocs: _Allocs, cut: np.ndarray,
              rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Group allocations into payments: fortnightly runs for batch payers, one payment otherwise.
    A run that would fall on or after the invoice's cut-off (default day, or after as_of) has not
    happened: those invoices stay open."""
    invoice = np.concatenate(allocs.invoice)
    day = np.concatenate(allocs.day)
    amount = np.concatenate(allocs.amount)
    kind = np.concatenate(allocs.kind)
    n = len(col["pd"])
    batch_payer = rng.random(n) < 0.35
    phase = rng.integers(0, 14, n)
    buyer = inv_buyer[invoice]
    in_run = batch_payer[buyer] & (kind == FULL)
    run_day = phase[buyer] + np.ceil((day - phase[buyer]) / 14).astype(np.int64) * 14
    day = np.where(in_run, run_day, day)
    keep = day < cut[invoice]
    invoice, day, amount, kind, buyer, in_run = (a[keep] for a in (invoice, day, amount, kind, buyer, in_run))
    # Key: runs group by (buyer, day); every other allocation is a payment of its own.
    solo = np.arange(len(invoice)) + 1
    key = np.where(in_run, 0, solo)
    order = np.lexsort((invoice, key, buyer, day))
    invoice, day, amount, buyer, key = invoice[order], day[order], amount[order], buyer[order], key[order]
    new = np.ones(len(invoice), bool)
    new[1:] = (day[1:] != day[:-1]) | (buyer[1:] != buyer[:-1]) | (key[1:] != key[:-1]) | (key[1:] != 0)
    payment = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    return {
        "pay_buyer": buyer[starts], "pay_day": day[starts],
        "pay_amount": np.add.reduceat(amount, starts) if len(starts) else np.zeros(0, np.int64),
        "al_payment": payment, "al_invoice": invoice, "al_amount": amount,
    }
