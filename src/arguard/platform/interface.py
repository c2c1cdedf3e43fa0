"""The platform's front door for capabilities and the shell: the company of the unit of work, its users,
and sign-in. The platform's kernel modules (context, events, roles, registry, audit) are public too (see
its capability.py); its `tables` and `service` are not."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from arguard.core.errors import NotFound
from arguard.platform import service as _service
from arguard.platform.context import ServiceContext
from arguard.platform.service import (
    Principal,
    authenticate_key,
    authenticate_user,
    create_api_key,
    end_sessions,
    session_user,
    user_language,
)
from arguard.platform.tables import Company, User


@dataclass(frozen=True, slots=True)
class UserRef:
    """A user of the company: row id, user name, e-mail address, role, language, and whether active."""

    id: int
    username: str
    email: str | None
    role: str
    language: str
    active: bool


def _user_ref(u: User) -> UserRef:
    return UserRef(u.id, u.username, u.email, u.role, u.language, bool(u.active))


@dataclass(frozen=True, slots=True)
class CompanyRef:
    """A company (tenant): row id, code, name and base currency."""

    id: int
    code: str
    name: str
    base_currency: str


def _company_ref(c: Company) -> CompanyRef:
    return CompanyRef(c.id, c.code, c.name, c.base_currency)


def create_company(session: Session, code: str, name: str, base_currency: str = "EUR") -> CompanyRef:
    """A new company (tenant)."""
    return _company_ref(_service.create_company(session, code, name, base_currency))


def get_company(session: Session, code: str) -> CompanyRef:
    """The company with this code (NotFound if there is none)."""
    return _company_ref(_service.get_company(session, code))


def list_companies(session: Session) -> list[CompanyRef]:
    """Every company, as the platform lists them."""
    return [_company_ref(c) for c in _service.list_companies(session)]


def create_user(ctx: ServiceContext, username: str, role: str, password: str, email: str | None = None,
                language: str = "en") -> UserRef:
    """A new dashboard user of the company (an admin's act, audited)."""
    return _user_ref(_service.create_user(ctx, username, role, password, email, language))


def company_name(ctx: ServiceContext) -> str:
    """The name of the unit of work's company."""
    return ctx.session.scalar(select(Company.name).where(Company.id == ctx.company_id)) or ""


def company_base_currency(ctx: ServiceContext) -> str:
    """The company's base currency (ISO 4217), in which reports total."""
    return ctx.session.scalar(select(Company.base_currency).where(Company.id == ctx.company_id)) or "EUR"


def lock_company(ctx: ServiceContext) -> None:
    """Hold the company's row lock until commit (one bulk writer per company at a time)."""
    ctx.session.execute(select(Company.id).where(Company.id == ctx.company_id).with_for_update())


def company_ids(session: Session) -> list[tuple[int, str]]:
    """(id, code) of every company, in id order (the scheduler runs each)."""
    return [(int(i), str(c)) for i, c in session.execute(select(Company.id, Company.code).order_by(Company.id))]


def company_id(session: Session, code: str) -> int | None:
    """The id of the company with this code, or None."""
    return session.scalar(select(Company.id).where(Company.code == code))


def delete_company(session: Session, company_id: int) -> None:
    """Delete a company and, by cascade, every row it owns (the demo's --reset)."""
    session.execute(delete(Company).where(Company.id == company_id))


def find_user(ctx: ServiceContext, username: str) -> UserRef | None:
    u = ctx.session.scalar(select(User).where(User.company_id == ctx.company_id, User.username == username))
    return None if u is None else _user_ref(u)


def user_ref(ctx: ServiceContext, username: str) -> UserRef:
    """The company's user with this name; NotFound (`user_not_found`) when there is none."""
    found = find_user(ctx, username)
    if found is None:
        raise NotFound(f"no user {username!r}", code="user_not_found")
    return found


def users(ctx: ServiceContext, ids: Iterable[int] | None = None) -> dict[int, UserRef]:
    """Id → user, of the ids named (every user of the company when None)."""
    q = select(User).where(User.company_id == ctx.company_id)
    if ids is not None:
        q = q.where(User.id.in_(sorted(set(ids))))
    return {u.id: _user_ref(u) for u in ctx.session.scalars(q)}


__all__ = [
    "CompanyRef",
    "Principal",
    "UserRef",
    "authenticate_key",
    "authenticate_user",
    "company_base_currency",
    "company_id",
    "company_ids",
    "company_name",
    "create_api_key",
    "create_company",
    "create_user",
    "delete_company",
    "end_sessions",
    "find_user",
    "get_company",
    "list_companies",
    "lock_company",
    "session_user",
    "user_language",
    "user_ref",
    "users",
]
