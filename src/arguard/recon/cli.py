"""`arguard recon …`: match a statement against invoices without a database (`match`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from arguard.cli.common import console, err_console, handle_errors
from arguard.core.money import FxTable
from arguard.recon.inputs import load_customers, load_open_items, load_rates, write_matches
from arguard.recon.matching import Matcher
from arguard.recon.readers import ColumnMapping, read_statement
from arguard.recon.statements import check_balance

app = typer.Typer(name="recon", help="Reconciliation: bank statements and cash application (电子化对账).",
                  no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="recon")


@app.command("match")
@handle_errors
def match(
    invoices: Annotated[Path, typer.Option(help="Open invoices, canonical import columns (CSV).")],
    statement: Annotated[Path, typer.Option(help="MT940/MT942, camt.052/053/054, zip, or CSV/XLSX with --mapping.")],
    out: Annotated[Path, typer.Option(help="Where to write matches.csv.")],
    customers: Annotated[Path | None, typer.Option(help="Customers CSV (iban may hold several, ';').")] = None,
    mapping: Annotated[Path | None, typer.Option(help="Column mapping (JSON) for CSV/XLSX statements.")] = None,
    rates: Annotated[Path | None, typer.Option(help="Dated FX rates CSV: base,quote,rate,valid_on.")] = None,
    proposals: Annotated[Path | None, typer.Option(help="Also write every proposal with reasons (JSON).")] = None,
) -> None:
    """Match every incoming payment of a statement to invoices; no database needed."""
    items, issues = load_open_items(invoices.read_bytes(), invoices.name)
    people = load_customers(customers.read_bytes(), customers.name) if customers else []
    col_map = ColumnMapping.from_dict(json.loads(mapping.read_text())) if mapping else None
    result = read_statement(statement.read_bytes(), statement.name, col_map)
    issues += list(result.issues)
    fx = FxTable(load_rates(rates.read_bytes(), rates.name)) if rates else None
    matcher = Matcher(items, people, fx=fx)
    found = []
    for stmt in result.statements:
        problem = check_balance(stmt, statement.name)
        if problem:
            issues.append(problem)
        found.extend(matcher.match(stmt))
    out.write_text(write_matches(found), encoding="utf-8")
    if proposals:
        proposals.write_text(json.dumps([_as_json(p) for p in found], indent=1, ensure_ascii=False), encoding="utf-8")
    for issue in issues:
        err_console.print(f"[yellow]warning[/yellow] {issue}")
    counts = {s: sum(1 for p in found if p.status == s) for s in ("auto", "suggested", "unmatched")}
    console.print(f"{len(found)} payments: {counts['auto']} auto, {counts['suggested']} suggested, "
                  f"{counts['unmatched']} unmatched → {out}")


def _as_json(p: object) -> dict:
    from dataclasses import asdict

    return json.loads(json.dumps(asdict(p), default=str))  # type: ignore[call-overload]
