"""Find the open items a payer's words point to: RF creditor references, invoice numbers written in
any of the usual ways (see `references`), order numbers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from arguard.recon.model import OpenItem
from arguard.recon.references import normalise, reference_keys, rf_find, rf_is_valid, text_keys


@dataclass(frozen=True, slots=True)
class RefHit:
    """An item the remittance points to. strength: 0..1, how sure the reference means this item."""

    item: int
    strength: float
    reason: str


def _strength(key: str, kind: str) -> float:
    if kind == "rf":
        return 0.99
    if kind == "order":
        return 0.85
    significant = len(key.lstrip("#").replace(".", ""))
    if key.startswith("#"):
        if significant >= 6:
            return 0.93
        return 0.88 if significant == 5 else (0.6 if significant == 4 else 0.3)
    has_letters = any(ch.isalpha() for ch in key)
    if significant >= 6 or (has_letters and significant >= 5):
        return 0.97
    return 0.6 if significant >= 3 else 0.3


class ReferenceIndex:
    """Keys of every item's number, payment reference and order number -> item positions."""

    def __init__(self, items: Sequence[OpenItem]) -> None:
        self.keys: dict[str, int | list[int]] = {}
        self.kind: dict[str, str] = {}
        """Kind of the first item under a key, when not 'number' ('rf' or 'order')."""
        keys = self.keys
        for i, item in enumerate(items):     # the hot loop of the index: one dict probe per key
            for key in reference_keys(item.number):
                found = keys.get(key)
                if found is None:
                    keys[key] = i
                elif found != i:
                    self._more(key, found, i)
            if item.payment_reference:
                ref = normalise(item.payment_reference)
                self._add(ref, i, "rf" if rf_is_valid(ref) else "number")
            if item.order_number:
                for key in reference_keys(item.order_number):
                    self._add("O" + key, i, "order")

    def _add(self, key: str, i: int, kind: str) -> None:
        found = self.keys.get(key)
        if found is None:
            self.keys[key] = i
            if kind != "number":
                self.kind[key] = kind
        elif found != i:
            self._more(key, found, i)

    def _more(self, key: str, found: int | list[int], i: int) -> None:
        if isinstance(found, int):
            self.keys[key] = [found, i]
        elif i not in found:
            found.append(i)

    def _get(self, key: str) -> list[int]:
        found = self.keys.get(key)
        if found is None:
            return []
        return [found] if isinstance(found, int) else list(found)

    def find(self, texts: Sequence[str], structured: Sequence[str]) -> list[RefHit]:
        hits: dict[int, RefHit] = {}

        def offer(i: int, strength: float, reason: str) -> None:
            if i not in hits or hits[i].strength < strength:
                hits[i] = RefHit(i, strength, reason)

        for ref in structured:
            key = normalise(ref)
            for i in self._get(key):
                offer(i, 0.99 if rf_is_valid(key) else 0.97, f"structured reference {ref}")
        joined = " ".join(texts)
        for rf in rf_find(joined):
            for i in self._get(rf):
                offer(i, 0.99, f"creditor reference {rf} in the remittance")
        for text in list(texts) + list(structured):
            for key, fragment in text_keys(text):
                matches = self._get(key)
                for i in matches:
                    strength = _strength(key, self.kind.get(key, "number"))
                    if len(matches) > 1:
                        strength = min(strength, 0.6)     # the same key names several items
                    offer(i, strength, f"'{fragment}' in the remittance")
                orders = self._get("O" + key)
                for i in orders:
                    offer(i, 0.92 if len(orders) == 1 else 0.6, f"order number '{fragment}'")
        return sorted(hits.values(), key=lambda h: (-h.strength, h.item))
