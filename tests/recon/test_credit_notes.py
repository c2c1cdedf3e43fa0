"""Credit notes offered to the matcher: a buyer deducts a credit note it received from what it pays.

Tiny ledgers written inline; the engine alone first, then the platform (the credit note applied to the
invoice through the ledger, then the cash allocated, in one unit of work)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from arguard.recon.matching import Matcher
from arguard.recon.model import Entry, OpenItem, Party, Remittance, Statement, TransactionDetail
from arguard.recon.parties import CustomerInfo

IBAN_C1 = "DE89370400440532013000"
CUSTOMERS = [CustomerInfo("C1", "Müller Maschinenbau GmbH", (IBAN_C1,)),
             CustomerInfo("C2", "Acme Trading Co., Ltd.", ("GB29NWBK60161331926819",))]


def invoice(number: str, customer: str, amount: str, day: int = 10) -> OpenItem:
    return OpenItem(number, customer, "EUR", D(amount), D(amount), due_date=date(2024, 1, day))


def credit_note(number: str, customer: str, amount: str, open_amount: str | None = None) -> OpenItem:
    return OpenItem(number, customer, "EUR", -D(open_amount or amount), -D(amount), due_date=date(2024, 1, 5),
                    document_type="credit_note")


BOOK = [invoice("INV-2024-00123", "C1", "1000.00"), invoice("INV-2024-00124", "C1", "250.00", 20),
        credit_note("CN-2024-00007", "C1", "150.00"),
        invoice("INV-2024-00200", "C2", "500.00"), credit_note("CN-2024-00009", "C2", "150.00")]


def pay(i: int, amount: str, account: str | None = None, name: str | None = None, text: str = "") -> Entry:
    detail = TransactionDetail(debtor=Party(name, account), remittance=Remittance((text,) if text else ()))
    return Entry(i, D(amount), "EUR", date(2024, 2, 1), bank_ref=f"B{i}", details=(detail,))


def run(items: list[OpenItem], *entries: Entry) -> dict[str, tuple[str, list[tuple[str, D]]]]:
    stmt = Statement("camt.053", "X", "EUR", tuple(entries))
    return {p.entry_ref or "": (p.status, sorted((a.invoice_number, a.amount) for a in p.applications))
            for p in Matcher(items, CUSTOMERS).match(stmt)}


def test_invoice_and_credit_note_both_named_settle_the_invoice() -> None:
    # 1,000.00 invoiced, 150.00 credited: the buyer pays 850.00 and names both.
    assert run(BOOK, pay(0, "850.00", IBAN_C1, text="INV-2024-00123 ./. CN-2024-00007"))["B0"] == \
        ("auto", [("CN-2024-00007", D("-150.00")), ("INV-2024-00123", D("1000.00"))])


def test_only_the_invoice_named_and_paid_net_of_the_credit_note() -> None:
    assert run(BOOK, pay(0, "850.00", IBAN_C1, text="Invoice INV-2024-00123"))["B0"] == \
        ("auto", [("CN-2024-00007", D("-150.00")), ("INV-2024-00123", D("1000.00"))])


def test_net_of_a_credit_note_and_bank_charges() -> None:
    status, apps = run(BOOK, pay(0, "840.00", IBAN_C1, text="INV-2024-00123"))["B0"]
    assert status == "auto" and apps == [("CN-2024-00007", D("-150.00")), ("INV-2024-00123", D("990.00"))]


def test_unknown_payer_paying_net_of_a_credit_note_waits_for_a_person() -> None:
    # The reference is strong, but nobody said the payer is the buyer that holds the credit note.
    status, apps = run(BOOK, pay(0, "850.00", None, "SOMEONE ELSE", text="INV-2024-00123"))["B0"]
    assert status == "suggested" and ("CN-2024-00007", D("-150.00")) in apps


def test_a_credit_note_of_another_buyer_is_never_used() -> None:
    # C2's credit note named next to C1's invoice: C2's credit stays; C1's own credit note makes up the rest.
    assert run(BOOK, pay(0, "850.00", IBAN_C1, text="INV-2024-00123 CN-2024-00009"))["B0"] == \
        ("auto", [("CN-2024-00007", D("-150.00")), ("INV-2024-00123", D("1000.00"))])
    # Without a credit note of its own, C1's short payment is a partial payment, whatever C2 holds.
    book = [i for i in BOOK if i.number != "CN-2024-00007"]
    assert run(book, pay(0, "850.00", IBAN_C1, text="INV-2024-00123"))["B0"] == \
        ("auto", [("INV-2024-00123", D("850.00"))])
    assert run(book, pay(0, "350.00", "GB29NWBK60161331926819"))["B0"][1] == \
        [("CN-2024-00009", D("-150.00")), ("INV-2024-00200", D("500.00"))]
    assert all(n != "CN-2024-00009" for n, _ in run(book, pay(0, "350.00", IBAN_C1))["B0"][1])


def test_a_credit_note_already_applied_is_not_offered_again() -> None:
    applied = [i if i.number != "CN-2024-00007" else credit_note("CN-2024-00007", "C1", "150.00", "0.00")
               for i in BOOK]
    assert run(applied, pay(0, "850.00", IBAN_C1, text="INV-2024-00123"))["B0"] == \
        ("auto", [("INV-2024-00123", D("850.00"))])
    # Used by the first payment of the statement, it is not there for the second.
    result = run(BOOK, pay(0, "850.00", IBAN_C1, text="INV-2024-00123"),
                 pay(1, "100.00", IBAN_C1, text="INV-2024-00124"))
    assert result["B1"][1] == [("INV-2024-00124", D("100.00"))]


def test_open_invoices_less_a_credit_note_without_a_reference() -> None:
    # 1,000 + 250 − 150 = 1,100 from the buyer's own account, nothing written.
    status, apps = run(BOOK, pay(0, "1100.00", IBAN_C1))["B0"]
    assert status == "auto"
    assert apps == [("CN-2024-00007", D("-150.00")), ("INV-2024-00123", D("1000.00")), ("INV-2024-00124", D("250.00"))]


def test_amount_alone_never_applies_a_credit_note() -> None:
    status, apps = run(BOOK, pay(0, "850.00", None, "UNKNOWN PAYER", text="thanks"))["B0"]
    assert status != "auto" and all(a > 0 for _, a in apps)
    status, _ = run(BOOK, pay(0, "1100.00", None, "UNKNOWN PAYER"))["B0"]
    assert status == "unmatched"


def test_a_credit_note_larger_than_the_invoice_is_used_only_up_to_the_invoice() -> None:
    book = [invoice("INV-2024-00300", "C1", "100.00"), credit_note("CN-2024-00010", "C1", "150.00")]
    # An odd payment (the credit alone settles the invoice): a person looks at it.
    status, apps = run(book, pay(0, "20.00", IBAN_C1, text="INV-2024-00300 CN-2024-00010"))["B0"]
    assert status == "suggested" and apps == [("CN-2024-00010", D("-100.00")), ("INV-2024-00300", D("100.00"))]


STATELESS_MT940 = """:20:STMT1
:25:NL34RABO0142623393 EUR
:28C:1/1
:60F:C240131EUR0,00
:61:2402010201C850,00NTRFNONREF//BREF001
:86:/TRTP/SEPA OVERBOEKING/IBAN/DE89370400440532013000/NAME/MUELLER MASCHINENBAU/REMI/INV 2024-00123 LESS CN-2024-00007
:61:2402010201C350,00NTRFNONREF//BREF002
:86:/NAME/SOMEBODY/REMI/INV-2024-00200
:62F:C240201EUR1200,00
-
"""


def test_stateless_match_takes_credit_notes_from_the_open_items_file(tmp_path: object) -> None:
    import json
    from pathlib import Path

    from typer.testing import CliRunner

    from arguard.cli.main import app

    folder = Path(str(tmp_path))
    (folder / "inv.csv").write_text(
        "invoice_number,customer_id,issue_date,due_date,currency,amount,open_amount,document_type\n"
        "INV-2024-00123,C1,2024-01-01,2024-01-31,EUR,1000.00,,invoice\n"
        "CN-2024-00007,C1,2024-01-15,2024-01-15,EUR,150.00,,credit_note\n"
        "INV-2024-00200,C2,2024-01-01,2024-01-31,EUR,500.00,,invoice\n"
        "CN-2024-00008,C1,2024-01-15,2024-01-15,EUR,150.00,0.00,credit_note\n")
    (folder / "cust.csv").write_text("customer_id,name,country,iban\n"
                                     "C1,Müller Maschinenbau GmbH,DE,DE89370400440532013000\n"
                                     "C2,Acme Trading Co Ltd,CN,\n")
    (folder / "st.sta").write_text(STATELESS_MT940)
    result = CliRunner().invoke(app, ["recon", "match", "--invoices", str(folder / "inv.csv"), "--customers",
                                      str(folder / "cust.csv"), "--statement", str(folder / "st.sta"),
                                      "--out", str(folder / "m.csv"), "--proposals", str(folder / "p.json")])
    assert result.exit_code == 0, result.output
    lines = (folder / "m.csv").read_text().splitlines()
    assert lines[0] == "entry_ref,invoice_number,applied_amount,status,confidence"
    assert [ln.split(",")[:4] for ln in lines[1:]] == [
        ["BREF001", "CN-2024-00007", "-150.00", "auto"], ["BREF001", "INV-2024-00123", "1000.00", "auto"],
        ["BREF002", "INV-2024-00200", "350.00", "suggested"]]
    # C1's credit notes never reach C2's invoice; the proposals keep their JSON shape.
    proposals = json.loads((folder / "p.json").read_text())
    assert {"entry_ref", "status", "confidence", "applications", "reasons"} <= set(proposals[0])
    assert "net of credit note" not in " ".join(proposals[1]["reasons"])
