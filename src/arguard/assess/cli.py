"""`arguard assess`: which receivables protection fits the stored book, and why (English and 中文)."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from arguard.cli.common import CompanyOption, company_context, console, emit, handle_errors
from arguard.core.errors import ValidationError


def register(root: typer.Typer) -> None:
    root.command("assess")(assess)


@handle_errors
def assess(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Date of the book (default today).")] = None,
    home: Annotated[str | None, typer.Option(help="Your own country (ISO alpha-2) for the export share.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the loss simulation.")] = 20261204,
    format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Also write the report as PDF here.")] = None,
    company: CompanyOption = None,
) -> None:
    """Needs assessment: terms, concentration, sectors, export and country risk, the loss distribution →
    stronger checks, prepayment/guarantees, insurance or factoring, with reasons."""
    from arguard.assess.report import FIT_ZH, assessment_json, assessment_pdf
    from arguard.assess.rules import TOOLS_EN, TOOLS_ZH
    from arguard.assess.service import assess as run

    if format not in ("table", "json"):
        raise ValidationError(f"--format {format}: table or json", code="invalid_format")
    day = date.fromisoformat(as_of) if as_of else date.today()
    with company_context(company, role="viewer") as ctx:
        result = run(ctx, day, home, seed)
    if pdf:
        pdf.write_bytes(assessment_pdf(result))
    if format == "json":
        sys.stdout.write(json.dumps(assessment_json(result), ensure_ascii=False) + "\n")
        return
    console.print(result.summary_en)
    console.print(result.summary_zh)
    emit([{"tool": f"{TOOLS_EN[r.tool]} / {TOOLS_ZH[r.tool]}", "fit": f"{r.fit} / {FIT_ZH[r.fit]}",
           "why": "; ".join(r.reasons_en) or "–"} for r in result.recommendations], "table",
         title=f"needs assessment as of {day.isoformat()} (seed {seed})")
    if pdf:
        console.print(f"PDF → {pdf}")
