"""The dunning policy file (YAML; format in docs/formats.md): parsed and validated in one pass that names
every bad key (`levels[2].fee: …`), beancount-style: `(policy or None, issues)`. Pure: text in, records out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from arguard.collections.model import (
    BASES,
    CHANNELS,
    CLEARING_PARTS,
    LANGUAGES,
    DunningLevel,
    DunningPolicy,
    Sequential,
    StricterLevels,
)
from arguard.core.errors import Issue

TOP_KEYS = ("name", "currency", "min_overdue_amount", "levels", "interest", "compensation_per_invoice",
            "clearing_order", "stricter", "sequential")
LEVEL_KEYS = ("name", "days_overdue", "channel", "fee", "templates")
MAX_BYTES = 256 * 1024


class _Errors:
    def __init__(self, source: str) -> None:
        self.source = source
        self.issues: list[Issue] = []

    def add(self, key: str, reason: str) -> None:
        self.issues.append(Issue(self.source, None, key, reason))


def _amount(errs: _Errors, key: str, value: Any, *, allow_negative: bool = False) -> Decimal:
    if isinstance(value, float):
        errs.add(key, f"write the amount as a quoted string (\"{value}\"), not a float")
        return Decimal(0)
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errs.add(key, f"not an amount: {value!r}")
        return Decimal(0)
    if not d.is_finite() or (d < 0 and not allow_negative):
        errs.add(key, f"must be a finite amount ≥ 0, got {value!r}")
        return Decimal(0)
    return d


def _int(errs: _Errors, key: str, value: Any, lo: int | None = None, hi: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        errs.add(key, f"must be a whole number, got {value!r}")
        return 0
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        errs.add(key, f"must be between {lo} and {hi}, got {value}")
    return value


def _unknown(errs: _Errors, prefix: str, d: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    for k in d:
        if k not in allowed:
            errs.add(f"{prefix}{k}", f"unknown key; allowed: {', '.join(allowed)}")


def _level(errs: _Errors, k: int, raw: Any) -> DunningLevel | None:
    key = f"levels[{k}]"
    if not isinstance(raw, Mapping):
        errs.add(key, "each level is a mapping {name, days_overdue, channel, fee}")
        return None
    _unknown(errs, f"{key}.", raw, LEVEL_KEYS)
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        errs.add(f"{key}.name", "missing or empty")
        name = f"level{k}"
    if "days_overdue" not in raw:
        errs.add(f"{key}.days_overdue", "missing")
    days = _int(errs, f"{key}.days_overdue", raw.get("days_overdue", 0), -90, 3650)
    channel = raw.get("channel")
    if channel not in CHANNELS:
        errs.add(f"{key}.channel", f"{channel!r} is not one of {', '.join(CHANNELS)}")
        channel = "email"
    fee = _amount(errs, f"{key}.fee", raw.get("fee", "0"))
    if days <= 0 and fee:
        errs.add(f"{key}.fee", "a reminder before or on the due date carries no fee")
    templates: dict[str, str] = {}
    raw_t = raw.get("templates") or {}
    if not isinstance(raw_t, Mapping):
        errs.add(f"{key}.templates", "a mapping language → text")
    else:
        for lang, text in raw_t.items():
            if lang not in LANGUAGES:
                errs.add(f"{key}.templates.{lang}", f"language must be one of {', '.join(LANGUAGES)}")
            elif not isinstance(text, str) or len(text) > 4000:
                errs.add(f"{key}.templates.{lang}", "a text of at most 4,000 characters")
            else:
                templates[lang] = text
    return DunningLevel(str(name).strip(), days, str(channel), fee, templates)


def _levels(errs: _Errors, raw: Any) -> tuple[DunningLevel, ...]:
    if not isinstance(raw, list) or not raw:
        errs.add("levels", "a non-empty list of levels")
        return ()
    levels = [lv for k, x in enumerate(raw) if (lv := _level(errs, k, x)) is not None]
    names = [lv.name for lv in levels]
    for name in sorted({n for n in names if names.count(n) > 1}):
        errs.add("levels", f"level name {name!r} used twice")
    for k in range(1, len(levels)):
        if levels[k].days_overdue <= levels[k - 1].days_overdue:
            errs.add(f"levels[{k}].days_overdue", f"must be greater than the level before "
                                                  f"({levels[k - 1].days_overdue}): levels are ordered")
    if sum(lv.days_overdue <= 0 for lv in levels) > 1:
        errs.add("levels", "at most one reminder before or on the due date (days_overdue ≤ 0)")
    return tuple(levels)


def _stricter(errs: _Errors, raw: Any) -> tuple[StricterLevels, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        errs.add("stricter", "a list of {grades: [from, to], steps: n}")
        return ()
    out = []
    for k, s in enumerate(raw):
        key = f"stricter[{k}]"
        if not isinstance(s, Mapping):
            errs.add(key, "a mapping {grades: [from, to], steps: n}")
            continue
        _unknown(errs, f"{key}.", s, ("grades", "steps"))
        g = s.get("grades")
        if not (isinstance(g, list) and len(g) == 2 and all(isinstance(x, int) and 1 <= x <= 10 for x in g)
                and g[0] <= g[1]):
            errs.add(f"{key}.grades", f"two grades 1–10, lower first, got {g!r}")
            g = [10, 10]
        steps = _int(errs, f"{key}.steps", s.get("steps", 1), 1, 5)
        out.append(StricterLevels(g[0], g[1], steps))
    return tuple(out)


def _interest(errs: _Errors, raw: Any) -> tuple[Decimal | None, str]:
    if raw is None:
        return None, "act/365"
    if not isinstance(raw, Mapping):
        errs.add("interest", "a mapping {rate_pct, basis}")
        return None, "act/365"
    _unknown(errs, "interest.", raw, ("rate_pct", "basis"))
    if "rate_pct" not in raw:
        errs.add("interest.rate_pct", "missing")
    rate = _amount(errs, "interest.rate_pct", raw.get("rate_pct", "0"))
    if rate > 100:
        errs.add("interest.rate_pct", f"a yearly rate in percent ≤ 100, got {rate}")
    basis = raw.get("basis", "act/365")
    if basis not in BASES:
        errs.add("interest.basis", f"{basis!r} is not one of {', '.join(BASES)}")
        basis = "act/365"
    return rate, str(basis)


def _clearing(errs: _Errors, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return CLEARING_PARTS
    if not isinstance(raw, list) or sorted(raw) != sorted(CLEARING_PARTS):
        errs.add("clearing_order", f"the three parts {', '.join(CLEARING_PARTS)} in the order a payment clears "
                                   f"them, got {raw!r}")
        return CLEARING_PARTS
    return tuple(raw)


def _sequential(errs: _Errors, raw: Any) -> Sequential | None:
    if raw is None or raw is False:
        return None
    if raw is True:
        return Sequential()
    if not isinstance(raw, Mapping):
        errs.add("sequential", "true, or a mapping {min_gap_days: n}")
        return None
    _unknown(errs, "sequential.", raw, ("min_gap_days",))
    return Sequential(_int(errs, "sequential.min_gap_days", raw.get("min_gap_days", 0), 0, 365))


def parse_policy(text: str, source: str = "policy") -> tuple[DunningPolicy | None, list[Issue]]:
    """Read a dunning policy; every problem becomes an Issue naming its key. None when any issue."""
    import yaml

    errs = _Errors(source)
    if len(text.encode("utf-8")) > MAX_BYTES:
        errs.add("", f"file larger than {MAX_BYTES // 1024} KiB")
        return None, errs.issues
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return None, [Issue(source, mark.line + 1 if mark else None, None, f"not YAML: {exc}")]
    if not isinstance(raw, Mapping):
        errs.add("", "the policy is a YAML mapping (name, currency, levels …)")
        return None, errs.issues
    _unknown(errs, "", raw, TOP_KEYS)
    for key in ("name", "currency", "levels"):
        if key not in raw:
            errs.add(key, "missing")
    name = str(raw.get("name") or "").strip() or "policy"
    currency = str(raw.get("currency") or "")
    if "currency" in raw and not (len(currency) == 3 and currency.isalpha() and currency.isupper()):
        errs.add("currency", f"an ISO 4217 code such as EUR, got {raw.get('currency')!r}")
    policy = DunningPolicy(
        name=name, currency=currency.upper() or "EUR",
        min_overdue_amount=_amount(errs, "min_overdue_amount", raw.get("min_overdue_amount", "0")),
        levels=_levels(errs, raw.get("levels")),
        compensation_per_invoice=_amount(errs, "compensation_per_invoice", raw.get("compensation_per_invoice", "0")),
        clearing_order=_clearing(errs, raw.get("clearing_order")),
        stricter=_stricter(errs, raw.get("stricter")), sequential=_sequential(errs, raw.get("sequential")))
    rate, basis = _interest(errs, raw.get("interest"))
    policy = replace(policy, interest_rate_pct=rate, interest_basis=basis)
    return (None if errs.issues else policy), errs.issues


def policy_dict(p: DunningPolicy) -> dict[str, object]:
    """The policy as stored and shown (amounts as strings)."""
    return {"name": p.name, "currency": p.currency, "min_overdue_amount": str(p.min_overdue_amount),
            "levels": [{"name": lv.name, "days_overdue": lv.days_overdue, "channel": lv.channel, "fee": str(lv.fee),
                        **({"templates": dict(lv.templates)} if lv.templates else {})} for lv in p.levels],
            "interest": None if p.interest_rate_pct is None else {"rate_pct": str(p.interest_rate_pct),
                                                                  "basis": p.interest_basis},
            "compensation_per_invoice": str(p.compensation_per_invoice),
            "clearing_order": list(p.clearing_order),
            "stricter": [{"grades": [s.grade_from, s.grade_to], "steps": s.steps} for s in p.stricter],
            "sequential": None if p.sequential is None else {"min_gap_days": p.sequential.min_gap_days}}
