"""Every reason of the order credit check, in domain terms: a small ledger, a limit, an order → the
expected decision and reasons. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from arguard.ledger import service as ledger
from arguard.limits import service
from arguard.limits.sources import BuyerRisk, StaticGrades
from tests.limits.ledger_text import check, codes, write


def test_order_within_the_limit_is_released_and_reserves(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            invoice ACME I-1 40000 EUR due 2026-03-15
            limit ACME 100000 internal approved
        """)
        a = check(ctx, "SO-1", "ACME", "50000")
        assert (a.outcome, a.status) == ("release", "released")
        assert a.figures["exposure"] == "40000.00" and a.figures["available"] == "10000.00"
        assert codes(a) == ["grade.none"]
        # the released order now counts: the next order sees it
        b = check(ctx, "SO-2", "ACME", "20000")
        assert b.outcome == "hold" and b.figures["orders"] == "50000.00"


def test_limit_exceeded_by_x_is_held(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            invoice ACME I-1 90000 EUR due 2026-03-15
            limit ACME 100000 internal approved
        """)
        a = check(ctx, "SO-1", "ACME", "25000")
    assert (a.outcome, a.status) == ("hold", "pending")
    exceeded = next(r for r in a.reasons if r["code"] == "limit.exceeded")
    assert exceeded["excess"] == "15000.00" and "exceeded by 15,000.00 EUR" in exceeded["message"]


def test_large_excess_asks_for_a_guarantee_and_no_limit_is_held(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            customer NEWCO FR
            limit ACME 10000 internal approved
        """)
        assert check(ctx, "SO-1", "ACME", "30000").outcome == "require_guarantee"
        b = check(ctx, "SO-2", "NEWCO", "100")
    assert b.outcome == "hold" and "limit.none" in codes(b)


def test_oldest_overdue_item_shortens_holds_or_asks_prepayment(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer A10 DE
            customer A45 DE
            customer A120 DE
            invoice A10 I-10 1000 EUR due 2026-02-19
            invoice A45 I-45 1000 EUR due 2026-01-15
            invoice A120 I-120 1000 EUR due 2025-11-01
            limit A10 100000 internal approved
            limit A45 100000 internal approved
            limit A120 100000 internal approved
        """)
        short = check(ctx, "SO-1", "A10", "1000")
        hold = check(ctx, "SO-2", "A45", "1000")
        prepay = check(ctx, "SO-3", "A120", "1000")
    assert short.outcome == "shorten_terms" and short.status == "released"
    assert short.reasons[0]["message"] == "oldest item 10 days overdue"
    assert hold.outcome == "hold" and hold.reasons[0]["days"] == 45
    assert prepay.outcome == "require_prepayment" and prepay.reasons[0]["days"] == 120


def test_grade_8_or_worse(ctx_factory):
    grades = StaticGrades({"G7": BuyerRisk(7, 0.05), "G8": BuyerRisk(8, 0.10), "G9": BuyerRisk(9, 0.25)})
    with ctx_factory() as ctx:
        write(ctx, """
            customer G7 DE
            customer G8 DE
            customer G9 DE
            limit G7 50000 internal approved
            limit G8 50000 internal approved
            limit G9 50000 internal approved
        """)
        out = {c: check(ctx, f"SO-{c}", c, "1000", grades=grades) for c in ("G7", "G8", "G9")}
    assert out["G7"].outcome == "shorten_terms" and codes(out["G7"]) == ["grade.weak"]
    assert out["G8"].outcome == "require_guarantee" and out["G8"].reasons[0]["message"] == "grade 8 ≥ 8"
    assert out["G9"].outcome == "require_prepayment"


def test_insured_cover_stopped(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer ACME DE
            customer BETA DE
            limit ACME 80000 insured approved on 2026-01-01
            limit ACME 0 insured cancelled on 2026-02-20 cover_stopped
            limit BETA 80000 internal approved on 2026-01-01
            limit BETA 60000 insured approved on 2026-01-01
            limit BETA 60000 insured approved on 2026-02-25 cover_stopped
        """)
        a = check(ctx, "SO-1", "ACME", "1000")
        b = check(ctx, "SO-2", "BETA", "1000")
    assert a.outcome == "require_guarantee" and "insured.cover_stopped" in codes(a)
    # BETA keeps its internal limit, but without cover the order must be secured otherwise
    assert b.outcome == "require_guarantee" and codes(b)[0] == "insured.cover_stopped"
    assert b.figures["limit"] == "80000.00"


def test_country_and_sector_limits_reached(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer DE1 DE sector=C
            customer DE2 DE sector=F
            customer FR1 FR sector=C
            invoice DE1 I-1 150000 EUR due 2026-03-20
            invoice FR1 I-2 70000 EUR due 2026-03-20
            limit DE1 500000 internal approved
            limit DE2 500000 internal approved
            limit FR1 500000 internal approved
            appetite country DE 200000
            appetite sector C 250000
        """)
        de2 = check(ctx, "SO-1", "DE2", "60000")
        fr1 = check(ctx, "SO-2", "FR1", "40000")
        ok = check(ctx, "SO-3", "DE2", "50000")
    assert de2.outcome == "hold" and codes(de2) == ["appetite.country", "grade.none"]
    assert de2.reasons[0]["excess"] == "10000.00"
    assert fr1.outcome == "hold" and "appetite.sector" in codes(fr1)
    assert ok.outcome == "release"


def test_buyer_in_dispute_or_in_collections_or_blocked(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer DISP DE
            customer COLL DE
            customer BLOCK DE
            invoice DISP I-1 5000 EUR due 2026-03-20
            limit DISP 100000 internal approved
            limit COLL 100000 internal approved
            limit BLOCK 100000 internal approved
        """)
        ledger.set_dispute(ctx, "I-1", True, "quality complaint")
        service.set_collections(ctx, "COLL", True, "handed to agency")
        service.set_order_block(ctx, "BLOCK", True, "insolvency notice", cause="alert:42")
        disp, coll, block = (check(ctx, "SO-1", "DISP", "100"), check(ctx, "SO-2", "COLL", "100"),
                             check(ctx, "SO-3", "BLOCK", "100"))
        service.set_order_block(ctx, "BLOCK", False, "notice withdrawn")
        unblocked = check(ctx, "SO-4", "BLOCK", "100")
    assert disp.outcome == "hold" and disp.reasons[0]["disputed"] == "5000.00"
    assert coll.outcome == "require_prepayment" and codes(coll)[0] == "buyer.collections"
    assert block.outcome == "hold" and block.reasons[0]["message"] == "new orders blocked: insolvency notice"
    assert unblocked.outcome == "release"


def test_group_exposure_counts_every_member(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer HOLD DE
            customer SUB1 DE parent=HOLD
            customer SUB2 FR parent=HOLD
            invoice SUB1 I-1 70000 EUR due 2026-03-20
            limit HOLD 100000 internal approved
            limit SUB1 100000 internal approved
            limit SUB2 100000 internal approved
        """)
        a = check(ctx, "SO-1", "SUB2", "40000")
        e = service.buyer_exposure(ctx, "SUB2", check.__globals__["AS_OF"])
    assert a.outcome == "hold" and codes(a)[0] == "group.limit_exceeded"
    assert e["group"] == {"parent": "HOLD", "exposure": "70000.00", "limit": "100000.00",
                          "member_limit_above_group": None}


def test_foreign_currency_order_is_converted_at_the_dated_rate(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer US1 US
            fx USD EUR 0.9 2026-01-01
            invoice US1 I-1 10000 USD due 2026-03-20
            limit US1 20000 internal approved
        """)
        a = check(ctx, "SO-1", "US1", "10000", currency="USD")
        b = check(ctx, "SO-2", "US1", "3000", currency="USD")
    assert a.outcome == "release" and a.figures["exposure_after"] == "18000.00"
    assert b.outcome == "hold" and b.figures["exposure_after"] == "20700.00"


def test_orders_released_a_moment_ago_count_against_the_country_cap(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer DE1 DE
            customer DE2 DE
            invoice DE1 I-1 20000 EUR due 2026-03-20
            limit DE1 500000 internal approved
            limit DE2 500000 internal approved
            appetite country DE 100000
        """)
        first = check(ctx, "SO-1", "DE1", "60000")
        second = check(ctx, "SO-2", "DE2", "30000")
    assert first.outcome == "release"
    assert second.outcome == "hold" and second.reasons[0]["after"] == "110000.00"


def test_another_buyers_item_without_a_rate_is_named_in_the_scope_check(ctx_factory):
    """Buyer B, in the same country, owes an open USD invoice and no USD rate is known: the country and
    book totals cannot count it. The check of buyer A says so (a note: the totals are floors) instead of
    leaving it out silently."""
    with ctx_factory() as ctx:
        write(ctx, """
            customer A DE
            customer B DE
            invoice A I-1 20000 EUR due 2026-03-20
            invoice B I-2 3000 USD due 2026-03-20
            limit A 500000 internal approved
            appetite country DE 200000
            appetite total * 900000
        """)
        a = check(ctx, "SO-1", "A", "10000")
    assert a.outcome == "release"
    missing = {(r["scope"], r["key"]): r for r in a.reasons if r["code"] == "rates.missing"}
    assert set(missing) == {("country", "DE"), ("total", "*")}
    assert missing[("country", "DE")]["items"] == 1 and missing[("country", "DE")]["currencies"] == "USD"
    assert missing[("country", "DE")]["decision"] == "release"
    assert "excludes 1 open item(s) without a rate into EUR (USD)" in missing[("country", "DE")]["message"]
    assert missing[("total", "*")]["message"].startswith("whole book total excludes 1 open item(s)")


def test_scope_totals_name_no_missing_rate_when_every_currency_has_one(ctx_factory):
    with ctx_factory() as ctx:
        write(ctx, """
            customer A DE
            customer B DE
            invoice B I-2 3000 USD due 2026-03-20
            fx USD EUR 0.9 2026-01-01
            limit A 500000 internal approved
            appetite country DE 200000
        """)
        a = check(ctx, "SO-1", "A", "10000")
    assert "rates.missing" not in codes(a)
    assert a.outcome == "release"


def test_scope_reasons_read_as_sentences_in_both_languages():
    """The desk shows each reason as a sentence; the scope reasons carry a 'key' figure (the country),
    which once collided with the translator's own argument and broke the page."""
    from arguard.limits.wording import reason_text
    from arguard.web.i18n import translate

    cap = {"code": "appetite.country", "decision": "hold", "message": "m", "scope": "country", "key": "DE",
           "cap": "200000", "after": "210000", "excess": "10000"}
    rate = {"code": "rates.missing", "decision": "release", "message": "m", "scope": "country", "key": "DE",
            "items": 1, "currencies": "USD"}

    def text(lang: str, reason: dict) -> str:
        return reason_text(lambda key, /, **kw: translate(lang, key, **kw), reason, "EUR")

    assert text("en", cap) == "The risk appetite for country DE (200,000.00 EUR) would be exceeded by 10,000.00 EUR."
    assert text("en", rate).startswith("The country DE total leaves out 1 open item(s) with no exchange rate (USD)")
    assert text("zh-CN", rate).startswith("国家 DE 的合计未包含 1 笔缺少汇率的未结项目（USD）")

    # the whole book's key is '*': it is named as the whole book, never as a key
    book_rate = {**rate, "scope": "total", "key": "*"}
    book_cap = {**cap, "code": "appetite.total", "scope": "total", "key": "*"}
    for lang in ("en", "zh-CN"):
        for reason in (book_rate, book_cap):
            assert "*" not in text(lang, reason) and text(lang, reason) != "m"
    assert text("en", book_rate).startswith("The whole book's total leaves out 1 open item(s) with no exchange rate")
    assert text("zh-CN", book_rate).startswith("全部账款的合计未包含 1 笔缺少汇率的未结项目（USD）")
    assert text("en", book_cap) == "The risk appetite for the whole book (200,000.00 EUR) would be exceeded by 10,000.00 EUR."
    assert text("zh-CN", book_cap).startswith("将超出全部账款的风险偏好上限")
