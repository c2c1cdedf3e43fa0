"""Needs assessment routes: the assessment as JSON and as PDF."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from arguard.api.deps import Viewer
from arguard.assess import service
from arguard.assess.report import assessment_json, assessment_pdf

router = APIRouter(tags=["assess"])
Seed = Annotated[int, Query(ge=0, le=2**32 - 1, description="Seed of the simulation (numpy's range)")]


@router.get("/assess")
def assess(ctx: Viewer, as_of: date | None = None, home: str | None = None, seed: Seed = 20261204) -> dict[str, Any]:
    """Which protection fits (stronger checks, prepayment/guarantees, insurance, factoring), with the
    measures behind it and reasons in English and Chinese."""
    return assessment_json(service.assess(ctx, as_of or date.today(), _home(home), seed))


@router.get("/assess/report.pdf")
def assess_pdf(ctx: Viewer, as_of: date | None = None, home: str | None = None, seed: Seed = 20261204) -> Response:
    pdf = assessment_pdf(service.assess(ctx, as_of or date.today(), _home(home), seed))
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": 'attachment; filename="needs-assessment.pdf"'})


def _home(home: str | None) -> str | None:
    from arguard.core.errors import ValidationError

    if home is not None and not (len(home) == 2 and home.isalpha()):
        raise ValidationError(f"home {home!r}: an ISO 3166 alpha-2 code", code="invalid_country")
    return home
