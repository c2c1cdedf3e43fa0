"""Final PD of a buyer: the financial PD, moved by payment behaviour, country and sector.

The parts add on the log-odds scale — each overlay multiplies the odds of failure by a factor a
credit analyst can read off its reason (impact 0.69 = odds × 2):

    logit(PD) = logit(anchor) [+ prior shift] + payment + country + sector

anchor: the financial PD from the accounts; without accounts, the PD of a typical company of the
training population (`typical_pd`, the median out-of-fold PD), and confidence drops. The overlay
weights are expert judgement, set once here and validated on the demo company (docs/risk.md), not
estimated from the Polish data (which has no payment, country or sector information). The optional prior
shift re-bases the anchor from the training sample's failure rate (about 7 %) to a portfolio's own.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable
from dataclasses import dataclass

from arguard.core.errors import ValidationError
from arguard.risk.labels import SECTOR_ZH, zh_label
from arguard.risk.masterscale import DEFAULT_GRADE, grade_of
from arguard.risk.model import Confidence, Grade, PaymentBehaviour, Reason, RiskInputs

TYPICAL_PD = 0.01
STALE_ACCOUNTS_DAYS = 548
"""Accounts older than 18 months no longer count as recent."""
MIN_HISTORY = 6
"""Settled invoices needed for payment behaviour to carry its full weight."""
DEFAULT_DPD, DEFAULT_MATERIALITY = 90, 0.5
"""In default (protracted): at least half of the open amount 90+ days past due and nothing settled in the
last 90 days — a buyer that has stopped paying, not one that pays late or leaves old items open."""
COUNTRY_STEP = 0.15
"""Log-odds per OECD class: class 7 multiplies the odds by e^1.05 ≈ 2.9."""
TOP_REASONS = 5
DISPUTE_WEIGHT = 0.6
"""Log-odds per unit of disputed share: every invoice of the window disputed multiplies the odds by 1.8."""
CREDIT_NOTE_WEIGHT = 0.5
"""Log-odds per credit note per invoice issued in the window."""
STEADY_TREND_DAYS, STEADY_PARTIAL_SHARE = 5.0, 0.2
"""A steady slow payer: lateness not growing by more than 5 days over 90 days, at most one invoice in five paid
in instalments (README rule 17)."""
STEADY_ALLOWANCE_DAYS = 20.0
"""Lateness a steady slow payer is further excused, beyond its country's habit: paying 20 days late but in
full, month after month, is a terms matter, not a sign of failure. Lateness beyond it still counts."""


@dataclass(frozen=True, slots=True)
class PriorShift:
    """Re-base PDs calibrated on a sample with failure rate `sample_rate` to a portfolio whose 12-month
    default rate is `portfolio_rate` (prior-probability shift, Saerens, Latinne & Decaestecker 2002):

        odds(PD') = odds(PD) · [π' / (1 − π')] / [π / (1 − π)],  i.e.  logit(PD') = logit(PD) + logit(π') − logit(π)

    It keeps every ranking (AUC, KS) and moves the whole scale; it assumes the ratios of failed and of
    surviving firms look the same in the portfolio as in the sample, only their mix differs.
    """

    sample_rate: float
    portfolio_rate: float

    def __post_init__(self) -> None:
        for name in ("sample_rate", "portfolio_rate"):
            if not 0.0 < getattr(self, name) < 1.0:
                raise ValidationError(f"{name} must lie strictly between 0 and 1, got {getattr(self, name)}",
                                      code="invalid_default_rate")

    @property
    def shift(self) -> float:
        """The constant added to the log-odds."""
        return logit(self.portfolio_rate) - logit(self.sample_rate)

    def apply(self, pd_: float) -> float:
        return expit(logit(pd_) + self.shift)

# NACE section → log-odds; C (manufacturing, the training population) is the reference.
SECTOR_IMPACT: dict[str, float] = {
    "A": 0.10, "B": 0.10, "C": 0.0, "D": -0.30, "E": -0.20, "F": 0.35, "G": 0.15, "H": 0.10, "I": 0.30,
    "J": 0.05, "K": 0.0, "L": 0.15, "M": 0.0, "N": 0.10, "O": -0.70, "P": -0.40, "Q": -0.20, "R": 0.20,
    "S": 0.10,
}
SECTOR_NAMES: dict[str, str] = {
    "A": "agriculture", "B": "mining", "C": "manufacturing", "D": "energy supply", "E": "water and waste",
    "F": "construction", "G": "wholesale and retail", "H": "transport", "I": "hospitality",
    "J": "information", "K": "finance", "L": "real estate", "M": "professional services",
    "N": "administrative services", "O": "public administration", "P": "education", "Q": "health",
    "R": "arts and recreation", "S": "other services",
}


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


def expit(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def payment_reasons(b: PaymentBehaviour) -> list[Reason]:
    """Log-odds effects of how the buyer pays, weighted by how much history there is."""
    weight = min(1.0, b.invoices_paid / MIN_HISTORY)
    out: list[Reason] = []

    def add(code: str, label: str, impact: float, value: float) -> None:
        impact *= weight
        if abs(impact) >= 0.01:
            out.append(Reason(code, label, "raises" if impact > 0 else "lowers", round(impact, 4), value,
                              zh_label(code)))

    dbt = max(b.avg_days_beyond_terms, 0.0)
    usual = min(max(b.peer_days_beyond_terms or 0.0, 0.0), PEER_ALLOWANCE_DAYS)
    steady = (b.dbt_trend_days <= STEADY_TREND_DAYS and b.partial_payment_share <= STEADY_PARTIAL_SHARE
              and b.max_days_past_due < 60)
    # lateness beyond the local habit is the signal (README rule 16), beyond a steady payer's terms gap (rule 17)
    late = max(dbt - usual - (STEADY_ALLOWANCE_DAYS if steady else 0.0), 0.0)
    if dbt <= 2 and b.invoices_paid >= MIN_HISTORY:
        add("payment.on_time", "pays on time (days beyond terms)", -0.3, dbt)
    else:
        where = "in the seller's book" if b.peer_basis == "book" else "in its country"
        label = f"days beyond terms ({usual:.0f} usual {where})" if usual >= 1 else "days beyond terms"
        if steady and dbt > usual:
            label += f"; steady payer, {STEADY_ALLOWANCE_DAYS:.0f} more excused"
        add("payment.days_beyond_terms", label, min(0.9 * math.log1p(late / 10), 2.5), dbt)
    trend = b.dbt_trend_days
    add("payment.trend", "days-beyond-terms trend (90 days)",
        math.copysign(min(0.3 * math.log1p(abs(trend) / 10), 0.7 if trend > 0 else 0.3), trend), trend)
    add("payment.partial", "share of invoices paid in instalments", 0.8 * b.partial_payment_share,
        b.partial_payment_share)
    add("payment.disputes", "share of invoices disputed", DISPUTE_WEIGHT * b.disputed_share, b.disputed_share)
    add("payment.credit_notes", "credit notes per invoice (returns, settled disputes)",
        CREDIT_NOTE_WEIGHT * b.credit_note_share, b.credit_note_share)
    if b.max_days_past_due >= 60:
        add("payment.overdue", "share of open amount 60+ days late", 0.5 + b.overdue_60_share,
            b.overdue_60_share)
    return out


PEER_MIN_BUYERS = 5
"""Buyers of one country with enough history (`MIN_HISTORY` settled invoices) needed for a local norm."""
PEER_ALLOWANCE_DAYS = 30.0
"""The most a country's habit excuses: lateness beyond 30 days counts wherever the buyer is."""


def country_norms(rows: Iterable[tuple[str, PaymentBehaviour]]) -> dict[str, float]:
    """Usual days beyond terms per country: the median over the buyers (country, behaviour) with at least
    `MIN_HISTORY` settled invoices, where a country has `PEER_MIN_BUYERS` of them (README rule 16)."""
    by_country: dict[str, list[float]] = {}
    for country, b in rows:
        if b.invoices_paid >= MIN_HISTORY:
            by_country.setdefault(country, []).append(max(b.avg_days_beyond_terms, 0.0))
    return {c: round(statistics.median(v), 2) for c, v in by_country.items() if len(v) >= PEER_MIN_BUYERS}


def book_norm(rows: Iterable[tuple[str, PaymentBehaviour]]) -> float | None:
    """Usual days beyond terms over the seller's whole book (same buyers and minimum as `country_norms`): the
    reference for a buyer whose country has too few peers for its own norm. Few peers is less information,
    not more risk: such a buyer is judged against the book, not against punctuality (README rule 17)."""
    days = [max(b.avg_days_beyond_terms, 0.0) for _, b in rows if b.invoices_paid >= MIN_HISTORY]
    return round(statistics.median(days), 2) if len(days) >= PEER_MIN_BUYERS else None


def in_default(b: PaymentBehaviour | None) -> bool:
    return (b is not None and b.max_days_past_due >= DEFAULT_DPD and b.overdue_90_share >= DEFAULT_MATERIALITY
            and not b.invoices_paid_90d)


def sector_reason(sector: str | None) -> Reason | None:
    letter = (sector or "").strip()[:1].upper()
    impact = SECTOR_IMPACT.get(letter)
    if not impact:
        return None
    return Reason("sector.overlay", f"sector {SECTOR_NAMES[letter]}", "raises" if impact > 0 else "lowers",
                  impact, sector, zh_label("sector.overlay", sector=SECTOR_ZH[letter]))


def confidence_of(inputs: RiskInputs) -> Confidence:
    fresh = inputs.financial_pd is not None and (inputs.accounts_age_days or 0) <= STALE_ACCOUNTS_DAYS
    history = inputs.behaviour is not None and inputs.behaviour.invoices_paid >= MIN_HISTORY
    return "high" if fresh and history else "medium" if fresh or history else "low"


def combine(inputs: RiskInputs, *, typical_pd: float = TYPICAL_PD, model_version: str = "",
            prior: PriorShift | None = None) -> Grade:
    """The buyer's grade: final 12-month PD, grade 1–10, confidence and the strongest reasons.

    prior: re-base the financial (or typical) PD to the portfolio's default rate before the overlays;
    None keeps the training sample's calibration. `Grade.financial_pd` stays the model's own PD.
    """
    reasons: list[Reason] = list(inputs.financial_reasons)
    anchor = inputs.financial_pd
    if anchor is None:
        anchor = typical_pd
        notes = [Reason("accounts.missing", "no financial statements: typical company PD used", "raises", 0.0,
                        label_zh=zh_label("accounts.missing"))]
    elif (inputs.accounts_age_days or 0) > STALE_ACCOUNTS_DAYS:
        notes = [Reason("accounts.stale", "accounts older than 18 months", "raises", 0.0,
                        inputs.accounts_age_days, zh_label("accounts.stale"))]
    else:
        notes = []
    if inputs.behaviour is not None:
        reasons += payment_reasons(inputs.behaviour)
    if inputs.country is not None and inputs.country.treated_as > 0:
        c = inputs.country
        zh = zh_label("country.oecd_class" if c.oecd_class is not None else "country.unknown",
                      cls=c.treated_as, iso2=c.iso2 or "?")
        reasons.append(Reason("country.oecd_class", f"country risk ({c.basis})", "raises",
                              round(COUNTRY_STEP * c.treated_as, 4), c.iso2, zh))
    sector = sector_reason(inputs.sector)
    if sector is not None:
        reasons.append(sector)
    overlay = sum(r.impact for r in reasons[len(inputs.financial_reasons):])
    defaulted = inputs.insolvent or in_default(inputs.behaviour)
    shift = prior.shift if prior is not None else 0.0
    pd_12m = 1.0 if defaulted else expit(logit(anchor) + shift + overlay)
    if defaulted:
        label = "insolvency on record" if inputs.insolvent else f"stopped paying: {DEFAULT_DPD}+ days past due"
        zh = zh_label("default.insolvency") if inputs.insolvent else zh_label("default.stopped_paying",
                                                                              days=DEFAULT_DPD)
        notes.insert(0, Reason("default.event", label, "raises", 10.0, label_zh=zh))
    top = sorted(reasons, key=lambda r: -abs(r.impact))[: TOP_REASONS - len(notes)]
    return Grade(
        as_of=inputs.as_of, pd_12m=round(pd_12m, 6),
        grade=DEFAULT_GRADE if defaulted else grade_of(pd_12m),
        confidence=confidence_of(inputs), reasons=tuple(notes + top),
        financial_pd=inputs.financial_pd, model_version=model_version,
    )
