"""MT940 `:86:` narratives as banks write them: structured subfields, not codes taken for names."""

from __future__ import annotations

from decimal import Decimal

from arguard.recon.readers.mt940 import read_mt940

HEAD = ":20:STMT\r\n:25:NL20INGB0001234567EUR\r\n:28C:1/1\r\n:60F:C240701EUR1000,00\r\n"
TAIL = ":62F:C240701EUR{closing}\r\n-"


def statement(*lines: str, closing: str = "1100,00") -> bytes:
    return (HEAD + "".join(ln + "\r\n" for ln in lines) + TAIL.format(closing=closing)).encode()


def only_detail(data: bytes):  # type: ignore[no-untyped-def]
    result = read_mt940(data, "t.sta")
    assert not result.issues
    (st,) = result.statements
    (entry,) = st.entries
    return entry, entry.details[0]


def test_an_ing_transaction_code_is_not_the_payers_name() -> None:
    """ING writes `/TRCD/01000/` in the :61: supplementary details; the payer is in `/CNTP/`."""
    _entry, d = only_detail(statement(
        ":61:2407010701C100,00NTRFNONREF//0000000000001\r\n/TRCD/01000/",
        ":86:/CNTP/DE89370400440532013000/COBADEFFXXX/HAMBURG MASCHINENBAU G",
        "MBH/HAMBURG/REMI/USTD//INV-1001 INV-1002/"))
    assert d.debtor is not None
    assert d.debtor.name == "HAMBURG MASCHINENBAU GMBH" and d.debtor.account == "DE89370400440532013000"
    assert d.remittance.text == "INV-1001 INV-1002"


def test_a_code_alone_in_the_supplementary_details_gives_no_party() -> None:
    _entry, d = only_detail(statement(":61:2407010701C100,00NTRFNONREF//0000000000001\r\n/TRCD/01000/",
                                     ":86:payment for INV-7"))
    assert d.debtor is None and d.remittance.text == "payment for INV-7"


def test_name_and_remittance_folded_over_several_lines() -> None:
    _entry, d = only_detail(statement(
        ":61:2407010701C100,00NTRFNONREF",
        ":86:/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/NAME/",
        "LYON TEXTILES SARL SUCCURSALE DE PARIS/REMI/FACTURES INV-3003 ET INV-300",
        "4 MERCI/EREF/E2E-77/"))
    assert d.debtor is not None and d.debtor.name == "LYON TEXTILES SARL SUCCURSALE DE PARIS"
    assert d.remittance.text == "FACTURES INV-3003 ET INV-3004 MERCI"
    assert d.end_to_end_id == "E2E-77"


def test_original_amount_and_currency_of_a_foreign_currency_payment() -> None:
    """`/OCMT/USD118,50/`: the payer instructed USD 118.50; the account was credited EUR 100.00."""
    entry, d = only_detail(statement(
        ":61:2407010701C100,00NTRFNONREF",
        ":86:/TRTP/SEPA CREDIT/IBAN/US12345678901234/NAME/CHICAGO TOOLS INC/REMI/INV-4002/OCMT/USD118,5",
        "0//EXCH/1,185/"))
    assert entry.amount == Decimal("100.00")
    assert d.instructed_amount == Decimal("118.50") and d.instructed_currency == "USD"
    assert d.exchange_rate == Decimal("1.185")
    assert d.debtor is not None and d.debtor.name == "CHICAGO TOOLS INC"


def test_german_structured_subfields() -> None:
    """?20–?29 purpose (SVWZ+ after the SEPA tags), ?30 BIC, ?31 IBAN, ?32/?33 the name."""
    _entry, d = only_detail(statement(
        ":61:2407010701C100,00NTRFNONREF",
        ":86:166?00SEPA-GUTSCHRIFT?109310?20EREF+RE-2024-0815?21SVWZ+Rechnung RE-2024-0815 v",
        "om 01.06.?22Kd-Nr 4711?30COBADEFFXXX?31DE89370400440532013000?32MUSTERMANN HANDELS GMB",
        "H & CO?33KG?34997"))
    assert d.debtor is not None
    assert d.debtor.name == "MUSTERMANN HANDELS GMBH & COKG" and d.debtor.bic == "COBADEFFXXX"
    assert d.debtor.account == "DE89370400440532013000"
    assert d.remittance.text == "Rechnung RE-2024-0815 vom 01.06.Kd-Nr 4711"
    assert d.end_to_end_id == "RE-2024-0815"
