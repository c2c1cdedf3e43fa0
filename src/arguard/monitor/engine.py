"""The rule engine: read a company's rule file (TOML or JSON), evaluate it over buyer and portfolio
snapshots, merge duplicate drafts. Pure: text in, records out; bad settings become `Issue`s.

Rule file shape (TOML; the same keys as JSON under {"rules": {...}}):

    [rules.overdue]                # the rule id, unique in the file
    kind = "overdue_days"          # one of rules.RULE_KINDS
    severity = "medium"            # info | low | medium | high | critical
    reactions = ["collections_task"]
    thresholds = [30, 60, 90]      # every other key is a parameter of the kind
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from arguard.core.errors import Issue
from arguard.monitor.model import (
    REACTIONS,
    SEVERITIES,
    AlertDraft,
    BuyerSnapshot,
    PortfolioSnapshot,
    RuleConfig,
    RuleSet,
    severity_rank,
)
from arguard.monitor.rules import BUYER_RULES, PORTFOLIO_RULES, RULE_KINDS

_COMMON = {"kind", "severity", "enabled", "reactions", "description"}
# Parameter → type name; 'sev' is a severity, 'dec' a decimal, 'ints'/'strs'/'sevs' lists.
PARAMS: dict[str, dict[str, str]] = {
    "limit_utilisation": {"warn_at_pct": "dec", "breach_severity": "sev", "warn_reactions": "bool"},
    "overdue_days": {"thresholds": "ints", "severities": "sevs", "min_amount": "dec"},
    "overdue_amount": {"above": "dec", "min_days": "int"},
    "dbt_trend": {"windows": "int", "window_days": "int", "min_increase_days": "dec", "min_paid": "dec"},
    "missing_rate": {},
    "downgrade": {"min_notches": "int", "into_grades": "ints", "into_severity": "sev", "lookback_days": "int",
                  "first_grade": "bool"},
    "cover_reduced": {"withdrawn_severity": "sev", "lookback_days": "int"},
    "broken_promise": {"grace_days": "int", "remind_days": "int", "remind_severity": "sev",
                       "lookback_days": "int"},
    "insurance_deadline": {"warn_days": "ints", "severities": "sevs", "missed_severity": "sev",
                           "missed_lookback_days": "int"},
    "adverse_event": {"types": "strs", "lookback_days": "int"},
    "country_risk": {"min_increase": "int", "into_classes": "ints", "only_with_exposure": "bool",
                     "lookback_days": "int"},
    "concentration": {"dimension": "str", "above_pct": "dec"},
}


def parse_rules(text: str, source: str = "rules") -> tuple[RuleSet, list[Issue]]:
    """Read a rule file; return the valid rules and one Issue per problem (bad rules are left out)."""
    try:
        data = json.loads(text) if text.lstrip().startswith("{") else tomllib.loads(text)
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        return RuleSet(()), [Issue(source, getattr(exc, "lineno", None), None, f"cannot read the file: {exc}")]
    table = data.get("rules")
    if not isinstance(table, dict):
        return RuleSet(()), [Issue(source, None, "rules", "no [rules.<id>] tables found")]
    rules, issues = [], []
    for rule_id, body in table.items():
        line = _line_of(text, rule_id)
        rule, problems = _rule(rule_id, body)
        issues += [Issue(source, line, f"rules.{rule_id}" + (f".{f}" if f else ""), r) for f, r in problems]
        if rule is not None and not problems:
            rules.append(rule)
    return RuleSet(tuple(rules)), issues


def _line_of(text: str, rule_id: str) -> int | None:
    for no, line in enumerate(text.splitlines(), 1):
        if line.strip().replace(" ", "") in (f"[rules.{rule_id}]", f'[rules."{rule_id}"]') or f'"{rule_id}"' in line:
            return no
    return None


def _rule(rule_id: str, body: Any) -> tuple[RuleConfig | None, list[tuple[str | None, str]]]:
    if not isinstance(body, dict):
        return None, [(None, "a rule is a table of settings")]
    kind = body.get("kind")
    if kind not in RULE_KINDS:
        return None, [("kind", f"unknown kind {kind!r}; kinds are {', '.join(RULE_KINDS)}")]
    problems: list[tuple[str | None, str]] = []
    severity = str(body.get("severity", "medium"))
    if severity not in SEVERITIES:
        problems.append(("severity", f"unknown severity {severity!r}; use one of {', '.join(SEVERITIES)}"))
    reactions = body.get("reactions", [])
    if not isinstance(reactions, list) or any(r not in REACTIONS for r in reactions):
        problems.append(("reactions", f"reactions are a list of {', '.join(REACTIONS)}"))
        reactions = []
    enabled = body.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(("enabled", "enabled is true or false"))
    params: dict[str, Any] = {}
    spec = PARAMS[kind]
    for name, value in body.items():
        if name in _COMMON:
            continue
        if name not in spec:
            problems.append((name, f"unknown setting for {kind}; settings are {', '.join(spec) or 'none'}"))
            continue
        converted, reason = _convert(spec[name], value)
        if reason:
            problems.append((name, reason))
        else:
            params[name] = converted
    if kind == "concentration" and params.get("dimension", "buyer") not in ("buyer", "country", "sector"):
        problems.append(("dimension", "dimension is buyer, country or sector"))
    return RuleConfig(id=rule_id, kind=kind, severity=severity, enabled=bool(enabled),
                      reactions=tuple(reactions), params=params), problems


def _convert(kind: str, value: Any) -> tuple[Any, str | None]:
    try:
        if kind == "int" and isinstance(value, int) and not isinstance(value, bool):
            return value, None
        if kind == "dec" and not isinstance(value, bool | list | dict):
            dec = Decimal(str(value))
            return (dec, None) if dec.is_finite() else (None, "not a finite number")
        if kind == "bool" and isinstance(value, bool):
            return value, None
        if kind == "str" and isinstance(value, str):
            return value, None
        if kind == "sev" and value in SEVERITIES:
            return value, None
        if isinstance(value, list):
            if kind == "ints" and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
                return value, None
            if kind == "strs" and all(isinstance(v, str) for v in value):
                return value, None
            if kind == "sevs" and all(v in SEVERITIES for v in value):
                return value, None
    except InvalidOperation:
        pass
    names = {"int": "a whole number", "dec": "a number", "bool": "true or false", "str": "a text",
             "sev": "a severity", "ints": "a list of whole numbers", "strs": "a list of texts",
             "sevs": "a list of severities"}
    return None, f"{value!r} is not {names[kind]}"


def evaluate_buyer(rules: RuleSet, snap: BuyerSnapshot, as_of: date) -> list[AlertDraft]:
    """Every enabled buyer rule over one buyer's snapshot; duplicates merged."""
    drafts: list[AlertDraft] = []
    for rule in rules.enabled():
        fn = BUYER_RULES.get(rule.kind)
        if fn is not None:
            drafts += fn(rule, snap, as_of)
    return merge(drafts)


def evaluate_portfolio(rules: RuleSet, portfolio: PortfolioSnapshot, as_of: date) -> list[AlertDraft]:
    drafts: list[AlertDraft] = []
    for rule in rules.enabled():
        fn = PORTFOLIO_RULES.get(rule.kind)
        if fn is not None:
            drafts += fn(rule, portfolio, as_of)
    return merge(drafts)


def evaluate(rules: RuleSet, snaps: Iterable[BuyerSnapshot], portfolio: PortfolioSnapshot | None,
             as_of: date) -> list[AlertDraft]:
    """A whole run: every buyer, then the portfolio."""
    drafts: list[AlertDraft] = []
    for snap in snaps:
        drafts += evaluate_buyer(rules, snap, as_of)
    if portfolio is not None:
        drafts += evaluate_portfolio(rules, portfolio, as_of)
    return merge(drafts)


def merge(drafts: Iterable[AlertDraft]) -> list[AlertDraft]:
    """One draft per dedupe key: the most severe one wins, first seen order kept."""
    kept: dict[str, AlertDraft] = {}
    for d in drafts:
        old = kept.get(d.dedupe_key)
        if old is None or severity_rank(d.severity) > severity_rank(old.severity):
            kept[d.dedupe_key] = d
    return list(kept.values())


def rule_summary(rules: RuleSet) -> list[Mapping[str, Any]]:
    return [{"id": r.id, "kind": r.kind, "severity": r.severity, "enabled": r.enabled,
             "reactions": list(r.reactions), "params": {k: str(v) if isinstance(v, Decimal) else v
                                                         for k, v in r.params.items()}} for r in rules.rules]
