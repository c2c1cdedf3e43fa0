"""Dashboard pages of reconciliation: bank statements (list and upload), one statement with what happened
to each payment, and the review screen (suggestions to confirm or reject, unmatched money, residuals)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.core.errors import ArguardError, ValidationError
from arguard.core.money import Money
from arguard.recon import service
from arguard.recon import service_manual as manual
from arguard.recon.wording import reason_text
from arguard.web.common import WebCtx, render
from arguard.web.worklist import arrange

router = APIRouter()
PAGE = 50


def _money(minor: int | None, currency: str) -> Money | None:
    return None if minor is None else Money.from_minor(minor, currency)


@router.get("/bank-statements", response_class=HTMLResponse)
def statements_page(request: Request, ctx: WebCtx, offset: int = 0) -> HTMLResponse:
    rows, total = service.list_statements(ctx, PAGE, max(offset, 0))
    return render(request, "recon/statements.html", statements=rows, total=total, limit=PAGE, offset=offset,
                  mappings=service.list_mappings(ctx), result=None, error=None, m=_money)


@router.post("/bank-statements", response_class=HTMLResponse)
def upload(request: Request, ctx: WebCtx, file: Annotated[UploadFile, File()],
           mapping: Annotated[str, Form()] = "") -> HTMLResponse:
    result, error = None, None
    try:
        result = service.import_statement(ctx, file.filename or "upload", file.file.read(), mapping or None)
    except ArguardError as exc:
        error = exc.message
    rows, total = service.list_statements(ctx, PAGE, 0)
    return render(request, "recon/statements.html", status_code=422 if error else 200, statements=rows,
                  total=total, limit=PAGE, offset=0, mappings=service.list_mappings(ctx), result=result,
                  error=error, m=_money)


@router.get("/bank-statements/{statement_id}", response_class=HTMLResponse)
def statement_page(request: Request, statement_id: int, ctx: WebCtx, sort: str = "position", dir: str = "asc",
                   status: str = "", q: str = "", offset: int = 0, group: bool = False) -> HTMLResponse:
    """One statement's entries as a work list: buyer names, sorting, a filter by status and payer or
    buyer, grouping by buyer, 50 a page."""
    from arguard.ledger.interface import customers_by_code

    views = service.statement_proposals(ctx, statement_id, limit=100_000)
    codes = sorted({v.proposal.customer_code for v in views if v.proposal.customer_code})
    names = {c.code: c.name for c in customers_by_code(ctx, codes).values()}  # only the buyers listed
    needle = q.strip().casefold()
    rows = []
    for v in views:
        p = v.proposal
        row = {"view": v, "position": v.entry.position, "booked_on": p.booked_on, "amount": p.amount_minor,
               "payer": p.payer_name or "", "status": p.status, "customer": p.customer_code,
               "name": names.get(p.customer_code or "", ""), "confidence": p.confidence}
        if status and p.status != status:
            continue
        if needle and not any(needle in str(row[k] or "").casefold() for k in ("payer", "customer", "name")):
            continue
        rows.append(row)
    page = arrange(rows, sort=sort, descending=dir == "desc", offset=offset, limit=PAGE, allowed=ENTRY_SORTS,
                   default="position", group_key="customer" if group else None)
    return render(request, "recon/statement.html", statement=service.get_statement(ctx, statement_id),
                  rows=page.rows, total=page.total, offset=page.offset, limit=PAGE, m=_money, why=reason_text,
                  sort=sort if sort in ENTRY_SORTS else "position", dir=dir, status=status, q=q, group=group,
                  statuses=("auto", "suggested", "confirmed", "rejected", "unmatched", "not_customer"))


ENTRY_SORTS = ("position", "booked_on", "amount", "payer", "status", "customer", "name", "confidence")


@router.get("/recon/review", response_class=HTMLResponse)
def review_page(request: Request, ctx: WebCtx, error: str = "", done: str = "") -> HTMLResponse:
    suggestions, n_suggested = service.review_queue(ctx, "suggestions", PAGE)
    unmatched, n_unmatched = service.review_queue(ctx, "unmatched", PAGE)
    left, n_left = service.residuals(ctx, ("short_payment", "bank_charges", "fx_difference", "overpayment"),
                                     limit=PAGE)
    return render(request, "recon/review.html", suggestions=suggestions, n_suggested=n_suggested,
                  unmatched=unmatched, n_unmatched=n_unmatched, residuals=left, n_residuals=n_left,
                  error=error, done=done, m=_money, why=reason_text)


def _decide(fn: object, proposal_id: int, what: str) -> Response:
    try:
        fn()  # type: ignore[operator]
    except ArguardError as exc:
        return RedirectResponse(f"/recon/review?error={exc.code}", status_code=303)
    return RedirectResponse(f"/recon/review?done={what}-{proposal_id}", status_code=303)


@router.post("/recon/proposals/{proposal_id}/confirm")
def confirm(proposal_id: int, ctx: WebCtx, reason: Annotated[str, Form()] = "") -> Response:
    return _decide(lambda: service.confirm(ctx, proposal_id, reason or None), proposal_id, "confirmed")


@router.post("/recon/proposals/{proposal_id}/apply")
def apply_by_hand(proposal_id: int, ctx: WebCtx, customer: Annotated[str, Form()],
                  reason: Annotated[str, Form()], invoices: Annotated[str, Form()] = "") -> Response:
    """The receipt to a customer: on account (no invoices) or split, `INV-1=100.00, INV-2=50`."""
    return _decide(lambda: manual.apply_by_hand(ctx, proposal_id, customer.strip(), _lines(invoices), reason),
                   proposal_id, "applied")


@router.post("/recon/proposals/{proposal_id}/not-customer")
def not_customer(proposal_id: int, ctx: WebCtx, reason: Annotated[str, Form()]) -> Response:
    return _decide(lambda: manual.mark_not_customer(ctx, proposal_id, reason), proposal_id, "not_customer")


@router.post("/recon/residuals/{residual_id}/write-off")
def write_off(residual_id: int, ctx: WebCtx, reason: Annotated[str, Form()]) -> Response:
    return _decide(lambda: manual.write_off_residual(ctx, residual_id, reason), residual_id, "written_off")


def _lines(text: str) -> list[tuple[str, Decimal]]:
    """`INV-1=100.00, INV-2=50` (or one per line) → [(invoice, amount)]."""
    out = []
    for part in text.replace("\n", ",").split(","):
        number, _, amount = part.strip().partition("=")
        if not number.strip():
            continue
        try:
            out.append((number.strip(), Decimal(amount.strip().replace(",", ""))))
        except InvalidOperation:
            raise ValidationError(f"write each invoice as NUMBER=AMOUNT, not {part.strip()!r}",
                                  code="invalid_amount") from None
    return out


@router.post("/recon/proposals/{proposal_id}/reject")
def reject(proposal_id: int, ctx: WebCtx, reason: Annotated[str, Form()] = "") -> Response:
    return _decide(lambda: service.reject(ctx, proposal_id, reason), proposal_id, "rejected")


