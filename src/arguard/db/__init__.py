"""Storage shell: SQLAlchemy 2 engine, sessions, declarative base and Alembic migrations."""

from arguard.db.base import Base, CompanyScoped, MoneyMinor
from arguard.db.session import get_engine, migrate, session_scope

__all__ = ["Base", "CompanyScoped", "MoneyMinor", "get_engine", "migrate", "session_scope"]
