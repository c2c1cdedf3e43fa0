"""The matching engine: every credit on a statement becomes a proposal with a confidence and reasons.

Evidence, strongest first: an ISO 11649 RF reference or an invoice number written in the remittance;
the payer's account, name or a learned alias; the amount (exact, short by bank charges, partial, a
subset of the customer's open items, or converted through the instructed amount or a dated rate).
A proposal at or above `auto_threshold` is applied automatically; from `suggest_threshold` it is a
suggestion; the rest waits, unmatched. Amount-only evidence never reaches the automatic threshold.
Entries are matched in statement order and automatic applications reduce the open amounts, so an
invoice settled earlier in the same statement is never paid twice (the second payment is unapplied).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal

from arguard.core.money import FxTable, Money, exponent
from arguard.recon.decide import decide
from arguard.recon.matchtext import entry_facts
from arguard.recon.model import Application, Knowledge, MatchConfig, OpenItem, Proposal, Statement
from arguard.recon.parties import CustomerIndex, CustomerInfo
from arguard.recon.refindex import ReferenceIndex
from arguard.recon.subsets import find_subsets

__all__ = ["Application", "CustomerInfo", "Knowledge", "MatchConfig", "Matcher", "OpenItem", "Proposal",
           "match_statement"]


class Matcher:
    """Indexes open items and customers once; `match` then proposes for statements in turn."""

    def __init__(self, items: Sequence[OpenItem], customers: Iterable[CustomerInfo] = (),
                 knowledge: Knowledge | None = None, config: MatchConfig | None = None,
                 fx: FxTable | None = None) -> None:
        self.items = list(items)
        self.config = config or MatchConfig()
        self.knowledge = knowledge or Knowledge()
        self.fx = fx
        self.customers = CustomerIndex(customers, self.knowledge.names, self.knowledge.accounts)
        self.refs = ReferenceIndex(self.items)
        self.by_customer: dict[str, list[int]] = {}
        for i, item in enumerate(self.items):
            self.by_customer.setdefault(item.customer_id, []).append(i)
        for ids in self.by_customer.values():
            ids.sort(key=lambda i: (str(self.items[i].due_date or ""), self.items[i].number))
        self.credits: dict[str, list[int]] = {}
        """Customer → its open credit notes (negative open amounts), oldest first."""
        for cid, ids in self.by_customer.items():
            found = [i for i in ids if self.items[i].open_amount < 0]
            if found:
                self.credits[cid] = found
        self.used: dict[int, Decimal] = {}
        self._by_amount: dict[Decimal, int | list[int]] | None = None

    # -- state ---------------------------------------------------------------------------------
    def open_of(self, i: int) -> Decimal:
        return self.items[i].open_amount - self.used.get(i, Decimal(0))

    def _apply(self, proposal: Proposal) -> None:
        for app in proposal.applications:
            i = app.item_index
            self.used[i] = self.used.get(i, Decimal(0)) + app.amount

    # -- driver --------------------------------------------------------------------------------
    def match(self, statement: Statement) -> list[Proposal]:
        """Proposals for every incoming payment of the statement, in statement order."""
        proposals: list[Proposal] = []
        for entry in statement.entries:
            if not entry.is_credit or entry.reversal or entry.status not in ("BOOK", ""):
                continue
            for facts in entry_facts(entry):
                hits = self.customers.lookup(facts.names, facts.accounts)
                refs = self.refs.find(facts.texts, facts.structured)
                proposal = decide(self, facts, hits, refs)
                if proposal.status == "auto":
                    self._apply(proposal)
                proposals.append(proposal)
        return proposals

    def items_of_amount(self, currency: str, amount: Decimal) -> list[int]:
        """Positions of the items whose (original) open amount is `amount` in `currency`, oldest first.

        The index is built on first use, in C loops (a million items in about a second): keyed by the
        amount alone (a Decimal hashes faster than a tuple), lists only for amounts several items share."""
        if self._by_amount is None:
            amounts = [item.open_amount for item in self.items]
            index: dict[Decimal, int | list[int]] = dict(zip(reversed(amounts), range(len(amounts) - 1, -1, -1),
                                                             strict=True))
            if len(index) < len(amounts):
                shared = {a for a, n in Counter(amounts).items() if n > 1}
                for a in shared:
                    index[a] = []
                for i, a in enumerate(amounts):
                    if a in shared:
                        index[a].append(i)  # type: ignore[union-attr]
            self._by_amount = index
        found = self._by_amount.get(amount)
        if found is None:
            return []
        ids = [found] if isinstance(found, int) else found
        return [i for i in ids if self.items[i].currency == currency]

    def is_credit(self, i: int) -> bool:
        """Whether item `i` is a credit note (the buyer may deduct it from what it pays)."""
        return self.items[i].open_amount < 0

    def open_credits(self, customer_id: str, currency: str, payer_key: str) -> list[int]:
        """The customer's credit notes in `currency` with credit left now, oldest first (a credit note
        used earlier in the statement, or rejected for this payer, is not offered again)."""
        rejected = self.knowledge.rejected
        return [i for i in self.credits.get(customer_id, ()) if self.items[i].currency == currency
                and self.open_of(i) < 0 and (payer_key, self.items[i].number) not in rejected]

    def to_minor(self, amount: Decimal, currency: str) -> int:
        return Money(amount, currency).minor if currency else int(amount * 100)

    def from_minor(self, minor: int, currency: str) -> Decimal:
        return Decimal(minor).scaleb(-exponent(currency))

    def subsets(self, ids: list[int], low: Decimal, high: Decimal, currency: str,
                min_size: int = 2) -> tuple[list[tuple[int, ...]], bool]:
        """Subsets of `ids` whose open amounts (credit notes by their credit left) sum into [low, high]."""
        amounts = [self.to_minor(abs(self.open_of(i)), currency) for i in ids]
        sols, complete = find_subsets(amounts, self.to_minor(low, currency), self.to_minor(high, currency),
                                      min_size=min_size, max_items=self.config.max_subset_items)
        return [tuple(ids[k] for k in s) for s in sols], complete


def match_statement(statement: Statement, items: Sequence[OpenItem], customers: Iterable[CustomerInfo] = (),
                    knowledge: Knowledge | None = None, config: MatchConfig | None = None,
                    fx: FxTable | None = None) -> list[Proposal]:
    """Proposals for one statement against a list of open items (one call, no state kept)."""
    return Matcher(items, customers, knowledge, config, fx).match(statement)

