"""Every file of the shared statement corpus parses to its shipped expected output, or is rejected
with a clear error. The corpus lives outside the repository (AGPL parts may not be copied in)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from tests.recon.oracles import CORPUS, genkgo, oca_golden, wolph_balance, wolph_transactions

from arguard.core.errors import ImportRejected
from arguard.core.money import exponent
from arguard.recon.readers import read_statement

pytestmark = pytest.mark.skipif(not CORPUS.exists(), reason="shared statement corpus not present")

STATEMENT_SUFFIXES = (".sta", ".txt", ".940", ".swi", ".mt940", ".xml", ".zip")
# Expected rejections: (file, words the error must contain).
REJECTED = {
    "mt940_OCA/test-wrong-file.940": "unknown MT940 field ':9401:'",
    "genkgo_camt/camt053.v2.wrong.xml": "without any statement",
    # Fragments without a statement (a lone ':25:' or ':20:'); the oracles list no transaction either.
    "WoLpH_mt940/self-provided/invalid_statement.sta": "not a bank statement",
    "WoLpH_mt940/self-provided/empty_non_swift.sta": "not a bank statement",
    "WoLpH_mt940/betterplace/currency_in_25.sta": "no MT940/MT942 statement",
    "WoLpH_mt940/betterplace/empty_86.sta": "no MT940/MT942 statement",
    "WoLpH_mt940/betterplace/empty_line.sta": "no MT940/MT942 statement",
    "WoLpH_mt940/cmxl/account_identification_iban.sta": "no MT940/MT942 statement",
    "WoLpH_mt940/cmxl/account_identification_legacy.sta": "no MT940/MT942 statement",
    "WoLpH_mt940/cmxl/reference.sta": "no MT940/MT942 statement",
    "WoLpH_mt940/cmxl/statement_number.sta": "no MT940/MT942 statement",
}
# Where the oracle itself is wrong, we say so instead of copying its mistake.
ORACLE_GAPS = {
    "WoLpH_mt940/self-provided/gv_codes.yml": "mt940 library drops ':61:' lines without a customer reference",
    "WoLpH_mt940/self-provided/transaction_details.yml": "same: ':61:' without a customer reference",
    "WoLpH_mt940/self-provided/raphaelm.yml": "library misreads a ':62F:' balance without a currency as 0.00",
}


def _corpus_files() -> list[str]:
    files = []
    for path in sorted(CORPUS.rglob("*")):
        name = path.name
        rel = str(path.relative_to(CORPUS))
        if path.is_file() and (name.endswith(STATEMENT_SUFFIXES) or path.parent.name == "camt_OCA") \
                and "LICEN" not in name and "COMMIT" not in name and not name.endswith((".yml", ".json", ".pydata")):
            files.append(rel)
    return files


@pytest.mark.parametrize("rel", _corpus_files() if CORPUS.exists() else [])
def test_every_file_parses_or_is_rejected_clearly(rel: str) -> None:
    data = (CORPUS / rel).read_bytes()
    if rel in REJECTED:
        with pytest.raises(ImportRejected) as info:
            read_statement(data, rel)
        assert REJECTED[rel] in info.value.message and rel in info.value.message
        return
    result = read_statement(data, rel)
    assert result.statements
    for s in result.statements:
        assert s.account or s.format.startswith("mt94")
        for e in s.entries:
            assert e.amount == e.amount.quantize(Decimal(1).scaleb(-5)) and e.currency is not None


def _wolph_pairs() -> list[str]:
    return [str(p.relative_to(CORPUS)) for p in sorted(CORPUS.glob("WoLpH_mt940/**/*.yml"))]


@pytest.mark.parametrize("rel", _wolph_pairs() if CORPUS.exists() else [])
def test_mt940_matches_wolph_oracle(rel: str) -> None:
    yml = CORPUS / rel
    if rel in ORACLE_GAPS:
        pytest.skip(ORACLE_GAPS[rel])
    source = next(p for p in yml.parent.glob(yml.stem + ".*") if p.suffix != ".yml")
    expected = wolph_transactions(yml)
    if str(source.relative_to(CORPUS)) in REJECTED:
        assert expected == []
        return
    result = read_statement(source.read_bytes(), source.name)
    got = [e for s in result.statements for e in s.entries]
    assert len(got) == len(expected)
    for g, x in zip(got, expected, strict=True):
        # The library keeps reversals (RC/RD) positive; SWIFT books RC as a debit: compare sizes there.
        assert (abs(g.amount), g.value_date) == (abs(x.amount), x.value_date)
        if x.status in ("C", "D"):
            assert g.amount == x.amount
        if x.entry_date:
            assert g.booking_date == x.entry_date
        if x.bank_reference:
            assert g.bank_ref == x.bank_reference
        if x.customer_reference and not x.bank_reference and g.bank_ref:
            joined = f"{g.customer_ref or ''}//{g.bank_ref}"
            assert x.customer_reference.strip("'\" ") in (joined[:16], g.customer_ref)
    for key, kind in (("final_opening_balance", "opening"), ("final_closing_balance", "closing")):
        want = wolph_balance(yml, key)
        have = [b for s in result.statements for b in s.balances if b.kind == kind]
        if want is not None:
            assert have and have[-1].amount == want


def _money(m: dict) -> tuple[Decimal, str]:
    code = m["getCurrency"]["getCode"]
    return Decimal(m["getAmount"]).scaleb(-exponent(code)), code


@pytest.mark.parametrize("rel", [str(p.relative_to(CORPUS)) for p in sorted(CORPUS.glob("genkgo_camt/*.json"))]
                         if CORPUS.exists() else [])
def test_camt_matches_genkgo_oracle(rel: str) -> None:
    exp = genkgo(CORPUS / rel)
    xml = (CORPUS / rel).with_suffix(".xml")
    result = read_statement(xml.read_bytes(), xml.name)
    by_id = {s.statement_id: s for s in result.statements}
    for x in exp["getEntries"]:
        record = x["getRecord"]
        stmt = by_id[record.get("getId")]
        g = stmt.entries[x["getIndex"]]
        assert stmt.account == record["getAccount"].get("getIdentification")
        assert [(b.amount, b.currency) for b in stmt.balances] == \
            [_money(b["getAmount"]) for b in record.get("getBalances") or []]
        assert (g.amount, g.currency) == _money(x["getAmount"])
        for field_, key in (("booking_date", "getBookingDate"), ("value_date", "getValueDate")):
            got = getattr(g, field_)
            assert (got.isoformat() if got else None) == (x[key]["0"][:10] if x[key] else None)
        assert g.bank_ref == x["getAccountServicerReference"]
        assert g.info == (x.get("getAdditionalInfo") or "")
        assert len(g.details) == len(x["getTransactionDetails"])
        for gd, xd in zip(g.details, x["getTransactionDetails"], strict=True):
            if not isinstance(xd, dict):
                continue
            assert gd.end_to_end_id == (xd.get("getReference") or {}).get("getEndToEndId")
            names = [p["getRelatedPartyType"].get("getName") for p in xd.get("getRelatedParties") or []]
            mine = [p.name for p in (gd.debtor, gd.creditor, gd.ultimate_debtor, gd.ultimate_creditor) if p]
            assert sorted(n for n in names if n) == sorted(n for n in mine if n)
            rem = xd.get("getRemittanceInformation") or {}
            blocks = rem.get("getUnstructuredBlocks") or []
            if all(isinstance(b, dict) for b in blocks):
                assert list(gd.remittance.unstructured) == [b["getMessage"] for b in blocks]
            # genkgo keeps only the last structured block; we keep them all.
            for s in rem.get("getStructuredBlocks") or []:
                if isinstance(s, dict) and s.get("getCreditorReferenceInformation"):
                    ref = s["getCreditorReferenceInformation"].get("getRef")
                    assert not ref or ref in gd.remittance.creditor_references


@pytest.mark.parametrize("name", ["camt053", "camt053-txdtls", "camt054", "camt053-no-ntry"])
def test_camt_matches_oca_golden(name: str) -> None:
    golden = oca_golden(CORPUS / "camt_OCA" / f"golden-{name}.pydata")
    result = read_statement((CORPUS / "camt_OCA" / f"test-{name}").read_bytes(), name)
    if golden == (None, None, []):
        assert all(not s.entries for s in result.statements)
        return
    currency, account, statements = golden
    stmt = result.statements[0]
    assert (stmt.currency, stmt.account) == (currency, account)
    want = statements[0]
    # camt.054 notifications carry no balance; the golden file writes 0.0 for it.
    assert (stmt.opening.amount if stmt.opening else 0) == Decimal(str(want["balance_start"]))
    assert (stmt.closing.amount if stmt.closing else 0) == Decimal(str(want["balance_end_real"]))
    flat = []
    for e in stmt.entries:
        split = len(e.details) > 1 and all(d.amount is not None for d in e.details)
        flat += [(d.amount, e, d) for d in e.details] if split else [(e.amount, e, e.details[0] if e.details else None)]
    assert len(flat) == len(want["transactions"])
    for (amount, entry, detail), t in zip(flat, want["transactions"], strict=True):
        assert amount == Decimal(str(t["amount"]))
        assert entry.booking_date.isoformat() == t["date"]
        party = (detail.debtor if amount > 0 else detail.creditor) if detail else None
        if t.get("partner_name"):
            assert party is not None and party.name == t["partner_name"]
        if t.get("account_number"):
            assert party is not None and party.account == t["account_number"]


def test_zip_of_camt_statements_reads_every_member() -> None:
    result = read_statement((CORPUS / "camt_OCA" / "test-camt053.zip").read_bytes(), "test-camt053.zip")
    assert len(result.statements) == 2
