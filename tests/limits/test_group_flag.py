"""A member's limit above its group's (limits rules 43–44): flagged in the recommendation, the order check
and the limits panel."""

from __future__ import annotations

import pytest

from arguard.core.money import Money
from arguard.limits import service
from arguard.limits.groups import group_limit_flag
from arguard.limits.web import limit_panel
from tests.limits.ledger_text import AS_OF, check, codes, write

GROUP = """
customer GRP DE sector=C
customer SUB DE sector=C parent=GRP
customer OK DE sector=C parent=GRP
limit GRP 9000 internal approved from 2026-01-01
limit SUB 18000 internal approved from 2026-01-01
limit OK 5000 internal approved from 2026-01-01
"""


def test_the_flag_is_only_for_a_member_above_its_group() -> None:
    eur = lambda a: Money.of(a, "EUR")
    flag = group_limit_flag("SUB", "GRP", eur("18000"), eur("9000"))
    assert flag is not None and flag.excess == eur("9000")
    assert group_limit_flag("SUB", "GRP", eur("9000"), eur("9000")) is None
    assert group_limit_flag("SUB", "GRP", None, eur("9000")) is None
    assert group_limit_flag("SUB", "GRP", eur("18000"), None) is None
    assert group_limit_flag("GRP", "GRP", eur("18000"), eur("9000")) is None


@pytest.mark.storage
def test_member_above_group_is_flagged_in_check_recommendation_and_panel(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        write(ctx, GROUP)
    with ctx_factory() as ctx:
        sub = check(ctx, "SO-1", "SUB", "1000")
        ok = check(ctx, "SO-2", "OK", "1000")
        assert "group.member_limit_above_group" in codes(sub)
        assert "group.member_limit_above_group" not in codes(ok)
        reason = next(r for r in sub.reasons if r["code"] == "group.member_limit_above_group")
        assert reason["decision"] == "release" and reason["excess"] == "9000.00" and reason["parent"] == "GRP"
        rec = service.recommend(ctx, "SUB", AS_OF)
        assert any("above its group GRP" in n for n in rec.notes)
        assert any(b.rule == "group" and b.amount == Money.of("9000", "EUR") for b in rec.bounds)
        assert rec.amount.amount <= 9000
        assert not any("above its group" in n for n in service.recommend(ctx, "OK", AS_OF).notes)
        panel = limit_panel(ctx, "SUB", AS_OF)
        assert panel is not None
        assert panel["exposure"]["group"]["member_limit_above_group"] == {
            "limit": "18000.00", "group_limit": "9000.00", "excess": "9000.00"}
        assert limit_panel(ctx, "OK", AS_OF)["exposure"]["group"]["member_limit_above_group"] is None  # type: ignore[index]


def test_the_panel_shows_the_flag_in_both_languages() -> None:
    from arguard.web.i18n import translate

    values = {"limit": "18000.00", "group_limit": "9000.00", "excess": "9000.00"}
    assert translate("en", "limits.member_above_group", **values) == \
        "own limit 18000.00 above the group's 9000.00 (by 9000.00)"
    assert "集团额度 9000.00" in translate("zh-CN", "limits.member_above_group", **values)


@pytest.mark.storage
def test_the_customer_page_shows_the_flag(api, engine, company) -> None:  # type: ignore[no-untyped-def]
    from arguard.db.session import session_scope
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_user

    client, _ = api
    with session_scope(engine) as s:
        ctx = ServiceContext(s, company[0], "test", "admin")
        create_user(ctx, "viewer", "viewer", "pw-123456")
        write(ctx, GROUP)
    r = client.post("/login", data={"company": company[1], "username": "viewer", "password": "pw-123456",
                                    "next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    sub = client.get(f"/customers/SUB?as_of={AS_OF.isoformat()}").text
    assert 'id="limits-group-flag"' in sub and "above the group" in sub
    assert 'id="limits-group-flag"' not in client.get(f"/customers/OK?as_of={AS_OF.isoformat()}").text
