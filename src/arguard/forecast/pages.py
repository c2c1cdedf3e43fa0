"""Stored page results (README rule 9): the forecast page shows the newest answer stored for its date
instead of fitting and simulating on every load; it is computed (and stored) only when none is stored yet,
or when a credit manager asks for a recompute. `inputs_version` is a cheap fingerprint of what the answer
depends on (open receivables per buyer and bucket, and the buyers' newest grades, read through the ledger's
and risk's front doors): when it differs from the stored one, the page says the book has changed since."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select

from arguard.core.errors import ArguardError
from arguard.forecast.service import ForecastRequest, forecast_run, receipts_before
from arguard.forecast.service_provisions import ProvisionRequest, provisions
from arguard.forecast.tables import StoredPage
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.risk import interface as risk

PAGE_SCENARIOS = 100
PAGE_VERSION = 3
"""Part of the fingerprint: raise it when the forecast, the provision or the stored shape changes, so that
an answer computed by older code is marked stale (3: the model learns delays relative to the buyer's level;
the answers name the insurance policy, and the page shows net-of-insurance figures and indemnities)."""


@dataclass(frozen=True)
class PageResult:
    payload: dict[str, Any]
    computed_at: datetime
    stale: bool


def inputs_version(ctx: ServiceContext, as_of: date) -> str:
    """sha256 of PAGE_VERSION, the base currency, the aging report's rows (buyer, buckets) and the newest grades."""
    ctx.require("viewer")
    rows = sorted((str(r.customer_code), list(r.bucket_minor), r.total.currency)
                  for r in ledger.aging_report(ctx, as_of).rows)
    grades = sorted((k, v[0], v[1]) for k, v in risk.newest_grades(ctx).items())
    text = json.dumps([PAGE_VERSION, ledger.base_currency(ctx), rows, grades], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def compute_page(ctx: ServiceContext, as_of: date) -> dict[str, Any]:
    """What the forecast page shows for the date: forecast, actual receipts, provision, first error."""
    error = forecast = actual = provision = None
    try:
        forecast = forecast_run(ctx, ForecastRequest(as_of, scenarios=PAGE_SCENARIOS))
        actual = receipts_before(ctx, as_of)
    except ArguardError as exc:
        error = exc.message
    try:
        provision = provisions(ctx, ProvisionRequest(as_of))
    except ArguardError as exc:
        error = error or exc.message
    return {"forecast": forecast, "actual": actual, "provision": provision, "error": error}


def _store(ctx: ServiceContext, as_of: date, version: str) -> PageResult:
    payload = compute_page(ctx, as_of)
    ctx.session.execute(delete(StoredPage).where(  # one answer per date: the newest
        StoredPage.company_id == ctx.company_id, StoredPage.as_of == as_of))
    row = StoredPage(company_id=ctx.company_id, as_of=as_of, inputs=version, payload=payload, actor=ctx.actor)
    ctx.session.add(row)
    ctx.session.flush()
    return PageResult(payload, row.computed_at, False)


def page_result(ctx: ServiceContext, as_of: date) -> PageResult:
    """The newest stored answer for the date (stale when the book has moved on since); computed and stored
    when there is none yet."""
    ctx.require("viewer")
    version = inputs_version(ctx, as_of)
    row = ctx.session.scalars(select(StoredPage).where(
        StoredPage.company_id == ctx.company_id, StoredPage.as_of == as_of)
        .order_by(StoredPage.id.desc()).limit(1)).first()
    if row is None:
        return _store(ctx, as_of, version)
    return PageResult(row.payload, row.computed_at, row.inputs != version)


def recompute_page(ctx: ServiceContext, as_of: date) -> PageResult:
    """Compute the page's answer again and store it (credit manager); audited."""
    ctx.require("credit_manager")
    result = _store(ctx, as_of, inputs_version(ctx, as_of))
    ctx.audit("forecast.page_recomputed", "forecast_page", as_of.isoformat(), reason="recompute")
    return result
