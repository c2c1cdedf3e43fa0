"""A book shaped like `arguard demo --size large`, written straight into PostgreSQL with set-based SQL,
for when the real large demo cannot be built in the time at hand (it loads through the ledger's import
service, which takes far longer on a small shared machine).

Company SYNTH (EUR): 20,000 buyers in 30 countries and 12 sectors (5 % in groups), 1,000,000 invoices
over three years ending on `as_of` (about 8 % still open, some overdue, 2 % disputed, 5 % in USD with a
dated rate), a stored grade for every buyer, internal limits for 85 % of buyers (a third also insured)
recorded through `limits.service.import_decisions`, risk-appetite caps per country, sector and book,
and 5,000 released open orders. Seeded: the same seed gives the same book.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import Engine, text

COUNTRIES = [
    "DE",
    "FR",
    "IT",
    "ES",
    "NL",
    "BE",
    "PL",
    "CZ",
    "AT",
    "CH",
    "GB",
    "IE",
    "SE",
    "DK",
    "FI",
    "NO",
    "PT",
    "GR",
    "HU",
    "RO",
    "US",
    "CA",
    "MX",
    "BR",
    "CN",
    "JP",
    "KR",
    "IN",
    "TR",
    "AE",
]
SECTORS = ["C10", "C20", "C25", "C28", "F41", "G46", "G47", "H49", "J62", "M71", "N82", "Q86"]


def build_synthetic(
    engine: Engine,
    *,
    buyers: int = 20_000,
    invoices: int = 1_000_000,
    as_of: date,
    seed: int = 1,
    company_code: str = "SYNTH",
) -> None:
    from arguard.core.money import Money
    from arguard.db.session import session_scope
    from arguard.limits import service
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company

    start = as_of - timedelta(days=3 * 365)
    with session_scope(engine) as s:
        cid = create_company(s, company_code, "Synthetic large book", "EUR").id
        s.execute(text("SELECT setseed(:x)"), {"x": (seed % 1000) / 1000})
        s.execute(
            text("""
            INSERT INTO customers (company_id, code, name, aliases, country, sector, currency, terms_days, language,
                                   parent_code)
            SELECT :cid, 'C' || lpad(g::text, 6, '0'), 'Buyer ' || g || ' Ltd', '[]',
                   (CAST(:countries AS text[]))[1 + (g * 7) % 30], (CAST(:sectors AS text[]))[1 + (g * 5) % 12], 'EUR', (ARRAY[30,45,60,90])[1 + g % 4],
                   'en', CASE WHEN g % 20 = 0 AND g > 40 THEN 'C' || lpad((g - 20)::text, 6, '0') END
            FROM generate_series(1, :n) g"""),
            {"cid": cid, "n": buyers, "countries": list(COUNTRIES), "sectors": list(SECTORS)},
        )
        s.execute(
            text("""
            INSERT INTO invoices (company_id, customer_id, number, document_type, issue_date, due_date, currency,
                                  amount_minor, open_minor, disputed)
            SELECT :cid, c.id, 'I' || lpad(g::text, 8, '0'), 'invoice', d, d + 30,
                   CASE WHEN g % 20 = 0 THEN 'USD' ELSE 'EUR' END, a,
                   CASE WHEN d > :recent THEN a WHEN random() < 0.01 THEN a / 2 ELSE 0 END,
                   random() < 0.02
            FROM (SELECT g, :start + (g::bigint * :days / :n)::int AS d, (100000 + (random() * 4900000))::bigint AS a,
                         1 + (g::bigint * 7919) % :buyers AS k
                  FROM generate_series(1, :n) g) x
            JOIN customers c ON c.company_id = :cid AND c.code = 'C' || lpad(x.k::text, 6, '0')"""),
            {
                "cid": cid,
                "n": invoices,
                "buyers": buyers,
                "start": start,
                "days": (as_of - start).days,
                "recent": as_of - timedelta(days=75),
            },
        )
        s.execute(
            text("""INSERT INTO fx_rates (company_id, base, quote, rate, valid_on)
                          VALUES (:cid, 'USD', 'EUR', '0.92', :on)"""),
            {"cid": cid, "on": start},
        )
        s.execute(
            text("""
            INSERT INTO risk_grades (company_id, customer_id, as_of, pd_12m, grade, confidence, reasons, inputs,
                                     model_version, trigger, actor)
            SELECT :cid, id, :on, 0.001 * (1 + id % 97), LEAST(9, 1 + (id % 97) / 11), 'medium', '[]', '{}',
                   'synthetic', 'bench', 'bench'
            FROM customers WHERE company_id = :cid"""),
            {"cid": cid, "on": as_of - timedelta(days=10)},
        )
        s.execute(text("ANALYZE customers; ANALYZE invoices; ANALYZE risk_grades"))
        ctx = ServiceContext(s, cid, "bench", "admin")
        rng = random.Random(seed)
        owed = dict(
            s.execute(
                text("""SELECT c.code, COALESCE(SUM(i.open_minor), 0) FROM customers c
                                      LEFT JOIN invoices i ON i.customer_id = c.id AND i.open_minor <> 0
                                      WHERE c.company_id = :cid GROUP BY c.code"""),
                {"cid": cid},
            ).all()
        )
        decisions = []
        for code, minor in owed.items():
            if rng.random() > 0.85:
                continue
            amount = Money(Decimal(int(minor) // 100 + 50000) * Decimal(str(rng.uniform(1.2, 2.0))), "EUR")
            decisions.append(
                (
                    code,
                    service.DecisionInput("internal", "approved", amount, "synthetic", effective_from=start),
                )
            )
            if rng.random() < 0.33:
                decisions.append(
                    (
                        code,
                        service.DecisionInput(
                            "insured",
                            "approved",
                            amount * Decimal("0.7"),
                            "synthetic insurer",
                            effective_from=start,
                        ),
                    )
                )
        service.import_decisions(ctx, decisions, on=as_of, source="synthetic book")
        book = sum(int(m) for m in owed.values()) // 100
        for scope, key, share in (("country", "*", "0.2"), ("sector", "*", "0.3"), ("total", "*", "1.5")):
            service.set_appetite(ctx, scope, key, Money(Decimal(book) * Decimal(share), "EUR"), "synthetic")
        s.execute(
            text("""
            INSERT INTO limits_orders (company_id, order_id, customer_id, amount_minor, currency, limit_minor,
                                       ship_date, country, sector, status, outcome, reasons, figures, source, version)
            SELECT :cid, 'OPEN-' || g, c.id, 500000, 'EUR', 500000, :on + (g % 40), c.country, c.sector, 'released', 'release', '[]',
                   '{}', 'import', 1
            FROM generate_series(1, 5000) g
            JOIN customers c ON c.company_id = :cid AND c.code = 'C' || lpad((1 + (g * 13) % :buyers)::text, 6, '0')"""),
            {"cid": cid, "on": as_of, "buyers": buyers},
        )
        # what those released orders reserve per scope and ship date (the service keeps it with every change)
        for scope, key in (("country", "c.country"), ("sector", "c.sector"), ("total", "'*'")):
            s.execute(text(f"""
                INSERT INTO limits_released_by_day (company_id, scope, key, ship_date, minor)
                SELECT :cid, '{scope}', k, ship_date, SUM(limit_minor) FROM (
                    SELECT {key.replace("c.", "o.")} AS k, o.ship_date, o.limit_minor FROM limits_orders o
                    WHERE o.company_id = :cid AND o.status = 'released') x
                WHERE k IS NOT NULL GROUP BY k, ship_date"""), {"cid": cid})
        s.execute(text("ANALYZE limits_orders; ANALYZE limits_decisions; ANALYZE limits_released_by_day"))
