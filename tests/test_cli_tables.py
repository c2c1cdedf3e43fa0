"""CLI tables read by people at 80 columns and when piped: numbers right-aligned with separators, no
"None", no cell cut to "51…"; `arguard report aging/dso`, `arguard check` and `arguard risk grade/show`."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from typer.testing import CliRunner

from arguard.cli.common import cell_text, table_of
from arguard.cli.main import app
from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from tests.limits.ledger_text import write

runner = CliRunner()


def printed(rows: list[dict[str, Any]], width: int = 80, drop_first: tuple[str, ...] = ()) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(table_of(rows, "t", width, drop_first))
    return console.export_text()


def test_numbers_get_separators_and_nothing_prints_none() -> None:
    assert cell_text("1234567.50") == "1,234,567.50" and cell_text(-1500) == "-1,500" and cell_text(None) == ""
    assert cell_text("C00012") == "C00012" and cell_text(True) == "yes"


def test_a_wide_table_leaves_whole_columns_out_instead_of_cutting_cells() -> None:
    rows = [{"customer": f"C{i:05d}", "currency": "EUR", **{f"b{k}": "5123456.78" for k in range(9)},
             "note": None} for i in range(3)]
    text = printed(rows, drop_first=("b0", "b1"))
    assert "…" not in text and "None" not in text and "note" not in text  # an empty column is not shown
    assert "5,123,456.78" in text and "left out to fit 80 columns: b0, b1" in text
    assert all(len(line) <= 80 for line in text.splitlines())
    line = next(ln for ln in text.splitlines() if "C00000" in ln)
    assert line.rstrip().endswith("5,123,456.78 │")  # right-aligned against the border


def test_aging_dso_and_check_read_at_80_columns(use_database: Any, company: tuple[int, str], tmp_path: Any) -> None:
    with session_scope(use_database) as s:
        write(ServiceContext(s, company[0], "test", "admin"),
              "customer ACME DE\ninvoice ACME I-1 51234.56 EUR due 2026-01-15\ninvoice ACME I-2 1200 EUR due 2026-02-20")
    co = ["--company", company[1], "--as-of", "2026-03-01"]
    r = runner.invoke(app, ["report", "aging", *co], terminal_width=80)
    assert r.exit_code == 0, r.output
    assert "52,434.56" in r.output and "…" not in r.output and "None" not in r.output
    r = runner.invoke(app, ["report", "dso", *co], terminal_width=80)
    assert r.exit_code == 0 and "None" not in r.output and "customer" not in r.output
    order = tmp_path / "o.json"
    order.write_text(json.dumps({"order_id": "SO-1", "customer": "ACME", "amount": "400", "currency": "EUR",
                                 "ship_date": "2026-03-10"}))
    r = runner.invoke(app, ["check", str(order), *co])
    assert r.exit_code == 0 and "None" not in r.output and "no limit in force" in r.output
    assert "[hold]" in r.output and "52,434.56" in r.output


def test_risk_grade_and_show_a_stored_buyer(use_database: Any, company: tuple[int, str]) -> None:
    with session_scope(use_database) as s:
        write(ServiceContext(s, company[0], "test", "admin"),
              "customer ACME DE\ninvoice ACME I-1 5000 EUR due 2026-01-15")
    co = ["--company", company[1], "--as-of", "2026-03-01"]
    r = runner.invoke(app, ["risk", "show", "ACME", *co])
    assert r.exit_code == 0 and "not graded yet" in r.output
    r = runner.invoke(app, ["risk", "grade", "ACME", *co])
    assert r.exit_code == 0, r.output
    assert "ACME: grade " in r.output and "12-month PD" in r.output
    r = runner.invoke(app, ["risk", "show", "ACME", *co, "--format", "json"])
    shown = json.loads(r.output)[0]
    assert shown["grade"] is not None and shown["as_of"] == "2026-03-01"
    r = runner.invoke(app, ["risk", "grade", "--all", *co])
    assert r.exit_code == 0 and "1 buyers graded" in r.output
    r = runner.invoke(app, ["risk", "grade", *co])
    assert r.exit_code != 0
