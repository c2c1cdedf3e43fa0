"""Long jobs say how far they are (issue 12 item 9): the service calls its progress callback with counts
that only grow, up to the total; the CLI draws them as a bar on stderr only when a person watches, so
JSON piped from a command stays parseable."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from typing import Any

from typer.testing import CliRunner

from arguard.core.progress import counted
from arguard.db.session import session_scope
from arguard.platform.context import ServiceContext
from tests.limits.ledger_text import write

BOOK = """
customer ACME DE
customer BETA FR
customer GAMMA IT
invoice ACME I-1 5000 EUR due 2026-01-15
invoice BETA I-2 1200 EUR due 2026-02-20
invoice GAMMA I-3 800 EUR due 2026-02-25
paid I-3 800
"""
AS_OF = date(2026, 3, 1)


class Calls:
    """What a service told its progress callback, per phase."""

    def __init__(self) -> None:
        self.seen: dict[str, list[tuple[int, int | None]]] = defaultdict(list)

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        self.seen[phase].append((done, total))

    def assert_counted_up_to_the_total(self) -> None:
        assert self.seen, "the job said nothing"
        for phase, calls in self.seen.items():
            counts = [d for d, _ in calls]
            assert counts == sorted(counts), f"{phase}: counts went back {counts}"
            done, total = calls[-1]
            assert total is not None and done == total, f"{phase} ended at {done} of {total}"


def test_counted_reports_growing_counts_and_ends_at_the_total() -> None:
    calls = Calls()
    assert list(counted(range(250), calls, "rows", every=100)) == list(range(250))
    assert calls.seen["rows"] == [(0, 250), (100, 250), (200, 250), (250, 250)]
    unknown = Calls()
    assert sum(counted(iter(range(7)), unknown, "rows", every=5)) == 21
    assert unknown.seen["rows"] == [(0, None), (5, None), (7, 7)]


def _book(engine: Any, company: tuple[int, str]) -> None:
    with session_scope(engine) as s:
        write(ServiceContext(s, company[0], "test", "admin"), BOOK)


def test_grading_every_buyer_counts_the_buyers_graded_and_stored(use_database: Any, company: tuple[int, str]) -> None:
    from arguard.risk import service

    _book(use_database, company)
    calls = Calls()
    with session_scope(use_database) as s:
        grades = service.grade_buyers(ServiceContext(s, company[0], "test", "admin"), AS_OF, progress=calls)
    calls.assert_counted_up_to_the_total()
    assert calls.seen["buyers graded"][-1] == (3, 3) == (len(grades), 3)
    assert calls.seen["grades stored"][-1] == (3, 3)


def test_the_daily_run_counts_the_buyers_evaluated(use_database: Any, company: tuple[int, str]) -> None:
    from arguard.monitor import service

    _book(use_database, company)
    calls = Calls()
    with session_scope(use_database) as s:
        result = service.run(ServiceContext(s, company[0], "test", "admin"), AS_OF, progress=calls)
    calls.assert_counted_up_to_the_total()
    assert calls.seen["buyers evaluated"][-1] == (result.buyers, result.buyers) and result.buyers == 3


def test_json_piped_from_grade_all_stays_parseable(use_database: Any, company: tuple[int, str]) -> None:
    from arguard.cli.main import app

    _book(use_database, company)
    r = CliRunner().invoke(app, ["risk", "grade", "--all", "--company", company[1], "--as-of", "2026-03-01",
                                 "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert sorted(row["customer"] for row in rows) == ["ACME", "BETA", "GAMMA"]
    assert "━" not in r.stderr and "buyers graded" not in r.stderr  # no bar when nobody watches


def test_the_dunning_run_counts_the_buyers_decided_and_the_actions_recorded(use_database: Any,
                                                                           company: tuple[int, str]) -> None:
    from arguard.collections import service
    from tests.collections.ledger_text import POLICY

    _book(use_database, company)
    calls = Calls()
    with session_scope(use_database) as s:
        ctx = ServiceContext(s, company[0], "test", "admin")
        service.load_policy(ctx, POLICY)
        answer, _, skipped = service.run_dunning_explained(ctx, AS_OF, progress=calls)
    calls.assert_counted_up_to_the_total()
    assert calls.seen["actions recorded"][-1][0] == len(answer["actions"]) > 0
    assert calls.seen["buyers decided"][-1][0] == len(answer["actions"]) + len(skipped)
