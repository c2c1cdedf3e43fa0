"""Services of the platform: companies, users, API keys, audit verification."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from arguard.core.errors import Conflict, NotFound, Unauthorized, ValidationError
from arguard.db.driver import DriverStatement
from arguard.platform.audit import ChainBreak, verify_chain, verify_head
from arguard.platform.context import ServiceContext
from arguard.platform.roles import check_role
from arguard.platform.tables import ApiKey, AuditEntry, AuditPending, Company, User

KEY_PREFIX = "ag_"


def create_company(session: Session, code: str, name: str, base_currency: str = "EUR") -> Company:
    if session.scalar(select(Company).where(Company.code == code)) is not None:
        raise Conflict(f"company {code!r} exists", code="company_exists")
    company = Company(code=code, name=name, base_currency=base_currency)
    session.add(company)
    session.flush()
    ServiceContext(session, company.id, "system").audit("company.create", "company", code, after={"name": name})
    return company


def get_company(session: Session, code: str) -> Company:
    company = session.scalar(select(Company).where(Company.code == code))
    if company is None:
        raise NotFound(f"no company {code!r}", code="company_not_found")
    return company


def list_companies(session: Session) -> list[Company]:
    return list(session.scalars(select(Company).order_by(Company.id)))


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(ctx: ServiceContext, role: str, label: str | None = None) -> str:
    """Create a key and return it; only its hash is kept, so it is shown once."""
    ctx.require("admin")
    check_role(role)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(company_id=ctx.company_id, prefix=key[:11], key_hash=_hash_key(key), role=role, label=label)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("apikey.create", "api_key", row.prefix, after={"role": role, "label": label})
    return key


@dataclass(frozen=True)
class Principal:
    company_id: int
    actor: str
    role: str


_KEY_LOOKUP = DriverStatement(lambda: select(ApiKey.company_id, ApiKey.prefix, ApiKey.role, ApiKey.revoked_at)
                              .where(ApiKey.key_hash == bindparam("key_hash")))
"""Read on every API request: run on the driver's cursor (`db.driver`)."""


def authenticate_key(session: Session, key: str) -> Principal:
    """The principal of an API key (by its hash), read in the caller's unit of work."""
    rows = _KEY_LOOKUP.rows(session.connection(), {"key_hash": _hash_key(key)})
    if not rows or rows[0][3] is not None:
        raise Unauthorized("invalid or revoked API key", code="invalid_api_key")
    company_id, prefix, role, _ = rows[0]
    return Principal(company_id, f"apikey:{prefix}", role)


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_password(password: str, stored: str) -> bool:
    _, salt_hex, digest_hex = stored.split("$")
    return hmac.compare_digest(hash_password(password, bytes.fromhex(salt_hex)).split("$")[2], digest_hex)


_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
"""Checked against when the user is unknown, so that an unknown user takes as long as a known one."""

MIN_PASSWORD_LENGTH = 8
_COMMON_PASSWORDS = frozenset(["password", "password1", "password12", "password123", "passw0rd", "p@ssw0rd", "p@ssword", "12345678", "123456789", "1234567890", "12341234", "11111111", "00000000", "87654321", "88888888", "66666666", "qwertyui", "qwerty123", "qwertyuiop", "1q2w3e4r", "1qaz2wsx", "zaq12wsx", "asdfghjk", "asdf1234", "abcd1234", "abc12345", "iloveyou", "sunshine", "princess", "football", "baseball", "welcome1", "welcome123", "letmein1", "trustno1", "superman", "starwars", "dragon123", "monkey123", "master123", "admin123", "administrator", "changeme", "change-me", "changeit", "arguard123", "arguard1", "secret123", "computer", "internet", "whatever", "woaini1314", "a1234567", "aa123456", "qq123456", "123123123", "147258369", "5201314520", "123qweasd", "qweasdzxc"])
"""A small list of the most common passwords (and this product's name): refused whatever their length."""


def check_password_policy(password: str, username: str = "") -> None:
    """At least 8 characters, not a common password, not the user name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError(f"a password has at least {MIN_PASSWORD_LENGTH} characters", code="weak_password")
    lowered = password.lower()
    if lowered in _COMMON_PASSWORDS or (username and lowered == username.lower()) or len(set(password)) < 3:
        raise ValidationError("this password is too easy to guess; choose another", code="weak_password")


def create_user(ctx: ServiceContext, username: str, role: str, password: str, email: str | None = None,
                language: str = "en") -> User:
    ctx.require("admin")
    check_role(role)
    check_password_policy(password, username)
    if ctx.session.scalar(select(User).where(User.company_id == ctx.company_id, User.username == username)):
        raise Conflict(f"user {username!r} exists", code="user_exists")
    user = User(company_id=ctx.company_id, username=username, role=role, email=email, language=language,
                password_hash=hash_password(password))
    ctx.session.add(user)
    ctx.session.flush()
    ctx.audit("user.create", "user", username, after={"role": role, "email": email})
    return user


def authenticate_user(session: Session, company_code: str, username: str, password: str) -> Principal:
    """The principal of a dashboard sign-in. An unknown company or user costs one password hash too,
    so the answer's time does not tell which users exist; a disabled user cannot sign in."""
    company = session.scalar(select(Company).where(Company.code == company_code))
    user = company and session.scalar(
        select(User).where(User.company_id == company.id, User.username == username))
    stored = user.password_hash if user and user.password_hash else _DUMMY_HASH
    matches = check_password(password, stored)
    if not user or not user.password_hash or not matches or not user.active:
        raise Unauthorized("wrong company, user name or password", code="bad_credentials")
    return Principal(user.company_id, f"user:{username}", user.role)


@dataclass(frozen=True)
class SessionUser:
    """What a dashboard session cookie names: the user and the session version it was issued under."""

    principal: Principal
    session_version: int


def session_user(session: Session, company_id: int, username: str) -> SessionUser | None:
    """The user of a session cookie as it is now (role, version), or None if gone or disabled."""
    user = session.scalar(select(User).where(User.company_id == company_id, User.username == username))
    if user is None or not user.active:
        return None
    return SessionUser(Principal(company_id, f"user:{username}", user.role), user.session_version)


def _user(ctx: ServiceContext, username: str) -> User:
    user = ctx.session.scalar(select(User).where(User.company_id == ctx.company_id, User.username == username))
    if user is None:
        raise NotFound(f"no user {username!r}", code="user_not_found")
    return user


def end_sessions(ctx: ServiceContext, username: str) -> None:
    """Revoke every dashboard session of the user (sign-out: the cookie stops working everywhere)."""
    if ctx.actor != f"user:{username}":
        ctx.require("admin")
    user = _user(ctx, username)
    user.session_version += 1
    ctx.audit("user.sessions_end", "user", username)


def set_user_active(ctx: ServiceContext, username: str, active: bool) -> User:
    """Disable (or enable again) a user; disabling ends its sessions at once."""
    ctx.require("admin")
    user = _user(ctx, username)
    before = user.active
    user.active = active
    user.session_version += 1
    revoked = []
    if not active:  # the user's own API keys stop with it
        from datetime import UTC, datetime

        for key in ctx.session.scalars(select(ApiKey).where(ApiKey.company_id == ctx.company_id,
                                                            ApiKey.user_id == user.id, ApiKey.revoked_at.is_(None))):
            key.revoked_at = datetime.now(UTC)
            revoked.append(key.prefix)
    ctx.audit("user.enable" if active else "user.disable", "user", username, before={"active": before},
              after={"active": active, "api_keys_revoked": revoked})
    return user


def set_user_role(ctx: ServiceContext, username: str, role: str) -> User:
    """Change a user's role; open sessions carry on with the new role (read at each request)."""
    ctx.require("admin")
    check_role(role)
    user = _user(ctx, username)
    before = user.role
    user.role = role
    ctx.audit("user.role", "user", username, before={"role": before}, after={"role": role})
    return user


def set_user_password(ctx: ServiceContext, username: str, password: str) -> User:
    ctx.require("admin")
    user = _user(ctx, username)
    check_password_policy(password, username)
    user.password_hash = hash_password(password)
    user.session_version += 1
    ctx.audit("user.password", "user", username)
    return user


def revoke_api_key(ctx: ServiceContext, prefix: str) -> ApiKey:
    """Revoke the key whose shown prefix (`ag_` and 8 characters) is `prefix`; it stops at once."""
    ctx.require("admin")
    rows = list(ctx.session.scalars(select(ApiKey).where(ApiKey.company_id == ctx.company_id,
                                                         ApiKey.prefix == prefix[:11])))
    if not rows:
        raise NotFound(f"no API key {prefix!r}", code="api_key_not_found")
    if len(rows) > 1:
        raise Conflict(f"{len(rows)} keys start with {prefix!r}", code="api_key_ambiguous")
    row = rows[0]
    if row.revoked_at is None:
        from datetime import UTC, datetime

        row.revoked_at = datetime.now(UTC)
        ctx.audit("apikey.revoke", "api_key", row.prefix, before={"role": row.role, "label": row.label})
    return row


def list_api_keys(ctx: ServiceContext) -> list[ApiKey]:
    ctx.require("admin")
    return list(ctx.session.scalars(select(ApiKey).where(ApiKey.company_id == ctx.company_id).order_by(ApiKey.id)))


def verify_audit(ctx: ServiceContext, head: dict[str, Any] | None = None) -> list[ChainBreak]:
    """Seal what is pending, then recompute the whole chain with the installation's audit key; with a
    `head` exported earlier (`audit_head`), also check that the chain still holds it."""
    from arguard.platform.keys import audit_key
    from arguard.platform.sealing import seal_audit

    seal_audit(ctx.session, ctx.company_id)
    rows = list(ctx.session.scalars(
        select(AuditEntry).where(AuditEntry.company_id == ctx.company_id).order_by(AuditEntry.seq)))
    breaks = verify_chain(rows, audit_key())
    stuck = ctx.session.scalars(select(AuditPending.id).where(AuditPending.company_id == ctx.company_id)
                                .order_by(AuditPending.id))
    breaks += [ChainBreak(0, f"pending entry {pid} was altered before it joined the chain (its MAC does not "
                             "hold); it stays out of the chain") for pid in stuck]
    if head is not None:
        breaks += verify_head({r.seq: r.entry_hash for r in rows}, int(head["seq"]), str(head["entry_hash"]))
    return breaks


def rekey_audit(ctx: ServiceContext) -> int:
    """Move a chain written before the audit key (unkeyed SHA-256) onto the key, once: only a chain
    intact under the old algorithm is moved; a chain that already verifies is left alone. Returns the
    number of entries rehashed."""
    from sqlalchemy import update

    from arguard.platform.audit import rekeyed
    from arguard.platform.context import lock_chain
    from arguard.platform.keys import audit_key

    ctx.require("admin")
    if not verify_audit(ctx):
        return 0
    lock_chain(ctx.connection(), ctx.company_id)
    rows = list(ctx.session.scalars(
        select(AuditEntry).where(AuditEntry.company_id == ctx.company_id).order_by(AuditEntry.seq)))
    try:
        moved = rekeyed(rows, audit_key())
    except ValueError as exc:
        raise Conflict(f"the audit chain is broken ({exc}); it is not rekeyed", code="audit_broken") from None
    for seq, prev, new in moved:
        ctx.session.execute(update(AuditEntry).where(AuditEntry.company_id == ctx.company_id,
                                                     AuditEntry.seq == seq).values(prev_hash=prev, entry_hash=new))
    ctx.session.expire_all()
    ctx.audit("audit.rekey", "audit_log", None, after={"entries": len(moved)})
    return len(moved)


def audit_head(ctx: ServiceContext) -> dict[str, Any]:
    """The chain's newest entry, to be kept outside the database (after sealing what is pending)."""
    from arguard.platform.sealing import seal_audit

    seal_audit(ctx.session, ctx.company_id)
    last = ctx.session.scalar(select(AuditEntry).where(AuditEntry.company_id == ctx.company_id)
                              .order_by(AuditEntry.seq.desc()).limit(1))
    company = ctx.session.get(Company, ctx.company_id)
    return {"company": company.code if company else None, "seq": last.seq if last else 0,
            "entry_hash": last.entry_hash if last else "0" * 64,
            "at": last.at.isoformat() if last else None}


def user_language(session: Session, company_id: int, username: str) -> str | None:
    """The language a user chose for the dashboard ('en', 'zh-CN'), read at sign-in."""
    return session.scalar(select(User.language).where(User.company_id == company_id, User.username == username))
