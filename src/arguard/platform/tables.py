"""Tables of the platform: tenants, users, API keys, audit log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, utcnow_column


class Company(Base):
    """A seller using arguard; every business row belongs to exactly one company."""

    __tablename__ = "companies"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    base_currency: Mapped[str] = mapped_column(String(3), default="EUR")
    created_at: Mapped[datetime] = utcnow_column()


class User(CompanyScoped, Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("company_id", "username"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="en")
    created_at: Mapped[datetime] = utcnow_column()
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """A disabled user cannot sign in, and its open sessions stop working at once."""
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Written into each session cookie; signing out (or disabling, or a role change) raises it, which
    revokes every session the user had open."""


class ApiKey(CompanyScoped, Base):
    """An API key; only its SHA-256 is stored. The prefix identifies it in lists and logs."""

    __tablename__ = "api_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    label: Mapped[str | None] = mapped_column(String(128))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = utcnow_column()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEntry(CompanyScoped, Base):
    """One state change or decision. `entry_hash` = SHA-256(prev_hash + canonical JSON of the entry)."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("company_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime())
    """Naive UTC, so that the hashed text is identical on every database."""
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64), index=True)
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditPending(CompanyScoped, Base):
    """An audit entry written with its decision's unit of work that has not joined the hash chain yet
    (`ServiceContext.audit_later`); the sealer moves it into `audit_log` in order. `before`/`after` are
    already canonical (`audit.canonical`)."""

    __tablename__ = "audit_pending"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime())
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str | None] = mapped_column(Text)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    mac: Mapped[str | None] = mapped_column(String(64))
    """HMAC of the entry with the audit key (`audit.pending_mac`): the sealer chains only entries whose
    MAC holds; an altered one stays pending and `verify_audit` reports it."""


class InstallationKey(Base):
    """The fingerprint (HMAC of a fixed text) of a key the database's data depends on, e.g. the audit key:
    a process started with another key (another data dir, a lost key file) is stopped before it writes
    a chain nobody can verify. Not company-scoped: the key belongs to the installation."""

    __tablename__ = "installation_keys"
    purpose: Mapped[str] = mapped_column(String(32), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
