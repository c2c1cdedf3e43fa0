"""Alerts in the reader's language (dashboard): the title as a sentence from the rule kind and the
evidence, and the evidence as labelled facts and small tables instead of raw JSON. Pure.

Keys: `monitor.alert.<kind>` (titles; a kind has several when its rules raise different facts, e.g.
`monitor.alert.limit_utilisation.breach`), `monitor.ev.<name>` (evidence labels), `monitor.event.<type>`
(event types). A kind or a figure the keys do not know keeps the stored English title.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from arguard.web.formatting import fmt_amount

Translate = Callable[..., str]


def _money_text(value: Any) -> str:
    """'12345.5 EUR' → '12,345.50 EUR'; plain numbers get separators; anything else as it is."""
    if value is None:
        return "—"
    text = str(value)
    amount, _, currency = text.partition(" ")
    try:
        number = Decimal(amount)
    except InvalidOperation:
        return text
    if currency and len(currency) == 3 and currency.isalpha():
        return f"{fmt_amount(number, currency)} {currency}"
    return f"{number:,}" if number == number.to_integral_value() else fmt_amount(number)


def _variant(kind: str, ev: Mapping[str, Any]) -> str:
    if kind == "limit_utilisation":
        try:
            return "breach" if Decimal(str(ev.get("utilisation_pct"))) > 100 else "warn"
        except InvalidOperation:
            return "warn"
    return ""


def alert_title(t: Translate, kind: str, code: str | None, evidence: Mapping[str, Any], stored: str) -> str:
    """The alert's title as a sentence in the reader's language, else the stored one."""
    variant = _variant(kind, evidence)
    key = f"monitor.alert.{kind}" + (f".{variant}" if variant else "")
    values: dict[str, Any] = {k: (_money_text(v) if not isinstance(v, list | dict) else v)
                              for k, v in evidence.items()}
    values["code"] = code or ""
    if "event_type" in evidence:
        values["event"] = event_name(t, str(evidence["event_type"]))
        found = evidence.get("details")
        details: Mapping[str, Any] = found if isinstance(found, dict) else {}
        summary = details.get("headline") or details.get("description") or details.get("case_number") or ""
        values["summary"] = f" — {summary}" if summary else ""
    if "dimension" in evidence:
        values["dimension"] = t(f"monitor.dim.{evidence['dimension']}")
    try:
        text = t(key, **values)
    except (KeyError, IndexError, ValueError):
        return stored
    return stored if text == key else text


def event_name(t: Translate, event_type: str) -> str:
    key = f"monitor.event.{event_type}"
    text = t(key)
    return event_type if text == key else text


def evidence_facts(t: Translate, evidence: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The evidence as facts: {label, text} for a value, {label, rows, columns} for a list of records,
    {label, pairs} for a mapping (an event's details)."""
    out: list[dict[str, Any]] = []
    for name, value in evidence.items():
        key = f"monitor.ev.{name}"
        label = t(key)
        label = name.replace("_", " ") if label == key else label
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            columns = list(dict.fromkeys(k for v in value for k in v))
            heads = [_label(t, c) for c in columns]
            rows = [[_money_text(v.get(c)) if c != "number" else str(v.get(c, "")) for c in columns] for v in value]
            out.append({"label": label, "columns": heads, "rows": rows})
        elif isinstance(value, dict):
            out.append({"label": label, "pairs": [(_label(t, k), _money_text(v) if not isinstance(v, list | dict)
                                                   else ", ".join(map(str, v)) if isinstance(v, list) else str(v))
                                                  for k, v in value.items()]})
        elif isinstance(value, list):
            out.append({"label": label, "text": ", ".join(str(v) for v in value)})
        else:
            text = (event_name(t, str(value)) if name in ("event_type", "kind")
                    else t(f"monitor.dim.{value}") if name == "dimension" else _money_text(value))
            out.append({"label": label, "text": text})
    return out


def _label(t: Translate, name: str) -> str:
    key = f"monitor.ev.{name}"
    text = t(key)
    return name.replace("_", " ") if text == key else text
