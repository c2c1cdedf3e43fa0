"""Reading a policy file's mapping into a `Policy`, with every bad key named. Pure: no files, clock or DB.

`parse_policy(data, source)` returns `(policy, issues)`: the policy is None when any issue was found,
and each issue names the key (dotted: `period.start`, `premium.rate_pct`) and what is wrong with it.
Numbers may be written as YAML/JSON numbers or strings; amounts become `Decimal`, never float.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from arguard.core.errors import Issue, ValidationError
from arguard.core.money import Money, check_currency
from arguard.insurance.model import (
    DECLARATION_FREQUENCIES,
    Exclusions,
    MaxLiability,
    Policy,
    PremiumTerms,
)

REQUIRED_KEYS: tuple[str, ...] = (
    "policy_number", "insurer", "currency", "period", "indemnity_pct", "max_credit_period_days",
    "max_extension_days", "overdue_notification_days", "adverse_event_notification_days", "claim_filing_days",
    "waiting_period_days", "insolvency_payout_days", "deductible_per_claim", "aggregate_first_loss",
    "non_qualifying_loss", "max_liability", "premium", "discretionary_limit", "exclusions")
OPTIONAL_KEYS: tuple[str, ...] = ("political_countries",)


class _Reader:
    """Collects issues while reading keys; every getter returns a harmless default after an issue."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[Issue] = []

    def bad(self, key: str, reason: str) -> None:
        self.issues.append(Issue(self.source, None, key, reason))

    def section(self, data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
        v = data.get(key)
        if not isinstance(v, Mapping):
            self.bad(key, "missing" if v is None else "must be a mapping of keys")
            return {}
        return v

    def text(self, data: Mapping[str, Any], key: str, path: str) -> str:
        v = data.get(key)
        if v is None or not str(v).strip():
            self.bad(path, "missing")
            return ""
        return str(v).strip()

    def decimal(self, data: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Decimal | None:
        v = data.get(key)
        if v is None:
            if not optional:
                self.bad(path, "missing")
            return None
        if isinstance(v, bool):
            self.bad(path, f"not a number: {v!r}")
            return None
        try:
            # a YAML float arrives as its written text through the loader (policy_io); str() keeps the
            # written digits of anything else
            d = Decimal(str(v).strip().replace(",", ""))
        except InvalidOperation:
            self.bad(path, f"not a number: {v!r}")
            return None
        if not d.is_finite() or d < 0:
            self.bad(path, f"must be zero or more, not {v!r}")
            return None
        return d

    def days(self, data: Mapping[str, Any], key: str, path: str) -> int:
        d = self.decimal(data, key, path)
        if d is None:
            return 0
        if d != d.to_integral_value():
            self.bad(path, f"a number of days is whole, not {d}")
            return 0
        return int(d)

    def pct(self, data: Mapping[str, Any], key: str, path: str) -> Decimal:
        d = self.decimal(data, key, path)
        if d is not None and d > 100:
            self.bad(path, f"a percentage is at most 100, not {d}")
            return Decimal(0)
        return d if d is not None else Decimal(0)

    def money(self, data: Mapping[str, Any], key: str, path: str, currency: str, *, optional: bool = False) -> Money:
        d = self.decimal(data, key, path, optional=optional)
        return Money(d if d is not None else Decimal(0), currency)

    def day(self, data: Mapping[str, Any], key: str, path: str) -> date:
        v = data.get(key)
        if isinstance(v, date):
            return v
        try:
            return date.fromisoformat(str(v).strip())
        except ValueError:
            self.bad(path, "missing" if v is None else f"not a date (YYYY-MM-DD): {v!r}")
            return date.min

    def flag(self, data: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
        v = data.get(key, default)
        if isinstance(v, bool):
            return v
        if str(v).lower() in ("yes", "true", "1"):
            return True
        if str(v).lower() in ("no", "false", "0"):
            return False
        self.bad(path, f"true or false, not {v!r}")
        return default

    def codes(self, data: Mapping[str, Any], key: str, path: str, *, countries: bool) -> frozenset[str]:
        v = data.get(key) or []
        if isinstance(v, str):
            v = [p for p in v.replace(",", " ").split() if p]
        if not isinstance(v, list):
            self.bad(path, "a list")
            return frozenset()
        out = {str(x).strip().upper() if countries else str(x).strip() for x in v}
        for c in sorted(out):
            if countries and (len(c) != 2 or not c.isalpha()):
                self.bad(path, f"not an ISO 3166 alpha-2 country code: {c!r}")
        return frozenset(out)


def parse_policy(data: Any, source: str = "policy") -> tuple[Policy | None, list[Issue]]:
    """The policy described by a mapping (a loaded YAML/JSON file), or None with every issue found."""
    r = _Reader(source)
    if not isinstance(data, Mapping):
        return None, [Issue(source, None, None, "a policy file is a mapping of keys (YAML or JSON object)")]
    for key in sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS)):
        r.bad(str(key), "unknown key")
    cur = r.text(data, "currency", "currency").upper()
    try:
        cur = check_currency(cur) if cur else "XXX"
    except ValidationError:
        r.bad("currency", f"not an ISO 4217 currency code: {data.get('currency')!r}")
        cur = "XXX"
    period = r.section(data, "period")
    start, end = r.day(period, "start", "period.start"), r.day(period, "end", "period.end")
    if period and start != date.min and end != date.min and end < start:
        r.bad("period.end", f"the period ends ({end}) before it starts ({start})")
    ind = r.section(data, "indemnity_pct")
    commercial = r.pct(ind, "commercial", "indemnity_pct.commercial") if ind else Decimal(0)
    political = (r.pct(ind, "political", "indemnity_pct.political") if "political" in ind else commercial)
    def days(key: str) -> int:
        return r.days(data, key, key)

    def money(key: str) -> Money:
        return r.money(data, key, key, cur)

    disc_max, disc_conditions = _discretionary(r, data, cur)
    policy = Policy(
        policy_number=r.text(data, "policy_number", "policy_number"), insurer=r.text(data, "insurer", "insurer"),
        currency=cur, start=start, end=end, indemnity_commercial_pct=commercial, indemnity_political_pct=political,
        max_credit_period_days=days("max_credit_period_days"), max_extension_days=days("max_extension_days"),
        overdue_notification_days=days("overdue_notification_days"),
        adverse_event_notification_days=days("adverse_event_notification_days"),
        claim_filing_days=days("claim_filing_days"), waiting_period_days=days("waiting_period_days"),
        insolvency_payout_days=days("insolvency_payout_days"), deductible_per_claim=money("deductible_per_claim"),
        aggregate_first_loss=money("aggregate_first_loss"), non_qualifying_loss=money("non_qualifying_loss"),
        max_liability=_max_liability(r, data, cur), premium=_premium(r, data, cur),
        discretionary_max=disc_max, discretionary_conditions=disc_conditions,
        exclusions=_exclusions(r, data),
        political_countries=r.codes(data, "political_countries", "political_countries", countries=True))
    return (None, r.issues) if r.issues else (policy, [])


def _max_liability(r: _Reader, data: Mapping[str, Any], cur: str) -> MaxLiability:
    ml = r.section(data, "max_liability")
    if not ml:
        return MaxLiability(multiple_of_premium=Decimal(0))
    if ("amount" in ml) == ("multiple_of_premium" in ml):
        r.bad("max_liability", "give exactly one of amount or multiple_of_premium")
        return MaxLiability(multiple_of_premium=Decimal(0))
    if "amount" in ml:
        return MaxLiability(amount=r.money(ml, "amount", "max_liability.amount", cur))
    return MaxLiability(multiple_of_premium=r.decimal(ml, "multiple_of_premium", "max_liability.multiple_of_premium")
                        or Decimal(0))


def _premium(r: _Reader, data: Mapping[str, Any], cur: str) -> PremiumTerms:
    p = r.section(data, "premium")
    rate = r.pct(p, "rate_pct", "premium.rate_pct") if p else Decimal(0)
    freq = str(p.get("declaration", "")).strip().lower() if p else "monthly"
    if p and freq not in DECLARATION_FREQUENCIES:
        r.bad("premium.declaration", f"one of {', '.join(DECLARATION_FREQUENCIES)}, not {p.get('declaration')!r}")
    return PremiumTerms(rate_pct=rate, minimum=r.money(p, "minimum", "premium.minimum", cur) if p else Money.zero(cur),
                        declaration=freq or "monthly",
                        buyer_fee=r.money(p, "buyer_fee", "premium.buyer_fee", cur, optional=True))


def _discretionary(r: _Reader, data: Mapping[str, Any], cur: str) -> tuple[Money, tuple[str, ...]]:
    d = r.section(data, "discretionary_limit")
    if not d:
        return Money.zero(cur), ()
    conditions = d.get("conditions") or []
    if isinstance(conditions, str):
        conditions = [conditions]
    if not isinstance(conditions, list):
        r.bad("discretionary_limit.conditions", "a list of conditions (text)")
        conditions = []
    return r.money(d, "max_amount", "discretionary_limit.max_amount", cur), tuple(str(c) for c in conditions)


def _exclusions(r: _Reader, data: Mapping[str, Any]) -> Exclusions:
    e = r.section(data, "exclusions")
    if not e:
        return Exclusions()
    for key in sorted(set(e) - {"countries", "affiliates", "public_buyers", "private_persons", "buyers"}):
        r.bad(f"exclusions.{key}", "unknown key")
    return Exclusions(countries=r.codes(e, "countries", "exclusions.countries", countries=True),
                      affiliates=r.flag(e, "affiliates", "exclusions.affiliates", True),
                      public_buyers=r.flag(e, "public_buyers", "exclusions.public_buyers", False),
                      private_persons=r.flag(e, "private_persons", "exclusions.private_persons", True),
                      buyers=r.codes(e, "buyers", "exclusions.buyers", countries=False))


def policy_terms(p: Policy) -> dict[str, Any]:
    """The policy as a plain mapping (amounts and percentages as strings): the file format, stored and
    answered by the API; `parse_policy(policy_terms(p))` gives `p` back."""
    ml: dict[str, str] = ({"amount": str(p.max_liability.amount.amount)} if p.max_liability.amount is not None
                          else {"multiple_of_premium": str(p.max_liability.multiple_of_premium)})
    out: dict[str, Any] = {
        "policy_number": p.policy_number, "insurer": p.insurer, "currency": p.currency,
        "period": {"start": p.start.isoformat(), "end": p.end.isoformat()},
        "indemnity_pct": {"commercial": str(p.indemnity_commercial_pct), "political": str(p.indemnity_political_pct)},
        "max_credit_period_days": p.max_credit_period_days, "max_extension_days": p.max_extension_days,
        "overdue_notification_days": p.overdue_notification_days,
        "adverse_event_notification_days": p.adverse_event_notification_days,
        "claim_filing_days": p.claim_filing_days, "waiting_period_days": p.waiting_period_days,
        "insolvency_payout_days": p.insolvency_payout_days,
        "deductible_per_claim": str(p.deductible_per_claim.amount),
        "aggregate_first_loss": str(p.aggregate_first_loss.amount),
        "non_qualifying_loss": str(p.non_qualifying_loss.amount), "max_liability": ml,
        "premium": {"rate_pct": str(p.premium.rate_pct), "minimum": str(p.premium.minimum.amount),
                    "declaration": p.premium.declaration, "buyer_fee": str(p.premium.buyer_fee.amount)},
        "discretionary_limit": {"max_amount": str(p.discretionary_max.amount),
                                "conditions": list(p.discretionary_conditions)},
        "exclusions": {"countries": sorted(p.exclusions.countries), "affiliates": p.exclusions.affiliates,
                       "public_buyers": p.exclusions.public_buyers, "private_persons": p.exclusions.private_persons,
                       "buyers": sorted(p.exclusions.buyers)},
    }
    if p.political_countries:
        out["political_countries"] = sorted(p.political_countries)
    return out
