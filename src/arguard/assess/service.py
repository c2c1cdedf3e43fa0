"""Needs assessment service: gathers the book through the ledger's, risk's and portfolio's front doors
and runs the pure rules."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from arguard.assess.model import Assessment, BookFacts, Position
from arguard.assess.rules import assess as run_rules
from arguard.platform.context import ServiceContext

HOME_OF_CURRENCY = {"CNY": "CN", "USD": "US", "GBP": "GB", "JPY": "JP", "CHF": "CH", "HKD": "HK", "KRW": "KR",
                    "INR": "IN", "BRL": "BR", "PLN": "PL", "CZK": "CZ", "SEK": "SE", "DKK": "DK", "NOK": "NO",
                    "CAD": "CA", "AUD": "AU", "SGD": "SG", "TRY": "TR", "MXN": "MX", "ZAR": "ZA"}


def home_country(base_currency: str, countries: list[str], given: str | None) -> str | None:
    """The seller's own country: as given; else the country of its base currency; else (euro and
    others shared by many countries) the most common buyer country."""
    if given:
        return given.upper()
    if base_currency in HOME_OF_CURRENCY:
        return HOME_OF_CURRENCY[base_currency]
    return Counter(countries).most_common(1)[0][0] if countries else None


def book_facts(ctx: ServiceContext, as_of: date, home: str | None = None, seed: int = 20261204) -> BookFacts:
    from arguard.ledger import interface as ledger
    from arguard.portfolio import interface as portfolio
    from arguard.portfolio.model import SimulationSettings
    from arguard.risk import interface as risk

    stored, loss = portfolio.stored_loss_figures(ctx, as_of, settings=SimulationSettings(
        seed=seed, min_scenarios=32_768, chunk=2_048, contributions=False))
    book = stored.book
    graded = risk.newest_grades(ctx)
    weighted: dict[str, float] = defaultdict(float)
    amounts: dict[str, float] = defaultdict(float)
    for item in ledger.open_items(ctx, as_of=as_of):
        if item.document_type == "invoice" and item.open.amount > 0:
            weighted[item.customer_code] += float(item.open.amount) * (item.due_date - item.issue_date).days
            amounts[item.customer_code] += float(item.open.amount)
    positions = tuple(
        Position(str(code), float(ead), float(pd) if str(code) in graded else None, str(country), str(sector),
                 weighted[str(code)] / amounts[str(code)] if amounts.get(str(code)) else None)
        for code, ead, pd, country, sector in zip(book.ids, book.ead, book.pd, book.country, book.sector,
                                                  strict=True))
    aging = ledger.aging_report(ctx, as_of).converted
    minor = aging.bucket_minor if aging else (0,)
    total = sum(minor) or 1
    countries = sorted({p.country for p in positions})
    return BookFacts(
        as_of, book.currency, home_country(book.currency, [p.country for p in positions], home), positions,
        overdue_share=sum(minor[1:]) / total, overdue_90_share=sum(minor[4:]) / total,
        expected_loss=loss["expected_loss"], var_999=loss["var_999"], es_999=loss["es_999"],
        country_class={c: risk.country_class(c) for c in countries})


def assess(ctx: ServiceContext, as_of: date, home: str | None = None, seed: int = 20261204) -> Assessment:
    """Which protection fits the stored book, and why (English and Chinese)."""
    return run_rules(book_facts(ctx, as_of, home, seed))
