"""Who paid: customer candidates from the payer's account, printed name and learned aliases.

Banks print payer names upper case, truncated to 35 or 70 characters, with umlauts folded or dropped
and legal forms abbreviated ('MUELLER MASCHINENBAU GMBH & CO. K'). Names are compared after
normalisation (umlauts expanded, accents dropped, legal forms and punctuation removed), first
exactly, then fuzzily (rapidfuzz) among customers sharing a distinctive word.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process

_FOLD = str.maketrans({"Ä": "AE", "Ö": "OE", "Ü": "UE", "ß": "SS", "Æ": "AE", "Ø": "OE", "Å": "AA",
                       "&": " ", "+": " "})
_LEGAL = frozenset(
    ["GMBH", "MBH", "AG", "KG", "KGAA", "OHG", "GBR", "UG", "EV", "CO", "COMPANY", "CORP", "CORPORATION", "INC", "INCORPORATED", "LTD", "LIMITED", "LLC", "LLP", "PLC", "BV", "NV", "VOF", "SA", "SAS", "SARL", "SRL", "SPA", "SNC", "SL", "SLU", "OY", "OYJ", "AB", "ASA", "AS", "APS", "KFT", "ZRT", "SRO", "SPZOO", "SP", "ZOO", "OOO", "ZAO", "PTY", "PTE", "BHD", "SDN", "GROUP", "HOLDING", "HOLDINGS", "THE", "AND", "UND", "ET", "EN", "DE", "VAN", "DER", "DEN"]
)
_CJK_LEGAL = ("有限责任公司", "股份有限公司", "有限公司", "集团", "公司")
_SPLIT = re.compile(r"[^0-9A-Z\u4e00-\u9fff]+")


def normalise_name(name: str) -> str:
    """'Müller Maschinenbau GmbH & Co. KG' -> 'MUELLER MASCHINENBAU'."""
    text = unicodedata.normalize("NFKC", name or "").upper().translate(_FOLD)
    for suffix in _CJK_LEGAL:
        text = text.replace(suffix, " ")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.replace("SP. Z O.O.", "SPZOO").replace("SP Z OO", "SPZOO").replace("SP. Z O. O.", "SPZOO")
    text = re.sub(r"(?<=\b[A-Z])\.(?=[A-Z]\b)", "", text).replace(".", " ")    # S.R.L. -> SRL
    words = [w for w in _SPLIT.split(text) if w and w not in _LEGAL]
    return " ".join(words)


def full_name_key(name: str) -> str:
    """Like `normalise_name` but keeping the legal form, to tell 'X AG' from 'X AB'."""
    text = unicodedata.normalize("NFKC", name or "").upper().translate(_FOLD)
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return "".join(w for w in _SPLIT.split(text.replace(".", "")) if w)


def normalise_account(account: str | None) -> str | None:
    if not account:
        return None
    value = re.sub(r"[^0-9A-Z]", "", account.upper())
    return value or None


@dataclass(frozen=True, slots=True)
class CustomerInfo:
    """A customer as the matcher sees it: id, name, the accounts it pays from, names it pays under."""

    customer_id: str
    name: str
    accounts: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerHit:
    customer_id: str
    score: float
    reason: str


class CustomerIndex:
    """Look customers up by account, exact normalised name or alias, and fuzzy name."""

    def __init__(self, customers: Iterable[CustomerInfo], learned_names: dict[str, str] | None = None,
                 learned_accounts: dict[str, str] | None = None) -> None:
        self.by_account: dict[str, str] = {}
        self.by_name: dict[str, set[str]] = {}
        self.by_alias: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.full: dict[str, str] = {}
        by_word: dict[str, list[int]] = {}
        order: list[str] = []
        for c in customers:
            norm = normalise_name(c.name)
            if c.customer_id not in self.names:
                order.append(c.customer_id)
            self.names[c.customer_id] = norm
            self.full[c.customer_id] = full_name_key(c.name)
            self.by_name.setdefault(norm, set()).add(c.customer_id)
            for acc in c.accounts:
                key = normalise_account(acc)
                if key:
                    self.by_account[key] = c.customer_id
            for alias in c.aliases:
                self.by_alias[normalise_name(alias)] = c.customer_id
            for word in set(norm.split()):
                if len(word) >= 3:
                    by_word.setdefault(word, []).append(len(order) - 1)
        self.by_alias.update(learned_names or {})
        self.by_account.update({normalise_account(k) or k: v for k, v in (learned_accounts or {}).items()})
        # Fuzzy search works on positions: customer ids, names, and names with sorted words, as arrays.
        self._cids = np.array(order, dtype=object)
        self._names = np.array([self.names[c] for c in order], dtype=object)
        self._sorted = np.array([" ".join(sorted(n.split())) for n in self._names], dtype=object)
        self._spaced = np.array([len(n) >= 8 and " " in n for n in self._names], dtype=bool)
        self.by_word = {w: np.unique(np.array(ids, dtype=np.int64)) for w, ids in by_word.items()}
        # Words that name more than 2 % of customers ('TRADING', 'SHANGHAI') are not distinctive.
        limit = max(50, len(self.names) // 50)
        self.common = {w for w, ids in self.by_word.items() if len(ids) > limit}
        self._fuzzy_cache: dict[str, list[tuple[str, float]]] = {}

    def lookup(self, names: Iterable[str], accounts: Iterable[str]) -> list[CustomerHit]:
        """Customer candidates, best first; at most one hit per customer."""
        by_account: dict[str, CustomerHit] = {}
        by_name: dict[str, CustomerHit] = {}

        def offer(pool: dict[str, CustomerHit], cid: str, score: float, reason: str) -> None:
            if cid not in pool or pool[cid].score < score:
                pool[cid] = CustomerHit(cid, score, reason)

        for acc in accounts:
            key = normalise_account(acc)
            if key and key in self.by_account:
                offer(by_account, self.by_account[key], 0.97, f"payer account {key} is the customer's")
        for raw in names:
            norm = normalise_name(raw)
            if not norm:
                continue
            if norm in self.by_alias:
                offer(by_name, self.by_alias[norm], 0.95, f"payer name '{raw}' is a confirmed alias")
            exact = self.by_name.get(norm, set())
            if len(exact) > 1:      # same name, different legal form or country: the printed form decides
                printed = full_name_key(raw)
                exact = {cid for cid in exact if printed.startswith(self.full[cid])} or exact
            for cid in exact:
                offer(by_name, cid, 0.95 if len(exact) == 1 else 0.6, f"payer name '{raw}' equals the customer name")
            if not exact:
                for cid, score in self._fuzzy(norm):
                    offer(by_name, cid, score, f"payer name '{raw}' resembles '{self.names[cid]}'")
        best = dict(by_name)
        for cid, hit in by_account.items():
            if cid in by_name:      # account and name agree
                best[cid] = CustomerHit(cid, 0.99, hit.reason + "; " + by_name[cid].reason)
            else:
                best[cid] = hit
        ranked = sorted(best.values(), key=lambda h: -h.score)
        if by_account and ranked[0].customer_id in by_account:
            # A known account outweighs a look-alike name of another customer.
            ranked = [ranked[0]] + [h for h in ranked[1:] if h.customer_id in by_account]
        return ranked

    def _fuzzy(self, norm: str) -> list[tuple[str, float]]:
        """Customers whose name resembles the printed one (cached: the same payer prints the same way)."""
        found = self._fuzzy_cache.get(norm)
        if found is None:
            found = self._fuzzy_cache[norm] = self._fuzzy_scan(norm)
        return found

    def _fuzzy_scan(self, norm: str) -> list[tuple[str, float]]:
        words = [w for w in norm.split() if len(w) >= 3]
        parts = [self.by_word[w] for w in words if w in self.by_word and w not in self.common]
        if not parts:
            parts = [self.by_word[w] for w in words if w in self.by_word and len(self.by_word[w]) <= 500]
        if not parts:
            return []
        pool = np.unique(np.concatenate(parts))
        names = self._names[pool]
        # One vectorised pass per scorer (rapidfuzz, in C); scores under 80 decide nothing and read as 0.
        # token_sort_ratio is the plain ratio of the names with their words sorted (sorted once, at init).
        ratios = _scores(" ".join(sorted(norm.split())), self._sorted[pool], fuzz.ratio)
        if len(norm) >= 12:
            # Banks truncate: compare the printed name with the same length of the customer's name.
            ratios = np.maximum(ratios, _scores(norm, [n[: len(norm)] for n in names], fuzz.ratio))
        spaced = np.flatnonzero(self._spaced[pool])
        if len(spaced):
            # Every word of the customer's name printed, plus a city or a branch.
            sets = np.minimum(_scores(norm, names[spaced], fuzz.token_set_ratio), 94)
            ratios[spaced] = np.maximum(ratios[spaced], sets)
        out = []
        for k in np.flatnonzero(ratios >= 80).tolist():
            name, ratio, cid = names[k], ratios[k], self._cids[pool[k]]
            if len(name) >= 8 and " " in name and norm.startswith(name + " "):
                out.append((cid, 0.93))     # the customer's full name, then a city or branch
            elif ratio >= 95:
                out.append((cid, 0.92))
            elif ratio >= 88:
                out.append((cid, 0.85))
            else:
                out.append((cid, 0.7))
        return out


def _scores(query: str, choices: Any, scorer: Any) -> np.ndarray:
    return np.asarray(process.cdist([query], list(choices), scorer=scorer, score_cutoff=80, dtype=np.float64)[0])
