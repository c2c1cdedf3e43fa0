"""Import validation: rows of a file → validated rows + issues. Pure (no database, clock or files).

Pipeline (`bulk.import_file` runs it): read (readers) → parse and validate (here: every bad row becomes
an `Issue(source, line, column, reason)`) → resolve against the ledger and write in one transaction
(bulk). Validated rows are NamedTuples of plain values (minor units, dates) so that a million invoices
cost no more than a few microseconds each.

Accepted values:
- dates: ISO `2026-01-31` (also with a time), `20260131`, `2026/01/31`, `2026.01.31`, `31.01.2026`,
  `2026年1月31日`, and `31/01/2026` or `01/31/2026` when only one reading is a valid date; XLSX dates;
- amounts: `1234.56`, `1,234.56`, `1 234,56`, `1.234,56`, `1234,56`, `(12.00)` (negative), XLSX numbers;
  never more decimals than the currency has;
- currencies: ISO 4217 codes; countries: ISO 3166-1 alpha-2 codes; full-width characters are normalised.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from arguard.core.errors import Issue, ValidationError
from arguard.core.money import exponent, parse_amount
from arguard.ledger.codes import CURRENCIES, is_country, is_currency
from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord

KINDS = ("customers", "invoices", "payments")
REQUIRED: dict[str, tuple[str, ...]] = {
    "customers": ("customer_id", "name", "country"),
    "invoices": ("invoice_number", "customer_id", "issue_date", "due_date", "currency", "amount"),
    "payments": ("payment_id", "customer_id", "date", "currency", "amount"),
}
OPTIONAL: dict[str, tuple[str, ...]] = {
    "customers": ("iban", "tax_id", "sector", "currency", "terms_days", "email", "language", "aliases",
                  "parent_id"),
    "invoices": ("open_amount", "customer_name", "payment_reference", "order_number", "document_type"),
    "payments": ("invoice_number", "reference"),
}
_TWO_DECIMALS = frozenset(c for c in CURRENCIES if exponent(c) == 2)
ZH_COUNTRIES = frozenset({"CN", "TW", "HK", "MO"})
MAX_LEN = {"customer_id": 64, "invoice_number": 64, "payment_id": 128, "name": 255, "tax_id": 64, "sector": 64,
           "email": 255, "payment_reference": 64, "order_number": 64, "iban": 64, "customer_name": 255}


class InvoiceRow(NamedTuple):
    """A validated invoice or credit note row; amounts signed minor units (credit notes negative)."""

    line: int
    number: str
    customer_code: str
    document_type: str
    issue_date: date
    due_date: date
    currency: str
    amount_minor: int
    open_minor: int
    payment_reference: str | None
    order_number: str | None


class PaymentRow(NamedTuple):
    line: int
    external_id: str
    customer_code: str
    received_on: date
    currency: str
    amount_minor: int
    invoice_numbers: tuple[str, ...]
    reference: str | None


class CustomerRow(NamedTuple):
    line: int
    record: CustomerRecord
    given: frozenset[str]
    """Columns that had a value in the file: only these update an existing customer."""


class Bad(ValidationError):
    """One bad cell: column and reason (an Issue in an import, a 422 in the API)."""

    code = "invalid_field"

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


# ---------------------------------------------------------------- cells

def text(v: Any) -> str:
    if v is None:
        return ""
    s = v if isinstance(v, str) else str(v)
    if not s.isascii():
        s = unicodedata.normalize("NFKC", s)
    return s.strip()


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_YMD = re.compile(r"^(\d{4})[/.年](\d{1,2})[/.月](\d{1,2})日?$")
_DMY_DOT = re.compile(r"^(\d{1,2})[.-](\d{1,2})[.-](\d{4})$")
_SLASH = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(v: Any, field: str) -> date:
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    s = text(v)
    if not s:
        raise Bad(field, "a date is required")
    try:
        return date.fromisoformat(s)
    except ValueError:
        pass
    try:
        if m := _ISO.match(s) or _YMD.match(s):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := _DMY_DOT.match(s):
            return date(int(m[3]), int(m[2]), int(m[1]))
        if len(s) == 8 and s.isdigit():
            return date(int(s[:4]), int(s[4:6]), int(s[6:]))
    except ValueError:
        raise Bad(field, f"{s!r} is not a valid date") from None
    if m := _SLASH.match(s):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        readings = set()
        for day, month in ((a, b), (b, a)):
            try:
                readings.add(date(y, month, day))
            except ValueError:
                pass
        if len(readings) == 1:
            return readings.pop()
        if len(readings) > 1:
            raise Bad(field, f"{s!r} is ambiguous (day/month or month/day?); write it as YYYY-MM-DD")
    raise Bad(field, f"{s!r} is not a date; write it as YYYY-MM-DD")


_PLAIN = re.compile(r"^-?\d+(?:\.\d+)?$")


def parse_minor(v: Any, currency: str, field: str) -> int:
    """Amount → integer minor units of the currency; never rounds (arguard.core.money.parse_amount: the
    one amount rule, here with a fast path for plain '1234.56')."""
    exp = exponent(currency)
    if isinstance(v, str):
        s = text(v)
        if not s:
            raise Bad(field, "an amount is required")
        if _PLAIN.match(s):
            whole, _, frac = s.partition(".")
            if len(frac) <= exp and len(whole.lstrip("-")) <= 15:
                sign = -1 if whole.startswith("-") else 1
                return int(whole) * 10**exp + sign * int((frac or "0").ljust(exp, "0") or 0)
        v = s
    try:
        value = parse_amount(v, currency)
    except ValidationError as exc:
        raise Bad(field, exc.message) from None
    return int(value.scaleb(exp))


def currency_of(v: Any, field: str = "currency") -> str:
    c = text(v).upper()
    if not is_currency(c):
        raise Bad(field, f"{v!r} is not an ISO 4217 currency code" if c else "a currency is required")
    return c


_INVISIBLE = re.compile(r"[\x00-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
"""Control characters (NUL among them) and the invisible marks that reorder or hide text (U+202E)."""
_CODE_FORBIDDEN = re.compile(r"[/\\?#%]")
"""A customer id ends up in URLs and file names."""


def required(v: Any, field: str) -> str:
    s = text(v)
    if not s:
        raise Bad(field, f"{field} is required")
    limit = MAX_LEN.get(field)
    if limit and len(s) > limit:
        raise Bad(field, f"longer than {limit} characters")
    if _INVISIBLE.search(s):
        raise Bad(field, "contains control characters or invisible direction marks")
    if field == "customer_id" and _CODE_FORBIDDEN.search(s):
        raise Bad(field, f"{s!r}: a customer id may not contain / \\ ? # or %")
    return s


def optional(v: Any, field: str) -> str | None:
    s = text(v)
    return required(s, field) if s else None


def _columns(header: Sequence[str], kind: str, source: str) -> tuple[dict[str, int], list[Issue]]:
    index = {h: i for i, h in enumerate(header) if h}
    missing = [c for c in REQUIRED[kind] if c not in index]
    issues = [Issue(source, 1, c, f"required column '{c}' is missing (found: {', '.join(h for h in header if h)})")
              for c in missing]
    return index, issues


def _cell(cells: Sequence[Any], i: int | None) -> Any:
    return cells[i] if i is not None and i < len(cells) else None


# ---------------------------------------------------------------- invoices

_DOC_TYPES = {"invoice": "invoice", "inv": "invoice", "发票": "invoice", "credit_note": "credit_note",
              "credit note": "credit_note", "creditnote": "credit_note", "credit": "credit_note", "cn": "credit_note",
              "贷项通知单": "credit_note", "红字发票": "credit_note"}


def invoice_row(line: int, number: Any, customer: Any, issued: Any, due: Any, cur: Any, amount: Any,
                open_amount: Any = None, doc_type: Any = None, pay_ref: Any = None, order: Any = None) -> InvoiceRow:
    """Validate one invoice row (raises Bad)."""
    currency = currency_of(cur)
    amount_minor = parse_minor(amount, currency, "amount")
    kind_text = text(doc_type).lower()
    if kind_text:
        kind = _DOC_TYPES.get(kind_text)
        if kind is None:
            raise Bad("document_type", f"{doc_type!r} is not 'invoice' or 'credit_note'")
    else:
        kind = "credit_note" if amount_minor < 0 else "invoice"
    if amount_minor == 0:
        raise Bad("amount", "a document of zero")
    if kind == "credit_note":
        amount_minor = -abs(amount_minor)
    elif amount_minor < 0:
        raise Bad("amount", "an invoice is positive; import a negative amount as document_type credit_note")
    if open_amount is None or text(open_amount) == "":
        open_minor = amount_minor
    else:
        open_minor = parse_minor(open_amount, currency, "open_amount")
        if kind == "credit_note":
            open_minor = -abs(open_minor)
        if abs(open_minor) > abs(amount_minor) or (open_minor < 0 < amount_minor):
            raise Bad("open_amount", "open amount must lie between 0 and the amount")
    issue_date, due_date = parse_date(issued, "issue_date"), parse_date(due, "due_date")
    if due_date < issue_date:
        raise Bad("due_date", f"due date {due_date} is before the issue date {issue_date}")
    return InvoiceRow(line, required(number, "invoice_number"), required(customer, "customer_id"), kind,
                      issue_date, due_date, currency, amount_minor, open_minor,
                      optional(pay_ref, "payment_reference"), optional(order, "order_number"))


def parse_invoices(header: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]],
                   source: str) -> tuple[list[InvoiceRow], list[Issue], int]:
    """(valid rows, issues, rows read). Missing required columns reject the whole file."""
    index, issues = _columns(header, "invoices", source)
    if issues:
        return [], issues, 0
    g = index.get
    cols = [g(c) for c in ("invoice_number", "customer_id", "issue_date", "due_date", "currency", "amount",
                           "open_amount", "document_type", "payment_reference", "order_number")]
    width = max(i for i in cols if i is not None) + 1
    simple = all(cols[i] is None for i in (6, 7, 8, 9))
    i_num, i_cust, i_iss, i_due, i_cur, i_amt = (index[c] for c in REQUIRED["invoices"])
    out: list[InvoiceRow] = []
    append = out.append
    n = 0
    for line, cells in rows:
        n += 1
        if simple and len(cells) >= width:
            fast = _fast_invoice(line, cells[i_num], cells[i_cust], cells[i_iss], cells[i_due], cells[i_cur],
                                 cells[i_amt])
            if fast is not None:
                append(fast)
                continue
        try:
            append(invoice_row(line, *(_cell(cells, i) for i in cols)))
        except Bad as bad:
            issues.append(Issue(source, line, bad.field, bad.reason))
    return out, issues, n


_FAST_AMOUNT = re.compile(r"^(\d{1,15})(?:\.(\d\d?))?$")
_FAST_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_fromiso = date.fromisoformat


def _fast_invoice(line: int, number: Any, customer: Any, issued: Any, due: Any, cur: Any,
                  amount: Any) -> InvoiceRow | None:
    """The common case of a clean CSV row (ISO dates, plain positive amount in a 2-decimal currency,
    short ASCII ids), validated with a few cheap checks; None sends the row to the full validator."""
    if not (isinstance(number, str) and isinstance(customer, str) and isinstance(amount, str)
            and isinstance(issued, str) and isinstance(due, str) and isinstance(cur, str)):
        return None
    if not (0 < len(number) <= 64 and 0 < len(customer) <= 64 and number.isascii() and customer.isascii()
            and number.strip() == number and customer.strip() == customer and cur in _TWO_DECIMALS):
        return None
    m = _FAST_AMOUNT.match(amount)
    if m is None or not (_FAST_DATE.match(issued) and _FAST_DATE.match(due)):
        return None
    minor = int(m[1]) * 100 + (int(m[2].ljust(2, "0")) if m[2] else 0)
    try:
        issue_date, due_date = _fromiso(issued), _fromiso(due)
    except ValueError:
        return None
    if minor == 0 or due_date < issue_date:
        return None
    return InvoiceRow(line, number, customer, "invoice", issue_date, due_date, cur, minor, minor, None, None)


def invoice_rows(records: Iterable[InvoiceRecord]) -> Iterator[InvoiceRow]:
    """Model records → rows (line = position, 1-based); raises Bad like a file row."""
    for i, r in enumerate(records, 1):
        open_ = r.open_amount if r.open_amount is not None else r.amount
        if open_.currency != r.amount.currency:
            raise Bad("open_amount", f"record {i}: open amount in another currency")
        yield invoice_row(i, r.number, r.customer_code, r.issue_date, r.due_date, r.amount.currency,
                          r.amount.amount, open_.amount, r.document_type, r.payment_reference, r.order_number)


# ---------------------------------------------------------------- payments

def payment_row(line: int, pid: Any, customer: Any, on: Any, cur: Any, amount: Any, numbers: Any = None,
                reference: Any = None) -> PaymentRow:
    currency = currency_of(cur)
    minor = parse_minor(amount, currency, "amount")
    if minor <= 0:
        raise Bad("amount", "a payment is positive (a refund is not a payment)")
    listed = tuple(dict.fromkeys(n for n in (text(x) for x in re.split(r"[;,\n]", text(numbers))) if n))
    return PaymentRow(line, required(pid, "payment_id"), required(customer, "customer_id"),
                      parse_date(on, "date"), currency, minor, listed, optional(reference, "reference"))


def parse_payments(header: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]],
                   source: str) -> tuple[list[PaymentRow], list[Issue], int]:
    index, issues = _columns(header, "payments", source)
    if issues:
        return [], issues, 0
    g = index.get
    cols = [g(c) for c in ("payment_id", "customer_id", "date", "currency", "amount", "invoice_number",
                           "reference")]
    out: list[PaymentRow] = []
    n = 0
    for line, cells in rows:
        n += 1
        try:
            out.append(payment_row(line, *(_cell(cells, i) for i in cols)))
        except Bad as bad:
            issues.append(Issue(source, line, bad.field, bad.reason))
    return out, issues, n


def payment_rows(records: Iterable[PaymentRecord]) -> Iterator[PaymentRow]:
    for i, r in enumerate(records, 1):
        yield payment_row(i, r.external_id, r.customer_code, r.received_on, r.amount.currency, r.amount.amount,
                          ";".join(r.invoice_numbers), r.reference)


# ---------------------------------------------------------------- customers

_LANGUAGES = {"zh-cn": "zh-CN", "zh": "zh-CN", "zh_cn": "zh-CN", "cn": "zh-CN", "chinese": "zh-CN", "中文": "zh-CN",
              "zh-hans": "zh-CN", "en": "en", "en-us": "en", "en-gb": "en", "english": "en", "英文": "en"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def iban_ok(account: str) -> bool:
    """An IBAN (two letters, two digits, …) must pass the ISO 13616 mod-97 check; other account numbers
    (e.g. Chinese bank accounts) are accepted as they are."""
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", account):
        return re.fullmatch(r"[A-Z0-9]{4,34}", account) is not None
    digits = "".join(str(int(ch, 36)) for ch in account[4:] + account[:4])
    return int(digits) % 97 == 1


def customer_row(line: int, get: dict[str, Any]) -> CustomerRow:
    given = frozenset(k for k, v in get.items() if text(v))
    country = text(get.get("country")).upper()
    if not is_country(country):
        raise Bad("country", f"{get.get('country')!r} is not an ISO 3166 alpha-2 country code"
                  if country else "a country is required")
    currency = currency_of(get["currency"]) if "currency" in given else None
    terms = None
    if "terms_days" in given:
        t = text(get["terms_days"])
        try:
            terms = int(Decimal(t))
        except InvalidOperation:
            raise Bad("terms_days", f"{t!r} is not a number of days") from None
        if not 0 <= terms <= 3650 or Decimal(t) != terms:
            raise Bad("terms_days", f"{t!r} is not a number of days between 0 and 3650")
    email = optional(get.get("email"), "email")
    if email and not _EMAIL.match(email):
        raise Bad("email", f"{email!r} is not an e-mail address")
    lang_text = text(get.get("language")).lower()
    language = _LANGUAGES.get(lang_text) if lang_text else ("zh-CN" if country in ZH_COUNTRIES else "en")
    if language is None:
        raise Bad("language", f"{get.get('language')!r} is not zh-CN or en")
    ibans = tuple(dict.fromkeys(re.sub(r"\s", "", x).upper() for x in text(get.get("iban")).split(";") if x.strip()))
    for acc in ibans:
        if len(acc) > 64 or not iban_ok(acc):
            raise Bad("iban", f"{acc!r} is not a valid IBAN or account number")
    aliases = tuple(a.strip() for a in text(get.get("aliases")).split(";") if a.strip())
    rec = CustomerRecord(code=required(get.get("customer_id"), "customer_id"), name=required(get.get("name"), "name"),
                         country=country, sector=optional(get.get("sector"), "sector"), currency=currency,
                         terms_days=terms, tax_id=optional(get.get("tax_id"), "tax_id"), email=email,
                         language=language, ibans=ibans, aliases=aliases,
                         parent_code=optional(get.get("parent_id"), "customer_id"))
    return CustomerRow(line, rec, given)


def parse_customers(header: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]],
                    source: str) -> tuple[list[CustomerRow], list[Issue], int]:
    index, issues = _columns(header, "customers", source)
    if issues:
        return [], issues, 0
    wanted = [(c, index[c]) for c in REQUIRED["customers"] + OPTIONAL["customers"] if c in index]
    out: list[CustomerRow] = []
    n = 0
    for line, cells in rows:
        n += 1
        try:
            out.append(customer_row(line, {c: _cell(cells, i) for c, i in wanted}))
        except Bad as bad:
            issues.append(Issue(source, line, bad.field, bad.reason))
    return out, issues, n


def customer_rows(records: Iterable[CustomerRecord]) -> Iterator[CustomerRow]:
    for i, r in enumerate(records, 1):
        fields = {"customer_id": r.code, "name": r.name, "country": r.country, "sector": r.sector,
                  "currency": r.currency, "terms_days": r.terms_days, "tax_id": r.tax_id, "email": r.email,
                  "language": r.language, "iban": ";".join(r.ibans), "aliases": ";".join(r.aliases),
                  "parent_id": r.parent_code}
        yield customer_row(i, fields)


# ---------------------------------------------------------------- duplicates within one file

def drop_duplicates(rows: list[Any], key_of: Any, source: str) -> tuple[list[Any], list[Issue], int]:
    """Keep the first row of each key. A repeat with the same content is dropped silently (counted as
    unchanged); with other content it is an issue."""
    first: dict[Any, Any] = {}
    kept, issues, same = [], [], 0
    for r in rows:
        k = key_of(r)
        seen = first.get(k)
        if seen is None:
            first[k] = r
            kept.append(r)
        elif seen[1:] == r[1:]:
            same += 1
        else:
            issues.append(Issue(source, r.line, None, f"{'/'.join(map(str, k))} repeats line {seen.line} "
                                                      "with other content"))
    return kept, issues, same
