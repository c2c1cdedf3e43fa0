"""Reading event files: CSV, JSON (a list) or JSON lines. Bytes in, (line, EventRecord) and Issues out.

CSV columns: type, customer_id, occurred_on, external_id (optional), details (a JSON object, optional);
any other column becomes a key of `details` (e.g. a `headline` column). Lines are physical lines
(the CSV header is line 1).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from arguard.core.errors import ImportRejected, Issue
from arguard.monitor.model import EventRecord, validate_event

MAX_BYTES = 50 * 2**20
_KNOWN = {"type", "customer_id", "occurred_on", "external_id", "details"}


def parse(data: bytes, source: str) -> tuple[list[tuple[int, EventRecord]], list[Issue]]:
    if len(data) > MAX_BYTES:
        raise ImportRejected(f"{source}: larger than {MAX_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRejected(f"{source}: not UTF-8 text") from None
    stripped = text.lstrip()
    rows: list[tuple[int, Any]]
    if stripped.startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportRejected(f"{source}: not valid JSON ({exc})") from None
        rows = [(i + 1, item) for i, item in enumerate(items)]
    elif stripped.startswith("{"):
        rows = []
        for no, text_line in enumerate(text.splitlines(), 1):
            if text_line.strip():
                try:
                    rows.append((no, json.loads(text_line)))
                except json.JSONDecodeError as exc:
                    rows.append((no, {"__error__": f"not valid JSON: {exc.msg}"}))
    else:
        try:
            rows = _csv_rows(text)
        except csv.Error as exc:
            raise ImportRejected(f"{source}: not a readable CSV file ({exc})") from None
    records, issues = [], []
    for line, raw in rows:
        rec, problems = _record(raw)
        if problems:
            issues += [Issue(source, line, f, r) for f, r in problems]
        elif rec is not None:
            records.append((line, rec))
    return records, issues


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    out = []
    for row in reader:
        raw: dict[str, Any] = {k: v for k, v in row.items() if k in _KNOWN}
        details: Any = {}
        if row.get("details"):
            try:
                details = json.loads(row["details"])
            except json.JSONDecodeError:
                details = {"__error__": "details is not a JSON object"}
        extra = {k: v for k, v in row.items() if k and k not in _KNOWN and v not in (None, "")}
        raw["details"] = {**extra, **details} if isinstance(details, dict) else details
        out.append((reader.line_num, raw))
    return out


def _record(raw: Any) -> tuple[EventRecord | None, list[tuple[str | None, str]]]:
    if not isinstance(raw, dict):
        return None, [(None, "an event is an object with type, customer_id, occurred_on, details")]
    if "__error__" in raw:
        return None, [(None, raw["__error__"])]
    details = raw.get("details") or {}
    if not isinstance(details, dict):
        return None, [("details", "details is a JSON object")]
    if "__error__" in details:
        return None, [("details", details["__error__"])]
    try:
        on = date.fromisoformat(str(raw.get("occurred_on") or "").strip())
    except ValueError:
        return None, [("occurred_on", f"{raw.get('occurred_on')!r} is not a date (YYYY-MM-DD)")]
    rec = EventRecord(str(raw.get("type") or "").strip(), (str(raw.get("customer_id") or "").strip() or None), on,
                      details, (str(raw.get("external_id") or "").strip() or None))
    problems: list[tuple[str | None, str]] = list(validate_event(rec))
    return (rec, []) if not problems else (None, problems)
