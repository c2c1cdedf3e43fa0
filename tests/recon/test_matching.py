"""The matching engine on tiny statements written inline, and its invariants (hypothesis)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from arguard.recon.matching import Matcher
from arguard.recon.model import Entry, OpenItem, Party, Remittance, Statement, TransactionDetail
from arguard.recon.parties import CustomerInfo
from arguard.recon.references import normalise, rf_find, rf_is_valid, rf_make
from arguard.recon.statements import check_balance, entry_keys, statement_key

CUSTOMERS = [CustomerInfo("C1", "Müller Maschinenbau GmbH", ("DE89370400440532013000",)),
             CustomerInfo("C2", "Acme Trading Co., Ltd.")]
ITEMS = [OpenItem("INV-2024-00123", "C1", "EUR", D("1000.00"), due_date=date(2024, 1, 10)),
         OpenItem("INV-2024-00124", "C1", "EUR", D("250.00"), due_date=date(2024, 1, 20)),
         OpenItem("INV-2024-00125", "C1", "EUR", D("99.50"), due_date=date(2024, 1, 25)),
         OpenItem("INV-2024-00200", "C2", "EUR", D("500.00"), payment_reference=rf_make("2024200"))]


def pay(i: int, amount: str, name: str | None = None, account: str | None = None, text: str = "") -> Entry:
    detail = TransactionDetail(debtor=Party(name, account), remittance=Remittance((text,) if text else ()))
    return Entry(i, D(amount), "EUR", date(2024, 2, 1), bank_ref=f"B{i}", details=(detail,))


def run(*entries: Entry) -> dict[str, tuple[str, list[tuple[str, D]]]]:
    stmt = Statement("camt.053", "X", "EUR", tuple(entries))
    return {p.entry_ref or "": (p.status, [(a.invoice_number, a.amount) for a in p.applications])
            for p in Matcher(ITEMS, CUSTOMERS).match(stmt)}


def test_reference_written_badly_and_exact_amount_is_applied() -> None:
    assert run(pay(0, "1000.00", "MUELLER MASCHINENBAU", text="inv 2024/123"))["B0"] == \
        ("auto", [("INV-2024-00123", D("1000.00"))])


def test_invoice_settled_earlier_in_the_statement_is_not_paid_twice() -> None:
    result = run(pay(0, "1000.00", text="INV-2024-00123"), pay(1, "1000.00", text="INV-2024-00123"))
    assert result["B0"][0] == "auto"
    assert result["B1"] == ("unmatched", [])


def test_rf_reference_short_by_bank_charges() -> None:
    rf = ITEMS[3].payment_reference or ""
    spaced = " ".join(rf[k:k + 4] for k in range(0, len(rf), 4))
    assert run(pay(0, "485.00", "SOMEONE", text=spaced))["B0"] == ("auto", [("INV-2024-00200", D("485.00"))])


def test_subset_of_customer_items_without_reference_by_iban() -> None:
    status, apps = run(pay(0, "349.50", account="DE89370400440532013000"))["B0"]
    assert status == "auto" and sorted(apps) == [("INV-2024-00124", D("250.00")), ("INV-2024-00125", D("99.50"))]


def test_amount_alone_never_applies_automatically() -> None:
    assert run(pay(0, "250.00", "UNKNOWN PAYER", text="thanks"))["B0"][0] != "auto"


def test_rf_references() -> None:
    assert rf_make("539007547034") == "RF18539007547034"
    assert rf_is_valid("RF18 5390 0754 7034") and not rf_is_valid("RF19539007547034")
    assert rf_find("pay RF18 5390 0754 7034 thanks") == ["RF18539007547034"]
    assert normalise("inv-2024/00123") == "INV202400123"


def test_balance_check_and_entry_keys() -> None:
    from arguard.recon.model import Balance

    stmt = Statement("mt940", "NL1", "EUR", (pay(0, "10.00"), pay(1, "10.00")),
                     opening=Balance("opening", D(5), "EUR", None), closing=Balance("closing", D(25), "EUR", None))
    assert check_balance(stmt) is None
    bad = Statement("mt940", "NL1", "EUR", stmt.entries, opening=stmt.opening,
                    closing=Balance("closing", D(26), "EUR", None))
    issue = check_balance(bad)
    assert issue is not None and "26" in issue.reason
    assert len(set(entry_keys(stmt))) == 2 and entry_keys(stmt) == entry_keys(stmt)
    assert statement_key(stmt) == statement_key(stmt)


amounts = st.decimals(min_value=D("0.01"), max_value=D(50000), places=2)


@settings(max_examples=60, deadline=None)
@given(opens=st.lists(amounts, min_size=1, max_size=8), payments=st.lists(amounts, min_size=1, max_size=8),
       refs=st.lists(st.integers(min_value=0, max_value=7), min_size=8, max_size=8))
def test_applied_amounts_never_exceed_payment_nor_open_amount(opens: list[D], payments: list[D],
                                                              refs: list[int]) -> None:
    items = [OpenItem(f"INV-{k:06d}", "C1", "EUR", a, due_date=date(2024, 1, 1 + k)) for k, a in enumerate(opens)]
    entries = tuple(pay(k, str(a), "MUELLER MASCHINENBAU" if k % 2 else None,
                        text=f"INV-{refs[k] % len(opens):06d}" if k % 3 else "") for k, a in enumerate(payments))
    proposals = Matcher(items, CUSTOMERS).match(Statement("camt.053", "X", "EUR", entries))
    applied: dict[str, D] = {}
    for p in proposals:
        total = sum((a.amount for a in p.applications), D(0))
        assert total <= p.amount
        assert all(a.amount > 0 for a in p.applications)
        if p.status == "auto":
            for a in p.applications:
                applied[a.invoice_number] = applied.get(a.invoice_number, D(0)) + a.amount
    for item in items:
        assert applied.get(item.number, D(0)) <= item.open_amount


@settings(max_examples=40, deadline=None)
@given(payments=st.lists(st.tuples(amounts, st.sampled_from(["", "INV-000001", "Zahlung"])), min_size=1, max_size=10))
def test_reimport_is_a_no_op(payments: list[tuple[D, str]]) -> None:
    """Keys of a statement read twice are the same set: a store that skips known keys adds nothing."""
    stmt = Statement("mt940", "NL1", "EUR", tuple(pay(k, str(a), text=t) for k, (a, t) in enumerate(payments)))
    store: set[str] = set()
    first = [k for k in entry_keys(stmt) if k not in store]
    store.update(first)
    assert len(first) == len(payments)
    assert [k for k in entry_keys(stmt) if k not in store] == []


@given(st.lists(st.integers(1, 60), max_size=10), st.integers(0, 250), st.integers(0, 5))
def test_subset_sum_proof_agrees_with_brute_force(values: list[int], low: int, width: int) -> None:
    from itertools import combinations

    from arguard.recon.subsets import any_subset_sum, find_subsets

    brute = any(low <= sum(c) <= low + width for k in range(len(values) + 1) for c in combinations(values, k))
    assert any_subset_sum(values, low, low + width) == brute
    found, _ = find_subsets(values * 2, low, low + width)   # 12+ items: the proof runs before the search
    assert all(low <= sum((values * 2)[i] for i in s) <= low + width for s in found)
