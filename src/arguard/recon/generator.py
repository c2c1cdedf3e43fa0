"""Seeded generator of realistic, labelled cash-application cases (for the benchmark and tests).

Each payment carries its case type and the applications a careful clerk would make. Case types:
exact_ref, bad_ref (reference written badly), rf_ref (ISO 11649), order_ref, multi_ref, multi_noref,
noref_single, bank_charges, partial, duplicate (the second payment of an already paid invoice),
fx (foreign currency with instructed amount), third_party (someone else pays, with a reference),
unrelated (a credit that pays no invoice), and — outside the benchmark's default mix — amount_only (an
unknown payer, no reference: only the amount points to an invoice). Payer names are printed the way banks print them.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from arguard.recon.model import Entry, OpenItem, Party, Remittance, Statement, TransactionDetail
from arguard.recon.parties import CustomerInfo
from arguard.recon.references import rf_make

CASE_WEIGHTS = {
    "exact_ref": 22, "bad_ref": 14, "rf_ref": 6, "order_ref": 4, "multi_ref": 8, "multi_noref": 6,
    "noref_single": 10, "bank_charges": 6, "partial": 4, "duplicate": 3, "fx": 4, "third_party": 4,
    "unrelated": 9,
}
_FIRST = ["Nord", "Sud", "Ost", "West", "Alpha", "Beta", "Delta", "Sigma", "Nova", "Astra", "Terra", "Aqua", "Sol", "Luna", "Polar", "Vita", "Prima", "Orion", "Atlas", "Hansa", "Rhein", "Elbe", "Main", "Donau", "Baltic", "Pacific", "Golden", "Silver", "Blue", "Green", "Red", "Star", "Sun", "Huaxin", "Jinlong", "Hengda", "Mingyang", "Changjiang", "Dongfang", "Zhongtian", "Xinhua", "Yongsheng", "Tianli"]
_SECOND = ["Maschinenbau", "Logistik", "Handel", "Trading", "Industries", "Textiles", "Electronics", "Foods", "Chemicals", "Metall", "Kunststoff", "Systems", "Solutions", "Components", "Pharma", "Agrar", "Bau", "Energy", "Marine", "Tools", "Papier", "Glas", "Import", "Export", "Technik", "Motors", "Optics", "Furniture", "Ceramics"]
_FORMS = ["GmbH", "GmbH & Co. KG", "AG", "B.V.", "N.V.", "S.A.", "S.r.l.", "Ltd", "Co., Ltd.", "Limited",
          "SAS", "Sp. z o.o.", "Inc.", "LLC", "Oy", "AB"]
_BANK_FORMS = {"GmbH & Co. KG": "GMBH + CO. KG", "Co., Ltd.": "CO LTD", "Limited": "LTD", "Sp. z o.o.": "SP ZOO",
               "B.V.": "BV", "N.V.": "NV", "S.A.": "SA", "S.r.l.": "SRL"}
_UMLAUT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "AE", "Ö": "OE", "Ü": "UE"})


@dataclass(frozen=True, slots=True)
class LabelledPayment:
    entry_index: int
    case: str
    expected: tuple[tuple[str, Decimal], ...]
    """(invoice number, applied amount in the invoice currency) a careful clerk would book."""


@dataclass(frozen=True, slots=True)
class Scenario:
    seed: int
    customers: tuple[CustomerInfo, ...]
    items: tuple[OpenItem, ...]
    statement: Statement
    labels: tuple[LabelledPayment, ...]


def _iban(rng: random.Random) -> str:
    """A well-formed IBAN (ISO 13616 check digits) with a random 18-digit account part."""
    country = rng.choice(["DE", "NL", "FR", "IT", "ES", "BE", "AT", "PL", "GB"])
    rng.randint(10, 99)     # drawn and dropped: the same draws as before the check digits were computed
    bban = "".join(rng.choice("0123456789") for _ in range(18))
    check = 98 - int("".join(str(int(ch, 36)) for ch in bban + country + "00")) % 97
    return f"{country}{check:02d}{bban}"


def bank_prints(name: str, rng: random.Random) -> str:
    """A customer name as a bank statement shows it: upper case, umlauts folded, forms shortened, cut."""
    printed = name
    for full, short in _BANK_FORMS.items():
        if printed.endswith(full) and rng.random() < 0.6:
            printed = printed[: -len(full)] + short
    printed = printed.translate(_UMLAUT) if rng.random() < 0.7 else printed
    printed = printed.upper() if rng.random() < 0.8 else printed
    if rng.random() < 0.15:
        printed = printed.replace(".", "").replace(",", "")
    if rng.random() < 0.15:
        printed += rng.choice([" HAMBURG", " SHANGHAI", " ROTTERDAM", " MILANO"])
    return printed[:35] if rng.random() < 0.8 else printed[:27]


class _Numbers:
    """One numbering scheme per company, e.g. INV-2024-00123, RE240123, 2024/000123."""

    def __init__(self, rng: random.Random) -> None:
        self.scheme = rng.choice(["INV-{y}-{n:05d}", "RE{y2}{n:05d}", "{y}/{n:06d}", "F-{n:06d}", "{y}{n:06d}"])
        self.n = rng.randint(100, 5000)

    def next(self, year: int) -> str:
        self.n += 1
        return self.scheme.format(y=year, y2=year % 100, n=self.n)


def badly(number: str, rng: random.Random) -> str:
    """The invoice number as payers type it."""
    style = rng.randrange(6)
    if style == 0:
        return number.lower()
    if style == 1:
        return number.replace("-", " ").replace("/", " ")
    if style == 2:
        return number.replace("-", "/")
    if style == 3:
        digits = "".join(ch for ch in number if ch.isdigit())
        return digits
    if style == 4:
        return "Nr. " + number.replace("-", "")
    return number.replace("-0", "-").replace("/0", "/").replace("-0", "-")


def generate(seed: int, n_payments: int = 2000, n_customers: int = 400, items_per_customer: int = 12,
             as_of: date = date(2024, 6, 30)) -> Scenario:
    """A company's customers, open items and one bank statement of labelled payments."""
    rng = random.Random(seed)
    numbers = _Numbers(rng)
    customers: list[CustomerInfo] = []
    items: list[OpenItem] = []
    by_customer: dict[str, list[int]] = {}
    used_names: set[str] = set()
    for k in range(n_customers):
        base = f"{rng.choice(_FIRST)} {rng.choice(_SECOND)}"
        while base in used_names:
            base = f"{rng.choice(_FIRST)} {rng.choice(_FIRST)} {rng.choice(_SECOND)}"
            if base in used_names:
                base += f" {rng.randint(2, 99)}"
        used_names.add(base)
        name = f"{base} {rng.choice(_FORMS)}"
        cid = f"C{k:05d}"
        ibans = tuple(_iban(rng) for _ in range(rng.choice([0, 1, 1, 1, 2])))
        customers.append(CustomerInfo(cid, name, ibans))
        currency = "USD" if rng.random() < 0.08 else "EUR"
        for _ in range(rng.randint(max(1, items_per_customer // 2), items_per_customer * 3 // 2)):
            issue = as_of - timedelta(days=rng.randint(5, 150))
            amount = Decimal(rng.randint(5_000, 2_500_000)).scaleb(-2)
            number = numbers.next(issue.year)
            rf = rf_make(number.replace("-", "").replace("/", "")[-12:] + str(rng.randint(10, 99))) \
                if rng.random() < 0.3 else None
            order = f"PO{rng.randint(100000, 999999)}" if rng.random() < 0.4 else None
            by_customer.setdefault(cid, []).append(len(items))
            items.append(OpenItem(number, cid, currency, amount, amount, issue + timedelta(days=30), issue, rf, order))
    statement, labels = statement_from(rng, customers, items, n_payments, as_of, statement_id=f"GEN-{seed}")
    return Scenario(seed, tuple(customers), tuple(items), statement, labels)


def statement_from(rng: random.Random, customers: Sequence[CustomerInfo], items: Sequence[OpenItem], n_payments: int,
                   as_of: date, *, account: str = "DE02120300000000202051", statement_id: str = "GEN",
                   days: tuple[int, int] = (1, 20), weights: dict[str, int] | None = None,
                   ) -> tuple[Statement, tuple[LabelledPayment, ...]]:
    """A statement of `n_payments` labelled payments of the given customers' open items, booked
    `days` (from, to) days after `as_of` (negative: before). Used by `generate` and the demo."""
    by_customer: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        if item.open_amount > 0:     # credit notes are deducted by payers, never paid
            by_customer.setdefault(item.customer_id, []).append(i)
    builder = _Builder(rng, list(customers), list(items), by_customer, as_of, days)
    mix = weights or CASE_WEIGHTS
    for _ in range(n_payments):
        builder.add(rng.choices(list(mix), weights=list(mix.values()))[0])
    statement = Statement("camt.053", account, "EUR", tuple(builder.entries), statement_id=statement_id)
    return statement, tuple(builder.labels)


class _Builder:
    def __init__(self, rng: random.Random, customers: list[CustomerInfo], items: list[OpenItem],
                 by_customer: dict[str, list[int]], as_of: date, days: tuple[int, int] = (1, 20)) -> None:
        self.rng, self.customers, self.items, self.by_customer, self.as_of = rng, customers, items, by_customer, as_of
        self.days = days
        self.free = {cid: list(ids) for cid, ids in by_customer.items()}
        self.paid: list[int] = []
        self.entries: list[Entry] = []
        self.labels: list[LabelledPayment] = []

    def _take(self, n: int, currency: str = "EUR") -> tuple[CustomerInfo, list[int]] | None:
        for _ in range(50):
            c = self.rng.choice(self.customers)
            ids = [i for i in self.free.get(c.customer_id, ()) if self.items[i].currency == currency]
            if len(ids) >= n:
                chosen = self.rng.sample(ids, n)
                for i in chosen:
                    self.free[c.customer_id].remove(i)
                self.paid.extend(chosen)
                return c, chosen
        return None

    def _payer(self, c: CustomerInfo) -> Party:
        account = self.rng.choice(c.accounts) if c.accounts and self.rng.random() < 0.75 else _iban(self.rng)
        return Party(name=bank_prints(c.name, self.rng), account=account)

    def _emit(self, case: str, amount: Decimal, party: Party, text: str, expected: list[tuple[str, Decimal]],
              structured: tuple[str, ...] = (), currency: str = "EUR", instructed: tuple[Decimal, str] | None = None) -> None:
        idx = len(self.entries)
        detail = TransactionDetail(debtor=party, remittance=Remittance((text,) if text else (), structured),
                                   instructed_amount=instructed[0] if instructed else None,
                                   instructed_currency=instructed[1] if instructed else None)
        day = self.as_of + timedelta(days=self.rng.randint(*self.days))
        self.entries.append(Entry(idx, amount, currency, day, day, bank_ref=f"B{idx:07d}", details=(detail,)))
        self.labels.append(LabelledPayment(idx, case, tuple(expected)))

    def _wrap(self, refs: str) -> str:
        return self.rng.choice(["{r}", "Invoice {r}", "Rechnung {r} Kd {k}", "Payment of {r} thank you",
                                "FACTUUR {r}", "发票 {r}", "INV {r} // {k}"]).format(r=refs, k=self.rng.randint(100, 9999))

    def add(self, case: str) -> None:
        rng = self.rng
        if case == "unrelated":
            party = Party(name=rng.choice(["FINANZAMT HAMBURG", "ALLIANZ VERSICHERUNG", "INTEREST", "AMAZON EU SARL",
                                           "REFUND SUPPLIER GMBH"]), account=_iban(rng))
            self._emit(case, Decimal(rng.randint(100, 900_000)).scaleb(-2), party,
                       rng.choice(["Erstattung", "Zinsen Q2", "Refund order 88213", "Gutschrift"]), [])
            return
        if case == "duplicate" and self.paid:
            # Pays again an invoice already paid earlier in this statement.
            prior = [lb for lb in self.labels if lb.case in ("exact_ref", "rf_ref") and lb.expected]
            if prior:
                lb = rng.choice(prior)
                entry = self.entries[lb.entry_index]
                self._emit(case, entry.amount, entry.details[0].debtor or Party(), entry.details[0].remittance.text,
                           [], entry.details[0].remittance.creditor_references)
                return
            case = "exact_ref"
        n = rng.randint(2, 4) if case in ("multi_ref", "multi_noref") else 1
        currency = "USD" if case == "fx" else "EUR"
        taken = self._take(n, currency)
        if taken is None:
            return
        c, ids = taken
        its = [self.items[i] for i in ids]
        total = sum((it.open_amount for it in its), Decimal(0))
        party = self._payer(c)
        full = [(it.number, it.open_amount) for it in its]
        if case == "exact_ref":
            self._emit(case, total, party, self._wrap(its[0].number), full)
        elif case == "bad_ref":
            self._emit(case, total, party, self._wrap(badly(its[0].number, rng)), full)
        elif case == "rf_ref":
            it = its[0]
            if not it.payment_reference:
                self._emit("exact_ref", total, party, self._wrap(it.number), full)
                return
            if rng.random() < 0.5:
                self._emit(case, total, party, "", full, (it.payment_reference,))
            else:
                rf = it.payment_reference
                self._emit(case, total, party, " ".join(rf[k:k + 4] for k in range(0, len(rf), 4)), full)
        elif case == "order_ref":
            it = its[0]
            ref = it.order_number or it.number
            self._emit(case, total, party, f"Order {ref}" if it.order_number else self._wrap(ref), full)
        elif case == "multi_ref":
            refs = rng.choice([", ", " ", "/", " + "]).join(
                badly(it.number, rng) if rng.random() < 0.3 else it.number for it in its)
            self._emit(case, total, party, self._wrap(refs), full)
        elif case == "amount_only":
            # Paid by someone the ledger does not know (a director, an agent), no reference: the amount alone.
            payer = Party(name=rng.choice(["M ROSSI", "ZHANG WEI", "J SMITH", "PAYPAL EUROPE SARL", "A KOWALSKI"]),
                          account=_iban(rng))
            self._emit(case, total, payer, rng.choice(["", "payment", "Zahlung"]), full)
        elif case in ("multi_noref", "noref_single"):
            self._emit(case, total, party, rng.choice(["", "Zahlung", "payment", "Sammelzahlung", "货款"]), full)
        elif case == "bank_charges":
            charge = Decimal(rng.choice([5, 7.5, 10, 12.5, 15, 20, 25, 35]) if False else rng.choice(
                ["5.00", "7.50", "10.00", "12.50", "15.00", "20.00", "25.00", "35.00"]))
            if total <= charge * 40:
                self._emit("exact_ref", total, party, self._wrap(its[0].number), full)
                return
            self._emit(case, total - charge, party, self._wrap(its[0].number), [(its[0].number, total - charge)])
        elif case == "partial":
            paid = (total * Decimal(rng.choice(["0.25", "0.4", "0.5", "0.6"]))).quantize(Decimal("0.01"))
            self._emit(case, paid, party, self._wrap(its[0].number), [(its[0].number, paid)])
        elif case == "fx":
            rate = Decimal(rng.choice(["0.9123", "0.9271", "0.9345"]))
            eur = (total * rate).quantize(Decimal("0.01"))
            self._emit(case, eur, party, self._wrap(its[0].number), full, instructed=(total, "USD"))
        elif case == "third_party":
            payer = Party(name=rng.choice(["EULER HERMES FACTORING", "HSBC TRADE SERVICES", "PARENT HOLDING AG",
                                           "BANK OF CHINA SHANGHAI BRANCH"]), account=_iban(rng))
            self._emit(case, total, payer, self._wrap(its[0].number), full)
