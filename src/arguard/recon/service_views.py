"""Reconciliation reads: what the engine needs from the ledger (open items, customers with their accounts
and aliases) and from past decisions (`Knowledge`), the review queue, statements, residuals, and the saved
column mappings. Service layer: queries live here and in `service.py`.

The ledger's tables are only *read* here (in a few column queries, so that a million open items load
in seconds); every ledger write goes through `arguard.ledger.service`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from arguard.core.errors import NotFound, ValidationError
from arguard.core.money import exponent
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.recon.model import Knowledge, OpenItem
from arguard.recon.parties import CustomerInfo
from arguard.recon.readers import ColumnMapping
from arguard.recon.tables import (
    BankEntry,
    BankStatement,
    LearnedAlias,
    Proposal,
    ProposalLine,
    RejectedPair,
    Residual,
    SavedMapping,
)

REVIEW_STATUSES = {"suggestions": ("suggested",), "unmatched": ("unmatched", "rejected")}


def to_decimal(minor: int, currency: str) -> Decimal:
    return Decimal(int(minor)).scaleb(-exponent(currency))


# ---------------------------------------------------------------- what the engine reads

def load_open_items(ctx: ServiceContext) -> list[OpenItem]:
    """Invoices with money still open and credit notes with credit left (negative open amounts: a buyer
    may deduct them from what it pays), one column query each."""
    scale: dict[str, int] = {}
    out = []
    for kind, rows in (("invoice", ledger.payable_invoices(ctx)), ("credit_note", ledger.open_credit_notes(ctx))):
        for i in rows:
            e = scale.get(i.currency)
            if e is None:
                e = scale[i.currency] = -exponent(i.currency)
            out.append(OpenItem(i.number, i.customer_code, i.currency, Decimal(i.open_minor).scaleb(e),
                                Decimal(i.amount_minor).scaleb(e), i.due_date, i.issue_date, i.payment_reference,
                                i.order_number, kind))
    return out


def load_customers(ctx: ServiceContext) -> list[CustomerInfo]:
    """Every customer with the accounts it pays from and the names it is known under."""
    return [CustomerInfo(code, name, accounts, aliases) for code, name, accounts, aliases in ledger.payers(ctx)]


def load_knowledge(ctx: ServiceContext) -> Knowledge:
    names: dict[str, str] = {}
    accounts: dict[str, str] = {}
    for kind, key, code in ctx.session.execute(select(LearnedAlias.kind, LearnedAlias.key, LearnedAlias.customer_code)
                                               .where(LearnedAlias.company_id == ctx.company_id)):
        (names if kind == "name" else accounts)[key] = code
    rejected = frozenset((k, n) for k, n in ctx.session.execute(
        select(RejectedPair.payer_key, RejectedPair.invoice_number).where(RejectedPair.company_id == ctx.company_id)))
    return Knowledge(names=names, accounts=accounts, rejected=rejected)


# ---------------------------------------------------------------- statements and the review queue

@dataclass(frozen=True)
class ProposalView:
    """A proposal with its invoice lines and the entry it came from (for the review screen and API)."""

    proposal: Proposal
    lines: tuple[ProposalLine, ...]
    entry: BankEntry


def get_proposal(ctx: ServiceContext, proposal_id: int, lock: bool = False) -> Proposal:
    q = select(Proposal).where(Proposal.company_id == ctx.company_id, Proposal.id == proposal_id)
    row = ctx.session.scalar(q.with_for_update() if lock else q)
    if row is None:
        raise NotFound(f"no proposal {proposal_id}", code="proposal_not_found")
    return row


def proposal_lines(ctx: ServiceContext, proposal_ids: Iterable[int]) -> dict[int, list[ProposalLine]]:
    ids = list(proposal_ids)
    out: dict[int, list[ProposalLine]] = {i: [] for i in ids}
    for k in range(0, len(ids), 500):
        for line in ctx.session.scalars(select(ProposalLine).where(
                ProposalLine.company_id == ctx.company_id, ProposalLine.proposal_id.in_(ids[k:k + 500]))
                .order_by(ProposalLine.id)):
            out[line.proposal_id].append(line)
    return out


def _views(ctx: ServiceContext, rows: list[tuple[Proposal, BankEntry]]) -> list[ProposalView]:
    lines = proposal_lines(ctx, [p.id for p, _ in rows])
    return [ProposalView(p, tuple(lines[p.id]), e) for p, e in rows]


def proposal_view(ctx: ServiceContext, proposal_id: int) -> ProposalView:
    row = get_proposal(ctx, proposal_id)
    entry = ctx.session.scalar(select(BankEntry).where(BankEntry.company_id == ctx.company_id,
                                                       BankEntry.id == row.entry_id))
    assert entry is not None
    return ProposalView(row, tuple(proposal_lines(ctx, [row.id])[row.id]), entry)


def review_queue(ctx: ServiceContext, queue: str, limit: int = 50, offset: int = 0,
                 statement_id: int | None = None) -> tuple[list[ProposalView], int]:
    """'suggestions' (waiting for a credit manager) or 'unmatched' (unidentified or rejected money),
    best first."""
    if queue not in REVIEW_STATUSES:
        raise ValidationError("queue is 'suggestions' or 'unmatched'", code="bad_queue")
    q = (select(Proposal, BankEntry).join(BankEntry, BankEntry.id == Proposal.entry_id)
         .where(Proposal.company_id == ctx.company_id, Proposal.status.in_(REVIEW_STATUSES[queue])))
    if statement_id is not None:
        q = q.where(BankEntry.statement_id == statement_id)
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = ctx.session.execute(q.order_by(Proposal.confidence.desc(), Proposal.id).limit(limit).offset(offset))
    return _views(ctx, [(p, e) for p, e in rows]), total


def list_statements(ctx: ServiceContext, limit: int = 50, offset: int = 0) -> tuple[list[BankStatement], int]:
    q = select(BankStatement).where(BankStatement.company_id == ctx.company_id)
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    rows = ctx.session.scalars(q.order_by(BankStatement.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def get_statement(ctx: ServiceContext, statement_id: int) -> BankStatement:
    row = ctx.session.scalar(select(BankStatement).where(BankStatement.company_id == ctx.company_id,
                                                         BankStatement.id == statement_id))
    if row is None:
        raise NotFound(f"no bank statement {statement_id}", code="statement_not_found")
    return row


def statement_proposals(ctx: ServiceContext, statement_id: int, limit: int = 1000) -> list[ProposalView]:
    get_statement(ctx, statement_id)
    rows = ctx.session.execute(
        select(Proposal, BankEntry).join(BankEntry, BankEntry.id == Proposal.entry_id)
        .where(Proposal.company_id == ctx.company_id, BankEntry.statement_id == statement_id)
        .order_by(BankEntry.position, Proposal.detail_index, Proposal.id).limit(limit))
    return _views(ctx, [(p, e) for p, e in rows])


def residuals(ctx: ServiceContext, kinds: Iterable[str] | None = None, customer_code: str | None = None,
              limit: int = 200, offset: int = 0) -> tuple[list[Residual], int]:
    """What payments left behind: short payments, bank charges, FX differences, unapplied cash."""
    q = select(Residual).where(Residual.company_id == ctx.company_id, Residual.resolved_at.is_(None))
    if kinds is not None:
        q = q.where(Residual.kind.in_(list(kinds)))
    if customer_code:
        q = q.where(Residual.customer_code == customer_code)
    total = ctx.session.scalar(select(func.count()).select_from(q.subquery())) or 0
    return list(ctx.session.scalars(q.order_by(Residual.id.desc()).limit(limit).offset(offset))), total


def unapplied_cash(ctx: ServiceContext, customer_code: str | None = None, limit: int = 200,
                   offset: int = 0) -> tuple[list[Residual], int]:
    """Money received and not applied to an invoice: unidentified, duplicate or overpaid."""
    return residuals(ctx, ("unapplied_cash", "overpayment"), customer_code, limit, offset)


# ---------------------------------------------------------------- saved column mappings

def _checked_mapping(data: dict[str, Any]) -> ColumnMapping:
    try:
        mapping = ColumnMapping.from_dict(data)
    except TypeError as exc:
        raise ValidationError(f"not a column mapping: {exc}", code="bad_mapping") from None
    if not mapping.booking_date or not (mapping.amount or mapping.credit or mapping.debit):
        raise ValidationError("a column mapping names the booking date and the amount (or credit/debit) columns",
                              code="bad_mapping")
    return mapping


def save_mapping(ctx: ServiceContext, name: str, data: dict[str, Any]) -> SavedMapping:
    """Create or replace the company's mapping of that name."""
    ctx.require("analyst")
    name = (name or "").strip()
    if not name:
        raise ValidationError("a column mapping needs a name", code="bad_mapping")
    mapping = _checked_mapping({**data, "name": name})
    row = ctx.session.scalar(select(SavedMapping).where(SavedMapping.company_id == ctx.company_id,
                                                        SavedMapping.name == name))
    before = dict(row.mapping) if row else None
    if row is None:
        row = SavedMapping(company_id=ctx.company_id, name=name, mapping=mapping.to_dict())
        ctx.session.add(row)
    else:
        row.mapping = mapping.to_dict()
        row.updated_at = datetime.now(UTC)
    ctx.session.flush()
    ctx.audit("recon.mapping.save", "column_mapping", name, before=before, after=row.mapping)
    return row


def list_mappings(ctx: ServiceContext) -> list[SavedMapping]:
    return list(ctx.session.scalars(select(SavedMapping).where(SavedMapping.company_id == ctx.company_id)
                                    .order_by(SavedMapping.name)))


def get_mapping(ctx: ServiceContext, name: str) -> SavedMapping:
    row = ctx.session.scalar(select(SavedMapping).where(SavedMapping.company_id == ctx.company_id,
                                                        SavedMapping.name == name))
    if row is None:
        raise NotFound(f"no column mapping {name!r}", code="mapping_not_found")
    return row


def delete_mapping(ctx: ServiceContext, name: str) -> None:
    ctx.require("analyst")
    row = get_mapping(ctx, name)
    ctx.audit("recon.mapping.delete", "column_mapping", name, before=row.mapping)
    ctx.session.delete(row)
    ctx.session.flush()


def column_mapping(ctx: ServiceContext, mapping: str | dict[str, Any] | ColumnMapping | None) -> ColumnMapping | None:
    """A mapping given by saved name, as a dict, or as is."""
    if mapping is None or isinstance(mapping, ColumnMapping):
        return mapping
    if isinstance(mapping, str):
        return _checked_mapping(get_mapping(ctx, mapping).mapping)
    return _checked_mapping(mapping)


__all__ = ["ProposalView", "column_mapping", "delete_mapping", "get_mapping", "get_proposal",
           "get_statement", "list_mappings", "list_statements", "load_customers", "load_knowledge",
           "load_open_items", "proposal_lines", "proposal_view", "residuals", "review_queue", "save_mapping", "statement_proposals",
           "to_decimal", "unapplied_cash"]
