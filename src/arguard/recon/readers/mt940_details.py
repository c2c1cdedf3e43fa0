"""Counterparty and remittance out of an MT940 `:86:` narrative.

Three families cover most banks:
- SEPA keyword style (ING, ABN AMRO, Rabobank, Knab, Triodos): `/TRTP/…/IBAN/…/NAME/…/REMI/…/EREF/…`,
  ING `/CNTP/iban/bic/name/city/`, `/REMI/USTD//text/` or `/REMI/STRD/CUR/reference/`;
- German structured (`?00` posting text, `?20`–`?29`, `?60`–`?63` purpose, `?30` BLZ/BIC, `?31`
  account, `?32`–`?33` name) with SEPA tags `EREF+`, `SVWZ+`, `KREF+`…;
- free text (old ABN AMRO, PostFinance…): all of it is remittance.
The second `:61:` line (ASN/SNS) often carries the counterparty's account and name; ING writes a
transaction code there instead (`/TRCD/01000/`), which is a code, never a name.
`/OCMT/USD118,50/` is the amount and currency the payer instructed (a foreign-currency payment),
`/EXCH/1,185/` the rate the bank applied: both go to the detail, so the matcher can compare the
instructed amount with a foreign-currency invoice.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from arguard.recon.model import Party, Remittance

_SEPA_KEYS = ("TRCD", "TRTP", "IBAN", "BIC", "NAME", "REMI", "EREF", "MARF", "CSID", "ORDP", "BENM", "ADDR",
              "CNTP", "ISDT", "PURP", "ULTC", "ULTD", "SVCL", "IREF", "ID", "RTRN", "CDTRREFTP", "CDTRREF",
              "PREF", "OCMT", "CHGS", "ACCW", "BUSP", "EXCH", "SUMN")
_SEPA_SPLIT = re.compile(r"/({})/".format("|".join(_SEPA_KEYS)))
_GERMAN = re.compile(r"\?(\d{2})")
_GERMAN_SEPA = re.compile(r"(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE|IBAN|BIC)\+")
_IBAN = re.compile(r"\b([A-Z]{2}\d{2}[A-Z0-9]{10,30})\b")
_OCMT = re.compile(r"^([A-Z]{3})\s*(\d+(?:[,.]\d*)?)")


def original_amount(info: str) -> tuple[Decimal | None, str | None, Decimal | None]:
    """(instructed amount, its currency, exchange rate) from `/OCMT/` and `/EXCH/`, when present."""
    flat = info.replace("\r", "").replace("\n", "")
    if not _SEPA_SPLIT.search(flat):
        return None, None, None
    values = _sepa_values(flat)
    amount, currency, rate = None, None, None
    m = _OCMT.match(values.get("OCMT", ""))
    if m:
        currency, amount = m.group(1), _decimal(m.group(2))
    if values.get("EXCH"):
        rate = _decimal(values["EXCH"].split("/")[0])
    return amount, currency, rate


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ".").rstrip("."))
    except InvalidOperation:
        return None


def _sepa_values(flat: str) -> dict[str, str]:
    parts = _SEPA_SPLIT.split(flat)
    values: dict[str, str] = {}
    for key, value in zip(parts[1::2], parts[2::2], strict=False):
        values.setdefault(key, value.strip("/ ").strip())
    return values


def parse_details(info: str, extra: str = "") -> tuple[Party | None, Remittance, str | None]:
    """(counterparty, remittance, end-to-end id) of one `:86:` text and the second `:61:` line."""
    flat = info.replace("\r", "").replace("\n", "")
    if re.match(r"^\d{3}\?\d{2}", flat) or flat.startswith("?"):
        party, rem, eref = _german(flat)
    elif _SEPA_SPLIT.search(flat):
        party, rem, eref = _sepa(flat)
    else:
        party, rem, eref = None, _free(info), None
    if party is None and extra:
        party = _from_extra(extra)
    return party, rem, eref


def _free(info: str) -> Remittance:
    lines = [ln.strip() for ln in info.replace("\r", "").split("\n") if ln.strip()]
    return Remittance(unstructured=(" ".join(lines),) if lines else ())


def _sepa(flat: str) -> tuple[Party | None, Remittance, str | None]:
    values = _sepa_values(flat)
    name = values.get("NAME")
    account = values.get("IBAN")
    bic = values.get("BIC")
    for key in ("CNTP", "ORDP", "BENM"):
        if key in values and not name:
            bits = [b for b in re.split(r"/", values[key])]
            if key == "CNTP":     # ING: /CNTP/iban/bic/name/city/
                account = account or (bits[0] if bits else None)
                bic = bic or (bits[1] if len(bits) > 1 else None)
                name = bits[2] if len(bits) > 2 else None
            else:
                name = values.get("NAME")
    remi = values.get("REMI", "")
    structured: tuple[str, ...] = ()
    m = re.match(r"^(USTD|STRD)/+(.*)$", remi)
    if m and m.group(1) == "USTD":
        remi = m.group(2).strip("/ ")
    elif m and m.group(1) == "STRD":
        bits = [b for b in m.group(2).split("/") if b]
        ref = bits[-1] if bits else ""
        structured, remi = ((ref,) if ref else ()), ""
    if "CDTRREF" in values:
        structured = structured + (values["CDTRREF"],)
    party = Party(name=name or None, account=_clean(account), bic=bic or None) if (name or account) else None
    return party, Remittance(unstructured=(remi,) if remi else (), creditor_references=structured), \
        values.get("EREF") or None


def _german(flat: str) -> tuple[Party | None, Remittance, str | None]:
    subfields: dict[str, str] = {}
    for code, value in zip(_GERMAN.split(flat)[1::2], _GERMAN.split(flat)[2::2], strict=False):
        subfields[code] = subfields.get(code, "") + value
    purpose = "".join(subfields.get(f"{n:02d}", "") for n in [*range(20, 30), *range(60, 64)])
    tags = dict(_german_sepa(purpose))
    remittance_text = tags.get("SVWZ", purpose if not tags else "")
    name = (subfields.get("32", "") + subfields.get("33", "")).strip() or None
    account = subfields.get("31", "").strip() or None
    bic = subfields.get("30", "").strip() or None
    party = Party(name=name, account=_clean(account), bic=bic) if (name or account) else None
    rem = Remittance(unstructured=(remittance_text.strip(),) if remittance_text.strip() else ())
    eref = tags.get("EREF")
    return party, rem, (eref if eref and eref != "NOTPROVIDED" else None)


def _german_sepa(purpose: str) -> list[tuple[str, str]]:
    parts = _GERMAN_SEPA.split(purpose)
    return [(k, v.strip()) for k, v in zip(parts[1::2], parts[2::2], strict=False)]


def _from_extra(extra: str) -> Party | None:
    text = extra.strip()
    if text.startswith("/") and _SEPA_SPLIT.search(text + "/"):
        # keyword style (ING `/TRCD/01000/`): a name or an account only where a keyword says so
        party, _rem, _eref = _sepa(text if text.endswith("/") else text + "/")
        return party
    m = _IBAN.search(text.replace(" ", "")) or re.match(r"^(\d{9,10})\b", text)
    if m:
        rest = text[m.end():].strip()
        return Party(name=rest or None, account=m.group(1))
    return Party(name=text) if text else None


def _clean(account: str | None) -> str | None:
    return account.replace(" ", "") if account else None
