"""Reading orders from text: a CSV export of the order book, one order as JSON. Pure: text in, records
and `Issue`s out (every bad row is reported with its line and field; the good rows are kept)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from arguard.core.errors import ArguardError, Issue, ValidationError
from arguard.core.money import Money

ORDER_COLUMNS = ("order_id", "customer", "amount", "currency", "ship_date")
STATUSES = ("open", "shipped")


@dataclass(frozen=True, slots=True)
class OrderLine:
    """One order of the seller's order book. status: 'open' (not yet shipped) or 'shipped' (delivered,
    perhaps not yet invoiced); line: where it was read (1-based, header = line 1)."""

    order_id: str
    customer_code: str
    amount: Money
    ship_date: date
    status: str = "open"
    line: int | None = None


def order_from_mapping(data: dict[str, Any], source: str = "api", line: int | None = None,
                       ) -> tuple[OrderLine | None, list[Issue]]:
    issues: list[Issue] = []

    def text(field: str) -> str:
        value = str(data.get(field) or "").strip()
        if not value:
            issues.append(Issue(source, line, field, "missing"))
        return value

    order_id, customer = text("order_id"), text("customer") or ""
    amount_text, currency, ship_text = text("amount"), text("currency"), text("ship_date")
    status = str(data.get("status") or "open").strip().lower()
    if status not in STATUSES:
        issues.append(Issue(source, line, "status", f"status is one of {', '.join(STATUSES)}"))
    amount = ship = None
    if amount_text and currency:
        try:
            amount = Money.of(amount_text, currency)
            if amount.amount <= 0:
                issues.append(Issue(source, line, "amount", "an order amount is positive"))
        except ArguardError as exc:
            issues.append(Issue(source, line, "amount", exc.message))
    if ship_text:
        try:
            ship = date.fromisoformat(ship_text)
        except ValueError:
            issues.append(Issue(source, line, "ship_date", f"not a date (YYYY-MM-DD): {ship_text!r}"))
    if issues or amount is None or ship is None:
        return None, issues
    return OrderLine(order_id, customer, amount, ship, status, line), []


def parse_orders_csv(text: str, source: str) -> tuple[list[OrderLine], list[Issue]]:
    """Columns order_id, customer, amount, currency, ship_date and optionally status (open/shipped)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ORDER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return [], [Issue(source, 1, c, "column missing") for c in missing]
    lines: list[OrderLine] = []
    issues: list[Issue] = []
    for i, row in enumerate(reader, start=2):
        order, found = order_from_mapping(row, source, i)
        issues += found
        if order is not None:
            lines.append(order)
    return lines, issues


def parse_order_json(text: str, source: str) -> OrderLine:
    """One order as JSON ({"order_id", "customer", "amount", "currency", "ship_date"})."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(f"{source}: not JSON ({exc.msg} at line {exc.lineno})", code="invalid_json") from None
    if not isinstance(data, dict):
        raise ValidationError(f"{source}: expected one JSON object", code="invalid_json")
    order, issues = order_from_mapping(data, source)
    if order is None:
        raise ValidationError(f"{source}: " + "; ".join(f"{i.field} {i.reason}" for i in issues),
                              code="invalid_order")
    return order
