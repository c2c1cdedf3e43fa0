"""Write a `Statement` as an ISO 20022 camt.053.001.08 message (for the demo, tests and the benchmark).

The message carries what the readers read back: account, balances, entries with booking and value
dates, the bank reference, and per transaction the debtor with its account, the end-to-end id, the
instructed amount, and the remittance (unstructured lines and structured creditor references).
`read_statement(write_camt053(s, at))` gives back `s` (entries, parties, remittance and balances).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from arguard.core.money import Money
from arguard.recon.model import Balance, Entry, Party, Statement, TransactionDetail

NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"


def _amount(value: Decimal, currency: str) -> str:
    return f'<Amt Ccy="{currency}">{Money(abs(value), currency).amount}</Amt>'


def _indicator(value: Decimal) -> str:
    return f"<CdtDbtInd>{'DBIT' if value < 0 else 'CRDT'}</CdtDbtInd>"


def _balance(b: Balance, code: str) -> str:
    on = f"<Dt><Dt>{b.on.isoformat()}</Dt></Dt>" if b.on else ""
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>{_amount(b.amount, b.currency)}"
            f"{_indicator(b.amount)}{on}</Bal>")


def _party(p: Party | None, role: str) -> str:
    if p is None:
        return ""
    out = f"<{role}><Pty><Nm>{escape(p.name or '')}</Nm></Pty></{role}>" if p.name else ""
    if p.account:
        out += f"<{role}Acct><Id><IBAN>{escape(p.account)}</IBAN></Id></{role}Acct>"
    return out


def _detail(d: TransactionDetail) -> str:
    refs = f"<Refs><EndToEndId>{escape(d.end_to_end_id or 'NOTPROVIDED')}</EndToEndId></Refs>"
    amounts = ""
    if d.instructed_amount is not None and d.instructed_currency:
        amounts = (f"<AmtDtls><InstdAmt>{_amount(d.instructed_amount, d.instructed_currency)}</InstdAmt>"
                   "</AmtDtls>")
    parties = _party(d.debtor, "Dbtr") + _party(d.creditor, "Cdtr")
    rmt = "".join(f"<Ustrd>{escape(line[:140])}</Ustrd>" for line in d.remittance.unstructured)
    rmt += "".join(f"<Strd><CdtrRefInf><Ref>{escape(r)}</Ref></CdtrRefInf></Strd>"
                   for r in d.remittance.creditor_references)
    return (f"<TxDtls>{refs}{amounts}" + (f"<RltdPties>{parties}</RltdPties>" if parties else "")
            + (f"<RmtInf>{rmt}</RmtInf>" if rmt else "") + "</TxDtls>")


def _entry(e: Entry) -> str:
    booked = f"<BookgDt><Dt>{e.booking_date.isoformat()}</Dt></BookgDt>" if e.booking_date else ""
    value_on = e.value_date or e.booking_date
    value = f"<ValDt><Dt>{value_on.isoformat()}</Dt></ValDt>" if value_on else ""
    ref = f"<AcctSvcrRef>{escape(e.bank_ref)}</AcctSvcrRef>" if e.bank_ref else ""
    code = "PMNT-RCDT-ESCT" if e.amount > 0 else "PMNT-ICDT-ESCT"
    domain, family, sub = code.split("-")
    details = "".join(_detail(d) for d in e.details)
    return (f"<Ntry>{_amount(e.amount, e.currency)}{_indicator(e.amount)}<Sts><Cd>{e.status or 'BOOK'}</Cd></Sts>"
            f"{booked}{value}{ref}<BkTxCd><Domn><Cd>{domain}</Cd><Fmly><Cd>{family}</Cd>"
            f"<SubFmlyCd>{sub}</SubFmlyCd></Fmly></Domn></BkTxCd>"
            + (f"<NtryDtls>{details}</NtryDtls>" if details else "") + "</Ntry>")


def write_camt053(statement: Statement, created_at: datetime) -> bytes:
    """The statement as camt.053 XML (UTF-8). `created_at` is the message's creation time."""
    s = statement
    stamp = created_at.replace(microsecond=0).isoformat()
    period = ""
    if s.from_date and s.to_date:
        period = (f"<FrToDt><FrDtTm>{s.from_date.isoformat()}T00:00:00</FrDtTm>"
                  f"<ToDtTm>{s.to_date.isoformat()}T23:59:59</ToDtTm></FrToDt>")
    owner = f"<Ownr><Nm>{escape(s.account_owner)}</Nm></Ownr>" if s.account_owner else ""
    balances = (_balance(s.opening, "OPBD") if s.opening else "") + (_balance(s.closing, "CLBD") if s.closing else "")
    body = (f"<Stmt><Id>{escape(s.statement_id or 'STMT')}</Id>"
            + (f"<ElctrncSeqNb>{escape(s.sequence)}</ElctrncSeqNb>" if s.sequence else "")
            + f"<CreDtTm>{stamp}</CreDtTm>{period}"
            f"<Acct><Id><IBAN>{escape(s.account)}</IBAN></Id><Ccy>{s.currency}</Ccy>{owner}</Acct>"
            f"{balances}{''.join(_entry(e) for e in s.entries)}</Stmt>")
    msg = escape(s.message_id or s.statement_id or "MSG")
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="{NAMESPACE}"><BkToCstmrStmt>'
           f"<GrpHdr><MsgId>{msg}</MsgId><CreDtTm>{stamp}</CreDtTm></GrpHdr>{body}</BkToCstmrStmt></Document>\n")
    return xml.encode("utf-8")


def with_balances(statement: Statement, opening: Decimal) -> Statement:
    """The statement with an opening balance and the closing balance its booked entries give."""
    from dataclasses import replace

    on_first = min((e.on for e in statement.entries if e.on), default=None)
    on_last = max((e.on for e in statement.entries if e.on), default=None)
    closing = opening + sum((e.amount for e in statement.entries if e.status == "BOOK"), Decimal(0))
    return replace(statement, opening=Balance("opening", opening, statement.currency, on_first),
                   closing=Balance("closing", closing, statement.currency, on_last),
                   from_date=statement.from_date or on_first, to_date=statement.to_date or on_last)
