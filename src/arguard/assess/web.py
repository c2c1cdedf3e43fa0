"""Needs assessment page and its PDF."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from arguard.assess import service
from arguard.assess.report import assessment_json, assessment_pdf
from arguard.web.common import AsOf, WebCtx, render

router = APIRouter()


@router.get("/assess", response_class=HTMLResponse)
def assess_page(request: Request, ctx: WebCtx, as_of: AsOf) -> HTMLResponse:
    result = assessment_json(service.assess(ctx, as_of))
    return render(request, "assess/assess.html", as_of=as_of, a=result)


@router.get("/assess/report.pdf")
def assess_pdf(ctx: WebCtx, as_of: AsOf) -> Response:
    return Response(assessment_pdf(service.assess(ctx, as_of)), media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="needs-assessment.pdf"'})
