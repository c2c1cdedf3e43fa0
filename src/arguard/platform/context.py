"""ServiceContext: who acts, for which company, in which unit of work. First argument of every service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from arguard.platform.audit import GENESIS, canonical, entry_hash
from arguard.platform.roles import require_role
from arguard.platform.tables import AuditEntry


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
        """Append one entry to the company's hash chain (serialised per company by a row lock)."""
        last = self.session.execute(
            select(AuditEntry.seq, AuditEntry.entry_hash)
            .where(AuditEntry.company_id == self.company_id)
            .order_by(AuditEntry.seq.desc()).limit(1).with_for_update()
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
