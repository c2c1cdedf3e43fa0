"""Services of the platform: companies, users, API keys, audit verification."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from arguard.core.errors import Conflict, NotFound, Unauthorized
from arguard.db.driver import DriverStatement
from arguard.platform.audit import ChainBreak, verify_chain
from arguard.platform.context import ServiceContext
from arguard.platform.roles import check_role
from arguard.platform.tables import ApiKey, AuditEntry, Company, User

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


def create_user(ctx: ServiceContext, username: str, role: str, password: str, email: str | None = None,
                language: str = "en") -> User:
    ctx.require("admin")
    check_role(role)
    if ctx.session.scalar(select(User).where(User.company_id == ctx.company_id, User.username == username)):
        raise Conflict(f"user {username!r} exists", code="user_exists")
    user = User(company_id=ctx.company_id, username=username, role=role, email=email, language=language,
                password_hash=hash_password(password))
    ctx.session.add(user)
    ctx.session.flush()
    ctx.audit("user.create", "user", username, after={"role": role, "email": email})
    return user


def authenticate_user(session: Session, company_code: str, username: str, password: str) -> Principal:
    company = session.scalar(select(Company).where(Company.code == company_code))
    user = company and session.scalar(
        select(User).where(User.company_id == company.id, User.username == username))
    if not user or not user.password_hash or not check_password(password, user.password_hash):
        raise Unauthorized("wrong company, user name or password", code="bad_credentials")
    return Principal(user.company_id, f"user:{username}", user.role)


def verify_audit(ctx: ServiceContext) -> list[ChainBreak]:
    """Seal what is pending, then recompute the whole chain."""
    from arguard.platform.sealing import seal_audit

    seal_audit(ctx.session, ctx.company_id)
    rows = ctx.session.scalars(
        select(AuditEntry).where(AuditEntry.company_id == ctx.company_id).order_by(AuditEntry.seq))
    return verify_chain(rows)
