"""`arguard recon match` needs no database: CSV and statement in, matches.csv out."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from arguard.cli.main import app

MT940 = """:20:STMT1
:25:NL34RABO0142623393 EUR
:28C:1/1
:60F:C240131EUR1000,00
:61:2402010201C1000,00NTRFNONREF//BREF001
:86:/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/NAME/MUELLER MASCHINENBAU/REMI/INV 2024-00123/EREF/NOTPROVIDED
:61:2402010201C485,00NTRFNONREF//BREF002
:86:/NAME/ACME TRADING/REMI/RF18 5390 0754 7034
:61:2402010201C77,00NTRFNONREF//BREF003
:86:/NAME/SOMEBODY/REMI/GIFT
:62F:C240201EUR2562,00
-
"""


def test_match_writes_one_row_per_application(tmp_path: Path) -> None:
    (tmp_path / "inv.csv").write_text(
        "invoice_number,customer_id,issue_date,due_date,currency,amount,open_amount,payment_reference\n"
        "INV-2024-00123,C1,2024-01-01,2024-01-31,EUR,1000.00,,\n"
        "INV-2024-00200,C2,2024-01-01,2024-01-31,EUR,500.00,,RF18539007547034\n")
    (tmp_path / "cust.csv").write_text("customer_id,name,country,iban\n"
                                       "C1,Müller Maschinenbau GmbH,DE,DE89370400440532013000;NL91ABNA0417164300\n"
                                       "C2,Acme Trading Co Ltd,CN,\n")
    (tmp_path / "st.sta").write_text(MT940)
    result = CliRunner().invoke(app, ["recon", "match", "--invoices", str(tmp_path / "inv.csv"), "--customers",
                                      str(tmp_path / "cust.csv"), "--statement", str(tmp_path / "st.sta"),
                                      "--out", str(tmp_path / "m.csv")])
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "m.csv").read_text().splitlines()
    assert lines[0] == "entry_ref,invoice_number,applied_amount,status,confidence"
    assert lines[1].startswith("BREF001,INV-2024-00123,1000.00,auto,")
    assert lines[2].startswith("BREF002,INV-2024-00200,485.00,auto,")
    assert len(lines) == 3


def test_import_review_confirm_reject(use_database: object, company: tuple[int, str], ctx_factory: object,
                                      tmp_path: Path) -> None:
    from tests.recon.helpers import mt940, seed_ledger
    from tests.recon.test_service import STATEMENT_1

    with ctx_factory() as ctx:  # type: ignore[operator]
        seed_ledger(ctx)
    (tmp_path / "feb.sta").write_bytes(mt940(STATEMENT_1))
    runner = CliRunner()
    args = ["--company", company[1]]
    first = runner.invoke(app, ["recon", "import", str(tmp_path / "feb.sta"), *args])
    assert first.exit_code == 0, first.output
    assert "2 applied automatically, 1 suggested, 2 unmatched" in " ".join(first.output.split())
    again = runner.invoke(app, ["recon", "import", str(tmp_path / "feb.sta"), *args])
    assert "already imported" in " ".join(again.output.split())
    listed = runner.invoke(app, ["recon", "review", *args, "--format", "json"])
    assert listed.exit_code == 0 and "JOHN SMITH" in listed.output
    import json

    suggestion = json.loads(listed.output.split("]\n")[0] + "]")[0]
    assert runner.invoke(app, ["recon", "confirm", str(suggestion["id"]), *args]).exit_code == 0
    refused = runner.invoke(app, ["recon", "reject", str(suggestion["id"]), "--reason", "no", *args])
    assert refused.exit_code == 4 and "proposal_not_pending" in refused.output
