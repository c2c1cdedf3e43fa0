"""Two `arguard serve` processes on one PostgreSQL database (issue 11): the daily monitoring run and the
digests happen once, each webhook is delivered once, the audit chain stays one chain, concurrent credit
checks split across the servers stay within the limit, and a server told to stop finishes the request
it is reading first.

Real processes on random ports; the only waits are polls for a state with a generous deadline.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from arguard.db import session as db_session
from arguard.platform.context import ServiceContext
from tests.conftest import BACKENDS, _create_pg_database

pytestmark = [pytest.mark.slow, pytest.mark.skipif("postgresql" not in BACKENDS,
                                                   reason="needs PostgreSQL at 127.0.0.1:5432")]
ROOT = Path(__file__).resolve().parents[2]
CUSTOMERS = [f"C{i}" for i in range(6)]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Receiver:
    """A webhook endpoint on this host that counts each delivery id it receives."""

    def __init__(self) -> None:
        self.ids: Counter[str] = Counter()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                outer.ids[self.headers["X-Arguard-Delivery"]] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _until(predicate, what: str, deadline_s: float = 90.0) -> None:  # type: ignore[no-untyped-def]
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"not reached within {deadline_s} s: {what}")


@pytest.fixture
def shared_database(monkeypatch):  # type: ignore[no-untyped-def]
    from arguard.settings import get_settings

    url, drop = _create_pg_database()
    monkeypatch.setenv("ARGUARD_DATABASE_URL", url)
    monkeypatch.setenv("ARGUARD_WEBHOOK_ALLOW_PRIVATE", "true")
    get_settings.cache_clear()
    engine = db_session.get_engine(url)
    db_session.migrate(engine)
    yield url, engine
    engine.dispose()
    get_settings.cache_clear()
    drop()


def _seed(engine, receiver_url: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    from arguard.monitor import delivery
    from arguard.platform.service import create_api_key, create_company, create_user
    from tests.limits.ledger_text import write

    with db_session.session_scope(engine) as s:
        company = create_company(s, "TWO", "Two servers GmbH")
        ctx = ServiceContext(s, company.id, "test", "admin")
        key = create_api_key(ctx, "admin")
        create_user(ctx, "dora", "credit_manager", "violet-harbour-42", email="dora@example.com")
        delivery.subscribe(ctx, "dora", "digest", "info")
        delivery.add_webhook(ctx, receiver_url, "s" * 32, ["*"])
        write(ctx, "customer ACME DE\ninvoice ACME I-1 10000 EUR due 2026-03-20\n"
                   "limit ACME 100000 internal approved\n" + "\n".join(f"customer {c} DE" for c in CUSTOMERS))
        return company.id, key


def _serve(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "ARGUARD_DATABASE_URL": url, "ARGUARD_WEBHOOK_ALLOW_PRIVATE": "true",
           "ARGUARD_BACKGROUND": "true",  # the suite's default is false (tests/conftest.py)
           "ARGUARD_MONITOR_RUN_AT": "00:00", "ARGUARD_MONITOR_CATCH_UP_S": "1"}
    return subprocess.Popen([sys.executable, "-m", "arguard.cli.main", "serve", "--port", str(port)], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_two_servers_one_database(shared_database):
    from arguard.monitor.tables import Delivery, MonitorRun
    from arguard.platform.tables import AuditEntry

    url, engine = shared_database
    receiver = Receiver()
    company_id, key = _seed(engine, receiver.url)
    headers = {"Authorization": f"Bearer {key}"}
    ports = [_free_port(), _free_port()]
    servers = [_serve(url, p) for p in ports]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for base, proc in zip(bases, servers, strict=True):
            def up(base: str = base, proc: subprocess.Popen[bytes] = proc) -> bool:
                assert proc.poll() is None, proc.stderr.read().decode()[-2000:] if proc.stderr else "exited"
                try:
                    return httpx.get(base + "/api/v1/health", timeout=2).status_code == 200
                except httpx.HTTPError:
                    return False
            _until(up, f"{base} answers")

        # concurrent requests split over both servers: events that raise alerts, and credit checks
        def post_event(i: int) -> int:
            return httpx.post(bases[i % 2] + "/api/v1/events", headers=headers, timeout=30, json={
                "type": "legal.action", "customer_id": CUSTOMERS[i], "occurred_on": date.today().isoformat(),
                "details": {"description": f"court letter {i}"}}).status_code

        def check(i: int) -> str:
            r = httpx.post(bases[i % 2] + "/api/v1/credit-check", headers=headers, timeout=60, json={
                "order_id": f"SO-{i}", "customer": "ACME", "amount": "30000", "currency": "EUR",
                "ship_date": "2026-03-10", "as_of": "2026-03-01"})
            assert r.status_code == 200, r.text
            return str(r.json()["decision"])

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(post_event, range(len(CUSTOMERS))))
            outcomes = list(pool.map(check, range(8)))
        assert statuses == [201] * len(CUSTOMERS)
        assert outcomes.count("release") == 3  # 10000 + 3 × 30000 ≤ 100000 < 10000 + 4 × 30000

        def count(stmt) -> int:  # type: ignore[no-untyped-def]
            with db_session.session_scope(engine) as s:
                return int(s.scalar(stmt) or 0)

        today = date.today()
        _until(lambda: count(select(func.count()).select_from(MonitorRun).where(
            MonitorRun.company_id == company_id, MonitorRun.as_of == today,
            MonitorRun.trigger == "scheduler")) >= 1, "the daily run")
        webhooks = select(func.count()).select_from(Delivery).where(Delivery.company_id == company_id,
                                                                    Delivery.channel == "webhook")
        _until(lambda: count(webhooks) >= len(CUSTOMERS) and sum(receiver.ids.values()) >= count(webhooks),
               "every webhook delivered")
        time.sleep(2)  # room for a duplicate to show up, were there one; nothing is measured
        assert count(select(func.count()).select_from(MonitorRun).where(
            MonitorRun.company_id == company_id, MonitorRun.as_of == today, MonitorRun.trigger == "scheduler")) == 1
        assert count(select(func.count()).select_from(Delivery).where(
            Delivery.company_id == company_id, Delivery.event_type == "digest")) == 1
        assert set(receiver.ids.values()) == {1}, receiver.ids  # each delivery once
        assert len(receiver.ids) == count(webhooks)
        verify = httpx.get(bases[1] + "/api/v1/audit/verify", headers=headers, timeout=30).json()
        assert verify["intact"], verify
        seqs = count(select(func.count()).select_from(AuditEntry).where(AuditEntry.company_id == company_id))
        assert seqs == count(select(func.max(AuditEntry.seq)).where(AuditEntry.company_id == company_id))

        # a stopped server finishes the request it is reading before it exits
        body = json.dumps({"type": "legal.action", "customer_id": "ACME", "occurred_on": today.isoformat(),
                           "details": {"description": "sent while the server stops"}}).encode()
        with socket.create_connection(("127.0.0.1", ports[0])) as conn:
            conn.sendall(f"POST /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                         "Connection: close\r\n\r\n".encode() + body[:10])
            time.sleep(0.5)  # the request is in flight
            servers[0].send_signal(signal.SIGTERM)
            time.sleep(0.5)
            conn.sendall(body[10:])
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 201"), answer[:300]
        # uvicorn exits by re-raising the signal it handled, after the shutdown ran
        assert servers[0].wait(timeout=60) in (0, -signal.SIGTERM)
    finally:
        for proc in servers:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        receiver.server.shutdown()
