"""Read the expected parses shipped with the statement corpus (no YAML or PHP needed).

- WoLpH `.yml`: PyYAML dumps of `mt940.models.Transactions`; we pick out, per transaction, the amount,
  status, value date, entry date and references with regular expressions.
- genkgo `.json`: dumps of `Genkgo\\Camt\\DTO\\Message` (amounts in minor units).
- camt_OCA `golden-*.pydata`: Python literals of (currency, account, statements).
"""

from __future__ import annotations

import ast
import base64
import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "data" / "bank_statements"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/data/bank_statements")

_DEC = re.compile(r"amount: !!python/object/apply:decimal.Decimal \['([^']*)'\]")
_DATE = r"{key}: !!python/object/apply:mt940.models.Date\n\s*- !!binary \|\n\s*(\S+)"


@dataclass(frozen=True)
class ExpectedMt940Transaction:
    amount: Decimal
    status: str
    value_date: date | None
    entry_date: date | None
    customer_reference: str | None
    bank_reference: str | None


def _bin_date(b64: str) -> date:
    raw = base64.b64decode(b64)
    return date(raw[0] * 256 + raw[1], raw[2], raw[3])


def _scalar(block: str, key: str) -> str | None:
    m = re.search(rf"^    {key}: (.*)$", block, re.MULTILINE)
    if not m or m.group(1) in ("null", "''"):
        return None
    value = m.group(1).strip()
    if value.startswith("'") and value.endswith("'"):
        value = value[1:-1].replace("''", "'")
    return value


def wolph_transactions(yml: Path) -> list[ExpectedMt940Transaction]:
    text = yml.read_text(encoding="utf-8")
    _, _, tail = text.partition("\ntransactions:\n")
    blocks = re.split(r"^- !!python/object:mt940.models.Transaction\n", tail, flags=re.MULTILINE)[1:]
    out = []
    for block in blocks:
        amount = _DEC.search(block)
        if amount is None:
            continue
        vd = re.search(_DATE.format(key="date"), block)
        ed = re.search(_DATE.format(key="entry_date"), block)
        out.append(ExpectedMt940Transaction(
            amount=Decimal(amount.group(1)), status=_scalar(block, "status") or "",
            value_date=_bin_date(vd.group(1)) if vd else None,
            entry_date=_bin_date(ed.group(1)) if ed else None,
            customer_reference=_scalar(block, "customer_reference"),
            bank_reference=_scalar(block, "bank_reference"),
        ))
    return out


def wolph_balance(yml: Path, key: str) -> Decimal | None:
    text = yml.read_text(encoding="utf-8").partition("\ntransactions:\n")[0]
    m = re.search(rf"  {key}: !!python/object:mt940.models.Balance\n\s*amount: !!python/object:mt940.models"
                  rf".Amount\n\s*amount: !!python/object/apply:decimal.Decimal \['([^']*)'\]", text)
    return Decimal(m.group(1)) if m else None


def genkgo(json_path: Path) -> dict:
    return json.loads(json_path.read_text(encoding="utf-8"))


def oca_golden(path: Path) -> object:
    return ast.literal_eval(path.read_text(encoding="utf-8"))
