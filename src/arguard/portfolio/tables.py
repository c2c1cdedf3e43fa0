"""Stored answers of the portfolio page and of the loss figures the needs assessment reads (README rule on
stored results): keyed by the sha256 of the exact simulation inputs, so a stored answer is the one a new
simulation would give (the simulation is seeded)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, utcnow_column


class StoredResult(CompanyScoped, Base):
    __tablename__ = "portfolio_results"
    __table_args__ = (Index("ix_portfolio_results_lookup", "company_id", "as_of", "kind", "inputs"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    inputs: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = utcnow_column()
