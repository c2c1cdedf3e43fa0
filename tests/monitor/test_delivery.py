"""Delivery through real sockets: a webhook receiver that verifies signatures and fails at first, and a
local SMTP server (aiosmtpd) that receives the alert e-mail."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from arguard.monitor import delivery
from arguard.monitor.tables import Delivery, DeliveryAttempt
from arguard.platform.service import create_user
from tests.monitor.helpers import load

SECRET = "whsec-0123456789abcdef"


@pytest.fixture(autouse=True)
def _local_receivers(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The receivers here listen on 127.0.0.1, which webhooks may reach only when the operator allows it."""
    from arguard.settings import get_settings

    monkeypatch.setenv("ARGUARD_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("ARGUARD_WEBHOOK_ALLOW_PRIVATE")
    get_settings.cache_clear()
FAST = delivery.RetryPolicy(base_s=0.05, factor=2, max_attempts=5, lease_s=5)


class Receiver:
    """An HTTP endpoint that answers 500 to the first `fail` requests, then 204; records what it saw."""

    def __init__(self, fail: int) -> None:
        self.fail, self.seen, self.valid = fail, 0, []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                ok = delivery.verify_signature(SECRET, self.headers["X-Arguard-Timestamp"], body,
                                               self.headers["X-Arguard-Signature"], time.time(),
                                               delivery_id=self.headers["X-Arguard-Delivery"])
                outer.seen += 1
                outer.valid.append((ok, json.loads(body)))
                self.send_response(500 if outer.seen <= outer.fail else 204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/arguard"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    import hashlib
    import hmac

    body = b'{"x":1}'
    expected = "sha256=" + hmac.new(b"k" * 16, b"1700000000." + body, hashlib.sha256).hexdigest()
    assert delivery.signature("k" * 16, "1700000000", body) == expected
    assert delivery.verify_signature("k" * 16, "1700000000", body, expected, now=1700000100)
    assert not delivery.verify_signature("k" * 16, "1700000000", body, expected, now=1700009999)  # stale
    assert not delivery.verify_signature("k" * 16, "1700000000", b'{"x":2}', expected, now=1700000000)


def test_webhook_is_retried_with_backoff_until_the_receiver_accepts(engine, ctx_factory):
    receiver = Receiver(fail=2)
    with ctx_factory() as ctx:
        hook = delivery.add_webhook(ctx, receiver.url, SECRET, ["alert.raised"])
        load(ctx, "customer ACME DE\nevent insolvency.filing ACME 2026-05-02 court=Paris")
    worker = delivery.DeliveryWorker(engine, FAST, idle_s=0.2).start()
    try:
        deadline = time.time() + 20
        while receiver.seen < 3 and time.time() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        receiver.server.shutdown()
    assert receiver.seen == 3
    assert all(ok for ok, _ in receiver.valid)
    assert receiver.valid[-1][1]["alert"]["customer_id"] == "ACME"
    with ctx_factory() as ctx:
        (row, attempts), = delivery.delivery_log(ctx, hook.id)
    assert row.status == "delivered" and [a.status_code for a in attempts] == [500, 500, 204]
    gaps = [(b.attempted_at - a.attempted_at).total_seconds() for a, b in itertools.pairwise(attempts)]
    # never earlier than the backoff allows (0.05 s, then 0.1 s); an upper bound would be a timing test
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1
    assert [FAST.delay(n) for n in (1, 2, 3)] == [0.05, 0.1, 0.2]
    assert delivery.RetryPolicy().delay(20) == 3600


def test_delivery_gives_up_after_max_attempts(engine, ctx_factory):
    with ctx_factory() as ctx:
        delivery.add_webhook(ctx, "http://127.0.0.1:9/closed", SECRET, ["*"])
        load(ctx, "customer ACME DE\nevent legal.action ACME 2026-05-02 description=suit")
    policy = delivery.RetryPolicy(base_s=0, max_attempts=2, lease_s=5)
    for _ in range(3):
        delivery.deliver_due(engine, policy)
    with ctx_factory() as ctx:
        row = ctx.session.scalar(select(Delivery).where(Delivery.company_id == ctx.company_id))
        tries = ctx.session.scalars(select(DeliveryAttempt).where(DeliveryAttempt.delivery_id == row.id)).all()
    assert row.status == "failed" and len(tries) == 2 and "ConnectError" in (row.last_error or "")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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


def test_alert_email_and_daily_digest_reach_the_local_smtp_server(engine, ctx_factory, smtp):
    with ctx_factory() as ctx:
        create_user(ctx, "wang", "credit_manager", "pw-123456", email="wang@example.cn", language="zh-CN")
        delivery.subscribe(ctx, "wang", "email", "critical")
        delivery.subscribe(ctx, "wang", "digest", "info")
        load(ctx, "customer ACME DE\nevent insolvency.filing ACME 2026-05-02 court=Paris")
    with ctx_factory() as ctx:
        from datetime import date

        assert delivery.queue_digests(ctx, date(2026, 5, 2)) == 1
        assert delivery.queue_digests(ctx, date(2026, 5, 2)) == 1  # queued once: same dedupe key
    delivery.deliver_due(engine, FAST)
    from email.header import decode_header, make_header

    mine = [m for m in smtp if m["To"] == "wang@example.cn"]  # other tests' companies may have mail queued
    subjects = sorted(str(make_header(decode_header(m["Subject"]))) for m in mine)
    assert len(subjects) == 2
    assert "风险预警" in subjects[0] and "insolvency" in subjects[0]
    assert "每日摘要" in subjects[1]
