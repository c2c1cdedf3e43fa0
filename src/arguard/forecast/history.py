"""Invoice-to-payment histories read from a file: the canonical format or the IBM sample format.

A history is a pandas DataFrame with one row per invoice and these columns (the `COLUMNS` contract):
`number`, `customer`, `currency`, `issue`, `due`, `settled` (datetime64; NaT while still open),
`amount` (float: used only as a model feature and a metric weight, never booked), `disputed` (0/1),
`paper` (1 paper, 0 electronic, NaN unknown).

Canonical columns (docs/formats.md, "Payment histories"): invoice_number, customer_id, issue_date,
due_date, amount, settled_date (empty while open), optional currency, amount_base (the amount in one
currency for the whole file: used instead of amount when present), disputed, paperless/channel.
The IBM sample (`countryCode, customerID, …, InvoiceDate, DueDate, InvoiceAmount, Disputed, SettledDate,
PaperlessBill`, dates M/D/YYYY) is recognised by its header. Every bad row is reported with file, line
and field; the file is rejected when any row is bad.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from arguard.core.errors import ImportRejected, Issue, ValidationError
from arguard.core.money import exponent

COLUMNS = ("number", "customer", "currency", "issue", "due", "settled", "amount", "disputed", "paper")

_IBM = {"customerid": "customer", "invoicenumber": "number", "invoicedate": "issue", "duedate": "due",
        "invoiceamount": "amount", "disputed": "disputed", "settleddate": "settled", "paperlessbill": "paper"}
_CANONICAL = {"invoice_number": "number", "customer_id": "customer", "issue_date": "issue", "due_date": "due",
              "amount": "amount", "amount_base": "amount_base", "settled_date": "settled", "currency": "currency", "disputed": "disputed",
              "paperless": "paper", "channel": "paper", "paperless_bill": "paper"}
Column = Sequence[Any] | npt.NDArray[Any]
"""A ledger column: a tuple (`ledger.InvoiceHistory`) or a numpy array (`ledger.InvoiceColumns`)."""
_REQUIRED = ("number", "customer", "issue", "due", "amount")
_YES = {"yes", "y", "true", "1", "x", "是"}
_NO = {"no", "n", "false", "0", "", "否"}


class HistoryRejected(ValidationError):
    """A history file with bad rows; `issues` lists each one (file, line, field, reason)."""

    code = "history_rejected"

    def __init__(self, issues: list[Issue]) -> None:
        shown = "; ".join(str(i) for i in issues[:10])
        more = f" (and {len(issues) - 10} more)" if len(issues) > 10 else ""
        super().__init__(f"{len(issues)} bad row(s): {shown}{more}")
        self.issues = issues


def read_history(path: Path) -> pd.DataFrame:
    """Read a history file (CSV, UTF-8 with or without BOM) into the `COLUMNS` frame."""
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ImportRejected(f"cannot read {path}: {exc}") from exc
    return parse_history(raw, path.name)


def parse_history(raw: pd.DataFrame, source: str) -> pd.DataFrame:
    """Turn a frame of text cells (either format) into the `COLUMNS` frame, or raise HistoryRejected."""
    squeezed = {c: "".join(ch for ch in str(c).lower() if ch.isalnum()) for c in raw.columns}
    ibm = {"customerid", "invoicedate", "settleddate"} <= set(squeezed.values())
    if ibm:
        names = {c: _IBM[s] for c, s in squeezed.items() if s in _IBM}
        date_format: str | None = "%m/%d/%Y"
    else:
        lowered = {c: str(c).strip().lower().replace(" ", "_") for c in raw.columns}
        names = {c: _CANONICAL[s] for c, s in lowered.items() if s in _CANONICAL}
        date_format = None
    frame = raw.rename(columns=names)[list(dict.fromkeys(names.values()))]
    missing = [c for c in _REQUIRED if c not in frame.columns]
    if missing:
        raise ImportRejected(f"{source}: missing column(s) {', '.join(missing)} (see docs/formats.md)")
    issues: list[Issue] = []
    out = pd.DataFrame({"number": frame["number"].str.strip(), "customer": frame["customer"].str.strip()})
    out["currency"] = frame["currency"].str.strip().str.upper() if "currency" in frame else "XXX"
    for col in ("issue", "due", "settled"):
        text = frame[col].str.strip() if col in frame else pd.Series("", index=frame.index)
        out[col] = _dates(text, date_format, col, source, issues, required=col != "settled")
    # amounts in one currency when the file has them (weights of the weekly receipts, a model feature)
    amount_col = "amount_base" if "amount_base" in frame else "amount"
    out["amount"] = _numbers(frame[amount_col].str.replace(",", "", regex=False).str.strip(), source, issues)
    out["disputed"] = _flags(frame.get("disputed", None), frame.index, source, issues)
    paper = frame["paper"].str.strip().str.lower() if "paper" in frame else pd.Series("", index=frame.index)
    out["paper"] = paper.map({"paper": 1.0, "electronic": 0.0, "e-invoice": 0.0, "email": 0.0, "纸质": 1.0,
                              "电子": 0.0}).astype(float)
    for i in out.index[(out["customer"] == "") | (out["number"] == "")]:
        issues.append(Issue(source, int(i) + 2, "customer_id", "customer and invoice number are required"))
    bad_order = out["due"] < out["issue"]
    bad_order |= out["settled"].notna() & (out["settled"] < out["issue"])
    for i in out.index[bad_order.fillna(False)]:
        issues.append(Issue(source, int(i) + 2, "due_date", "due or settled date before the issue date"))
    if issues:
        raise HistoryRejected(sorted(issues, key=lambda x: (x.line or 0, x.field or "")))
    return out.reset_index(drop=True)


def _dates(text: pd.Series, fmt: str | None, col: str, source: str, issues: list[Issue],
           *, required: bool) -> pd.Series:
    parsed = pd.to_datetime(text.where(text != ""), format=fmt if fmt else "ISO8601", errors="coerce")
    bad = parsed.isna() & ((text != "") | required)
    field = {"issue": "issue_date", "due": "due_date", "settled": "settled_date"}[col]
    for i in text.index[bad]:
        issues.append(Issue(source, int(i) + 2, field, f"not a date: {text[i]!r}"))
    return parsed.dt.normalize()


def _numbers(text: pd.Series, source: str, issues: list[Issue]) -> pd.Series:
    values = pd.to_numeric(text, errors="coerce")
    for i in text.index[values.isna()]:
        issues.append(Issue(source, int(i) + 2, "amount", f"not an amount: {text[i]!r}"))
    return values.astype(float)


def _flags(text: pd.Series | None, index: pd.Index, source: str, issues: list[Issue]) -> pd.Series:
    if text is None:
        return pd.Series(0, index=index, dtype="int8")
    low = text.str.strip().str.lower()
    for i in index[~low.isin(_YES | _NO)]:
        issues.append(Issue(source, int(i) + 2, "disputed", f"yes or no, not {text[i]!r}"))
    return low.isin(_YES).astype("int8")


def frame_from_columns(numbers: Column, customers: Column, currencies: Column, issue: Column, due: Column,
                       amount_minor: Column, settled: Column, disputed: Column) -> pd.DataFrame:
    """The `COLUMNS` frame from a ledger's columns (tuples or numpy arrays; dates as dates or datetime64,
    None/NaT while open; amounts in major units as floats: features only)."""
    cur = pd.Series(np.asarray(currencies, dtype=object))
    scale = cur.map({c: 10.0 ** -exponent(str(c)) for c in pd.unique(cur)}).to_numpy(dtype=np.float64)
    return pd.DataFrame({
        "number": np.asarray(numbers, dtype=object), "customer": np.asarray(customers, dtype=object),
        "currency": cur.to_numpy(), "issue": _days(issue), "due": _days(due), "settled": _days(settled),
        "amount": np.asarray(amount_minor, dtype=np.float64) * scale,
        "disputed": np.asarray(disputed, dtype=np.int8), "paper": np.full(len(numbers), np.nan),
    })


def _days(values: Column) -> pd.Series:
    return pd.Series(np.asarray(values, dtype="datetime64[D]").astype("datetime64[s]"))
