"""`arguard insurance …` from the command line: policy, check, notify, limits, declarations, claims."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from arguard.cli.main import app
from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from tests.insurance.policies import POLICY_YAML
from tests.insurance.test_service import LEDGER, book

runner = CliRunner()


def test_the_insurance_commands(use_database, company, tmp_path):
    with session_scope(use_database) as s:
        book(ServiceContext(s, company[0], "test", "admin"), LEDGER)
    co = ["--company", company[1]]
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY_YAML)
    bad = tmp_path / "bad.yaml"
    bad.write_text(POLICY_YAML.replace("claim_filing_days: 60", "claim_filing_days: soon"))
    r = runner.invoke(app, ["insurance", "policy", "load", str(bad), *co])
    assert r.exit_code != 0 and "claim_filing_days" in r.output
    r = runner.invoke(app, ["insurance", "policy", "load", str(policy), *co])
    assert r.exit_code == 0 and "P-1" in r.output, r.output
    r = runner.invoke(app, ["insurance", "check", "--policy", str(policy), "--as-of", "2026-10-30", "--format",
                            "json", *co])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["policy_number"] == "P-1" and out["obligations"][0]["amount_at_stake"] == "1111.05"
    r = runner.invoke(app, ["insurance", "check", "--policy", str(policy), "--as-of", "2026-10-30", *co])
    assert r.exit_code == 0 and "H-00001" in r.output and "missed: 1" in r.output
    r = runner.invoke(app, ["insurance", "monitor", "--as-of", "2026-10-30", *co])
    assert r.exit_code == 0 and "stop supply: 1 held" in r.output and "1 deadline alert" in r.output, r.output
    r = runner.invoke(app, ["insurance", "exposure", "K100", "--as-of", "2026-10-30", "--format", "json", *co])
    assert json.loads(r.output)["stop_supply_from"] == "2026-08-01"
    r = runner.invoke(app, ["insurance", "notify", "K200", "overdue", "--on", "2026-10-20", *co])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["insurance", "limit", "discretionary", "K300", "30000", "--basis", "report", *co])
    assert r.exit_code != 0 and "at most 20000" in r.output
    pdf = tmp_path / "overdue.pdf"
    r = runner.invoke(app, ["insurance", "declare", "overdue", "--as-of", "2026-10-30", "--out", str(pdf), *co])
    assert r.exit_code == 0 and pdf.read_bytes().startswith(b"%PDF"), r.output
    r = runner.invoke(app, ["insurance", "declare", "turnover", "--as-of", "2026-10-30", "--format", "json", *co])
    assert r.exit_code == 0 and len(json.loads(r.output)) == 3, r.output
    r = runner.invoke(app, ["insurance", "claim", "open", "K200", "protracted_default", "--as-of", "2026-10-30", *co])
    assert r.exit_code == 0 and "indemnity" in r.output, r.output
    claim_id = r.output.split()[1]                      # "claim 7 on K200 (protracted_default): draft, …"
    r = runner.invoke(app, ["insurance", "claim", "file", claim_id, "--on", "2026-10-31", *co])
    assert r.exit_code == 0 and "filed" in r.output, r.output
    r = runner.invoke(app, ["insurance", "claim", "list", "--format", "json", *co])
    assert json.loads(r.output)[0]["status"] == "filed"
