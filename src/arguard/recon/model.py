"""Bank statements and cash-application proposals as immutable records.

Amounts on statements are signed `Decimal`s in the statement's currency: a credit (money in) is
positive, a debit negative. Proposals carry applied amounts in the invoice's currency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Party:
    """Someone on the other side of a transaction, as the bank printed it.

    name: as printed (often upper case, truncated to 35 or 70 characters).
    account: IBAN or other account number, spaces removed.
    bic: the party's bank (BIC), when given.
    identification: organisation or private id (tax id, BEI, other), when given.
    address: address lines, joined by ', '.
    """

    name: str | None = None
    account: str | None = None
    bic: str | None = None
    identification: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class Remittance:
    """What the payer wrote to say what is paid.

    unstructured: free text lines (camt `Ustrd`, the remittance part of an MT940 `:86:`).
    creditor_references: structured creditor references (camt `CdtrRefInf/Ref`: ISO 11649 RF or a
        national scheme), as written.
    document_numbers: referred document numbers (camt `RfrdDocInf/Nb`), usually invoice numbers.
    """

    unstructured: tuple[str, ...] = ()
    creditor_references: tuple[str, ...] = ()
    document_numbers: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(self.unstructured)

    def is_empty(self) -> bool:
        return not (self.unstructured or self.creditor_references or self.document_numbers)


@dataclass(frozen=True, slots=True)
class TransactionDetail:
    """One underlying transaction of an entry (camt `TxDtls`; MT940 has at most one, from `:86:`).

    amount: signed amount in the account currency, when the bank splits a batch entry.
    instructed_amount / instructed_currency: what the payer instructed, before conversion (camt
        `AmtDtls/InstdAmt`); the amount to match against a foreign-currency invoice.
    exchange_rate: the rate the bank applied (`CcyXchg/XchgRate`), units of target per source.
    debtor / creditor / ultimate_debtor / ultimate_creditor: the related parties.
    end_to_end_id, instruction_id, account_servicer_ref, mandate_id: references of the payment.
    purpose / bank_transaction_code: why and how, as coded by the bank.
    additional_info: `AddtlTxInf` or other narrative.
    """

    amount: Decimal | None = None
    currency: str | None = None
    instructed_amount: Decimal | None = None
    instructed_currency: str | None = None
    exchange_rate: Decimal | None = None
    debtor: Party | None = None
    creditor: Party | None = None
    ultimate_debtor: Party | None = None
    ultimate_creditor: Party | None = None
    remittance: Remittance = field(default_factory=Remittance)
    end_to_end_id: str | None = None
    instruction_id: str | None = None
    account_servicer_ref: str | None = None
    mandate_id: str | None = None
    purpose: str | None = None
    bank_transaction_code: str | None = None
    additional_info: str | None = None
    charges: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One booking on the account (MT940 `:61:` + `:86:`, camt `Ntry`).

    index: 0-based position in the statement.
    amount: signed, in `currency` (credit > 0).
    booking_date / value_date: when booked and when the money counts.
    status: 'BOOK', 'PDNG' (pending) or 'INFO'.
    reversal: True when the bank reverses an earlier booking (MT940 RC/RD, camt `RvslInd`).
    bank_ref: the bank's reference of the entry (camt `AcctSvcrRef`; MT940 after `//` on `:61:`).
    customer_ref: the account owner's reference (MT940 before `//`; camt `NtryRef`).
    transaction_code: MT940 type (e.g. 'NTRF') or camt domain/family/sub-family or proprietary code.
    info: narrative: the MT940 `:86:` text, the camt `AddtlNtryInf`.
    details: underlying transactions with parties and remittance.
    charges: total charges the bank took on this entry, when reported.
    """

    index: int
    amount: Decimal
    currency: str
    booking_date: date | None
    value_date: date | None = None
    status: str = "BOOK"
    reversal: bool = False
    bank_ref: str | None = None
    customer_ref: str | None = None
    transaction_code: str | None = None
    info: str = ""
    details: tuple[TransactionDetail, ...] = ()
    charges: Decimal | None = None

    @property
    def is_credit(self) -> bool:
        return self.amount > 0

    @property
    def on(self) -> date | None:
        """The date that best says when the money arrived."""
        return self.booking_date or self.value_date


@dataclass(frozen=True, slots=True)
class Balance:
    """A balance reported on the statement.

    kind: 'opening', 'closing', 'interim_opening', 'interim_closing', 'available',
        'forward_available', 'closing_available', 'information' or another camt code in lower case.
    amount: signed (a debit balance is negative).
    """

    kind: str
    amount: Decimal
    currency: str
    on: date | None


@dataclass(frozen=True, slots=True)
class Statement:
    """One account statement (MT940/MT942 message, camt `Stmt`/`Rpt`/`Ntfctn`, CSV export).

    format: 'mt940', 'mt942', 'camt.052', 'camt.053', 'camt.054' or 'tabular'.
    statement_id: MT940 `:20:` + `:28C:`, camt `Stmt/Id`.
    sequence: statement / sequence number (MT940 `:28C:`, camt `ElctrncSeqNb` / `LglSeqNb`).
    account: the account owner's account (IBAN when given), spaces removed.
    currency: account currency.
    opening / closing: the booked opening and closing balances, when given.
    balances: every balance reported, in order.
    message_id: camt `GrpHdr/MsgId` or MT940 `:20:`.
    """

    format: str
    account: str
    currency: str
    entries: tuple[Entry, ...]
    statement_id: str | None = None
    sequence: str | None = None
    opening: Balance | None = None
    closing: Balance | None = None
    balances: tuple[Balance, ...] = ()
    message_id: str | None = None
    account_owner: str | None = None
    from_date: date | None = None
    to_date: date | None = None

    @property
    def credits(self) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.is_credit and not e.reversal)


# -- cash application ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenItem:
    """An invoice or credit note that can receive money. `open_amount` is signed (credit notes < 0)."""

    number: str
    customer_id: str
    currency: str
    open_amount: Decimal
    amount: Decimal | None = None
    due_date: date | None = None
    issue_date: date | None = None
    payment_reference: str | None = None
    order_number: str | None = None
    document_type: str = "invoice"


@dataclass(frozen=True, slots=True)
class Application:
    """Part of a payment applied to one item, in the item's currency."""

    invoice_number: str
    customer_id: str
    amount: Decimal
    currency: str
    item_index: int = -1
    """Position of the item in the list the engine was given (not part of the business record)."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """What the engine proposes for one payment (an entry, or one transaction of a batch entry).

    status: 'auto' (applied), 'suggested' (waits for a person) or 'unmatched'.
    confidence: 0..1. reasons: the evidence in plain words.
    residual: payment left unapplied (in the payment currency), `residual_kind` says why:
        'unapplied_cash', 'overpayment', or '' when none. shortfalls: per invoice, what stays open
        and why ('bank_charges', 'short_payment', 'fx_difference').
    """

    entry_index: int
    detail_index: int | None
    entry_ref: str | None
    amount: Decimal
    currency: str
    status: str
    confidence: float
    applications: tuple[Application, ...] = ()
    customer_id: str | None = None
    reasons: tuple[str, ...] = ()
    residual: Decimal = Decimal(0)
    residual_kind: str = ""
    shortfalls: tuple[tuple[str, Decimal, str], ...] = ()
    payer_name: str | None = None
    payer_account: str | None = None
    payer_confidence: float = 0.0
    """How sure the engine is of who paid (0 when no customer was recognised)."""
    item_amount: Decimal | None = None
    item_currency: str | None = None
    """The payment in the currency of the items it settles, when that differs from the statement's
    (the instructed amount, or a conversion at the dated rate)."""

    @property
    def payer_key(self) -> str:
        """Who paid, as rejections remember it: the account and the printed name."""
        return (self.payer_account or "") + "|" + (self.payer_name or "")


@dataclass(frozen=True, slots=True)
class MatchConfig:
    auto_threshold: float = 0.90
    suggest_threshold: float = 0.50
    charge_tolerance: Decimal = Decimal(50)
    """Largest shortfall read as bank charges, in the invoice currency..."""
    charge_tolerance_ratio: Decimal = Decimal("0.03")
    """...and at most this share of the invoiced amount."""
    fx_tolerance_ratio: Decimal = Decimal("0.015")
    max_subset_items: int = 24


@dataclass(frozen=True, slots=True)
class Knowledge:
    """What confirmed and rejected proposals taught.

    names / accounts: normalised payer name or account -> customer id (from confirmations).
    rejected: (payer key, invoice number) pairs a person rejected; never proposed again.
    """

    names: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    rejected: frozenset[tuple[str, str]] = frozenset()
