"""Policy and appetite are cached per process (README rule 39): a cap or policy changed through the
service, or written by another process straight into the table, is seen by the very next check."""

from __future__ import annotations

from sqlalchemy import update

from arguard.core.money import Money
from arguard.limits import service
from arguard.limits.tables import AppetiteCap
from tests.limits.ledger_text import check, codes, write


def test_a_cap_changed_through_the_service_binds_the_next_check(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            limit ACME 100000 internal approved
        """)
        assert check(ctx, "SO-1", "ACME", "10000").outcome == "release"  # caches the settings
    with ctx_factory() as ctx:
        service.set_appetite(ctx, "country", "DE", Money.of("15000", "EUR"), "tighter")
    with ctx_factory() as ctx:
        a = check(ctx, "SO-2", "ACME", "10000")
    assert a.outcome == "hold" and "appetite.country" in codes(a)


def test_a_cap_written_by_another_process_is_seen_through_the_token(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            limit ACME 100000 internal approved
        """)
        service.set_appetite(ctx, "country", "DE", Money.of("15000", "EUR"), "start tight")
        assert check(ctx, "SO-1", "ACME", "10000").outcome == "release"
    with ctx_factory() as ctx:  # another process: no in-process invalidation, only the table changes
        ctx.session.execute(update(AppetiteCap).where(AppetiteCap.company_id == ctx.company_id)
                            .values(max_minor=Money.of("1000000", "EUR").minor))
    with ctx_factory() as ctx:
        assert check(ctx, "SO-2", "ACME", "10000").outcome == "release"


def test_a_policy_change_binds_the_next_check(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            limit ACME 100000 internal approved
        """)
        assert check(ctx, "SO-1", "ACME", "10000").figures["limit_currency"] == "EUR"
    with ctx_factory() as ctx:
        service.set_policy(ctx, horizon_days=1)
    with ctx_factory() as ctx:
        assert service.get_policy(ctx).check.horizon_days == 1
        # SO-1 ships on 2026-03-10, beyond a one-day horizon: it no longer counts
        b = check(ctx, "SO-2", "ACME", "10000")
    assert b.figures["orders"] == "0.00"
