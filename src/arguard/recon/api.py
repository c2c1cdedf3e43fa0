"""Reconciliation routes: statement upload and list, the review queue, confirm / reject, residuals and
saved column mappings. Each route is a few lines over `recon.service`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, UploadFile
from pydantic import BaseModel, Field

from arguard.api.deps import Analyst, CreditManager, Viewer
from arguard.api.pagination import Page, PageParams, page_params
from arguard.core.errors import ImportRejected
from arguard.recon import service
from arguard.recon import service_manual as manual
from arguard.recon.service import ProposalView
from arguard.recon.tables import BankStatement, Residual, SavedMapping

router = APIRouter(tags=["reconciliation"])
Paging = Annotated[PageParams, Depends(page_params)]
MAX_UPLOAD = 50 * 1024 * 1024


def _amount(minor: int | None, currency: str) -> str | None:
    return None if minor is None else str(service.to_decimal(minor, currency))


class StatementRead(BaseModel):
    id: int
    format: str
    statement_ref: str | None
    sequence: str | None
    source: str
    currency: str
    opening_balance: str | None
    closing_balance: str | None
    from_date: date | None
    to_date: date | None
    entries: int
    balance_ok: bool | None
    balance_warning: str | None
    counts: dict[str, int]
    imported_at: datetime

    @classmethod
    def of(cls, s: BankStatement) -> StatementRead:
        return cls(id=s.id, format=s.format, statement_ref=s.statement_ref, sequence=s.sequence, source=s.source,
                   currency=s.currency, opening_balance=_amount(s.opening_minor, s.currency),
                   closing_balance=_amount(s.closing_minor, s.currency), from_date=s.from_date, to_date=s.to_date,
                   entries=s.entries, balance_ok=s.balance_ok, balance_warning=s.balance_warning,
                   counts=s.counts or {}, imported_at=s.imported_at)


class LineRead(BaseModel):
    invoice_number: str
    customer_id: str
    amount: str
    applied: str
    currency: str


class ProposalRead(BaseModel):
    id: int
    status: str
    confidence: float
    reasons: list[str]
    amount: str
    currency: str
    booked_on: date | None
    customer_id: str | None
    payer_name: str | None
    payer_account: str | None
    remittance: str | None
    bank_ref: str | None
    statement_id: int
    residual: str
    residual_kind: str
    lines: list[LineRead]

    @classmethod
    def of(cls, v: ProposalView) -> ProposalRead:
        p = v.proposal
        return cls(id=p.id, status=p.status, confidence=p.confidence, reasons=list(p.reasons or []),
                   amount=str(service.to_decimal(p.amount_minor, p.currency)), currency=p.currency,
                   booked_on=p.booked_on, customer_id=p.customer_code, payer_name=p.payer_name,
                   payer_account=p.payer_account, remittance=p.remittance, bank_ref=v.entry.bank_ref,
                   statement_id=v.entry.statement_id, residual=str(service.to_decimal(p.residual_minor, p.currency)),
                   residual_kind=p.residual_kind,
                   lines=[LineRead(invoice_number=ln.invoice_number, customer_id=ln.customer_code,
                                   amount=str(service.to_decimal(ln.amount_minor, ln.currency)),
                                   applied=str(service.to_decimal(ln.applied_minor, ln.currency)), currency=ln.currency)
                          for ln in v.lines])


class ResidualRead(BaseModel):
    id: int
    kind: str
    customer_id: str | None
    invoice_number: str | None
    amount: str
    currency: str
    booked_on: date | None
    proposal_id: int

    @classmethod
    def of(cls, r: Residual) -> ResidualRead:
        return cls(id=r.id, kind=r.kind, customer_id=r.customer_code, invoice_number=r.invoice_number,
                   amount=str(service.to_decimal(r.amount_minor, r.currency)), currency=r.currency,
                   booked_on=r.booked_on, proposal_id=r.proposal_id)


@router.post("/bank-statements", status_code=201)
def upload_statement(ctx: Analyst, file: Annotated[UploadFile, File()],
                     mapping: Annotated[str | None, Form(description="saved column mapping (CSV/XLSX)")] = None
                     ) -> dict[str, Any]:
    """Import MT940/MT942, camt.052/053/054 (or a zip of them), or a CSV/XLSX export with a saved mapping.
    Answers what changed: entries new/duplicate, applied automatically, suggested, unmatched, balance warnings."""
    data = file.file.read(MAX_UPLOAD + 1)
    if len(data) > MAX_UPLOAD:
        raise ImportRejected(f"{file.filename}: larger than {MAX_UPLOAD // 2**20} MiB", code="file_too_large")
    return service.import_statement(ctx, file.filename or "upload", data, mapping or None).as_dict()


@router.get("/bank-statements")
def list_statements(ctx: Viewer, page: Paging) -> Page[StatementRead]:
    rows, total = service.list_statements(ctx, page.limit, page.offset)
    return Page(items=[StatementRead.of(s) for s in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/bank-statements/{statement_id}")
def get_statement(statement_id: int, ctx: Viewer) -> dict[str, Any]:
    """One statement with every proposal made for its payments."""
    stmt = service.get_statement(ctx, statement_id)
    return {**StatementRead.of(stmt).model_dump(mode="json"),
            "proposals": [ProposalRead.of(v).model_dump(mode="json")
                          for v in service.statement_proposals(ctx, statement_id)]}


@router.get("/recon/suggestions")
def suggestions(ctx: Viewer, page: Paging, statement_id: int | None = None) -> Page[ProposalRead]:
    rows, total = service.review_queue(ctx, "suggestions", page.limit, page.offset, statement_id)
    return Page(items=[ProposalRead.of(v) for v in rows], total=total, limit=page.limit, offset=page.offset)


@router.get("/recon/unmatched")
def unmatched(ctx: Viewer, page: Paging, statement_id: int | None = None) -> Page[ProposalRead]:
    rows, total = service.review_queue(ctx, "unmatched", page.limit, page.offset, statement_id)
    return Page(items=[ProposalRead.of(v) for v in rows], total=total, limit=page.limit, offset=page.offset)


class Decision(BaseModel):
    reason: str | None = Field(None, description="why (required to reject)")


@router.post("/recon/proposals/{proposal_id}/confirm")
def confirm(proposal_id: int, ctx: CreditManager, body: Decision | None = None) -> ProposalRead:
    """Apply a suggestion through the ledger; the payer's name and account are learned for the customer."""
    service.confirm(ctx, proposal_id, body.reason if body else None)
    return ProposalRead.of(service.proposal_view(ctx, proposal_id))


@router.post("/recon/proposals/{proposal_id}/reject")
def reject(proposal_id: int, body: Decision, ctx: CreditManager) -> ProposalRead:
    """Reject a suggestion (or reverse an automatic match): that payer is never matched to those invoices again."""
    service.reject(ctx, proposal_id, body.reason or "")
    return ProposalRead.of(service.proposal_view(ctx, proposal_id))


class LineIn(BaseModel):
    invoice: str = Field(description="invoice number")
    amount: Decimal = Field(description="amount applied to it, in the invoice's currency (as a string)")


class ApplyIn(BaseModel):
    customer_id: str = Field(description="the customer whose money it is")
    lines: list[LineIn] = Field(default_factory=list, description="invoices to settle, in order; none: on account")
    reason: str = Field(min_length=1)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1)


@router.post("/recon/proposals/{proposal_id}/apply")
def apply_by_hand(proposal_id: int, body: ApplyIn, ctx: CreditManager) -> ProposalRead:
    """Cash application by hand: the receipt to a customer, on account or split over invoices; audited."""
    manual.apply_by_hand(ctx, proposal_id, body.customer_id, [(ln.invoice, ln.amount) for ln in body.lines],
                         body.reason)
    return ProposalRead.of(service.proposal_view(ctx, proposal_id))


@router.post("/recon/proposals/{proposal_id}/not-customer")
def not_customer(proposal_id: int, body: ReasonIn, ctx: CreditManager) -> ProposalRead:
    """Money that is no customer's: out of the review queue and the unapplied cash, with the reason."""
    manual.mark_not_customer(ctx, proposal_id, body.reason)
    return ProposalRead.of(service.proposal_view(ctx, proposal_id))


@router.post("/recon/residuals/{residual_id}/write-off")
def write_off(residual_id: int, body: ReasonIn, ctx: CreditManager) -> ResidualRead:
    """Write off a short payment, bank charges or an FX difference within the materiality tolerance."""
    return ResidualRead.of(manual.write_off_residual(ctx, residual_id, body.reason))


@router.get("/recon/residuals")
def residuals(ctx: Viewer, page: Paging, customer_id: str | None = None,
              kind: Literal["unapplied_cash", "overpayment", "short_payment", "bank_charges",
                            "fx_difference"] | None = None) -> Page[ResidualRead]:
    """What payments left behind, for collections: unapplied cash, overpayments, short payments, charges."""
    rows, total = service.residuals(ctx, [kind] if kind else None, customer_id, page.limit, page.offset)
    return Page(items=[ResidualRead.of(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


class MappingWrite(BaseModel):
    booking_date: str = Field(description="column of the booking date")
    amount: str | None = Field(None, description="one signed amount column; or credit and debit")
    credit: str | None = None
    debit: str | None = None
    value_date: str | None = None
    currency: str | None = None
    fixed_currency: str | None = None
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    remittance: list[str] = Field(default_factory=list)
    bank_ref: str | None = None
    account: str | None = None
    fixed_account: str | None = None
    date_format: str = "%Y-%m-%d"
    decimal_mark: str = "."
    delimiter: str | None = None
    encoding: str = "utf-8-sig"
    skip_rows: int = 0


class MappingRead(BaseModel):
    name: str
    mapping: dict[str, Any]

    @classmethod
    def of(cls, m: SavedMapping) -> MappingRead:
        return cls(name=m.name, mapping=dict(m.mapping))


@router.get("/recon/mappings")
def list_mappings(ctx: Viewer) -> list[MappingRead]:
    return [MappingRead.of(m) for m in service.list_mappings(ctx)]


@router.get("/recon/mappings/{mapping_name}")
def get_mapping(mapping_name: str, ctx: Viewer) -> MappingRead:
    return MappingRead.of(service.get_mapping(ctx, mapping_name))


@router.put("/recon/mappings/{mapping_name}")
def put_mapping(mapping_name: str, body: MappingWrite, ctx: Analyst) -> MappingRead:
    """Create or replace a saved column mapping for one bank's CSV/XLSX export."""
    return MappingRead.of(service.save_mapping(ctx, mapping_name, body.model_dump()))


@router.delete("/recon/mappings/{mapping_name}", status_code=204)
def delete_mapping(mapping_name: str, ctx: Analyst) -> None:
    service.delete_mapping(ctx, mapping_name)
