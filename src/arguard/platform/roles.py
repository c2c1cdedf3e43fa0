"""Roles, from least to most powerful. A role may do everything the roles below it may do."""

from __future__ import annotations

from arguard.core.errors import Forbidden, ValidationError

ROLES: tuple[str, ...] = ("viewer", "analyst", "credit_manager", "admin")
"""viewer: reads; analyst: imports data and runs analyses; credit_manager: decides limits, releases
holds, confirms matches; admin: manages users, keys, rules and settings."""


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; roles are {', '.join(ROLES)}", code="invalid_role")
    return role


def role_allows(held: str, needed: str) -> bool:
    return ROLES.index(check_role(held)) >= ROLES.index(check_role(needed))


def require_role(held: str, needed: str) -> None:
    if not role_allows(held, needed):
        raise Forbidden(f"role {held!r} may not do this; it needs {needed!r}", code="role_forbidden")
