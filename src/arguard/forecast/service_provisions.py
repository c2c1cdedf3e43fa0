"""The provisions service: the IFRS 9 provision matrix and PD × LGD × EAD of the stored ledger, the
movement against the previous saved provision and its journal proposal.

History comes through `ledger.interface.invoice_positions` (every invoice's open and written-off
amounts at each month-end of the look-back, from one read of the ledger's facts); grades
through `risk.interface.newest_grades`; net insured exposure per buyer through
`insurance.interface.insured_book` (without a policy, net equals gross and the answer says so). Net of
insurance, each invoice counts with its buyer's uninsured share (1 − net insured / open balance).
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
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


def _base_minor(ctx: ServiceContext, at: date, currencies: Any, values: Any, base: str) -> Any:
    """Minor units of each invoice's currency (numpy int64) converted into the base currency at `at`'s rate,
    to the integral minor unit (half to even) — only the non-zero ones are converted, in Decimal."""
    import numpy as np

    out = np.array(values, dtype=np.int64, copy=True)
    some = np.flatnonzero((out != 0) & (currencies != base))
    if not len(some):
        return out
    fx = ledger.fx_table(ctx)
    rates = {c: fx.rate(c, base, at) * Decimal(10) ** (exponent(base) - exponent(c)) for c in set(currencies[some])}
    out[some] = [int((Decimal(int(v)) * rates[c]).to_integral_value()) for v, c in
                 zip(out[some].tolist(), currencies[some].tolist(), strict=True)]
    return out


def _steps(ctx: ServiceContext, dates: list[date], base: str) -> tuple[list[MonthStep], ledger.InvoicePositions, Any]:
    """The month-to-month roll of every open invoice over `dates`, the positions and the open amounts in
    the base currency at the last date."""
    import numpy as np

    pos = ledger.invoice_positions(ctx, dates)
    due = pos.due_dates.astype(np.int64)
    day = np.array(dates, dtype="datetime64[D]").astype(np.int64)
    opened = [_base_minor(ctx, d, pos.currencies, pos.open_minor[:, k], base) for k, d in enumerate(dates)]
    written = [_base_minor(ctx, d, pos.currencies, pos.written_off_minor[:, k], base) for k, d in enumerate(dates)]
    steps = []
    for k in range(len(dates) - 1):
        idx = np.flatnonzero(pos.open_minor[:, k] > 0)
        steps.append(MonthStep(
            dpd_start=day[k] - due[idx], dpd_end=day[k + 1] - due[idx],
            open_start=opened[k][idx], open_end=np.maximum(opened[k + 1][idx], 0),
            written_off=written[k + 1][idx] - written[k][idx]))
    return steps, pos, opened[-1]


def provisions(ctx: ServiceContext, req: ProvisionRequest) -> dict[str, Any]:
    """The provision as of the date (not saved): matrix, per-buyer expected loss, movement, journal."""
    import numpy as np

    ctx.require("viewer")
    base = ledger.base_currency(ctx)
    exp = exponent(base)
    steps, today, open_base = _steps(ctx, month_ends(req.as_of, req.months), base)
    rates = roll_rates(steps)
    live = np.flatnonzero(open_base > 0)
    dpd = (np.datetime64(req.as_of, "D") - today.due_dates[live]).astype(np.int64)
    rows = provision_matrix(rates, dpd, open_base[live], exp, req.multiplier)
    codes, amounts = today.customer_codes[live].tolist(), open_base[live].tolist()
    ead: dict[str, Decimal] = {}
    for code, m in zip(codes, amounts, strict=True):
        ead[code] = ead.get(code, Decimal(0)) + Decimal(m).scaleb(-exp)
    insured, note, policy = _insured(ctx, req.as_of, base)
    uninsured = {c: 1 - min(Decimal(1), insured.get(c, Decimal(0)) / e) if e > 0 else Decimal(1) for c, e in ead.items()}
    net_open = np.array([int(m * uninsured[code]) for code, m in zip(codes, amounts, strict=True)], dtype=np.int64)
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
