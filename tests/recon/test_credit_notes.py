"""Credit notes offered to the matcher: a buyer deducts a credit note it received from what it pays.

Tiny ledgers written inline; the engine alone first, then the platform (the credit note applied to the
invoice through the ledger, then the cash allocated, in one unit of work)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

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


# ------------------------------------------------------------------ the platform (SQLite and PostgreSQL)

PLATFORM_STATEMENT = """
ref   amount  payer                 iban                    remittance
B001  850.00  MUELLER MASCHINENBAU  DE89370400440532013000  INV 2024-00123 minus credit note CN-2024-00007
"""


def _book(ctx: object, *credit_notes: tuple[str, str, str]) -> None:
    from tests.recon.helpers import seed_ledger

    from arguard.core.money import Money
    from arguard.ledger import service as ledger
    from arguard.ledger.model import InvoiceRecord

    seed_ledger(ctx)
    for number, customer, amount in credit_notes:
        ledger.add_invoice(ctx, InvoiceRecord(number=number, customer_code=customer, issue_date=date(2024, 1, 15),
                                              due_date=date(2024, 1, 15), amount=Money.of(amount, "EUR"),
                                              document_type="credit_note"))


def _open(ctx: object, number: str, document_type: str = "invoice") -> int:
    from arguard.ledger import service as ledger

    found = ledger.find_invoice(ctx, number, document_type)
    assert found is not None
    return found.open_minor


def _state(ctx: object) -> dict[str, object]:
    from arguard.ledger import service as ledger
    from arguard.platform.tables import AuditEntry

    apps = ledger.list_credit_applications(ctx)
    audit = [a for a, in ctx.session.query(AuditEntry.action).filter(  # type: ignore[attr-defined]
        AuditEntry.company_id == ctx.company_id)]  # type: ignore[attr-defined]
    return {"inv": _open(ctx, "INV-2024-00123"), "cn7": _open(ctx, "CN-2024-00007", "credit_note"),
            "applications": [(a.credit_note_number, a.invoice_number, a.amount.minor) for a in apps],
            "allocations": [a["amount"].minor for a in ledger.list_allocations(ctx, invoice_number="INV-2024-00123")],
            "audit": audit}


def test_platform_applies_the_named_credit_note_then_the_cash(ctx_factory: object) -> None:
    from tests.recon.helpers import mt940

    from arguard.recon import service

    with ctx_factory() as ctx:  # type: ignore[operator]
        _book(ctx, ("CN-2024-00007", "C1", "-150.00"))
    with ctx_factory("analyst") as ctx:  # type: ignore[operator]
        summary = service.import_statement(ctx, "feb.sta", mt940(PLATFORM_STATEMENT))
    assert summary.auto == 1
    with ctx_factory() as ctx:  # type: ignore[operator]
        state = _state(ctx)
        assert (state["inv"], state["cn7"]) == (0, 0)
        assert state["applications"] == [("CN-2024-00007", "INV-2024-00123", 15000)]
        assert state["allocations"] == [85000]
        assert "credit_note.apply" in state["audit"] and "allocation.create" in state["audit"]
        lines = {ln.invoice_number: (ln.amount_minor, ln.applied_minor)
                 for v in service.statement_proposals(ctx, summary.statement_ids[0]) for ln in v.lines}
        assert lines == {"INV-2024-00123": (100000, 100000), "CN-2024-00007": (-15000, -15000)}
        assert service.residuals(ctx)[1] == 0                     # nothing left over, nothing short
        assert ledger_checks(ctx) == []


def ledger_checks(ctx: object) -> list[object]:
    from arguard.ledger import service as ledger

    return list(ledger.verify_projections(ctx))


def test_platform_pays_net_of_a_credit_note_the_remittance_does_not_name(ctx_factory: object) -> None:
    from tests.recon.helpers import mt940

    from arguard.recon import service

    statement = PLATFORM_STATEMENT.replace("INV 2024-00123 minus credit note CN-2024-00007", "INV 2024-00123")
    with ctx_factory() as ctx:  # type: ignore[operator]
        # C1's own credit note, and one of C2's for the same amount that must never serve C1's invoice.
        _book(ctx, ("CN-2024-00007", "C1", "-150.00"), ("CN-2024-00009", "C2", "-150.00"))
    with ctx_factory("analyst") as ctx:  # type: ignore[operator]
        assert service.import_statement(ctx, "feb.sta", mt940(statement)).auto == 1
    with ctx_factory() as ctx:  # type: ignore[operator]
        state = _state(ctx)
        assert (state["inv"], state["cn7"], _open(ctx, "CN-2024-00009", "credit_note")) == (0, 0, -15000)
        assert state["applications"] == [("CN-2024-00007", "INV-2024-00123", 15000)]
        assert state["allocations"] == [85000]


def test_platform_never_uses_another_buyers_credit_note(ctx_factory: object) -> None:
    from tests.recon.helpers import mt940

    from arguard.recon import service

    statement = PLATFORM_STATEMENT.replace("CN-2024-00007", "CN-2024-00009")
    with ctx_factory() as ctx:  # type: ignore[operator]
        _book(ctx, ("CN-2024-00009", "C2", "-150.00"))
    with ctx_factory("analyst") as ctx:  # type: ignore[operator]
        service.import_statement(ctx, "feb.sta", mt940(statement))
    with ctx_factory() as ctx:  # type: ignore[operator]
        assert _open(ctx, "CN-2024-00009", "credit_note") == -15000
        assert _open(ctx, "INV-2024-00123") == 15000             # paid in part: 150.00 still owed
        kinds = [(r.kind, r.amount_minor) for r in service.residuals(ctx)[0]]
        assert kinds == [("short_payment", 15000)]


def test_platform_does_not_offer_a_credit_note_already_applied(ctx_factory: object) -> None:
    from tests.recon.helpers import mt940

    from arguard.ledger import service as ledger
    from arguard.recon import service

    statement = PLATFORM_STATEMENT.replace(" minus credit note CN-2024-00007", "")
    with ctx_factory() as ctx:  # type: ignore[operator]
        _book(ctx, ("CN-2024-00007", "C1", "-150.00"))
        ledger.apply_credit_note(ctx, "CN-2024-00007", ["INV-2024-00124"], date(2024, 1, 20))   # 150 of 250
    with ctx_factory("analyst") as ctx:  # type: ignore[operator]
        service.import_statement(ctx, "feb.sta", mt940(statement))
    with ctx_factory() as ctx:  # type: ignore[operator]
        state = _state(ctx)
        assert state["applications"] == [("CN-2024-00007", "INV-2024-00124", 15000)]   # only the earlier one
        assert (state["inv"], state["allocations"]) == (15000, [85000])


def test_rejecting_a_match_net_of_a_credit_note_gives_the_credit_back(ctx_factory: object) -> None:
    from tests.recon.helpers import mt940

    from arguard.recon import service

    with ctx_factory() as ctx:  # type: ignore[operator]
        _book(ctx, ("CN-2024-00007", "C1", "-150.00"))
    with ctx_factory("analyst") as ctx:  # type: ignore[operator]
        summary = service.import_statement(ctx, "feb.sta", mt940(PLATFORM_STATEMENT))
    with ctx_factory() as ctx:  # type: ignore[operator]
        proposal = service.statement_proposals(ctx, summary.statement_ids[0])[0].proposal.id
    with ctx_factory("credit_manager") as ctx:  # type: ignore[operator]
        service.reject(ctx, proposal, "the buyer paid another invoice")
    with ctx_factory() as ctx:  # type: ignore[operator]
        assert (_open(ctx, "INV-2024-00123"), _open(ctx, "CN-2024-00007", "credit_note")) == (100000, -15000)
        assert ledger_checks(ctx) == []


def test_confirming_a_suggestion_net_of_a_credit_note_posts_both(ctx_factory: object) -> None:
    from tests.recon.helpers import mt940

    from arguard.recon import service

    # Paid by someone the ledger does not know: the match waits for a credit manager.
    statement = """
ref   amount  payer         iban  remittance
B001  850.00  SOMEONE ELSE  -     INV 2024-00123
"""
    with ctx_factory() as ctx:  # type: ignore[operator]
        _book(ctx, ("CN-2024-00007", "C1", "-150.00"))
    with ctx_factory("analyst") as ctx:  # type: ignore[operator]
        summary = service.import_statement(ctx, "feb.sta", mt940(statement))
    assert summary.suggested == 1
    with ctx_factory() as ctx:  # type: ignore[operator]
        assert _open(ctx, "CN-2024-00007", "credit_note") == -15000
        proposal = service.statement_proposals(ctx, summary.statement_ids[0])[0].proposal.id
    with ctx_factory("credit_manager") as ctx:  # type: ignore[operator]
        service.confirm(ctx, proposal, "the buyer's parent pays for it")
    with ctx_factory() as ctx:  # type: ignore[operator]
        state = _state(ctx)
        assert (state["inv"], state["cn7"], state["allocations"]) == (0, 0, [85000])


def test_generated_statements_never_pay_a_credit_note() -> None:
    import random

    from arguard.recon.generator import statement_from

    statement, labels = statement_from(random.Random(7), CUSTOMERS, BOOK, 40, date(2024, 2, 1))
    assert statement.entries and all(e.amount > 0 for e in statement.entries)
    assert not any(n.startswith("CN-") for label in labels for n, _ in label.expected)


def test_some_of_the_named_invoices_less_the_named_credit_note() -> None:
    # Three documents named; 1,000 − 150 = 850 paid: the 250.00 invoice waits. The payer named more than it
    # paid, so a person confirms it (as for some of the named invoices without a credit note).
    status, apps = run(BOOK, pay(0, "850.00", IBAN_C1, text="INV-2024-00123 INV-2024-00124 CN-2024-00007"))["B0"]
    assert status == "suggested" and apps == [("CN-2024-00007", D("-150.00")), ("INV-2024-00123", D("1000.00"))]
    # 400 paid for the same three: the credit note is never read as a 150.00 invoice (250 + 150), so the
    # whole payment and the whole credit go to the invoices (a partial payment), none of it left over.
    status, apps = run(BOOK, pay(0, "400.00", IBAN_C1, text="INV-2024-00123 INV-2024-00124 CN-2024-00007"))["B0"]
    assert status == "suggested" and sum(a for _, a in apps) == D("400.00")


@settings(max_examples=80, deadline=None)
@given(invoices=st.lists(st.decimals(min_value=D("1.00"), max_value=D(5000), places=2), min_size=1, max_size=6),
       credits=st.lists(st.decimals(min_value=D("1.00"), max_value=D(2000), places=2), min_size=1, max_size=4),
       payments=st.lists(st.tuples(st.decimals(min_value=D("0.01"), max_value=D(9000), places=2),
                                   st.integers(0, 9), st.booleans()), min_size=1, max_size=6))
def test_credit_notes_never_overdraw_and_never_cross_customers(invoices: list[D], credits: list[D],
                                                               payments: list[tuple[D, int, bool]]) -> None:
    items = [invoice(f"INV-{k:06d}", "C1" if k % 3 else "C2", str(a), 1 + k) for k, a in enumerate(invoices)]
    items += [credit_note(f"CN-{k:06d}", "C1" if k % 2 else "C2", str(a)) for k, a in enumerate(credits)]
    entries = []
    own_items = [i for i in items if i.customer_id == "C1"]
    for k, (amount, ref, own) in enumerate(payments):
        named = " ".join(i.number for i in items[ref % len(items):][:2]) if ref % 4 else ""
        net = sum((i.open_amount for i in own_items[ref % len(own_items):][:3]), D(0)) if own_items else D(0)
        if ref % 2 and net > 0:     # often exactly some of C1's invoices less some of its credit notes
            amount = net
        entries.append(pay(k, str(amount), IBAN_C1 if own else None, None if own else "SOMEONE", text=named))
    used: dict[str, D] = {}
    for p in Matcher(items, CUSTOMERS).match(Statement("camt.053", "X", "EUR", tuple(entries))):
        assert sum((a.amount for a in p.applications), D(0)) <= p.amount        # never more than the money
        credit = -sum((a.amount for a in p.applications if a.amount < 0), D(0))
        if credit:
            assert len({a.customer_id for a in p.applications}) == 1             # one buyer's documents only
            assert credit <= sum((a.amount for a in p.applications if a.amount > 0), D(0))
        if p.status == "auto":
            for a in p.applications:
                used[a.invoice_number] = used.get(a.invoice_number, D(0)) + a.amount
    for number, total in used.items():
        item = next(i for i in items if i.number == number)
        assert (item.open_amount <= total <= 0) if item.open_amount < 0 else (0 <= total <= item.open_amount)


def test_the_reasons_for_a_credit_note_read_in_both_languages() -> None:
    from arguard.recon.wording import reason_text
    from arguard.web.i18n import translate

    def reasons(amount: str, text: str = "") -> tuple[str, ...]:
        stmt = Statement("camt.053", "X", "EUR", (pay(0, amount, IBAN_C1, text=text),))
        return Matcher(BOOK, CUSTOMERS).match(stmt)[0].reasons

    named, combined = reasons("850.00", "INV-2024-00123"), reasons("100.00")
    zh = [reason_text(lambda key, /, **kw: translate("zh-CN", key, **kw), r) for r in (named[-1], combined[-1])]
    assert zh == ["少付 150.00：已扣减贷项通知单 CN-2024-00007（150.00）",
                  "1 笔未结项目减去贷项通知单 CN-2024-00007（150.00）合计等于付款金额"]
