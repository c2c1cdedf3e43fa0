"""SWIFT MT940 (statement) and MT942 (interim report) reader, tolerant of bank dialects.

Dialects met in real exports: SWIFT envelopes `{1:...}{4:` or bank preambles ('ABNANL2A', '940',
':940:'); CR, LF or CRLF line ends; the counterparty on a second `:61:` line (ASN/SNS); `:28C:` wrapped
over two lines (old ING); continuation lines of `:86:` that look like tags (':26:37' of a wrapped
time stamp); a space between amount and transaction type; 30 February; unreadable available balances
('Dnullnull…'). A field is only a new field when its tag is an MT940 tag; anything else continues the
previous field. Before the first field there is nothing to continue, so an unknown tag there rejects
the file.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from arguard.core.errors import ImportRejected, Issue
from arguard.recon.model import Balance, Entry, Statement, TransactionDetail
from arguard.recon.readers.base import ReadResult
from arguard.recon.readers.mt940_details import original_amount, parse_details

_TAG_LINE = re.compile(r"^:([0-9A-Z]{2,5}):(.*)$")
_KNOWN = re.compile(r"^(?:13D?|20|21|25P?|28C?|34F|60[FM]|61|62[FM]|64|65[A-Z]?|86|90[CD]|NS)$")
_HEADER_TAGS = frozenset({"940", "942", "950"})
_BALANCE = re.compile(r"^\s*([CD])\s*(\d{6})\s*([A-Z]{3})?\s*(\d[\d.,]*)\s*$")
_LINE61 = re.compile(
    r"^(?P<date>\d{6})(?P<entry>\d{4})?\s*(?P<dc>R?[CD])(?P<funds>[A-Z])?\s*(?P<amount>\d[\d,.]*)\s*"
    r"(?P<type>[NFS][A-Z0-9 ]{3}|[A-Z][A-Z0-9]{3})?(?P<rest>[^\n]*)(?:\n(?P<extra>.*))?$",
    re.DOTALL,
)
_BALANCE_KIND = {"60F": "opening", "60M": "interim_opening", "62F": "closing", "62M": "interim_closing",
                 "64": "available", "65": "forward_available"}
MAX_BYTES = 50 * 1024 * 1024


def looks_like_mt940(text: str) -> bool:
    return bool(re.search(r"^:(20|25|28C?|60[FM]|61|62[FM]|64|65|86):", text, re.MULTILINE))


def parse_amount(text: str) -> Decimal:
    """'9,' -> 9; '11,8' -> 11.8; '1.234,56' -> 1234.56 (MT940 uses ',' as the decimal mark)."""
    s = text.strip()
    if "," in s:
        s = s.replace(".", "").replace(",", ".")
    if s.endswith("."):
        s += "0"
    try:
        return Decimal(s)
    except InvalidOperation:
        raise ValueError(f"not an amount: {text!r}") from None


def parse_date(yymmdd: str) -> date:
    """YYMMDD; a day past the month's end (30 February) becomes the last day of that month."""
    year, month, day = 2000 + int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if year > 2079:
        year -= 100
    if not 1 <= month <= 12 or day < 1:
        raise ValueError(f"not a date: {yymmdd!r}")
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _entry_date(mmdd: str, value: date) -> date:
    month, day = int(mmdd[:2]), int(mmdd[2:])
    if not 1 <= month <= 12 or day < 1:
        raise ValueError(f"not an entry date (MMDD): {mmdd!r}")
    year = value.year
    if month - value.month > 6:
        year -= 1
    elif value.month - month > 6:
        year += 1
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass
class _Field:
    tag: str
    value: str
    line: int


def split_fields(text: str, source: str) -> list[_Field]:
    """Cut the message into (tag, value) fields, joining continuation lines."""
    fields: list[_Field] = []
    closed = True       # True outside a message: between '-' and the next field
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = "".join(ch for ch in raw.rstrip("\r ") if ch >= " " or ch == "\t")
        m = _TAG_LINE.match(line)
        if m and _KNOWN.match(m.group(1)):
            fields.append(_Field(m.group(1), m.group(2), lineno))
            closed = False
            continue
        if m and not fields and m.group(1) not in _HEADER_TAGS:
            raise ImportRejected(
                f"{source}:{lineno}: unknown MT940 field ':{m.group(1)}:' before the first statement; "
                "this is not an MT940/MT942 file", code="mt940_unknown_field")
        if line.strip() in ("-", "-}", "}", "-}{5:") or line.startswith(("{1:", "{2:", "{5:", "-}")):
            closed = True
            continue
        if closed or not fields:
            continue
        last = fields[-1]
        if last.tag[:2] in ("60", "62", "64", "65"):
            closed = True        # a balance is one line; what follows is a trailer
            continue
        if last.tag in ("28C", "28", "25", "20") and line.strip() and ":" not in line:
            last.value += line.strip()     # old ING wraps ':28C:' over two lines
        elif line.strip():
            last.value += "\n" + line
    return fields


def read_mt940(data: bytes, source: str = "statement") -> ReadResult:
    """Parse every statement in an MT940/MT942 file."""
    if len(data) > MAX_BYTES:
        raise ImportRejected(f"{source}: file larger than {MAX_BYTES} bytes", code="file_too_large")
    text = _decode(data)
    fields = split_fields(text, source)
    groups: list[list[_Field]] = []
    for f in fields:
        if f.tag == "20" or not groups:
            groups.append([])
        groups[-1].append(f)
    statements: list[Statement] = []
    issues: list[Issue] = []
    for group in groups:
        stmt = _build(group, source, issues, is_942=("34F" in {f.tag for f in group} or "13D" in {f.tag for f in group}))
        if stmt is not None:
            statements.append(stmt)
    if not statements:
        raise ImportRejected(f"{source}: no MT940/MT942 statement found (no ':20:' with balances or entries)",
                             code="mt940_empty")
    return ReadResult(tuple(statements), tuple(issues))


def _decode(data: bytes) -> str:
    for enc in ("utf-8", "cp1252"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _balance(f: _Field, source: str, issues: list[Issue]) -> Balance | None:
    m = _BALANCE.match(f.value.replace("\n", ""))
    kind = _BALANCE_KIND.get(f.tag, _BALANCE_KIND.get(f.tag[:2], "information"))
    if not m:
        issues.append(Issue(source, f.line, f":{f.tag}:", f"unreadable balance {f.value!r} ignored"))
        if kind in ("opening", "closing"):
            raise ImportRejected(f"{source}:{f.line}: unreadable {kind} balance :{f.tag}:{f.value}",
                                 code="mt940_bad_balance")
        return None
    sign = -1 if m.group(1) == "D" else 1
    try:
        on = parse_date(m.group(2))
        amount = parse_amount(m.group(4))
    except ValueError as exc:
        raise ImportRejected(f"{source}:{f.line}: {exc}", code="mt940_bad_balance") from None
    return Balance(kind, sign * amount, m.group(3) or "", on)


def _build(group: list[_Field], source: str, issues: list[Issue], is_942: bool) -> Statement | None:
    head: dict[str, str] = {}
    balances: list[Balance] = []
    entries: list[Entry] = []
    pending: dict | None = None
    currency = ""
    for f in group:
        if f.tag == "61":
            if pending:
                entries.append(_entry(pending, len(entries), currency, source))
            pending = {"line": f.value, "lineno": f.line, "info": ""}
        elif f.tag == "86" and pending is not None and not pending["info"]:
            pending["info"] = f.value
        elif f.tag == "86":
            head["86"] = (head.get("86", "") + "\n" + f.value).strip()
        elif f.tag[:2] in ("60", "62", "64", "65"):
            bal = _balance(f, source, issues)
            if bal:
                balances.append(bal)
                currency = currency or bal.currency
        elif f.tag == "34F":
            currency = currency or f.value[:3]
        else:
            head.setdefault(f.tag, f.value)
    account_field = head.get("25", head.get("25P", "")).strip()
    account, acc_currency = _account(account_field)
    currency = currency or acc_currency or ""
    if pending:
        entries.append(_entry(pending, len(entries), currency, source))
    if not balances and not entries:
        issues.append(Issue(source, group[0].line, ":20:", "statement without balances or entries ignored"))
        return None
    opening = _pick(balances, "opening")
    closing = _pick(balances, "closing")
    seq = head.get("28C", head.get("28", "")).strip() or None
    ref = head.get("20", "").strip() or None
    return Statement(
        format="mt942" if is_942 else "mt940", account=account, currency=currency,
        entries=tuple(entries), statement_id=ref, sequence=seq, opening=opening, closing=closing,
        balances=tuple(balances), message_id=ref,
    )


def _pick(balances: list[Balance], kind: str) -> Balance | None:
    """The final (F) balance of that kind, else the intermediate (M) one; the last when repeated."""
    for k in (kind, f"interim_{kind}"):
        found = [b for b in balances if b.kind == k]
        if found:
            return found[-1] if kind == "closing" else found[0]
    return None


def _split_references(rest: str) -> tuple[str | None, str | None, str]:
    """Customer reference (16x), bank reference after '//' (16x) and what follows on the line."""
    head = rest[:18]
    if "//" in head:
        cref, _, tail = rest.partition("//")
        bank, _, extra = tail.strip().partition(" ")
    else:
        cref, bank, extra = rest[:16], "", rest[16:]
    return cref.strip() or None, bank.strip() or None, extra.strip()


def _account(value: str) -> tuple[str, str | None]:
    m = re.match(r"^(.*?)\s*([A-Z]{3})?$", value.replace("\n", " ").strip())
    if m and m.group(2) and len(m.group(1).replace(" ", "")) > 3:
        return m.group(1).replace(" ", ""), m.group(2)
    return value.replace(" ", ""), None


def _entry(pending: dict, index: int, currency: str, source: str) -> Entry:
    m = _LINE61.match(pending["line"])
    if not m:
        raise ImportRejected(f"{source}:{pending['lineno']}: unreadable :61: line {pending['line']!r}",
                             code="mt940_bad_line")
    try:
        value_date = parse_date(m.group("date"))
        amount = parse_amount(m.group("amount"))
        booking = _entry_date(m.group("entry"), value_date) if m.group("entry") else value_date
    except ValueError as exc:
        raise ImportRejected(f"{source}:{pending['lineno']}: {exc}", code="mt940_bad_line") from None
    dc = m.group("dc")
    credit = dc in ("C", "RD")       # a reversal of a debit brings money in
    customer_ref, bank_ref, same_line = _split_references(m.group("rest") or "")
    extra = " ".join(x for x in (same_line, (m.group("extra") or "").strip()) if x)
    party, remittance, eref = parse_details(pending["info"], extra)
    instructed, instructed_currency, rate = original_amount(pending["info"])
    detail = TransactionDetail(debtor=party if credit else None, creditor=None if credit else party,
                               remittance=remittance, end_to_end_id=eref, instructed_amount=instructed,
                               instructed_currency=instructed_currency, exchange_rate=rate)
    return Entry(
        index=index, amount=amount if credit else -amount, currency=currency, booking_date=booking,
        value_date=value_date, reversal=dc.startswith("R"), bank_ref=bank_ref,
        customer_ref=customer_ref, transaction_code=(m.group("type") or "").strip() or None,
        info=pending["info"].strip(), details=(detail,),
    )
