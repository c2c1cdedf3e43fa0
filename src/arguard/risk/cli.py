"""`arguard risk …`: score a file without a database, train the models, print the model card, grade buyers."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from arguard.cli.common import (
    CompanyOption,
    cell_text,
    company_context,
    console,
    emit,
    err_console,
    handle_errors,
)
from arguard.cli.progress import QuietOption
from arguard.core.errors import ImportRejected
from arguard.risk import store
from arguard.risk.report import render_model_card

if TYPE_CHECKING:
    import pandas as pd

app = typer.Typer(name="risk", help="Buyer risk grading: PD and grade 1–10 with reasons.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    from arguard.risk.cli_flags import default_app

    if not any(g.name == "default" for g in app.registered_groups):
        app.add_typer(default_app, name="default")
    root.add_typer(app, name="risk")


def read_table(path: Path) -> pd.DataFrame:
    import pandas as pd  # here, not at import: the CLI starts light

    """CSV or XLSX; empty cells are missing values.

    Statement items are read as text (amounts become Decimal, never float). A CSV of ratios is parsed
    as numbers by pandas' C reader, column by column: only a column with an unreadable cell stays text
    and is checked cell by cell (`scoring.ratios_from_ratio_columns` reports each such cell)."""
    from arguard.risk.scoring import input_kind

    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=str).fillna("")
        header = pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns
        if input_kind([str(c) for c in header]) == "ratios":
            text = {c: str for c in header if str(c).strip().lower() == "id"}
            return pd.read_csv(path, dtype=text, encoding="utf-8-sig", na_values=[""], keep_default_na=False)
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise ImportRejected(f"cannot read {path}: {exc}") from exc


@app.command()
@handle_errors
def score(
    input: Annotated[Path, typer.Option("--input", "-i", help="CSV/XLSX with `id` and ratio or item columns.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output CSV: id, pd_12m, grade, reasons.")],
    model: Annotated[str, typer.Option(help="gbm (accuracy) or scorecard (readable points).")] = "gbm",
    reasons: Annotated[bool, typer.Option(help="Compute the top reasons.")] = True,
    exact_reasons: Annotated[bool, typer.Option(
        help="gbm: exact TreeSHAP reasons (thousands of rows a second) instead of per-leaf attributions.")] = False,
    portfolio_rate: Annotated[float | None, typer.Option(
        help="Your portfolio's 12-month default rate (e.g. 0.02): re-bases PDs from the training sample's "
             "rate (about 7 %).", min=1e-6, max=0.999999)] = None,
) -> None:
    """Score buyers from a file of ratios or statement items; needs no database. With
    ARGUARD_DASK_SCHEDULER set, the rows are scored on that Dask cluster."""
    from arguard.risk.combine import PriorShift
    from arguard.risk.scoring import score_frame

    models = store.load_models()
    prior = PriorShift(store.sample_rate(models.metadata), portfolio_rate) if portfolio_rate else None
    frame = read_table(input)
    scheduler = os.environ.get("ARGUARD_DASK_SCHEDULER")
    if scheduler:  # rows split across the Dask cluster; the same answer as in-process
        from arguard.risk.scaleout import score_frame_on_dask

        scored, issues = score_frame_on_dask(scheduler, frame, model=model, source=input.name, reasons=reasons,
                                             prior=prior, exact=exact_reasons)
    else:
        scored, issues = score_frame(models.get(model), frame, source=input.name, reasons=reasons, prior=prior,
                                     exact=exact_reasons)
    scored.to_csv(out, index=False)
    for issue in issues[:20]:
        err_console.print(f"[yellow]warning[/yellow] {issue}")
    if len(issues) > 20:
        err_console.print(f"[yellow]… {len(issues) - 20} more warnings[/yellow]")
    console.print(f"scored {len(scored)} buyers with {model} → {out}")


@app.command()
@handle_errors
def train(
    data: Annotated[Path | None, typer.Option(help="ARFF file (default: the shipped 5th-year file).")] = None,
    out: Annotated[Path, typer.Option(help="Artefact folder.")] = store.ARTIFACTS_DIR,
    card: Annotated[Path | None, typer.Option(help="Also write the model card here.")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the split, folds and models.")] = 20240601,
) -> None:
    """Rebuild the PD models and their metadata from the data, reproducibly."""
    from arguard.risk.training import train as train_models

    console.print(f"training with seed {seed}")
    text = store.read_training_data(data)
    trained = train_models(text, trained_on=date.today().isoformat(), seed=seed,
                           source=(data or Path(store.TRAINING_FILE)).name)
    for path in store.save_models(trained, out):
        console.print(f"wrote {path}")
    for name, m in trained.metadata["models"].items():
        console.print(f"{name}: OOF AUC {m['oof']['auc']}, hold-out AUC {m['holdout']['auc']}, "
                      f"Brier {m['holdout']['brier']}, KS {m['holdout']['ks']}")
    if card:
        card.write_text(render_model_card(trained.metadata), encoding="utf-8")
        console.print(f"wrote {card}")


@app.command()
@handle_errors
def report(out: Annotated[Path | None, typer.Option(help="Write the model card here.")] = None) -> None:
    """Print (or write) the model card of the shipped models."""
    text = render_model_card(store.load_models().metadata)
    if out:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
    else:
        typer.echo(text)



def _day(text: str | None) -> date:
    return date.fromisoformat(text) if text else date.today()


@app.command("grade")
@handle_errors
def grade(code: Annotated[str | None, typer.Argument(help="Customer code (or --all).")] = None,
          all_buyers: Annotated[bool, typer.Option("--all", help="Grade every buyer.")] = False,
          as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
          company: CompanyOption = None, fmt: Annotated[str, typer.Option("--format")] = "table",
          quiet: QuietOption = False) -> None:
    """Grade one stored buyer (exact reasons) or every buyer, and store the grades."""
    from arguard.cli.progress import progress_bar
    from arguard.risk import service

    if (code is None) == (not all_buyers) or (code is not None and all_buyers):
        raise typer.BadParameter("name one customer code, or --all")
    day = _day(as_of)
    with progress_bar(f"grading {'every buyer' if all_buyers else code} as of {day}", quiet) as progress, \
            company_context(company, actor="cli") as ctx:
        grades = (service.grade_buyers(ctx, day, trigger="cli", progress=progress) if all_buyers
                  else {code or "": service.regrade_buyer(ctx, code or "", day)})
    rows = [{"customer": c, "grade": g.grade, "pd_12m_pct": f"{100 * g.pd_12m:.2f}", "confidence": g.confidence,
             "reasons": g.reasons_text()} for c, g in sorted(grades.items())]
    if all_buyers and fmt == "table":
        counts: dict[int, int] = {}
        for g in grades.values():
            counts[g.grade] = counts.get(g.grade, 0) + 1
        emit([{"grade": k, "buyers": counts[k]} for k in sorted(counts)], fmt,
             title=f"{len(grades):,} buyers graded as of {day}")
        return
    if fmt != "table":
        emit(rows, fmt)
        return
    for c, g in sorted(grades.items()):
        console.print(f"[bold]{c}[/bold]: grade {g.grade}, 12-month PD {100 * g.pd_12m:.2f} %, confidence "
                      f"{g.confidence} (as of {day}, stored)")
        for r in g.reasons:
            console.print(f"  • {r.label} {r.direction} the PD" + (f" (value {cell_text(r.value)})" if r.value is not None else ""),
                          markup=False)


@app.command("show")
@handle_errors
def show(code: Annotated[str, typer.Argument(help="Customer code.")],
         as_of: Annotated[str | None, typer.Option(help="YYYY-MM-DD (default: today).")] = None,
         company: CompanyOption = None, fmt: Annotated[str, typer.Option("--format")] = "table") -> None:
    """A buyer's newest stored grade, its reasons and its history (reads only; never grades)."""
    from arguard.risk import service

    with company_context(company) as ctx:
        data = service.buyer_risk(ctx, code, _day(as_of))
    if fmt != "table":
        emit([data], fmt)
        return
    if data["grade"] is None:
        console.print(f"{code}: not graded yet (arguard risk grade {code})")
        return
    pd_text = f"{100 * data['pd_12m']:.2f} %"
    console.print(f"[bold]{code}[/bold]: grade {data['grade']} as of {data['as_of']}, 12-month PD {pd_text}, "
                  f"confidence {data['confidence']}" + (" [yellow](stale)[/yellow]" if data["stale"] else ""))
    emit([{"reason": r.get("label"), "effect": r.get("direction"), "value": r.get("value")}
          for r in data["reasons"]], fmt, title="reasons")
    emit([{"as_of": h["as_of"], "grade": h["grade"], "pd_12m_pct": f"{100 * h['pd_12m']:.2f}",
           "trigger": h["trigger"]} for h in data["history"]], fmt, title="history")
