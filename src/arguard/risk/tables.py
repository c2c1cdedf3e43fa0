"""Risk tables: financial statements (facts, append-only) and buyer grades (every grading, with inputs).

Statement amounts are kept as exact decimal text in one JSON object per statement: 28 optional items
would otherwise be 28 nullable money columns, and an item a future ratio needs can be added without a
migration. A correction is a new row; the newest row of a fiscal year wins.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from arguard.db.base import Base, CompanyScoped, utcnow_column


class FinancialStatement(CompanyScoped, Base):
    """One buyer's balance sheet and income statement for one fiscal year (items: name → decimal text)."""

    __tablename__ = "risk_statements"
    __table_args__ = (Index("ix_risk_statements_customer_year", "company_id", "customer_id", "fiscal_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    fiscal_year_end: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    items: Mapped[dict[str, str]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(128), default="import")
    created_at: Mapped[datetime] = utcnow_column()


class BuyerGrade(CompanyScoped, Base):
    """One grading of a buyer: PD, grade, confidence, reasons and what it saw (the grade history)."""

    __tablename__ = "risk_grades"
    __table_args__ = (Index("ix_risk_grades_customer_asof", "company_id", "customer_id", "as_of"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    as_of: Mapped[date] = mapped_column(Date)
    pd_12m: Mapped[float] = mapped_column(Float)
    grade: Mapped[int] = mapped_column(Integer)
    confidence: Mapped[str] = mapped_column(String(8))
    financial_pd: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    inputs: Mapped[dict[str, object]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = utcnow_column()


class DefaultFlag(CompanyScoped, Base):
    """An insolvency or protracted default on record for a buyer: while not lifted, the buyer is grade 10
    whatever else is known (README rule 12). Set by the event that reported it, lifted only by a recorded
    decision (who, when, why)."""

    __tablename__ = "risk_default_flags"
    __table_args__ = (Index("ix_risk_default_flags_customer", "company_id", "customer_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    kind: Mapped[str] = mapped_column(String(32))
    """'insolvency' or 'protracted_default'"""
    flagged_on: Mapped[date] = mapped_column(Date)
    cause: Mapped[str] = mapped_column(String(255))
    flagged_by: Mapped[str] = mapped_column(String(128))
    lifted_on: Mapped[date | None] = mapped_column(Date)
    lifted_by: Mapped[str | None] = mapped_column(String(128))
    lift_reason: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = utcnow_column()
