"""ServiceContext: who acts, for which company, in which unit of work. First argument of every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from arguard.platform.audit import GENESIS, canonical, entry_hash
from arguard.platform.roles import require_role
from arguard.platform.tables import AuditEntry


AUDIT_LOCK_NAMESPACE = 0x415544  # 'AUD': advisory-lock namespace of the audit chain


@dataclass
class ServiceContext:
    """session: the open unit of work (services never commit); company_id: the tenant;
    actor: 'user:alice', 'apikey:ab12cd34', 'cli', 'system:scheduler'; role: the actor's role."""

    session: Session
    company_id: int
    actor: str
    role: str = "admin"
    _after_commit: list[Any] = field(default_factory=list)

    def require(self, role: str) -> None:
        require_role(self.role, role)

    def audit(self, action: str, entity: str, entity_id: str | int | None = None, *, reason: str | None = None,
              before: Any = None, after: Any = None) -> AuditEntry:
        """Append one entry to the company's hash chain.

        Appends are serialised per company until commit: on PostgreSQL by a transaction-scoped advisory
        lock taken *before* the last entry is read (a row lock on the last entry is not enough: two waiters
        would both read the same last entry once it is released). On SQLite a no-op write (to a non-key column, so no foreign key is re-checked) takes the
        database's write lock first, so the read below sees the newest entry."""
        if self.session.get_bind().dialect.name == "postgresql":
            self.session.execute(text("SELECT pg_advisory_xact_lock(:ns, :company)"),
                                 {"ns": AUDIT_LOCK_NAMESPACE, "company": self.company_id})
        else:
            self.session.execute(text("UPDATE companies SET name = name WHERE id = :company"),
                                 {"company": self.company_id})
        last = self.session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash)
            .where(AuditEntry.company_id == self.company_id)
            .order_by(AuditEntry.seq.desc()).limit(1)
        ).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        at = datetime.now(UTC).replace(tzinfo=None)
        before_c, after_c = canonical(before), canonical(after)
        eid = None if entity_id is None else str(entity_id)
        row = AuditEntry(
            company_id=self.company_id, seq=seq, at=at, actor=self.actor, action=action, entity=entity,
            entity_id=eid, reason=reason, before=before_c, after=after_c, prev_hash=prev,
            entry_hash=entry_hash(prev, seq, at, self.actor, action, entity, eid, reason, before_c, after_c),
        )
        self.session.add(row)
        self.session.flush()
        return row

    def after_commit(self, callback: Any) -> None:
        """Run `callback()` once the shell has committed this unit of work (e.g. notify listeners)."""
        self._after_commit.append(callback)

    def run_after_commit(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for cb in callbacks:
            cb()
