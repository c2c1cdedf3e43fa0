"""ServiceContext: who acts, for which company, in which unit of work. First argument of every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, text
from sqlalchemy.orm import Session

from arguard.platform import caches
from arguard.platform.audit import GENESIS, canonical, entry_hash, pending_mac
from arguard.platform.roles import require_role
from arguard.platform.tables import AuditEntry, AuditPending

AUDIT_LOCK_NAMESPACE = 0x415544  # 'AUD': advisory-lock namespace of the audit chain

_PENDING_INSERT = insert(AuditPending)


def _audit_statements(dialect: str) -> tuple[Any, Any, Any]:
    """(lock, last entry, append) for a dialect, built once per process."""
    found = caches.AUDIT_STATEMENTS.get(dialect)
    if found is None:
        lock = (text("SELECT pg_advisory_xact_lock(:ns, :company)") if dialect == "postgresql"
                else text("UPDATE companies SET name = name WHERE id = :company"))
        company: Any = bindparam("company")
        last = (select(AuditEntry.seq, AuditEntry.entry_hash).where(AuditEntry.company_id == company)
                .order_by(AuditEntry.seq.desc()).limit(1))
        append = insert(AuditEntry).returning(AuditEntry.id, sort_by_parameter_order=True)
        found = (lock, last, append)
        caches.AUDIT_STATEMENTS.put(dialect, found)
    return found  # type: ignore[no-any-return]


def lock_chain(conn: Connection, company_id: int) -> None:
    """Serialise appends to the company's chain until commit: on PostgreSQL a transaction-scoped advisory
    lock (a row lock on the last entry is not enough: two waiters would both read the same last entry once
    it is released), on SQLite a no-op write to a non-key column (so no foreign key is re-checked), which
    takes the database's write lock. Taken before the last entry is read (`append_entries`)."""
    conn.execute(_audit_statements(conn.dialect.name)[0], {"ns": AUDIT_LOCK_NAMESPACE, "company": company_id})


def append_entries(conn: Connection, company_id: int, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chain `items` (at, actor, action, entity, entity_id, reason, before, after — the last two already
    `canonical`) onto the company's chain in order and write them; call with `lock_chain` held. Returns
    the rows written, with their ids. The one place where entries get their sequence number and hash."""
    from arguard.platform.keys import audit_key, check_fingerprint

    _, last_entry, append = _audit_statements(conn.dialect.name)
    key = audit_key()
    check_fingerprint(conn, "audit", key)
    last = conn.execute(last_entry, {"company": company_id}).first()
    seq, prev = (last[0], last[1]) if last else (0, GENESIS)
    rows = []
    for it in items:
        seq += 1
        h = entry_hash(key, prev, seq, it["at"], it["actor"], it["action"], it["entity"], it["entity_id"],
                       it["reason"], it["before"], it["after"])
        rows.append({**it, "company_id": company_id, "seq": seq, "prev_hash": prev, "entry_hash": h})
        prev = h
    # A Core insert of a statement built once: the ORM's flush was most of an append's cost.
    for row, entry_id in zip(rows, conn.execute(append, rows).scalars().all(), strict=True):
        row["id"] = entry_id
    return rows


@dataclass
class ServiceContext:
    """session: the open unit of work (services never commit); company_id: the tenant;
    actor: 'user:alice', 'apikey:ab12cd34', 'cli', 'system:scheduler'; role: the actor's role."""

    session: Session
    company_id: int
    actor: str
    role: str = "admin"
    _after_commit: list[Any] = field(default_factory=list)
    _seal_requested: bool = False

    def connection(self) -> Connection:
        """The unit of work's connection, for statements built once per process and run without the ORM
        layer (a fraction of the cost per statement: the order check's hot path). What the session still
        holds is written first, so such reads see it."""
        session = self.session
        if session.new or session.dirty or session.deleted:
            session.flush()
        return session.connection()

    def require(self, role: str) -> None:
        require_role(self.role, role)

    def audit(self, action: str, entity: str, entity_id: str | int | None = None, *, reason: str | None = None,
              before: Any = None, after: Any = None) -> AuditEntry:
        """Append one entry to the company's hash chain.

        Appends are serialised per company until commit (`lock_chain`), taken before the last entry is
        read, so the read sees the newest entry."""
        conn = self.connection()  # what the unit of work changed so far is written before the lock
        lock_chain(conn, self.company_id)
        [row] = append_entries(conn, self.company_id, [{
            "at": datetime.now(UTC).replace(tzinfo=None), "actor": self.actor, "action": action, "entity": entity,
            "entity_id": None if entity_id is None else str(entity_id), "reason": reason,
            "before": canonical(before), "after": canonical(after)}])
        return AuditEntry(**row)

    def audit_later(self, action: str, entity: str, entity_id: str | int | None = None, *,
                    reason: str | None = None, before: Any = None, after: Any = None) -> None:
        """Record an audit entry with this unit of work that joins the hash chain just after it commits.

        For decisions taken many times a second (the order credit check): one insert, and the company's
        append lock is not held by the decision's transaction. The entry commits or rolls back with the
        unit of work (`audit_pending`); `platform.sealing` moves pending entries into the chain in order:
        the server's sealer thread within a moment, elsewhere right after commit, and every reader of
        the chain (`seal_audit` before `verify_audit`) first."""
        from arguard.platform.keys import audit_key

        at = datetime.now(UTC).replace(tzinfo=None)
        entry = {"at": at, "actor": self.actor, "action": action, "entity": entity,
                 "entity_id": None if entity_id is None else str(entity_id), "reason": reason,
                 "before": canonical(before), "after": canonical(after)}
        self.connection().execute(_PENDING_INSERT, {"company_id": self.company_id, **entry,
                                                    "mac": pending_mac(audit_key(), **entry)})
        if not self._seal_requested:
            self._seal_requested = True
            from arguard.platform.sealing import request_seal

            engine, company_id = self.session.get_bind().engine, self.company_id
            self.after_commit(lambda: request_seal(engine, company_id))

    def after_commit(self, callback: Any) -> None:
        """Run `callback()` once the shell has committed this unit of work (e.g. notify listeners)."""
        self._after_commit.append(callback)

    def run_after_commit(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for cb in callbacks:
            cb()
