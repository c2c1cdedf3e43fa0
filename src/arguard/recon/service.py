"""Reconciliation services: import a bank statement, apply what the engine is sure of through the ledger,
queue the rest for review, and learn from confirmations and rejections (rules in recon/README.md).

    import_statement(ctx, file_name, data, mapping=None) -> ImportSummary
    confirm(ctx, proposal_id, reason=None) / reject(ctx, proposal_id, reason)
    review_queue, list_statements, get_statement, residuals, unapplied_cash, mappings (service_views)

Ledger facts are written only through `arguard.ledger.service` (`add_payment`, `allocate`,
`reverse_allocation`, `add_alias`, `upsert_customer`); each incoming payment becomes a ledger payment
with source 'bank' and external id `bank:<entry key>[:<transaction>]` when it is applied or when it is
a known customer's cash on account. Services never commit.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from arguard.core.errors import Conflict, ImportRejected, Issue, ValidationError
from arguard.core.money import Money
from arguard.core.progress import Progress
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.recon.matching import Matcher
from arguard.recon.model import Entry, Statement
from arguard.recon.model import Proposal as Found
from arguard.recon.parties import normalise_account, normalise_name
from arguard.recon.posting import add_residual, post, post_many
from arguard.recon.readers import ColumnMapping, read_statement
from arguard.recon.service_views import (  # the reads are used from here too: one import point for callers
    ProposalView,
    column_mapping,
    delete_mapping,
    get_mapping,
    get_proposal,
    get_statement,
    list_mappings,
    list_statements,
    load_customers,
    load_knowledge,
    load_open_items,
    proposal_lines,
    proposal_view,
    residuals,
    review_queue,
    save_mapping,
    statement_proposals,
    to_decimal,
    unapplied_cash,
)
from arguard.recon.statements import check_balance, entry_keys, statement_key
from arguard.recon.tables import (
    BankAccount,
    BankEntry,
    BankStatement,
    LearnedAlias,
    Proposal,
    ProposalLine,
    RejectedPair,
    Residual,
)

ON_ACCOUNT_CONFIDENCE = 0.90
"""A payer recognised at least this surely has its unidentified money booked on its account."""


@dataclass
class ImportSummary:
    """What one import did. A second import of the same file has `statements_new == entries_new == 0`."""

    source: str
    statements_new: int = 0
    statements_duplicate: int = 0
    entries_new: int = 0
    entries_duplicate: int = 0
    auto: int = 0
    suggested: int = 0
    unmatched: int = 0
    statement_ids: list[int] = field(default_factory=list)
    balance_warnings: list[Issue] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def changed_nothing(self) -> bool:
        return self.statements_new == 0 and self.entries_new == 0

    def as_dict(self) -> dict[str, Any]:
        def issue(i: Issue) -> dict[str, Any]:
            return {"source": i.source, "line": i.line, "field": i.field, "reason": i.reason}

        return {"source": self.source, "statements_new": self.statements_new,
                "statements_duplicate": self.statements_duplicate, "entries_new": self.entries_new,
                "entries_duplicate": self.entries_duplicate, "auto_applied": self.auto,
                "suggested": self.suggested, "unmatched": self.unmatched, "statement_ids": self.statement_ids,
                "changed_nothing": self.changed_nothing,
                "balance_warnings": [issue(i) for i in self.balance_warnings],
                "issues": [issue(i) for i in self.issues]}


# ---------------------------------------------------------------- import

def import_statement(ctx: ServiceContext, file_name: str, data: bytes,
                     mapping: str | dict[str, Any] | ColumnMapping | None = None,
                     progress: Progress | None = None) -> ImportSummary:
    """Read a statement file (MT940/MT942, camt.05x, zip; CSV/XLSX with a saved mapping), check its
    balances, store it once, apply automatic matches through the ledger and queue the rest. progress:
    told the entries matched and posted, per statement (`core.progress`)."""
    ctx.require("analyst")
    result = read_statement(data, file_name, column_mapping(ctx, mapping))
    if not result.statements:
        raise ImportRejected(f"{file_name}: no statement in the file", code="no_statement")
    summary = ImportSummary(file_name, issues=list(result.issues))
    sha = hashlib.sha256(data).hexdigest()
    matcher: Matcher | None = None
    for stmt in result.statements:
        account = _bank_account(ctx, stmt)
        key = statement_key(stmt)
        if ctx.session.scalar(select(BankStatement.id).where(
                BankStatement.company_id == ctx.company_id, BankStatement.bank_account_id == account.id,
                BankStatement.statement_key == key)) is not None:
            summary.statements_duplicate += 1
            summary.entries_duplicate += len(stmt.entries)
            continue
        row, new = _store(ctx, stmt, account, key, file_name, sha, summary)
        if matcher is None and any(_matchable(e) for e, _ in new):
            matcher = Matcher(load_open_items(ctx), load_customers(ctx), load_knowledge(ctx), fx=ledger.fx_table(ctx))
        if progress is not None:
            progress("entries matched", 0, len(new))
        found = matcher.match(dataclasses.replace(stmt, entries=tuple(e for e, _ in new))) if matcher else []
        if progress is not None:
            progress("entries matched", len(new), len(new))
            progress("entries posted", 0, len(found))
        by_index = {e.index: r for e, r in new}
        counts = {"entries_new": len(new), "entries_duplicate": len(stmt.entries) - len(new),
                  "auto": 0, "suggested": 0, "unmatched": 0}
        for status in _record_all(ctx, found, by_index, stmt):  # in bulk: the bar moves when it is done
            counts[status] += 1
        if progress is not None:
            progress("entries posted", len(found), len(found))
        row.counts = counts
        for k in ("auto", "suggested", "unmatched"):
            setattr(summary, k, getattr(summary, k) + counts[k])
        ctx.audit("recon.statement.import", "bank_statement", row.id, reason=file_name,
                  after={"account": stmt.account, "statement": stmt.statement_id, "balance_ok": row.balance_ok,
                         **counts})
    return summary


def _matchable(e: Entry) -> bool:
    return e.is_credit and not e.reversal and e.status in ("BOOK", "")


def _bank_account(ctx: ServiceContext, stmt: Statement) -> BankAccount:
    number = normalise_account(stmt.account) or stmt.account or "?"
    row = ctx.session.scalar(select(BankAccount).where(BankAccount.company_id == ctx.company_id,
                                                       BankAccount.account == number))
    if row is None:
        row = BankAccount(company_id=ctx.company_id, account=number, currency=stmt.currency, owner=stmt.account_owner)
        ctx.session.add(row)
        ctx.session.flush()
        ctx.audit("recon.bank_account.create", "bank_account", number, after={"currency": stmt.currency})
    return row


def _minor(amount: Any, currency: str) -> int:
    return Money(amount, currency).minor


def _store(ctx: ServiceContext, stmt: Statement, account: BankAccount, key: str, source: str, sha: str,
           summary: ImportSummary) -> tuple[BankStatement, list[tuple[Entry, BankEntry]]]:
    """The statement row and its entries not seen before (an entry already stored is skipped)."""
    problem = check_balance(stmt, source)
    if problem:
        summary.balance_warnings.append(problem)
    both = stmt.opening is not None and stmt.closing is not None
    row = BankStatement(
        company_id=ctx.company_id, bank_account_id=account.id, statement_key=key, format=stmt.format,
        statement_ref=(stmt.statement_id or "")[:128] or None, sequence=(stmt.sequence or "")[:64] or None,
        source=source[:512], file_sha256=sha, currency=stmt.currency,
        opening_minor=_minor(stmt.opening.amount, stmt.currency) if stmt.opening else None,
        closing_minor=_minor(stmt.closing.amount, stmt.currency) if stmt.closing else None,
        from_date=stmt.from_date, to_date=stmt.to_date, entries=len(stmt.entries),
        balance_ok=(problem is None) if both else None, balance_warning=problem.reason if problem else None,
        counts={}, actor=ctx.actor)
    ctx.session.add(row)
    _flush_once(ctx, source)
    summary.statements_new += 1
    summary.statement_ids.append(row.id)
    keys = entry_keys(stmt)
    known: set[str] = set()
    for k in range(0, len(keys), 500):
        known.update(ctx.session.scalars(select(BankEntry.entry_key).where(
            BankEntry.company_id == ctx.company_id, BankEntry.entry_key.in_(keys[k:k + 500]))))
    new: list[tuple[Entry, BankEntry]] = []
    for entry, ekey in zip(stmt.entries, keys, strict=True):
        if ekey in known:
            summary.entries_duplicate += 1
            continue
        known.add(ekey)
        party = next((d.debtor if entry.is_credit else d.creditor for d in entry.details
                      if (d.debtor if entry.is_credit else d.creditor)), None)
        text = " ".join(x for d in entry.details for x in d.remittance.unstructured) or entry.info
        new.append((entry, BankEntry(
            company_id=ctx.company_id, statement_id=row.id, entry_key=ekey, position=entry.index,
            booking_date=entry.booking_date, value_date=entry.value_date,
            amount_minor=_minor(entry.amount, entry.currency), currency=entry.currency, status=entry.status[:8],
            reversal=entry.reversal, bank_ref=(entry.bank_ref or "")[:128] or None,
            counterparty=(party.name or "")[:255] or None if party else None,
            counterparty_account=(party.account or "")[:64] or None if party else None,
            remittance=text or None)))
    ctx.session.add_all([r for _, r in new])
    _flush_once(ctx, source)
    summary.entries_new += len(new)
    return row, new


def _flush_once(ctx: ServiceContext, source: str) -> None:
    """Write the new rows; a unique key taken meanwhile means another import of the same statement ran
    at the same time (the unit of work is rolled back; importing again afterwards is a no-op)."""
    try:
        ctx.session.flush()
    except IntegrityError:
        raise Conflict(f"{source}: the same statement is being imported at the same time; try again",
                       code="import_in_progress") from None


def _record_all(ctx: ServiceContext, found: Sequence[Found], by_index: dict[int, BankEntry],
                stmt: Statement) -> list[str]:
    """Store the statement's proposals, post the automatic ones and book known payers' unidentified
    money on account, all in bulk (a few statements for the whole statement, not a few per entry).
    Returns each proposal's status."""
    rows = [_proposal_row(ctx, p, by_index[p.entry_index], stmt) for p in found]
    ctx.session.add_all(rows)
    ctx.session.flush()
    lines = [[ProposalLine(company_id=ctx.company_id, proposal_id=row.id, invoice_number=a.invoice_number,
                           customer_code=a.customer_id, amount_minor=_minor(a.amount, a.currency), currency=a.currency)
              for a in p.applications] for p, row in zip(found, rows, strict=True)]
    ctx.session.add_all([ln for group in lines for ln in group])
    ctx.session.flush()
    postings: list[tuple[Proposal, Sequence[ProposalLine], str]] = []
    on_account: list[Proposal] = []
    for p, row, group in zip(found, rows, lines, strict=True):
        if row.status == "auto":
            postings.append((row, group, f"automatic match ({row.confidence:.2f}): " + "; ".join(row.reasons)))
        elif row.status == "unmatched":
            known = p.customer_id is not None and p.payer_confidence >= ON_ACCOUNT_CONFIDENCE and row.booked_on
            if known:
                postings.append((row, (), "unidentified money of a known payer, on account"))
                on_account.append(row)
            else:
                add_residual(ctx, row, "unapplied_cash", row.amount_minor, row.currency)
    post_many(ctx, postings)
    for row in on_account:
        add_residual(ctx, row, "unapplied_cash", row.amount_minor, row.currency, customer=row.customer_code)
    ctx.session.flush()
    return [row.status for row in rows]


def _proposal_row(ctx: ServiceContext, p: Found, entry: BankEntry, stmt: Statement) -> Proposal:
    on = entry.booking_date or entry.value_date or stmt.to_date or (stmt.closing.on if stmt.closing else None)
    row = Proposal(
        company_id=ctx.company_id, entry_id=entry.id, detail_index=p.detail_index, status=p.status,
        confidence=float(p.confidence), reasons=list(p.reasons), amount_minor=_minor(p.amount, p.currency),
        currency=p.currency, booked_on=on, customer_code=p.customer_id, payer_name=(p.payer_name or "")[:255] or None,
        payer_account=(p.payer_account or "")[:64] or None, payer_key=p.payer_key[:400], remittance=entry.remittance,
        residual_minor=_minor(p.residual, p.currency), residual_kind=p.residual_kind,
        shortfalls=[[n, str(a), k] for n, a, k in p.shortfalls],
        item_currency=p.item_currency,
        item_amount_minor=_minor(p.item_amount, p.item_currency) if p.item_amount is not None and p.item_currency else None)
    if row.status == "auto" and on is None:
        row.status = "suggested"
        row.reasons = [*row.reasons, "no booking date on the entry: a person books it"]
    return row


# ---------------------------------------------------------------- decisions

def _decide(ctx: ServiceContext, row: Proposal, status: str, reason: str | None) -> None:
    row.status = status
    row.decided_by = ctx.actor
    row.decided_at = datetime.now(UTC)
    row.decision_reason = reason


def confirm(ctx: ServiceContext, proposal_id: int, reason: str | None = None) -> Proposal:
    """A credit manager confirms a suggestion: it is applied through the ledger, and the payer's name
    and account are learned as the customer's (so the next payment from them is matched automatically)."""
    ctx.require("credit_manager")
    row = get_proposal(ctx, proposal_id, lock=True)
    if row.status != "suggested":
        raise Conflict(f"proposal {proposal_id} is {row.status}; only suggestions are confirmed",
                       code="proposal_not_pending")
    lines = proposal_lines(ctx, [row.id])[row.id]
    if row.booked_on is None:
        raise ValidationError("the entry has no booking date", code="no_booking_date")
    applied = post(ctx, row, lines, f"confirmed match: {reason or '; '.join(row.reasons)}")
    if not applied and lines:
        raise Conflict("the proposed invoices were settled meanwhile; reject the suggestion instead",
                       code="already_settled")
    _decide(ctx, row, "confirmed", reason)
    learned = _teach(ctx, row, lines)
    ctx.audit("recon.proposal.confirm", "recon_proposal", row.id, reason=reason,
              after={"invoices": [ln.invoice_number for ln in lines], "applied_minor": applied,
                     "learned": learned})
    return row


def _teach(ctx: ServiceContext, row: Proposal, lines: Sequence[ProposalLine]) -> list[str]:
    """Learn the payer's name and account as the customer's, when the suggestion paid one customer's
    invoices and the payer was not another customer paying for it."""
    customers = {ln.customer_code for ln in lines}
    if len(customers) != 1 or any("third-party" in r for r in row.reasons or []):
        return []
    code = customers.pop()
    learned = []
    name = normalise_name(row.payer_name or "")
    if name and _learn(ctx, row, "name", name, code):
        ledger.add_alias(ctx, code, row.payer_name or name, reason=f"confirmed bank match {row.id}")
        learned.append(f"name:{name}")
    account = normalise_account(row.payer_account)
    if account and _learn(ctx, row, "account", account, code):
        ledger.add_customer_account(ctx, code, account)
        learned.append(f"account:{account}")
    return learned


def _learn(ctx: ServiceContext, row: Proposal, kind: str, key: str, code: str) -> bool:
    found = ctx.session.scalar(select(LearnedAlias).where(LearnedAlias.company_id == ctx.company_id,
                                                          LearnedAlias.kind == kind, LearnedAlias.key == key[:255]))
    if found is not None and found.customer_code == code:
        return False
    if found is None:
        ctx.session.add(LearnedAlias(company_id=ctx.company_id, kind=kind, key=key[:255], customer_code=code,
                                     proposal_id=row.id))
    else:
        found.customer_code, found.proposal_id = code, row.id   # the latest confirmation wins
    return True


def reject(ctx: ServiceContext, proposal_id: int, reason: str) -> Proposal:
    """A credit manager rejects a suggestion (or an automatic match, whose allocations are reversed):
    the (payer, invoice) pairs are never proposed again and the money waits as unapplied cash."""
    ctx.require("credit_manager")
    if not (reason or "").strip():
        raise ValidationError("say why the match is wrong", code="reason_required")
    row = get_proposal(ctx, proposal_id, lock=True)
    if row.status not in ("suggested", "auto"):
        raise Conflict(f"proposal {proposal_id} is {row.status}; only suggestions and automatic matches are "
                       "rejected", code="proposal_not_pending")
    lines = proposal_lines(ctx, [row.id])[row.id]
    for line in lines:
        if line.allocation_id is not None:
            ledger.reverse_allocation(ctx, line.allocation_id, reason=f"rejected bank match: {reason}")
        for application in line.credit_applications or ():   # the credit note is the buyer's again
            ledger.reverse_credit_application(ctx, application, f"rejected bank match: {reason}")
        exists = ctx.session.scalar(select(RejectedPair.id).where(
            RejectedPair.company_id == ctx.company_id, RejectedPair.payer_key == row.payer_key,
            RejectedPair.invoice_number == line.invoice_number))
        if exists is None:
            ctx.session.add(RejectedPair(company_id=ctx.company_id, payer_key=row.payer_key,
                                         invoice_number=line.invoice_number, reason=reason, proposal_id=row.id))
    was = row.status
    if was == "auto":
        for res in ctx.session.scalars(select(Residual).where(Residual.company_id == ctx.company_id,
                                                              Residual.proposal_id == row.id)):
            ctx.session.delete(res)
    _decide(ctx, row, "rejected", reason)
    ctx.session.flush()
    add_residual(ctx, row, "unapplied_cash", row.amount_minor, row.currency, payment_id=row.payment_id)
    ctx.audit("recon.proposal.reject", "recon_proposal", row.id, reason=reason,
              before={"status": was}, after={"invoices": [ln.invoice_number for ln in lines]})
    return row


__all__ = ["ImportSummary", "ProposalView", "confirm", "delete_mapping", "get_mapping", "get_proposal",
           "get_statement", "import_statement", "list_mappings", "list_statements", "load_customers", "load_open_items", "proposal_view", "reject", "residuals",
           "review_queue", "save_mapping", "statement_proposals", "to_decimal", "unapplied_cash"]
