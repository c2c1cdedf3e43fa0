"""The order check's reasons as sentences in the reader's language (dashboard). Pure: no database.

A reason is stored as a stable code, an outcome, an English message and its figures (`check.py`); the
sentence is made here from the code and the figures, through the i18n keys `limits.reason.<code>`
(limits/messages.py). A code without a key, or figures that do not fit it, keep the stored message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from arguard.web.formatting import fmt_amount

Translate = Callable[..., str]
AMOUNTS = frozenset({"exposure_after", "limit", "excess", "disputed", "cap", "after"})


def reason_text(t: Translate, reason: Mapping[str, Any], currency: str | None) -> str:
    """One reason of a checked order as a sentence; amounts with separators and the limit currency."""
    code = str(reason.get("code") or "")
    key = "limits.reason." + ("appetite" if code.startswith("appetite.") else code)
    if reason.get("scope") == "total":  # the whole book has no key to name ('*'): a sentence of its own
        key += ".total"
    values = {k: _value(t, k, v, currency) for k, v in reason.items() if k not in ("code", "message")}
    values.setdefault("outcome", t("outcome." + str(reason.get("decision") or reason.get("outcome") or "")))
    try:
        text = t(key, **values)
    except (KeyError, IndexError, ValueError):
        return str(reason.get("message") or code)
    return str(reason.get("message") or code) if text == key else text


def _value(t: Translate, key: str, value: Any, currency: str | None) -> Any:
    if key in AMOUNTS and value is not None:
        try:
            return f"{fmt_amount(Decimal(str(value)), currency)} {currency or ''}".strip()
        except InvalidOperation:
            return value
    if key == "pd" and isinstance(value, int | float):
        return f"{100 * value:.2f} %"
    if key == "scope":
        return t(f"limits.scope.{value}")
    if key in ("limit_kind", "kind"):
        return t(f"limits.kind.{value}")
    return value


# The terms advice (terms.py) gives its reasons in plain English words; each form has a key.
_TERMS = (
    (re.compile(r"^not graded: net 30 until a grade is known$"), "limits.terms.not_graded"),
    (re.compile(r"^grade (?P<grade>\d+): at most (?P<label>.+)$"), "limits.terms.grade"),
    (re.compile(r"^oldest (?:material )?item (?P<days>\d+) days overdue: prepayment$"), "limits.terms.overdue_prepay"),
    (re.compile(r"^oldest (?:material )?item (?P<days>\d+) days overdue: one step shorter$"),
     "limits.terms.overdue_shorter"),
    (re.compile(r"^OECD country class (?P<cls>\d+): letter of credit$"), "limits.terms.country"),
    (re.compile(r"^asked for net (?P<days>\d+)$"), "limits.terms.asked"),
)


def terms_label(t: Translate, label: str | None) -> str:
    """'net 60' / 'prepayment' / 'guarantee or letter of credit' in the reader's language."""
    if not label:
        return ""
    m = re.match(r"^net (\d+)$", label)
    if m:
        return t("limits.terms.net", days=m.group(1))
    key = "limits.terms.label." + label.replace(" ", "_")
    text = t(key)
    return label if text == key else text


def terms_reason(t: Translate, reason: str) -> str:
    for pattern, key in _TERMS:
        m = pattern.match(reason)
        if m:
            values = m.groupdict()
            if "label" in values:
                values["label"] = terms_label(t, values["label"])
            return t(key, **values)
    return reason
