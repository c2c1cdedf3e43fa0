"""ISO 20022 camt.052 (intraday report), camt.053 (statement) and camt.054 (notification), .02 to .10.

Versions differ in small ways that we read through: `Sts` is text up to .03 and `Sts/Cd` later; a
related party is `Dbtr/Nm` up to .07 and `Dbtr/Pty/Nm` from .08; the transaction amount is
`AmtDtls/TxAmt/Amt` in .02 and `TxDtls/Amt` later; dates are `Dt` or `DtTm`.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from lxml import etree

from arguard.core.errors import ImportRejected, Issue
from arguard.recon.model import Balance, Entry, Party, Remittance, Statement, TransactionDetail
from arguard.recon.readers.base import ReadResult
from arguard.recon.readers.xmlsafe import parse_xml

_Element: TypeAlias = etree._Element
_CONTAINERS = {"BkToCstmrStmt": ("Stmt", "camt.053"), "BkToCstmrAcctRpt": ("Rpt", "camt.052"),
               "BkToCstmrDbtCdtNtfctn": ("Ntfctn", "camt.054")}
_BALANCE_KINDS = {"OPBD": "opening", "PRCD": "opening", "CLBD": "closing", "ITBD": "interim_closing",
                  "CLAV": "closing_available", "FWAV": "forward_available", "OPAV": "opening_available",
                  "ITAV": "interim_available", "INFO": "information", "XPCD": "expected"}


MAX_AMOUNT = Decimal(10) ** 13
"""No statement line is ten trillion or more (and BIGINT minor units must hold it)."""


def looks_like_camt(head: bytes) -> bool:
    return b"camt.05" in head or b"BkToCstmr" in head


def read_camt(data: bytes, source: str = "statement") -> ReadResult:
    root = parse_xml(data, source)
    issues: list[Issue] = []
    statements: list[Statement] = []
    found_container = False
    for box in root.iter():
        container = re.sub(r"V\d+$", "", box.tag) if isinstance(box.tag, str) else ""
        if container in _CONTAINERS:
            record_tag, fmt = _CONTAINERS[container]
            found_container = True
            msg_id = _text(box, "GrpHdr/MsgId")
            for record in box.findall(record_tag):
                statements.append(_statement(record, fmt, msg_id, source))
    if not found_container:
        raise ImportRejected(f"{source}: not a camt.052/053/054 message (root <{root.tag}>)", code="camt_unknown")
    if not statements:
        raise ImportRejected(f"{source}: camt message without any statement, report or notification",
                             code="camt_empty")
    return ReadResult(tuple(statements), tuple(issues))


def _text(el: _Element | None, path: str) -> str | None:
    if el is None:
        return None
    found = el.find(path)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value or None


def _texts(el: _Element, path: str) -> tuple[str, ...]:
    return tuple(" ".join(x.text.split()) for x in el.findall(path) if x.text and x.text.strip())


def _amount(el: _Element | None, path: str, source: str) -> tuple[Decimal, str] | None:
    if el is None:
        return None
    node = el.find(path)
    if node is None or node.text is None:
        return None
    try:
        value = Decimal(node.text.strip())
    except InvalidOperation:
        raise ImportRejected(f"{source}: not an amount in <{path}>: {node.text!r}", code="camt_bad_amount") \
            from None
    # ISO 20022 amounts are at most 18 digits with 5 decimals: NaN, infinity or 1e999999 are no amount.
    if not value.is_finite() or abs(value) >= MAX_AMOUNT or value.as_tuple().exponent < -5:  # type: ignore[operator]
        raise ImportRejected(f"{source}: not an amount in <{path}>: {node.text.strip()[:40]!r}",
                             code="camt_bad_amount")
    return value, (node.get("Ccy") or "").upper()


def _date(el: _Element | None, path: str) -> date | None:
    if el is None:
        return None
    value = _text(el, f"{path}/Dt") or _text(el, f"{path}/DtTm")
    if not value:
        return None
    return _iso_date(value)


def _iso_date(value: str | None) -> date | None:
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", value or "")
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ImportRejected(f"not a calendar date: {m.group(0)!r}", code="camt_bad_date") from None


def _sign(el: _Element) -> int:
    return -1 if _text(el, "CdtDbtInd") == "DBIT" else 1


def _account(el: _Element | None) -> str | None:
    if el is None:
        return None
    value = _text(el, "Id/IBAN") or _text(el, "Id/Othr/Id") or _text(el, "Id/PrtryAcct/Id")
    return value.replace(" ", "") if value else None


def _statement(record: _Element, fmt: str, msg_id: str | None, source: str) -> Statement:
    acct = record.find("Acct")
    balances = tuple(b for b in (_balance(b, source) for b in record.findall("Bal")) if b)
    currency = _text(acct, "Ccy") if acct is not None else None
    entries = tuple(_entry(n, i, source) for i, n in enumerate(record.findall("Ntry")))
    currency = currency or (balances[0].currency if balances else None) or \
        (entries[0].currency if entries else "")
    opening = next((b for b in balances if b.kind == "opening"), None)
    closing = next((b for b in balances if b.kind == "closing"), None)
    if closing is None and fmt == "camt.052":
        closing = next((b for b in balances if b.kind == "interim_closing"), None)
    return Statement(
        format=fmt, account=_account(acct) or "", currency=currency or "", entries=entries,
        statement_id=_text(record, "Id"), sequence=_text(record, "ElctrncSeqNb") or _text(record, "LglSeqNb"),
        opening=opening, closing=closing, balances=balances, message_id=msg_id,
        account_owner=_text(acct, "Ownr/Nm"),
        from_date=_iso_date(_text(record, "FrToDt/FrDtTm")),
        to_date=_iso_date(_text(record, "FrToDt/ToDtTm")),
    )


def _balance(bal: _Element, source: str) -> Balance | None:
    code = _text(bal, "Tp/CdOrPrtry/Cd") or _text(bal, "Tp/CdOrPrtry/Prtry") or "information"
    amt = _amount(bal, "Amt", source)
    if amt is None:
        return None
    return Balance(_BALANCE_KINDS.get(code, code.lower()), _sign(bal) * amt[0], amt[1], _date(bal, "Dt"))


def _entry(ntry: _Element, index: int, source: str) -> Entry:
    amt = _amount(ntry, "Amt", source)
    if amt is None:
        raise ImportRejected(f"{source}: entry {index + 1} without <Amt>", code="camt_bad_entry")
    status = _text(ntry, "Sts/Cd") or _text(ntry, "Sts/Prtry") or _text(ntry, "Sts") or "BOOK"
    details = tuple(_detail(tx, source, _sign(ntry)) for tx in ntry.findall("NtryDtls/TxDtls"))
    charges = _amount(ntry, "Chrgs/TtlChrgsAndTaxAmt", source) or _amount(ntry, "Chrgs/Amt", source) \
        or _amount(ntry, "Chrgs/Rcrd/Amt", source)
    return Entry(
        index=index, amount=_sign(ntry) * amt[0], currency=amt[1], booking_date=_date(ntry, "BookgDt"),
        value_date=_date(ntry, "ValDt"), status=status.upper(),
        reversal=(_text(ntry, "RvslInd") or "").lower() == "true",
        bank_ref=_text(ntry, "AcctSvcrRef"), customer_ref=_text(ntry, "NtryRef"),
        transaction_code=_bank_code(ntry), info=_text(ntry, "AddtlNtryInf") or "",
        details=details, charges=charges[0] if charges else None,
    )


def _bank_code(el: _Element) -> str | None:
    domain = _text(el, "BkTxCd/Domn/Cd")
    if domain:
        return "-".join(x for x in (domain, _text(el, "BkTxCd/Domn/Fmly/Cd"),
                                    _text(el, "BkTxCd/Domn/Fmly/SubFmlyCd")) if x)
    return _text(el, "BkTxCd/Prtry/Cd")


def _party(parties: _Element | None, role: str) -> Party | None:
    if parties is None:
        return None
    node = parties.find(role)
    if node is None:
        return None
    pty = node.find("Pty")
    if pty is not None:          # .08 and later wrap the party
        node = pty
    account = _account(parties.find(f"{role}Acct")) if not role.startswith("Ultmt") else None
    address = ", ".join(_texts(node, "PstlAdr/AdrLine")) or None
    ident = _text(node, "Id/OrgId/Othr/Id") or _text(node, "Id/OrgId/AnyBIC") or _text(node, "Id/OrgId/BICOrBEI") \
        or _text(node, "Id/PrvtId/Othr/Id")
    name = _text(node, "Nm")
    if not (name or account or ident):
        return None
    return Party(name=name, account=account, identification=ident, address=address)


def _detail(tx: _Element, source: str, entry_sign: int) -> TransactionDetail:
    amt = _amount(tx, "Amt", source) or _amount(tx, "AmtDtls/TxAmt/Amt", source)
    instd = _amount(tx, "AmtDtls/InstdAmt/Amt", source)
    rate = _text(tx, "AmtDtls/InstdAmt/CcyXchg/XchgRate") or _text(tx, "AmtDtls/TxAmt/CcyXchg/XchgRate")
    parties = tx.find("RltdPties")
    strd = tx.findall("RmtInf/Strd")
    remittance = Remittance(
        unstructured=_texts(tx, "RmtInf/Ustrd"),
        creditor_references=tuple(r for s in strd for r in _texts(s, "CdtrRefInf/Ref")),
        document_numbers=tuple(r for s in strd for r in _texts(s, "RfrdDocInf/Nb"))
        + tuple(r for s in strd for r in _texts(s, "AddtlRmtInf")),
    )
    indicator = _text(tx, "CdtDbtInd")
    sign = entry_sign if indicator is None else (-1 if indicator == "DBIT" else 1)
    charges = _amount(tx, "Chrgs/TtlChrgsAndTaxAmt", source) or _amount(tx, "Chrgs/Amt", source)
    try:
        xrate = Decimal(rate) if rate else None
    except InvalidOperation:
        xrate = None
    return TransactionDetail(
        amount=sign * amt[0] if amt else None, currency=amt[1] if amt else None,
        instructed_amount=instd[0] if instd else None, instructed_currency=instd[1] if instd else None,
        exchange_rate=xrate, debtor=_party(parties, "Dbtr"), creditor=_party(parties, "Cdtr"),
        ultimate_debtor=_party(parties, "UltmtDbtr"), ultimate_creditor=_party(parties, "UltmtCdtr"),
        remittance=remittance, end_to_end_id=_text(tx, "Refs/EndToEndId"),
        instruction_id=_text(tx, "Refs/InstrId"), account_servicer_ref=_text(tx, "Refs/AcctSvcrRef"),
        mandate_id=_text(tx, "Refs/MndtId"), purpose=_text(tx, "Purp/Cd"),
        bank_transaction_code=_bank_code(tx), additional_info=_text(tx, "AddtlTxInf"),
        charges=charges[0] if charges else None,
    )
