"""Stored provisions: each booked (saved) provision of a company, so the next one proposes the movement."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, MoneyMinor, utcnow_column


class StoredProvision(CompanyScoped, Base):
    """A provision as saved on a date: the matrix total (the booked loss allowance), the PD × LGD × EAD
    total beside it, both gross and net of insurance, in the base currency; `settings` the multiplier,
    LGD and look-back it was computed with; `matrix` the rows as shown."""

    __tablename__ = "forecast_provisions"
    __table_args__ = (Index("ix_forecast_provisions_company_as_of", "company_id", "as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    matrix_minor: Mapped[int] = mapped_column(MoneyMinor)
    matrix_net_minor: Mapped[int] = mapped_column(MoneyMinor)
    buyers_minor: Mapped[int] = mapped_column(MoneyMinor)
    buyers_net_minor: Mapped[int] = mapped_column(MoneyMinor)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    matrix: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class StoredPage(CompanyScoped, Base):
    """The forecast page's answer as computed for a date (rule 9 in README.md): the forecast, the actual
    receipts before it and the provision, as JSON; `inputs` the version of the book it was computed from
    (`pages.inputs_version`), so the page can say when the book has moved on since."""

    __tablename__ = "forecast_page_results"
    __table_args__ = (Index("ix_forecast_page_results_company_as_of", "company_id", "as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date] = mapped_column(Date)
    inputs: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(128))
    computed_at: Mapped[datetime] = utcnow_column()
