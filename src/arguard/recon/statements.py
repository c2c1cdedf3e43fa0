"""Checks and identities of statements: balance proof, and the keys that make re-import a no-op."""

from __future__ import annotations

import hashlib
from collections import Counter

from arguard.core.errors import Issue
from arguard.recon.model import Entry, Statement


def check_balance(statement: Statement, source: str = "statement") -> Issue | None:
    """Opening balance + booked entries must equal the closing balance, when both are reported."""
    if statement.opening is None or statement.closing is None:
        return None
    booked = sum((e.amount for e in statement.entries if e.status == "BOOK"), start=statement.opening.amount)
    if booked == statement.closing.amount:
        return None
    return Issue(source, None, statement.statement_id,
                 f"statement {statement.statement_id or '?'} of {statement.account}: opening "
                 f"{statement.opening.amount} + entries {booked - statement.opening.amount} = {booked}, "
                 f"but the closing balance is {statement.closing.amount}")


def statement_key(statement: Statement) -> str:
    """Stable identity of a statement: account, id, sequence, balances and dates (not entry content)."""
    parts = [statement.format.split(".")[0], statement.account, statement.statement_id or "",
             statement.sequence or "", statement.message_id or ""]
    for b in (statement.opening, statement.closing):
        parts.append(f"{b.amount}{b.currency}{b.on}" if b else "-")
    if statement.opening is None and statement.closing is None:
        parts.append(entries_digest(statement.entries))
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def entries_digest(entries: tuple[Entry, ...]) -> str:
    h = hashlib.sha256()
    for e in entries:
        h.update(f"{e.amount}{e.currency}{e.booking_date}{e.bank_ref}{e.info}".encode())
    return h.hexdigest()[:16]


def entry_keys(statement: Statement) -> list[str]:
    """One key per entry, stable across re-imports and across statements that repeat an entry.

    The bank reference identifies an entry when the bank gives one that is unique in the statement;
    otherwise the content (date, amount, references, narrative) with an occurrence counter, so that two
    identical coffees on one day stay two entries.
    """
    refs = Counter(e.bank_ref for e in statement.entries if e.bank_ref and e.bank_ref.upper() != "NONREF")
    seen: Counter[str] = Counter()
    keys = []
    for e in statement.entries:
        if e.bank_ref and refs[e.bank_ref] == 1 and e.bank_ref.upper() != "NONREF":
            basis = f"ref|{statement.account}|{e.bank_ref}|{e.amount}"
        else:
            content = f"{statement.account}|{e.booking_date}|{e.value_date}|{e.amount}|{e.currency}|" \
                      f"{e.customer_ref}|{e.bank_ref}|{' '.join(e.info.split())}"
            seen[content] += 1
            basis = f"content|{content}|{seen[content]}"
        keys.append(hashlib.sha256(basis.encode()).hexdigest()[:32])
    return keys
