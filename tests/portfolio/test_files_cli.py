"""The buyers and factors files, and `arguard portfolio simulate --buyers FILE` without a database."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner, Result

from arguard.portfolio.cli import register
from arguard.portfolio.files import read_buyers, read_factors

BUYERS = """id,pd,ead,lgd,country,sector
B1,0.02,10000,0.45,DE,C25
B2,0.01,25000.50,0.45,CN,G46
"""


def test_a_good_file_is_a_book() -> None:
    book, issues = read_buyers(BUYERS, "b.csv")
    assert issues == [] and len(book) == 2
    assert book.expected_loss == 0.02 * 10000 * 0.45 + 0.01 * 25000.5 * 0.45


def test_every_bad_cell_is_named_with_file_line_and_field() -> None:
    text = BUYERS + "B1,1.5,x,0.45,Germany,\n,0.01,100,-0.1,FR,C25\n"
    _, issues = read_buyers(text, "b.csv")
    found = {(i.line, i.field) for i in issues}
    assert {(4, "id"), (4, "pd"), (4, "ead"), (4, "country"), (4, "sector"), (5, "id"), (5, "lgd")} <= found
    assert all(i.source == "b.csv" for i in issues)
    assert "already on line 2" in next(i.reason for i in issues if i.line == 4 and i.field == "id")


def test_missing_columns_are_named() -> None:
    _, issues = read_buyers("id,pd,ead\nB1,0.1,100\n", "b.csv")
    assert {i.field for i in issues} == {"lgd", "country", "sector"}


def test_factors_file_sets_shares_and_overrides() -> None:
    corr, issues = read_factors("kind,code,rho\nglobal,,0.08\ncountry,*,0.04\ncountry,cn,0.09\nsector,F41,0.1\n")
    assert issues == []
    assert (corr.rho_global, corr.country_share("DE"), corr.country_share("CN")) == (0.08, 0.04, 0.09)
    assert corr.sector_share("F41") == 0.1 and corr.sector_share("C25") == 0.05
    _, bad = read_factors("kind,code,rho\nglobal,,0.7\nregion,EU,0.1\ncountry,*,0.3\n", "f.csv")
    assert {(i.line, i.field) for i in bad} == {(3, "kind")}
    _, too_much = read_factors("kind,code,rho\nglobal,,0.7\ncountry,*,0.3\n", "f.csv")
    assert too_much and "below 1" in too_much[0].reason


app = typer.Typer()
register(app)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, ["portfolio", *args])


def _file(tmp_path: Path, n: int = 300) -> Path:
    rows = [f"B{i},{0.005 + (i % 10) / 500:.4f},{1000 + 13 * i},0.45,{['DE', 'FR', 'CN'][i % 3]},"
            f"{['C25', 'G46'][i % 2]}" for i in range(n)]
    path = tmp_path / "buyers.csv"
    path.write_text("id,pd,ead,lgd,country,sector\n" + "\n".join(rows) + "\n")
    return path


def test_simulate_from_file_answers_the_contract_shape(tmp_path: Path) -> None:
    result = invoke(*["simulate", "--buyers", str(_file(tmp_path)), "--rho", "0.2", "--seed", "7",
                                      "--format", "json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert list(answer)[:8] == ["buyers", "method", "scenarios", "seconds", "expected_loss", "var", "es", "rel_se"]
    assert answer["buyers"] == 300 and answer["seed"] == 7 and "one-factor" in answer["method"]
    assert set(answer["var"]) == set(answer["es"]) == {"0.99", "0.995", "0.999"}
    assert answer["rel_se"]["0.999"] <= 0.01
    assert answer["var"]["0.99"] <= answer["var"]["0.999"] <= answer["es"]["0.999"]


def test_simulate_table_and_closed_forms(tmp_path: Path) -> None:
    path = str(_file(tmp_path))
    table = invoke(*["simulate", "--buyers", path, "--seed", "3"])
    assert table.exit_code == 0, table.output
    assert "99.9%" in table.stdout and "seed 3" in table.stdout
    for method in ("vasicek", "creditriskplus"):
        out = invoke(*["simulate", "--buyers", path, "--rho", "0.2", "--method", method,
                                       "--format", "json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout)["scenarios"] == 0


def test_bad_file_exits_2_naming_the_cells(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,pd,ead,lgd,country,sector\nB1,2,100,0.4,DE,C25\n")
    result = invoke(*["simulate", "--buyers", str(path)])
    assert result.exit_code == 2
    assert "bad.csv line 2, field pd: 2 outside 0–1" in " ".join(result.output.split())


def test_rho_and_factors_together_are_refused(tmp_path: Path) -> None:
    factors = tmp_path / "f.csv"
    factors.write_text("kind,code,rho\nglobal,,0.1\n")
    result = invoke("simulate", "--buyers", str(_file(tmp_path)), "--rho", "0.1", "--factors", str(factors))
    assert result.exit_code == 2
