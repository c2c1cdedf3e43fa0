"""The facts of one payment the engine reasons on: who (names, accounts), what for (texts, structured
references), how much (amount and, for foreign-currency payments, the instructed amount).

A batch entry whose transaction details each carry an amount that together make the entry is split:
each transaction is one payment (camt.054 collective credits list every payer this way).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from arguard.recon.model import Entry, TransactionDetail


@dataclass(frozen=True, slots=True)
class EntryFacts:
    entry_index: int
    detail_index: int | None
    entry_ref: str | None
    amount: Decimal
    currency: str
    on: date | None
    names: tuple[str, ...]
    accounts: tuple[str, ...]
    texts: tuple[str, ...]
    structured: tuple[str, ...]
    instructed: tuple[Decimal, str] | None = None
    exchange_rate: Decimal | None = None

    @property
    def payer_key(self) -> str:
        return (self.accounts[0] if self.accounts else "") + "|" + (self.names[0] if self.names else "")


def entry_facts(entry: Entry) -> list[EntryFacts]:
    details = entry.details
    amounts = [d.amount for d in details]
    split = len(details) > 1 and all(a is not None for a in amounts) and \
        sum((abs(a or Decimal(0)) for a in amounts), Decimal(0)) == abs(entry.amount)
    if split:
        return [_facts(entry, (d,), k, abs(d.amount or Decimal(0))) for k, d in enumerate(details)]
    return [_facts(entry, details, None, entry.amount)]


def _facts(entry: Entry, details: tuple[TransactionDetail, ...], k: int | None, amount: Decimal) -> EntryFacts:
    names: list[str] = []
    accounts: list[str] = []
    texts: list[str] = []
    structured: list[str] = []
    instructed = None
    rate = None
    for d in details:
        for p in (d.debtor, d.ultimate_debtor):
            if p and p.name and p.name not in names:
                names.append(p.name)
            if p and p.account and p.account not in accounts:
                accounts.append(p.account)
        texts.extend(d.remittance.unstructured)
        texts.extend(d.remittance.document_numbers)
        structured.extend(d.remittance.creditor_references)
        for extra in (d.end_to_end_id, d.additional_info):
            if extra and extra.upper() not in ("NOTPROVIDED", "NONREF"):
                texts.append(extra)
        if d.instructed_amount is not None and d.instructed_currency and d.instructed_currency != entry.currency:
            instructed = (abs(d.instructed_amount), d.instructed_currency)
            rate = d.exchange_rate
    if k is None:
        if entry.info and entry.info not in texts:
            texts.append(entry.info)
        if entry.customer_ref and entry.customer_ref.upper() != "NONREF":
            texts.append(entry.customer_ref)
    ref = entry.bank_ref
    return EntryFacts(entry_index=entry.index, detail_index=k, entry_ref=ref, amount=amount, currency=entry.currency,
                      on=entry.on, names=tuple(names), accounts=tuple(accounts), texts=tuple(texts),
                      structured=tuple(structured), instructed=instructed, exchange_rate=rate)
