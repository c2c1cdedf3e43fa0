"""The dunning run on a stored ledger (SQLite and PostgreSQL): the ledger as it stood on the date,
idempotent recording, letters, tasks and hand-overs, and the e-mail with the letter received by a local
SMTP server."""

from __future__ import annotations

import io
import socket
from datetime import date
from decimal import Decimal

import pytest

from arguard.collections import service
from arguard.core.errors import ValidationError
from tests.collections.ledger_text import POLICY, write

LEDGER = """
customer K100 DE en k100@example.com "Müller & Söhne <GmbH>"
customer K200 CN zh-CN k200@example.cn "上海贸易有限公司"
customer K300 FR en
invoice K100 H-1 1000.00 EUR due 2026-10-01
pay K100 P-1 600.00 EUR on 2026-10-31 H-1
invoice K100 H-2 80.00 EUR due 2026-11-20
invoice K200 Z-1 500.00 EUR due 2026-09-01
invoice K200 Z-2 200.00 EUR due 2026-10-01
dispute Z-2
invoice K300 F-1 30.00 EUR due 2026-10-01
"""
D = date(2026, 11, 30)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_run_sees_the_ledger_as_it_stood_on_the_date(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        write(ctx, LEDGER)
        service.load_policy(ctx, POLICY)
    with ctx_factory() as ctx:
        now, _ = service.run_dunning(ctx, D, dry_run=True)
        past, _ = service.run_dunning(ctx, date(2026, 10, 20), dry_run=True)
    by = {a["customer_id"]: a for a in now["actions"]}
    assert sorted(by) == ["K100", "K200"]                        # K300 is below the minimum
    k100 = by["K100"]
    assert k100["level"] == "call" and [i["invoice_number"] for i in k100["invoices"]] == ["H-1", "H-2"]
    h1 = k100["invoices"][0]
    assert h1["open_amount"] == "400.00"
    # 1000 for days 2026-10-02..10-30 (29), 400 for 10-31..11-30 (31); H-2 80 for 10 days
    i1 = (Decimal("0.105") * (1000 * 29 + 400 * 31) / 365).quantize(Decimal("0.01"))
    i2 = (Decimal("0.105") * 80 * 10 / 365).quantize(Decimal("0.01"))
    assert h1["interest"] == str(i1) and k100["interest_total"] == str(i1 + i2)
    assert [i["invoice_number"] for i in by["K200"]["invoices"]] == ["Z-1"]   # Z-2 disputed
    assert by["K200"]["level"] == "agency"
    # On 2026-10-20 the payment of 10-31 had not been made, and H-2 not issued yet.
    (p,) = [a for a in past["actions"] if a["customer_id"] == "K100"]
    assert [(i["invoice_number"], i["open_amount"]) for i in p["invoices"]] == [("H-1", "1000.00")]
    assert p["level"] == "first_demand"


def test_recorded_run_is_idempotent_and_queues_work(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx:
        write(ctx, LEDGER)
        service.load_policy(ctx, POLICY)
    with ctx_factory() as ctx:
        first, replayed = service.run_dunning(ctx, D)
        assert not replayed
    with ctx_factory() as ctx:
        second, replayed = service.run_dunning(ctx, D)
        assert replayed and second == first
        rows = service.list_actions(ctx, D)
        assert {(r.customer_code, r.status) for r in rows} == {("K100", "queued"), ("K200", "queued")}
        from arguard.collections import service_work

        tasks = service_work.list_tasks(ctx)
        assert {(t.customer_code, t.kind) for t in tasks} == {("K100", "call"), ("K200", "handover_agency")}
        from arguard.collections import service_cases

        (case,) = service_cases.list_cases(ctx)
        assert case.customer_code == "K200" and case.kind == "agency" and case.principal_minor == 50000


def test_bad_policy_is_refused_with_every_key(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    with ctx_factory() as ctx, pytest.raises(ValidationError) as exc:
        service.load_policy(ctx, "name: x\ncurrency: EUR\nlevels: []\nfee: 3\n")
    assert "levels" in exc.value.message and "fee" in exc.value.message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(monkeypatch):  # type: ignore[no-untyped-def]
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    from arguard.settings import get_settings

    received = []

    class Inbox(Message):
        def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
            received.append(message)

    port = _free_port()
    controller = Controller(Inbox(), hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ARGUARD_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ARGUARD_SMTP_PORT", str(port))
    get_settings.cache_clear()
    yield received
    controller.stop()
    get_settings.cache_clear()


EMAIL_LEDGER = """
customer K100 DE en k100@example.com "Müller & Söhne <GmbH>"
customer K200 CN zh-CN k200@example.cn "上海贸易有限公司"
customer K300 FR en
invoice K100 H-1 1000.00 EUR due 2026-11-20
invoice K200 Z-1 500.00 EUR due 2026-11-10
invoice K300 F-1 300.00 EUR due 2026-11-10
"""


def test_reminders_are_emailed_with_the_letter_attached(ctx_factory, smtp) -> None:  # type: ignore[no-untyped-def]
    from email import message_from_bytes, policy

    with ctx_factory() as ctx:
        write(ctx, EMAIL_LEDGER)
        service.load_policy(ctx, POLICY)
    with ctx_factory() as ctx:
        service.run_dunning(ctx, D)
    # sent after the commit (ctx_factory runs the after-commit callbacks)
    mine = {m["To"]: m for m in smtp if m["To"] in ("k100@example.com", "k200@example.cn")}
    assert set(mine) == {"k100@example.com", "k200@example.cn"}
    with ctx_factory() as ctx:
        status = {r.customer_code: (r.status, r.error) for r in service.list_actions(ctx, D)}
    assert status["K100"] == ("sent", None) and status["K200"] == ("sent", None)
    assert status["K300"][0] == "failed" and "no e-mail" in (status["K300"][1] or "")
    en = message_from_bytes(mine["k100@example.com"].as_bytes(), policy=policy.default)
    (att,) = [p for p in en.iter_attachments()]
    assert att.get_content_type() == "application/pdf"
    text = pdf_text(att.get_content())
    assert "Müller & Söhne <GmbH>" in text and "H-1" in text and "Total due" in text
    zh = message_from_bytes(mine["k200@example.cn"].as_bytes(), policy=policy.default)
    assert "逾期" in str(zh["Subject"])
    (att,) = [p for p in zh.iter_attachments()]
    zh_text = pdf_text(att.get_content())
    assert "上海贸易有限公司" in zh_text and "应付合计" in zh_text and "Z-1" in zh_text


def test_credit_note_applied_stops_interest_from_that_day_and_an_open_one_is_netted(ctx_factory) -> None:  # type: ignore[no-untyped-def]
    from arguard.ledger import service as ledger

    with ctx_factory() as ctx:
        write(ctx, """
customer K1 DE en
invoice K1 A 1000.00 EUR due 2026-10-01
credit K1 CN-1 -300.00 EUR on 2026-10-31
credit K1 CN-2 -100.00 EUR on 2026-11-10
""")
        ledger.apply_credit_note(ctx, "CN-1", ["A"], date(2026, 10, 31))
        service.load_policy(ctx, POLICY)
    with ctx_factory() as ctx:
        answer, _ = service.run_dunning(ctx, D, dry_run=True)
        past, _ = service.run_dunning(ctx, date(2026, 10, 30), dry_run=True)
    (a,) = answer["actions"]
    (line,) = a["invoices"]
    assert line["open_amount"] == "700.00"
    # 1000 for 2026-10-02..10-30 (29 days), 700 from 10-31 (the day the credit was applied) to 11-30 (31)
    assert line["interest"] == str((Decimal("0.105") * (1000 * 29 + 700 * 31) / 365).quantize(Decimal("0.01")))
    assert a["credits"] == [{"reference": "CN-2", "kind": "credit_note", "amount": "100.00"}]
    assert a["total_due"] == str(Decimal("700.00") + Decimal(line["interest"]) + 0 + 40 - 100)
    # As of 10-30 neither credit note existed: the whole invoice, no credits
    (p,) = past["actions"]
    assert p["invoices"][0]["open_amount"] == "1000.00" and "credits" not in p
