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
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from arguard.core.collector import many_records
from arguard.core.errors import Conflict, ImportRejected, Issue, ValidationError
from arguard.core.money import Money
from arguard.core.progress import Progress
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.recon.matching import Matcher
from arguard.recon.model import Entry, Statement
from arguard.recon.model import Proposal as Found
from arguard.recon.parties import normalise_account, normalise_name
from arguard.recon.posting import (
    LineDraft,
    ReceiptDraft,
    ResidualDraft,
    add_residual,
    external_id,
    post,
    post_drafts,
)
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

@many_records()   # a statement against 100,000 open items: the collector's full passes were 15 % of the CPU
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


@dataclass(frozen=True, slots=True)
class StoredEntry:
    """An entry just stored: its row id and what a proposal copies from it."""

    id: int
    entry_key: str
    booking_date: date | None
    value_date: date | None
    remittance: str | None


def _store(ctx: ServiceContext, stmt: Statement, account: BankAccount, key: str, source: str, sha: str,
           summary: ImportSummary) -> tuple[BankStatement, list[tuple[Entry, StoredEntry]]]:
    """The statement row and its entries not seen before (an entry already stored is skipped); the
    entries in one multi-row insert."""
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
    new: list[tuple[Entry, dict[str, Any]]] = []
    for entry, ekey in zip(stmt.entries, keys, strict=True):
        if ekey in known:
            summary.entries_duplicate += 1
            continue
        known.add(ekey)
        party = next((d.debtor if entry.is_credit else d.creditor for d in entry.details
                      if (d.debtor if entry.is_credit else d.creditor)), None)
        text = " ".join(x for d in entry.details for x in d.remittance.unstructured) or entry.info
        new.append((entry, {
            "company_id": ctx.company_id, "statement_id": row.id, "entry_key": ekey, "position": entry.index,
            "booking_date": entry.booking_date, "value_date": entry.value_date,
            "amount_minor": _minor(entry.amount, entry.currency), "currency": entry.currency,
            "status": entry.status[:8], "reversal": entry.reversal, "bank_ref": (entry.bank_ref or "")[:128] or None,
            "counterparty": (party.name or "")[:255] or None if party else None,
            "counterparty_account": (party.account or "")[:64] or None if party else None,
            "remittance": text or None}))
    ids = _insert_once(ctx, source, insert(BankEntry).returning(BankEntry.id, sort_by_parameter_order=True),
                       [r for _, r in new]) if new else []
    summary.entries_new += len(new)
    return row, [(e, StoredEntry(i, r["entry_key"], r["booking_date"], r["value_date"], r["remittance"]))
                 for (e, r), i in zip(new, ids, strict=True)]


def _insert_once(ctx: ServiceContext, source: str, stmt: Any, rows: list[dict[str, Any]]) -> list[int]:
    """`_flush_once` for a multi-row insert: the new ids, in the order of `rows`."""
    try:
        return list(ctx.connection().execute(stmt, rows).scalars().all())
    except IntegrityError:
        raise Conflict(f"{source}: the same statement is being imported at the same time; try again",
                       code="import_in_progress") from None


def _flush_once(ctx: ServiceContext, source: str) -> None:
    """Write the new rows; a unique key taken meanwhile means another import of the same statement ran
    at the same time (the unit of work is rolled back; importing again afterwards is a no-op)."""
    try:
        ctx.session.flush()
    except IntegrityError:
        raise Conflict(f"{source}: the same statement is being imported at the same time; try again",
                       code="import_in_progress") from None


def _record_all(ctx: ServiceContext, found: Sequence[Found], by_index: dict[int, StoredEntry],
                stmt: Statement) -> list[str]:
    """Post the automatic proposals and book known payers' unidentified money on account (one bulk call
    of the ledger), then store the proposals, their lines and the residuals they leave, one multi-row
    insert each: a few statements for the whole statement, and no ORM object per row. Returns each
    proposal's status."""
    rows = [_proposal_values(ctx, p, by_index[p.entry_index], stmt) for p in found]
    lines = [[LineDraft(a.invoice_number, a.customer_id, _minor(a.amount, a.currency), a.currency)
              for a in p.applications] for p in found]
    drafts: list[ReceiptDraft | None] = []
    extra: list[list[ResidualDraft]] = []
    for p, row, group in zip(found, rows, lines, strict=True):
        entry = by_index[p.entry_index]
        more: list[ResidualDraft] = []
        draft = None
        if row["status"] == "auto":
            draft = _receipt_draft(row, entry, group, f"automatic match ({row['confidence']:.2f}): "
                                   + "; ".join(row["reasons"]))
        elif row["status"] == "unmatched":
            if p.customer_id is not None and p.payer_confidence >= ON_ACCOUNT_CONFIDENCE and row["booked_on"]:
                draft = _receipt_draft(row, entry, [], "unidentified money of a known payer, on account")
                more.append(ResidualDraft("unapplied_cash", row["amount_minor"], row["currency"], row["customer_code"]))
            else:
                more.append(ResidualDraft("unapplied_cash", row["amount_minor"], row["currency"]))
        drafts.append(draft)
        extra.append(more)
    post_drafts(ctx, [d for d in drafts if d is not None])
    for row, draft in zip(rows, drafts, strict=True):
        row["payment_id"] = draft.payment_id if draft is not None else None
    if not rows:
        return []
    conn = ctx.connection()
    ids = conn.execute(insert(Proposal).returning(Proposal.id, sort_by_parameter_order=True), rows).scalars().all()
    line_rows: list[dict[str, Any]] = []
    residual_rows: list[dict[str, Any]] = []
    for pid, row, group, draft, more in zip(ids, rows, lines, drafts, extra, strict=True):
        line_rows.extend({"company_id": ctx.company_id, "proposal_id": pid, "invoice_number": ln.invoice_number,
                          "customer_code": ln.customer_code, "amount_minor": ln.amount_minor, "currency": ln.currency,
                          "applied_minor": ln.applied_minor, "allocation_id": ln.allocation_id,
                          "credit_applications": ln.credit_applications} for ln in group)
        for r in (draft.residuals if draft is not None else []) + more:
            if r.amount_minor > 0:
                residual_rows.append({"company_id": ctx.company_id, "proposal_id": pid, "kind": r.kind,
                                      "customer_code": r.customer_code, "invoice_number": r.invoice_number,
                                      "amount_minor": r.amount_minor, "currency": r.currency,
                                      "booked_on": row["booked_on"], "payment_id": r.payment_id or row["payment_id"]})
    if line_rows:
        conn.execute(insert(ProposalLine), line_rows)
    if residual_rows:
        conn.execute(insert(Residual), residual_rows)
    return [row["status"] for row in rows]


def _receipt_draft(row: dict[str, Any], entry: StoredEntry, lines: list[LineDraft], reason: str) -> ReceiptDraft:
    """The proposal's money as the ledger receives it: in the invoices' currency when the payer instructed one."""
    instructed = row["item_currency"] is not None and row["item_amount_minor"] is not None
    return ReceiptDraft(external_id(entry.entry_key, row["detail_index"]), row["customer_code"] or None,
                        row["booked_on"], row["item_amount_minor"] if instructed else row["amount_minor"],
                        row["item_currency"] if instructed else row["currency"], row["remittance"], lines, reason,
                        row["shortfalls"])


def _proposal_values(ctx: ServiceContext, p: Found, entry: StoredEntry, stmt: Statement) -> dict[str, Any]:
    """The `recon_proposals` row of a proposal (payment_id is added once posted)."""
    on = entry.booking_date or entry.value_date or stmt.to_date or (stmt.closing.on if stmt.closing else None)
    status, reasons = p.status, list(p.reasons)
    if status == "auto" and on is None:
        status, reasons = "suggested", [*reasons, "no booking date on the entry: a person books it"]
    return {
        "company_id": ctx.company_id, "entry_id": entry.id, "detail_index": p.detail_index, "status": status,
        "confidence": float(p.confidence), "reasons": reasons, "amount_minor": _minor(p.amount, p.currency),
        "currency": p.currency, "booked_on": on, "customer_code": p.customer_id,
        "payer_name": (p.payer_name or "")[:255] or None, "payer_account": (p.payer_account or "")[:64] or None,
        "payer_key": p.payer_key[:400], "remittance": entry.remittance,
        "residual_minor": _minor(p.residual, p.currency), "residual_kind": p.residual_kind,
        "shortfalls": [[n, str(a), k] for n, a, k in p.shortfalls], "item_currency": p.item_currency,
        "item_amount_minor": (_minor(p.item_amount, p.item_currency)
                              if p.item_amount is not None and p.item_currency else None)}


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
