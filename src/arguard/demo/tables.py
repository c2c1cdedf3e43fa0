"""Demo-only table: the hidden truth behind each demo buyer (never shown in the product's views).

The risk capability validates its grades against it; nothing else should read it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped


class DemoBuyerTruth(CompanyScoped, Base):
    """pd_12m: the latent 12-month PD that drove the buyer's behaviour; culture_days: its country's
    payment habit in days beyond terms; defaulted_on/default_kind: when and how it stopped paying."""

    __tablename__ = "demo_buyer_truth"
    __table_args__ = (UniqueConstraint("company_id", "customer_code"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_code: Mapped[str] = mapped_column(String(64))
    pd_12m: Mapped[float] = mapped_column(Float)
    culture_days: Mapped[float] = mapped_column(Float)
    defaulted_on: Mapped[date | None] = mapped_column(Date)
    default_kind: Mapped[str | None] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(Integer)
