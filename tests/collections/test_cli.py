"""`arguard collections …` from the command line: policy load (errors named by key), run (table and the
issue's JSON, idempotent), worklist, promise, dispute, write-off with two people, KPIs."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from arguard.cli.main import app
from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from tests.collections.ledger_text import POLICY, write

runner = CliRunner()


def test_collections_from_the_command_line(use_database, company, tmp_path):  # type: ignore[no-untyped-def]
    with session_scope(use_database) as s:
        write(ServiceContext(s, company[0], "test", "admin"),
              "customer K100 DE en\ninvoice K100 H-1 1000.00 EUR due 2026-10-01\n"
              "customer K300 IT en\ninvoice K300 I-1 2000.00 EUR due 2026-09-01")
    co = ["--company", company[1]]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncurrency: EUR\nlevels:\n  - {name: a, days_overdue: 1, channel: fax}\ncolour: red\n")
    r = runner.invoke(app, ["collections", "policy", "load", str(bad), *co])
    assert r.exit_code == 2 and "levels[0].channel" in r.output and "colour" in r.output
    good = tmp_path / "dunning.yaml"
    good.write_text(POLICY)
    r = runner.invoke(app, ["collections", "policy", "load", str(good), *co])
    assert r.exit_code == 0 and "standard" in r.output
    r = runner.invoke(app, ["collections", "run", "--as-of", "2026-11-30", "--dry-run", "--format", "json", *co])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["policy"] == "standard" and [a["customer_id"] for a in out["actions"]] == ["K100", "K300"]
    r = runner.invoke(app, ["collections", "run", "--as-of", "2026-11-30", *co])
    assert r.exit_code == 0 and "K300" in r.output and "agency" in r.output
    r = runner.invoke(app, ["collections", "run", "--as-of", "2026-11-30", *co])
    assert "already recorded" in r.output
    r = runner.invoke(app, ["collections", "worklist", "--as-of", "2026-11-30", "--format", "json", *co])
    assert {i["customer_id"] for i in json.loads(r.output)} == {"K300", "K100"}
    r = runner.invoke(app, ["collections", "promise", "add", "K100", "500", "EUR", "--due", "2026-12-05",
                            "--on", "2026-11-30", *co])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["collections", "dispute", "open", "H-1", "--reason", "pricing", "--owner", "li", *co])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["collections", "writeoff", "request", "I-1", "20.00", "EUR", "--reason", "short paid",
                            "--as", "anna", *co])
    assert r.exit_code == 0, r.output
    request_id = r.output.split("write-off request ")[1].split()[0]
    r = runner.invoke(app, ["collections", "writeoff", "decide", request_id, "--approve", "--as", "anna", *co])
    assert r.exit_code == 5 and "second person" in r.output
    r = runner.invoke(app, ["collections", "writeoff", "decide", request_id, "--approve", "--as", "ben", *co])
    assert r.exit_code == 0 and "approved" in r.output
    r = runner.invoke(app, ["collections", "kpis", "--as-of", "2026-11-30", "--format", "json", *co])
    assert r.exit_code == 0 and {x["level"] for x in json.loads(r.output)["per_level"]} == {"call", "agency"}
