"""Hash-chained audit log: every state change and decision, tamper-evident.

entry_hash = HMAC-SHA256(key, prev_hash + canonical JSON of (seq, at, actor, action, entity, entity_id,
reason, before, after)). The key is the installation's audit key (`platform.keys.audit_key`), never
stored in the database, so someone who can write the database cannot recompute a rewritten chain.
`verify_chain` recomputes every hash; an edited, deleted or inserted row breaks it. Deleting the newest
entries leaves a shorter valid chain: `verify_head` compares it with a head exported earlier.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def canonical(value: Any) -> Any:
    """JSON-safe, deterministic form (Decimals and dates become strings)."""
    return json.loads(json.dumps(value, default=_default, sort_keys=True, ensure_ascii=False))


def _body(seq: int, at: datetime, actor: str, action: str, entity: str, entity_id: str | None,
          reason: str | None, before: Any, after: Any) -> str:
    return json.dumps(
        [seq, at.isoformat(timespec="microseconds").replace("+00:00", "Z").rstrip("Z"), actor, action,
         entity, entity_id, reason, before, after],
        default=_default, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
    )


def legacy_entry_hash(prev_hash: str, seq: int, at: datetime, actor: str, action: str, entity: str,
                      entity_id: str | None, reason: str | None, before: Any, after: Any) -> str:
    """The unkeyed SHA-256 of chains written before the key (`arguard audit rekey` moves them on)."""
    return hashlib.sha256((prev_hash + _body(seq, at, actor, action, entity, entity_id, reason, before,
                                             after)).encode()).hexdigest()


def entry_hash(key: bytes, prev_hash: str, seq: int, at: datetime, actor: str, action: str, entity: str,
               entity_id: str | None, reason: str | None, before: Any, after: Any) -> str:
    body = _body(seq, at, actor, action, entity, entity_id, reason, before, after)
    return hmac.new(key, (prev_hash + body).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(rows: Iterable[Any], key: bytes) -> list[ChainBreak]:
    """Rows in seq order, with the AuditEntry attributes. Returns every break found (empty = intact)."""
    breaks: list[ChainBreak] = []
    prev = GENESIS
    expected_seq = 1
    for r in rows:
        if r.seq != expected_seq:
            breaks.append(ChainBreak(r.seq, f"sequence gap: expected {expected_seq}"))
        if r.prev_hash != prev:
            breaks.append(ChainBreak(r.seq, "prev_hash does not match the previous entry"))
        h = entry_hash(key, r.prev_hash, r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.reason,
                       r.before, r.after)
        if h != r.entry_hash:
            breaks.append(ChainBreak(r.seq, "entry content does not match its hash"))
        prev = r.entry_hash
        expected_seq = r.seq + 1
    return breaks


def pending_mac(key: bytes, at: datetime, actor: str, action: str, entity: str, entity_id: str | None,
                reason: str | None, before: Any, after: Any) -> str:
    """The MAC of an entry waiting to join the chain (written with its decision, `audit_later`)."""
    body = _body(0, at, actor, action, entity, entity_id, reason, before, after)
    return hmac.new(key, ("pending" + body).encode(), hashlib.sha256).hexdigest()


def pending_intact(key: bytes, row: Any) -> bool:
    return bool(row.mac) and hmac.compare_digest(row.mac, pending_mac(
        key, row.at, row.actor, row.action, row.entity, row.entity_id, row.reason, row.before, row.after))


def rekeyed(rows: list[Any], key: bytes) -> list[tuple[int, str, str]]:
    """For a chain written with the unkeyed SHA-256 that is intact under it: (seq, prev_hash, entry_hash)
    of every entry under the key. Raises ValueError naming the first entry that does not verify."""
    prev_old, prev_new, out = GENESIS, GENESIS, []
    for expected, r in enumerate(rows, 1):
        old = legacy_entry_hash(prev_old, r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.reason,
                                r.before, r.after)
        if r.seq != expected or r.prev_hash != prev_old or old != r.entry_hash:
            raise ValueError(f"entry {r.seq} does not verify under the unkeyed chain")
        new = entry_hash(key, prev_new, r.seq, r.at, r.actor, r.action, r.entity, r.entity_id, r.reason,
                         r.before, r.after)
        out.append((r.seq, prev_new, new))
        prev_old, prev_new = r.entry_hash, new
    return out


def verify_head(entry_hashes: dict[int, str], head_seq: int, head_hash: str) -> list[ChainBreak]:
    """A head exported earlier (seq, hash) must still be in the chain, unchanged (`entry_hashes`: seq →
    hash of the chain now). A missing head means the newest entries were deleted."""
    found = entry_hashes.get(head_seq)
    if found is None:
        return [ChainBreak(head_seq, "the exported head is missing: entries up to it were deleted")]
    if not hmac.compare_digest(found, head_hash):
        return [ChainBreak(head_seq, "the entry at the exported head differs from the exported hash")]
    return []
