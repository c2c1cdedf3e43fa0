"""Dashboard pages of reconciliation: bank statements (list and upload), one statement with what happened
to each payment, and the review screen (suggestions to confirm or reject, unmatched money, residuals)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from arguard.core.errors import ArguardError
from arguard.core.money import Money
from arguard.recon import service
from arguard.web.common import WebCtx, add_nav, render
from arguard.web.i18n import register

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
def statement_page(request: Request, statement_id: int, ctx: WebCtx) -> HTMLResponse:
    return render(request, "recon/statement.html", statement=service.get_statement(ctx, statement_id),
                  proposals=service.statement_proposals(ctx, statement_id), m=_money)


@router.get("/recon/review", response_class=HTMLResponse)
def review_page(request: Request, ctx: WebCtx, error: str = "", done: str = "") -> HTMLResponse:
    suggestions, n_suggested = service.review_queue(ctx, "suggestions", PAGE)
    unmatched, n_unmatched = service.review_queue(ctx, "unmatched", PAGE)
    left, n_left = service.residuals(ctx, ("short_payment", "bank_charges", "fx_difference", "overpayment"),
                                     limit=PAGE)
    return render(request, "recon/review.html", suggestions=suggestions, n_suggested=n_suggested,
                  unmatched=unmatched, n_unmatched=n_unmatched, residuals=left, n_residuals=n_left,
                  error=error, done=done, m=_money)


def _decide(fn: object, proposal_id: int, what: str) -> Response:
    try:
        fn()  # type: ignore[operator]
    except ArguardError as exc:
        return RedirectResponse(f"/recon/review?error={exc.code}", status_code=303)
    return RedirectResponse(f"/recon/review?done={what}-{proposal_id}", status_code=303)


@router.post("/recon/proposals/{proposal_id}/confirm")
def confirm(proposal_id: int, ctx: WebCtx, reason: Annotated[str, Form()] = "") -> Response:
    return _decide(lambda: service.confirm(ctx, proposal_id, reason or None), proposal_id, "confirmed")


@router.post("/recon/proposals/{proposal_id}/reject")
def reject(proposal_id: int, ctx: WebCtx, reason: Annotated[str, Form()] = "") -> Response:
    return _decide(lambda: service.reject(ctx, proposal_id, reason), proposal_id, "rejected")


add_nav("/recon/review", "recon.nav", order=50)

register({
    "recon.nav": ("Bank reconciliation", "银行对账"),
    "recon.statements.title": ("Bank statements", "银行对账单"),
    "recon.statements.sub": ("{total} statement(s) imported", "已导入 {total} 份对账单"),
    "recon.upload": ("Import a statement", "导入对账单"),
    "recon.upload.help": ("MT940/MT942, camt.052/053/054, a zip of them, or a bank CSV/XLSX with a saved mapping.",
                          "支持 MT940/MT942、camt.052/053/054 及其压缩包，或使用已保存映射的银行 CSV/XLSX。"),
    "recon.upload.file": ("File", "文件"),
    "recon.upload.mapping": ("Column mapping", "列映射"),
    "recon.upload.no_mapping": ("none (MT940 / camt)", "无（MT940 / camt）"),
    "recon.upload.submit": ("Import", "导入"),
    "recon.result": (("{new} new entries, {dup} already known: {auto} applied automatically, {suggested} suggested, "
                      "{unmatched} unmatched"),
                     "新增 {new} 笔，已存在 {dup} 笔：自动核销 {auto} 笔，建议 {suggested} 笔，未匹配 {unmatched} 笔"),
    "recon.result.nothing": ("Already imported: nothing changed.", "该对账单已导入，未作任何更改。"),
    "recon.failed": ("Not imported: {reason}", "未导入：{reason}"),
    "recon.balance_warning": ("Balance check", "余额校验"),
    "recon.col.source": ("File", "文件"),
    "recon.col.account": ("Account", "账户"),
    "recon.col.statement": ("Statement", "对账单"),
    "recon.col.period": ("Period", "期间"),
    "recon.col.opening": ("Opening", "期初余额"),
    "recon.col.closing": ("Closing", "期末余额"),
    "recon.col.entries": ("Entries", "笔数"),
    "recon.col.balance": ("Balance check", "余额校验"),
    "recon.col.result": ("Auto / suggested / unmatched", "自动 / 建议 / 未匹配"),
    "recon.col.imported": ("Imported", "导入时间"),
    "recon.col.date": ("Booked", "记账日"),
    "recon.col.amount": ("Amount", "金额"),
    "recon.col.payer": ("Payer", "付款人"),
    "recon.col.remittance": ("Remittance", "附言"),
    "recon.col.invoices": ("Invoices", "发票"),
    "recon.col.confidence": ("Confidence", "置信度"),
    "recon.col.reasons": ("Reasons", "依据"),
    "recon.col.status": ("Status", "状态"),
    "recon.col.kind": ("Kind", "类型"),
    "recon.col.customer": ("Customer", "客户"),
    "recon.col.invoice": ("Invoice", "发票"),
    "recon.ok": ("adds up", "一致"),
    "recon.not_ok": ("does not add up", "不一致"),
    "recon.status.auto": ("applied automatically", "自动核销"),
    "recon.status.suggested": ("suggested", "待确认"),
    "recon.status.confirmed": ("confirmed", "已确认"),
    "recon.status.rejected": ("rejected", "已拒绝"),
    "recon.status.unmatched": ("unmatched", "未匹配"),
    "recon.kind.unapplied_cash": ("unapplied cash", "未核销款项"),
    "recon.kind.overpayment": ("overpayment", "多付"),
    "recon.kind.short_payment": ("short payment", "少付"),
    "recon.kind.bank_charges": ("bank charges", "银行手续费"),
    "recon.kind.fx_difference": ("FX difference", "汇兑差额"),
    "recon.review.title": ("Reconciliation review", "对账复核"),
    "recon.review.sub": ("{s} suggestion(s) to decide · {u} unmatched payment(s)", "待确认建议 {s} 条 · 未匹配款项 {u} 笔"),
    "recon.suggestions": ("Suggestions", "匹配建议"),
    "recon.unmatched": ("Unmatched payments", "未匹配款项"),
    "recon.residuals": ("What payments left open", "付款差额"),
    "recon.confirm": ("Confirm", "确认"),
    "recon.reject": ("Reject", "拒绝"),
    "recon.reject_reason": ("Why is it wrong?", "拒绝原因"),
    "recon.none": ("Nothing waits here.", "暂无待处理项。"),
    "recon.error": ("Not done: {code}", "未完成：{code}"),
    "recon.done.confirmed": ("Confirmed and applied; the payer is learned for the customer.",
                             "已确认并核销，已记住该付款人。"),
    "recon.done.rejected": ("Rejected; this payer will not be matched to these invoices again.",
                            "已拒绝，今后不再将该付款人与这些发票匹配。"),
    "recon.on_account": ("on the customer's account", "已记入客户账户"),
    "recon.statements_link": ("Bank statements", "银行对账单"),
    "recon.review_link": ("Review", "复核"),
})
