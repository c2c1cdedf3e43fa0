"""`arguard risk score` on a file of ratios and on a file of statement items, with missing values."""

import csv
import io
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from arguard.risk.cli import app
from arguard.risk.scoring import ratios_of

runner = CliRunner()

ITEMS = """id,total_assets,short_term_liabilities,long_term_liabilities,current_assets,cash,short_term_securities,receivables,inventory,fixed_assets,equity,share_capital,retained_earnings,sales,sales_prior_year,cost_of_products_sold,gross_profit,gross_profit_3y,profit_on_sales,operating_profit,depreciation,interest,net_profit,operating_expenses,extraordinary_items,total_costs
acme,1000000,300000,200000,450000,50000,10000,200000,150000,550000,500000,100000,250000,2000000,1800000,1500000,80000,200000,90000,100000,40000,20000,60000,1800000,0,1900000
wobbly,800000,700000,300000,200000,1000,0,150000,40000,600000,-200000,100000,-350000,500000,700000,480000,-150000,-300000,-130000,-120000,30000,60000,-170000,650000,0,670000
sparse,500000,,,,,,,,,,,,,,,,,,,,,,,,
"""


def run_score(tmp_path: Path, text: str, *extra: str) -> tuple[list[dict[str, str]], str]:
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["score", "--input", str(src), "--out", str(out), *extra])
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8") as f:
        return list(csv.DictReader(f)), result.output


def ratios_file() -> str:
    """Ratios of the two item rows below, some under descriptive names, one blank, one unreadable."""
    items = pd.read_csv(io.StringIO(ITEMS), dtype=str, keep_default_na=False).set_index("id")
    ratios, _, _ = ratios_of(items.iloc[:2])
    ratios = ratios.rename(columns={"Attr10": "equity_to_total_assets", "Attr46": "quick_ratio"})
    ratios.index = ["healthy", "shaky"]
    ratios = ratios.astype(object)
    ratios.loc["healthy", "Attr5"] = ""
    ratios.loc["shaky", "Attr2"] = "abc"
    empty = pd.DataFrame([[""] * ratios.shape[1]], columns=ratios.columns, index=["empty"])
    return pd.concat([ratios, empty]).rename_axis("id").to_csv()


def test_score_a_file_of_ratios(tmp_path: Path) -> None:
    rows, output = run_score(tmp_path, ratios_file())
    assert [r["id"] for r in rows] == ["healthy", "shaky", "empty"]
    assert list(rows[0]) == ["id", "pd_12m", "grade", "reasons"]
    by = {r["id"]: r for r in rows}
    assert float(by["shaky"]["pd_12m"]) > float(by["healthy"]["pd_12m"])
    assert int(by["shaky"]["grade"]) > int(by["healthy"]["grade"])
    assert all(0 <= float(r["pd_12m"]) <= 1 and 1 <= int(r["grade"]) <= 9 for r in rows)
    assert by["shaky"]["reasons"].startswith("+")
    assert "not a number" in output and "Attr2" in output


def test_score_a_file_of_statement_items(tmp_path: Path) -> None:
    rows, _ = run_score(tmp_path, ITEMS, "--model", "scorecard")
    by = {r["id"]: r for r in rows}
    assert float(by["wobbly"]["pd_12m"]) > 3 * float(by["acme"]["pd_12m"])
    assert by["sparse"]["grade"] and by["acme"]["reasons"]


def test_portfolio_rate_rebases_the_pds_and_keeps_their_order(tmp_path: Path) -> None:
    sample, _ = run_score(tmp_path, ITEMS)
    rebased, _ = run_score(tmp_path, ITEMS, "--portfolio-rate", "0.01")
    a = {r["id"]: float(r["pd_12m"]) for r in sample}
    b = {r["id"]: float(r["pd_12m"]) for r in rebased}
    assert all(b[k] < a[k] for k in a)
    assert sorted(a, key=a.__getitem__) == sorted(b, key=b.__getitem__)
    assert [r["reasons"] for r in sample] == [r["reasons"] for r in rebased]


def test_score_xlsx_and_missing_id(tmp_path: Path) -> None:
    frame = pd.read_csv(io.StringIO(ratios_file()), dtype=str, keep_default_na=False)
    frame.to_excel(tmp_path / "in.xlsx", index=False)
    result = runner.invoke(app, ["score", "-i", str(tmp_path / "in.xlsx"), "-o", str(tmp_path / "o.csv"),
                                 "--no-reasons"])
    assert result.exit_code == 0, result.output
    (tmp_path / "noid.csv").write_text("Attr1\n0.1\n")
    result = runner.invoke(app, ["score", "-i", str(tmp_path / "noid.csv"), "-o", str(tmp_path / "o.csv")])
    assert result.exit_code == 2 and "id" in result.output


def test_report_prints_the_model_card() -> None:
    result = runner.invoke(app, ["report"])
    assert result.exit_code == 0
    assert "hold-out AUC" in result.output and "10.1111/exsy.13599" in result.output
