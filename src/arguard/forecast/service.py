"""The forecast service: the stored ledger's cash-in forecast (the only place here with ledger/risk reads).

Reads go through the front doors: `arguard.ledger.interface.invoice_columns` (every invoice with its
settlement as of the date, as numpy columns; `invoice_history` for the CSV export and actual receipts), `arguard.risk.interface.newest_grades` (PD per buyer),
`arguard.insurance.interface.insured_book` (net insured exposure per buyer and the waiting period; without
a policy, indemnities are zero and the answer says so).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from arguard.core.errors import NotFound, ValidationError
from arguard.core.money import Money
from arguard.core.progress import Progress, silent
from arguard.insurance import interface as insurance
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.risk import interface as risk

DEFAULT_PD = 0.02
"""12-month PD of a buyer without a grade (a documented assumption: about a grade-5 buyer)."""
MAX_TRAINING_ROWS = 12_000
"""Training invoices drawn (seeded) from the last `TRAINING_DAYS` when the ledger has more. 12,000 rather
than all: on the demo's backtests a 12,000-invoice sample scored as the full 15,600–19,700 (MAE 14.08 /
14.72 / 11.68 days against 14.06 / 14.73 / 11.84, weekly WAPE 0.102 / 0.130 / 0.138 against 0.105 /
0.128 / 0.141), and the fit is most of a large ledger's forecast."""
TRAINING_DAYS = 730
WEEKS, MONTHS = 13, 12


@dataclass(frozen=True)
class ForecastRequest:
    as_of: date
    scenarios: int = 200
    seed: int = 20240601
    delay_days: int = 0
    default_buyer: str | None = None


def forecast_run(ctx: ServiceContext, req: ForecastRequest, progress: Progress | None = None) -> dict[str, Any]:
    """Per open invoice its payment-date distribution; receipts per week (13) and month (12) with bands.
    progress: told the stages done (history read, model fitted, invoices predicted, scenarios drawn,
    bands) (`core.progress`)."""
    ctx.require("viewer")
    note = progress or silent
    note(STAGES, 0, 5)
    history = _history_frame(ctx, req.as_of)
    note(STAGES, 1, 5)
    base = ledger.base_currency(ctx)
    fx = ledger.fx_table(ctx)
    open_currencies = history.loc[history["open_minor"] > 0, "currency"].unique()
    rates = {str(c): float(fx.rate(str(c), base, req.as_of)) for c in open_currencies}
    cover = insured_cover(ctx, req.as_of, base)
    return forecast_book(history, req, base, rates, risk.newest_grades(ctx), cover, progress=progress)


STAGES = "stages (history, model, invoices, scenarios, bands)"


@dataclass(frozen=True)
class Cover:
    """Net insured exposure per buyer in the base currency (float: simulation weights) and the waiting
    period before an indemnity is paid; `note` says where it comes from."""

    insured: dict[str, float]
    waiting_days: int
    note: str
    policy: str | None = None


NO_COVER = Cover({}, 0, "no credit insurance policy is loaded: indemnities are zero")


def insured_cover(ctx: ServiceContext, as_of: date, base: str) -> Cover:
    book = insurance.insured_book(ctx, as_of)
    if book is None:
        return NO_COVER
    rate = float(ledger.fx_table(ctx).rate(book.currency, base, as_of)) * 10.0 ** -_exp(book.currency)
    return Cover({code: m * rate for code, m in book.net_insured_minor.items() if m > 0}, book.waiting_period_days,
                 f"policy {book.policy_number}: the insured share of a defaulted buyer's invoices is paid "
                 f"{book.waiting_period_days} days after the default", book.policy_number)


def forecast_book(history: Any, req: ForecastRequest, base: str, rates: dict[str, float],
                  grades: dict[str, tuple[int, float]], cover: Cover = NO_COVER,
                  progress: Progress | None = None) -> dict[str, Any]:
    """The forecast of a history frame (`_history_frame` columns) — pure: no database, clock or files."""
    note = progress or silent
    import numpy as np
    import pandas as pd

    from arguard.forecast.cashflow import OpenBook, bands, simulate
    from arguard.forecast.features import day_numbers, invoice_features, payment_runs

    model = _fit(history, req.as_of, req.seed)
    note(STAGES, 2, 5)
    open_rows = history[history["open_minor"] > 0]
    as_of_day = int(day_numbers(pd.Series([pd.Timestamp(req.as_of)]))[0])
    asked = np.full(len(open_rows), as_of_day + 1, dtype=np.int64)
    X = invoice_features(open_rows, history, asked)  # the extra columns (open_minor, label_ok) are not read
    q = model.predict_quantiles(X) if len(open_rows) else np.zeros((0, len(model.quantiles_)))
    note(STAGES, 3, 5)
    buyers = pd.Index(pd.unique(open_rows["customer"]))
    pds = np.array([grades.get(code, (0, DEFAULT_PD))[1] for code in buyers], dtype=np.float64)
    defaulted = None
    if req.default_buyer is not None:
        if req.default_buyer not in buyers:
            raise NotFound(f"buyer {req.default_buyer!r} has no open invoice on {req.as_of}", code="buyer_not_open")
        defaulted = np.asarray(buyers == req.default_buyer)
    scale = open_rows["currency"].map(lambda c: rates[c] * 10.0 ** -_exp(c)).to_numpy(dtype=np.float64)
    buyer_of = buyers.get_indexer(open_rows["customer"]).astype(np.int64)
    amount = open_rows["open_minor"].to_numpy() * scale
    open_of_buyer = np.bincount(buyer_of, weights=amount, minlength=len(buyers))
    insured = np.array([cover.insured.get(code, 0.0) for code in buyers], dtype=np.float64)
    share = np.clip(np.divide(insured, open_of_buyer, out=np.zeros(len(buyers)), where=open_of_buyer > 0), 0, 1)
    cadence, phase = (payment_runs(open_rows["customer"], history, as_of_day + 1)
                      if getattr(model, "snaps_to_runs", False) else (np.zeros(0, np.int64), np.zeros(0, np.int64)))
    book = OpenBook(buyer=buyer_of, due_day=day_numbers(open_rows["due"]), amount=amount, quantiles=q,
                    levels=model.quantiles_, buyer_pd=pds, buyer_insured=share, waiting_days=cover.waiting_days,
                    run_cadence=cadence, run_phase=phase)
    weeks, months = _periods(req.as_of)
    draws = simulate(book, as_of_day, int(months[-1][1]), req.scenarios, req.seed,
                     delay_days=req.delay_days, defaulted=defaulted)
    note(STAGES, 4, 5)
    week_bands = bands(draws, np.array([s for s, _ in weeks]), np.array([e for _, e in weeks]))
    month_bands = bands(draws, np.array([s for s, _ in months]), np.array([e for _, e in months]))
    note(STAGES, 5, 5)

    def money(x: float) -> str:
        return str(Money.of(Decimal(repr(round(float(x), _exp(base)))), base).amount)

    def rows(b: Any) -> list[dict[str, str]]:
        return [{"from": (req.as_of + timedelta(days=int(s) + 1)).isoformat(),
                 "to": (req.as_of + timedelta(days=int(e))).isoformat(),
                 "expected": money(b.expected[k]), "p10": money(b.p10[k]), "p50": money(b.p50[k]),
                 "p90": money(b.p90[k])} for k, (s, e) in enumerate(zip(b.starts, b.ends, strict=True))]

    return {
        "as_of": req.as_of.isoformat(), "currency": base, "model": model.name, "open_invoices": len(open_rows),
        "open_total": money(float(book.amount.sum())), "trained_on": int(history["label_ok"].sum()),
        "scenarios": req.scenarios, "seed": req.seed,
        "scenario": {"default_buyer": req.default_buyer, "delay_days": req.delay_days},
        "expected_loss": money(draws.expected_loss), "expected_indemnity": money(draws.expected_indemnity),
        "after_horizon": money(draws.later),
        "insurance": cover.note, "policy": cover.policy,
        "waiting_period_days": cover.waiting_days if cover.policy else None,
        "weekly": rows(week_bands), "monthly": rows(month_bands),
    }


def _exp(currency: str) -> int:
    from arguard.core.money import exponent

    return exponent(currency)


def _periods(as_of: date) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Weeks: 7-day periods from the day after as_of. Months: the rest of as_of's month (from the day
    after), then whole calendar months; 12 in all. As [start, end) offsets from the day after as_of."""
    weeks = [(7 * k, 7 * (k + 1)) for k in range(WEEKS)]
    months: list[tuple[int, int]] = []
    start, y, m = as_of + timedelta(days=1), as_of.year, as_of.month
    if start.month != m:
        y, m = start.year, start.month
    for _ in range(MONTHS):
        end = date(y, m, calendar.monthrange(y, m)[1]) + timedelta(days=1)
        months.append(((start - as_of).days - 1, (end - as_of).days - 1))
        start = end
        y, m = end.year, end.month
    return weeks, months


def _history_frame(ctx: ServiceContext, as_of: date) -> Any:
    """The ledger's invoices as of the date as a history frame, plus open_minor and label_ok (settled by
    payment on a known date: an invoice booked as settled before import has no usable settlement date)."""
    import pandas as pd

    from arguard.forecast.history import frame_from_columns

    h = ledger.invoice_columns(ctx, as_of)
    if not len(h):
        raise ValidationError(f"no invoice issued on or before {as_of}", code="empty_ledger")
    frame = frame_from_columns(h.numbers, h.customer_codes, h.currencies, h.issue_dates, h.due_dates,
                               h.amount_minor, h.settled_on, h.disputed)
    frame["open_minor"] = h.open_minor
    opening = h.opening_minor != 0
    frame.loc[opening, "settled"] = pd.NaT
    # written off: never paid — censored on as_of (paid later than that, if ever), not a payment date
    frame.loc[h.written_off_minor != 0, "settled"] = pd.NaT
    frame["label_ok"] = frame["settled"].notna().to_numpy()
    return frame[~(opening & (frame["open_minor"] == 0)).to_numpy()].reset_index(drop=True)


def _fit(history: Any, as_of: date, seed: int) -> Any:
    """The GBM fitted on the recent history (capped, seeded sample), or the customer average when few
    invoices were ever settled."""
    import pandas as pd

    from arguard.forecast.backtest import training_set
    from arguard.forecast.estimators import ChosenModel

    recent = history[history["issue"] >= pd.Timestamp(as_of - timedelta(days=TRAINING_DAYS))]
    if len(recent) > MAX_TRAINING_ROWS:
        recent = recent.sample(MAX_TRAINING_ROWS, random_state=seed).sort_index()
    # features of the sample are computed against the whole history known on as_of
    X, delay, observed = training_set(history, as_of, rows=recent.index)
    return ChosenModel(seed=seed).fit(X, delay, observed)


def history_csv_rows(ctx: ServiceContext, as_of: date) -> list[dict[str, str]]:
    """The ledger's invoices as of the date in the canonical history format (docs/formats.md), for
    `arguard forecast backtest` elsewhere; settled_date empty while open, when written off (never paid) or
    when the settlement date is unknown (settled before import); amount_base at the as_of rate."""
    ctx.require("viewer")
    h = ledger.invoice_history(ctx, as_of)
    base = ledger.base_currency(ctx)
    fx = ledger.fx_table(ctx)
    rates = {c: fx.rate(c, base, as_of) for c in set(h.currencies)}
    out = []
    for k in range(len(h)):
        unknown = h.opening_minor[k] != 0 or h.written_off_minor[k] != 0
        settled = h.settled_on[k]
        amount = Money.from_minor(h.amount_minor[k], h.currencies[k]).amount
        out.append({"invoice_number": h.numbers[k], "customer_id": h.customer_codes[k], "currency": h.currencies[k],
                    "issue_date": h.issue_dates[k].isoformat(), "due_date": h.due_dates[k].isoformat(),
                    "amount": str(amount),
                    "amount_base": str((amount * rates[h.currencies[k]]).quantize(Decimal("0.01"))),
                    "settled_date": "" if settled is None or unknown else settled.isoformat(),
                    "disputed": "yes" if h.disputed[k] else "no"})
    return out


def receipts_before(ctx: ServiceContext, as_of: date, weeks: int = WEEKS) -> list[dict[str, str]]:
    """Cash received per 7-day period in the `weeks` periods up to as_of, in the base currency at the as_of
    rate: the paid part of each invoice settled then, on its settlement day (the fan chart's 'actual')."""
    ctx.require("viewer")
    h = ledger.invoice_history(ctx, as_of, since=as_of - timedelta(days=7 * weeks + 400))
    base = ledger.base_currency(ctx)
    fx = ledger.fx_table(ctx)
    rates = {c: fx.rate(c, base, as_of) for c in set(h.currencies)}
    totals = [Decimal(0)] * weeks
    for k in range(len(h)):
        on = h.settled_on[k]
        if on is None or h.paid_minor[k] == 0:
            continue
        back = (as_of - on).days // 7  # 0: the 7 days ending on as_of
        if back < weeks:
            amount = Money.from_minor(h.paid_minor[k], h.currencies[k]).amount * rates[h.currencies[k]]
            totals[weeks - 1 - back] += amount
    unit = Decimal(1).scaleb(-_exp(base))
    return [{"from": (as_of - timedelta(days=7 * (weeks - i) - 1)).isoformat(),
             "to": (as_of - timedelta(days=7 * (weeks - 1 - i))).isoformat(),
             "actual": str(t.quantize(unit))} for i, t in enumerate(totals)]
