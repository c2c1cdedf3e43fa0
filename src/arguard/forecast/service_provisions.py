"""The provisions service: the IFRS 9 provision matrix and PD × LGD × EAD of the stored ledger, the
movement against the previous saved provision and its journal proposal.

History comes through `ledger.interface.invoice_history` at each month-end of the look-back; grades
through `risk.interface.newest_grades`; net insured exposure per buyer through
`insurance.interface.insured_book` (without a policy, net equals gross and the answer says so). Net of
insurance, each invoice counts with its buyer's uninsured share (1 − net insured / open balance).
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any

from sqlalchemy import select

from arguard.core.money import exponent
from arguard.forecast.provisions import (
    MonthStep,
    buyer_losses,
    journal,
    provision_matrix,
    roll_rates,
)
from arguard.forecast.tables import StoredProvision
from arguard.insurance import interface as insurance
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.risk import interface as risk

LOOKBACK_MONTHS = 12
DEFAULT_LGD = Decimal("0.45")
"""Loss given default of an unsecured trade receivable (the Basel foundation value for senior unsecured
claims) unless the company sets its own."""
DEFAULT_PD = Decimal("0.02")
NO_INSURANCE = "no credit insurance policy is loaded: net equals gross"


@dataclass(frozen=True)
class ProvisionRequest:
    as_of: date
    multiplier: Decimal = Decimal(1)
    """Forward-looking adjustment of the historical loss rates (1 = history as it is; 1.1 = 10 % worse)."""
    lgd: Decimal = DEFAULT_LGD
    months: int = LOOKBACK_MONTHS


def month_ends(as_of: date, months: int) -> list[date]:
    """as_of and the same day `months` … 1 months before (clamped to the month's end; a month-end as_of
    gives month-ends), oldest first."""
    out = []
    for k in range(months, -1, -1):
        y, m = divmod(as_of.year * 12 + as_of.month - 1 - k, 12)
        last = calendar.monthrange(y, m + 1)[1]
        at_end = as_of.day == calendar.monthrange(as_of.year, as_of.month)[1]
        out.append(date(y, m + 1, last if at_end else min(as_of.day, last)))
    return out


def _base_minor(ctx: ServiceContext, h: ledger.InvoiceHistory, values: tuple[int, ...], base: str) -> list[int]:
    """Minor units of each invoice's currency converted into the base currency at the history's date."""
    fx = ledger.fx_table(ctx)
    rates = {c: fx.rate(c, base, h.as_of) * Decimal(10) ** (exponent(base) - exponent(c)) for c in set(h.currencies)}
    return [v if c == base else int((Decimal(v) * rates[c]).to_integral_value()) for v, c in zip(values, h.currencies,
                                                                                              strict=True)]


def _steps(ctx: ServiceContext, dates: list[date], base: str) -> tuple[list[MonthStep], ledger.InvoiceHistory]:
    import numpy as np

    snaps = [ledger.invoice_history(ctx, d) for d in dates]
    steps = []
    for h0, h1 in pairwise(snaps):
        pos = {n: i for i, n in enumerate(h1.numbers)}
        idx = [i for i, m in enumerate(h0.open_minor) if m > 0]
        at1 = [pos[h0.numbers[i]] for i in idx]
        open0 = _base_minor(ctx, h0, h0.open_minor, base)
        open1 = _base_minor(ctx, h1, h1.open_minor, base)
        wo0 = _base_minor(ctx, h0, h0.written_off_minor, base)
        wo1 = _base_minor(ctx, h1, h1.written_off_minor, base)
        steps.append(MonthStep(
            dpd_start=np.array([(h0.as_of - h0.due_dates[i]).days for i in idx], dtype=np.int64),
            dpd_end=np.array([(h1.as_of - h1.due_dates[j]).days for j in at1], dtype=np.int64),
            open_start=np.array([open0[i] for i in idx], dtype=np.int64),
            open_end=np.array([max(open1[j], 0) for j in at1], dtype=np.int64),
            written_off=np.array([wo1[j] - wo0[i] for i, j in zip(idx, at1, strict=True)], dtype=np.int64)))
    return steps, snaps[-1]


def provisions(ctx: ServiceContext, req: ProvisionRequest) -> dict[str, Any]:
    """The provision as of the date (not saved): matrix, per-buyer expected loss, movement, journal."""
    import numpy as np

    ctx.require("viewer")
    base = ledger.base_currency(ctx)
    exp = exponent(base)
    steps, today = _steps(ctx, month_ends(req.as_of, req.months), base)
    rates = roll_rates(steps)
    open_base = _base_minor(ctx, today, today.open_minor, base)
    live = [i for i, m in enumerate(open_base) if m > 0]
    dpd = np.array([(req.as_of - today.due_dates[i]).days for i in live], dtype=np.int64)
    rows = provision_matrix(rates, dpd, np.array([open_base[i] for i in live], dtype=np.int64), exp, req.multiplier)
    ead: dict[str, Decimal] = {}
    for i in live:
        code = today.customer_codes[i]
        ead[code] = ead.get(code, Decimal(0)) + Decimal(open_base[i]).scaleb(-exp)
    insured, note, policy = _insured(ctx, req.as_of, base)
    uninsured = {c: 1 - min(Decimal(1), insured.get(c, Decimal(0)) / e) if e > 0 else Decimal(1) for c, e in ead.items()}
    net_open = np.array([int(open_base[i] * uninsured[today.customer_codes[i]]) for i in live], dtype=np.int64)
    rows_net = provision_matrix(rates, dpd, net_open, exp, req.multiplier)
    buyers = buyer_losses(ead, risk.newest_grades(ctx), DEFAULT_PD, req.lgd, insured, exp)
    unit = Decimal(1).scaleb(-exp)
    matrix_total = sum((r.expected_loss for r in rows), Decimal(0)).quantize(unit)
    matrix_net = sum((r.expected_loss for r in rows_net), Decimal(0)).quantize(unit)
    buyers_total = sum((b.expected_loss for b in buyers), Decimal(0)).quantize(unit)
    buyers_net = sum((b.net_expected_loss for b in buyers), Decimal(0)).quantize(unit)
    previous = _previous(ctx, req.as_of)
    prev_total = Decimal(previous.matrix_minor).scaleb(-exp) if previous else Decimal(0).quantize(matrix_total)
    change = matrix_total - prev_total
    return {
        "as_of": req.as_of.isoformat(), "currency": base,
        "settings": {"multiplier": str(req.multiplier), "lgd": str(req.lgd), "lookback_months": req.months},
        "matrix": [{"bucket": r.bucket, "balance": str(r.balance), "historical_rate": str(r.historical_rate),
                    "loss_rate": str(r.loss_rate), "expected_loss": str(r.expected_loss),
                    "expected_loss_net": str(n.expected_loss)} for r, n in zip(rows, rows_net, strict=True)],
        "total": {"balance": str(sum((r.balance for r in rows), Decimal(0))), "expected_loss": str(matrix_total),
                  "expected_loss_net": str(matrix_net)},
        "buyers": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(b).items()} for b in buyers],
        "buyers_total": {"expected_loss": str(buyers_total), "expected_loss_net": str(buyers_net)},
        "insurance": note, "policy": policy,
        "previous": None if previous is None else {"as_of": previous.as_of.isoformat(), "expected_loss": str(prev_total)},
        "movement": str(change),
        "journal": [{"account": j.account, "debit": str(j.debit), "credit": str(j.credit)} for j in journal(change)],
    }


def _insured(ctx: ServiceContext, as_of: date, base: str) -> tuple[dict[str, Decimal], str, str | None]:
    """Net insured exposure per buyer in the base currency (at the as_of rate), a note on its source and
    the policy's number (None without one)."""
    book = insurance.insured_book(ctx, as_of)
    if book is None:
        return {}, NO_INSURANCE, None
    rate = ledger.fx_table(ctx).rate(book.currency, base, as_of)
    insured = {code: (Decimal(m).scaleb(-exponent(book.currency)) * rate).quantize(Decimal(1).scaleb(-exponent(base)))
               for code, m in book.net_insured_minor.items() if m > 0}
    return insured, f"net of the insured exposure under policy {book.policy_number}", book.policy_number


def _previous(ctx: ServiceContext, as_of: date) -> StoredProvision | None:
    return ctx.session.scalars(select(StoredProvision).where(
        StoredProvision.company_id == ctx.company_id, StoredProvision.as_of < as_of)
        .order_by(StoredProvision.as_of.desc(), StoredProvision.id.desc()).limit(1)).first()


def save_provision(ctx: ServiceContext, req: ProvisionRequest) -> dict[str, Any]:
    """Compute and store the provision (the next one's movement starts from it); audited."""
    ctx.require("credit_manager")
    answer = provisions(ctx, req)
    exp = exponent(answer["currency"])

    def minor(text: str) -> int:
        return int(Decimal(text).scaleb(exp))

    row = StoredProvision(company_id=ctx.company_id, as_of=req.as_of, currency=answer["currency"],
                          matrix_minor=minor(answer["total"]["expected_loss"]),
                          matrix_net_minor=minor(answer["total"]["expected_loss_net"]),
                          buyers_minor=minor(answer["buyers_total"]["expected_loss"]),
                          buyers_net_minor=minor(answer["buyers_total"]["expected_loss_net"]),
                          settings=answer["settings"], matrix=answer["matrix"], actor=ctx.actor)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("provision.save", "forecast_provision", row.id, reason=f"provision as of {req.as_of}",
              after={"expected_loss": answer["total"]["expected_loss"], "movement": answer["movement"],
                     "settings": answer["settings"]})
    return answer
