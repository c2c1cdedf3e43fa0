"""The alert inbox at scale (issue 12): filtered, sorted and cut by the database it shows exactly the
page that sorting every alert in memory showed — same alerts, same order, ties included."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import pytest

from arguard.monitor import service
from arguard.monitor.web import ALERT_SORTS, alert_rows
from arguard.web.i18n import translate
from arguard.web.worklist import arrange
from tests.web.desk_data import seed_desk


@pytest.mark.parametrize("sort", service.ALERT_SORTS_SQL)
def test_a_page_cut_by_the_database_equals_the_page_sorted_in_memory(ctx_factory: Any, sort: str) -> None:
    today = date.today()
    with ctx_factory() as ctx:
        seed_desk(ctx, today)
    tr = partial(translate, "en")
    with ctx_factory() as ctx:
        for status, severity in (("open", None), ("", None), ("open", "high")):
            everything, _ = service.list_alerts(ctx, status=status or None, min_severity=severity, today=today,
                                                include_snoozed=False, limit=20_000, offset=0)
            assert everything, "the desk's daily run raised no alert"
            rows = alert_rows(ctx, everything, tr, "")
            for descending in (False, True):
                for offset in (0, 2):
                    memory = arrange(rows, sort=sort, descending=descending, offset=offset, limit=3,
                                     allowed=ALERT_SORTS, default="severity_rank")
                    found, total, at = service.alert_page(
                        ctx, status=status or None, min_severity=severity, today=today, include_snoozed=False,
                        customer_codes=None, sort=sort, descending=descending, offset=offset, limit=3)
                    assert ([a.id for a in found], total, at) == ([r["id"] for r in memory.rows], memory.total,
                                                                  memory.offset), (status, severity, descending)
        found, total, _ = service.alert_page(ctx, status=None, min_severity=None, today=today, include_snoozed=True,
                                             customer_codes=["C001"], sort=sort, descending=False, offset=0, limit=50)
        assert total == len(found) > 0 and {a.customer_code for a in found} == {"C001"}
