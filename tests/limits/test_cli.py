"""`arguard check ORDER.json`, `arguard limits recommend/decide/holds/release`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from arguard.cli.main import app
from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from tests.limits.ledger_text import write

runner = CliRunner()


def test_check_decide_and_release_from_the_command_line(use_database, company, tmp_path):
    with session_scope(use_database) as s:
        write(ServiceContext(s, company[0], "test", "admin"),
              "customer ACME DE\ninvoice ACME I-1 20000 EUR due 2026-03-15")
    co = ["--company", company[1]]
    r = runner.invoke(app, ["limits", "recommend", "ACME", *co, "--as-of", "2026-03-01"])
    assert r.exit_code == 0 and "recommended limit for ACME: 0" in r.output
    r = runner.invoke(app, ["limits", "decide", "ACME", "--status", "approved", "--amount", "50000",
                            "--reason", "two years of prompt payment", *co, "--as-of", "2026-03-01"])
    assert r.exit_code == 0, r.output
    order = tmp_path / "order.json"
    order.write_text(json.dumps({"order_id": "SO-1", "customer": "ACME", "amount": "40000", "currency": "EUR",
                                 "ship_date": "2026-03-10"}))
    r = runner.invoke(app, ["check", str(order), *co, "--as-of", "2026-03-01", "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)[0]
    assert out["decision"] == "hold" and out["reasons"][0]["excess"] == "10000.00"
    r = runner.invoke(app, ["limits", "holds", *co])
    assert "SO-1" in r.output
    r = runner.invoke(app, ["limits", "release", "SO-1", "--comment", "guarantee received", *co])
    assert r.exit_code == 0 and "released" in r.output
    r = runner.invoke(app, ["limits", "discount", "0.02", "10", "30", *co])
    assert "37.24 %" in r.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"order_id": "SO-2", "customer": "ACME"}')
    r = runner.invoke(app, ["check", str(bad), *co])
    assert r.exit_code == 2 and "amount" in r.output
