"""Order credit check under load: p50/p95/p99 at 200 requests/s against `arguard serve` on PostgreSQL.

Method: the demo company (`arguard demo --size large`, or ARGUARD_BENCH_SIZE) in a PostgreSQL database;
`arguard serve` started as its own process on that database; the open-loop load generator
(`bench/credit_check_load.py`) started as another process on the same machine, sending orders of
buyers picked at random (seeded) from those with a limit — 90 % new order ids, 10 % repeats of an
earlier id (the idempotent path) — at a fixed rate, latency measured from each request's scheduled
instant. The first seconds are a warm-up and are not counted.

Environment: ARGUARD_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/arguard_bench),
ARGUARD_BENCH_SIZE (large), ARGUARD_BENCH_RATE (200), ARGUARD_BENCH_DURATION (30 s), ARGUARD_BENCH_SEED (1),
ARGUARD_BENCH_PROFILE=N: no server — N checks in-process (one unit of work each, commit included), with
SQL statements per check (a `before_cursor_execute` listener), process CPU ms per check and the top of a
cProfile (CPU time, over up to 300 further checks); ARGUARD_BENCH_PROFILE_HTTP=N: no server process — N
requests through the real ASGI app (`create_app`, its middleware, routing, body parsing and the route's
worker thread) in this process with httpx's ASGI transport, with the same figures (process CPU, the
PostgreSQL backends' CPU, statements per request) and a cProfile; ARGUARD_BENCH_WORKERS (default: one per CPU core; 1: `arguard serve` itself; N > 1: the same app
served by uvicorn with N worker processes, a worker health-check timeout long enough for the app's imports
on a busy machine, and no access log).

Before measuring, the database is vacuumed and analysed (the book as autovacuum leaves it). Reported:
latency percentiles, the server's CPU per answered check over the measured window (and with the warm-up),
the CPU of every postgres process over the window per answered check, and the load generator's own CPU.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import MutableMapping
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.machine import describe

ROOT = Path(__file__).parent.parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/arguard_bench"
WARMUP_S = 5.0  # the load generator's default warm-up (not measured)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("+psycopg", "") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def _prepare(url: str, size: str, seed: int, n_orders: int) -> tuple[str, list[dict], str]:
    """Build the demo if absent (size 'synthetic': the set-based book of `credit_check_data`, company
    SYNTH); return an analyst API key, the orders to send and the as-of date."""
    from arguard.db.session import get_engine, migrate, session_scope
    from arguard.demo.service import demo_exists
    from arguard.ledger.tables import Customer, Invoice
    from arguard.limits.tables import LimitDecisionRow
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_api_key, get_company

    engine = get_engine(url)
    migrate(engine)
    code = "SYNTH" if size == "synthetic" else "DEMO"
    if not demo_exists(engine, code):
        print(f"building the {size} book (once) …", flush=True)
        tick = time.perf_counter()
        if size == "synthetic":
            from bench.credit_check_data import build_synthetic

            build_synthetic(engine, as_of=date(2026, 3, 1), seed=seed)
        else:
            subprocess.run([str(ROOT / ".venv/bin/arguard"), "demo", "--size", size, "--database-url", url],
                           check=True)
        print(f"built in {time.perf_counter() - tick:.0f} s")
    if engine.dialect.name == "postgresql":
        # the book as autovacuum leaves it after a load (statistics and visibility map current), whether
        # it was built a moment ago or the benchmark runs right after a migration
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    with session_scope(engine) as s:
        company = get_company(s, code)
        key = create_api_key(ServiceContext(s, company.id, "bench", "admin"), "analyst", "bench")
        as_of = s.scalar(select(func.max(Invoice.issue_date)).where(Invoice.company_id == company.id))
        rows = s.execute(select(Customer.code, LimitDecisionRow.amount_minor).join(
            LimitDecisionRow, LimitDecisionRow.customer_id == Customer.id).where(
            Customer.company_id == company.id, LimitDecisionRow.kind == "internal",
            LimitDecisionRow.status == "approved")).all()
        buyers = s.scalar(select(func.count()).select_from(Customer).where(Customer.company_id == company.id))
        invoices = s.scalar(select(func.count()).select_from(Invoice).where(Invoice.company_id == company.id))
    print(f"demo: {buyers:,} buyers, {invoices:,} invoices, {len(rows):,} internal limits, as of {as_of}")
    rng = random.Random(seed)
    run = uuid.uuid4().hex[:6]
    orders: list[dict] = []
    for i in range(n_orders):
        if orders and rng.random() < 0.10:
            orders.append(rng.choice(orders))
            continue
        code, limit_minor = rng.choice(rows)
        amount = max(100, int(limit_minor * rng.uniform(0.005, 0.05)) // 100)
        orders.append({"order_id": f"B{run}-{i:06d}", "customer": code, "amount": str(amount), "currency": "EUR",
                       "ship_date": str(as_of + timedelta(days=rng.randint(1, 45))), "as_of": str(as_of)})
    return key, orders, str(as_of)


def profile(url: str, size: str, seed: int, n: int) -> None:
    """Profile `n` checks in-process: statements and CPU per check, then the top of a cProfile."""
    import cProfile
    import pstats

    from arguard.core.money import Money
    from arguard.db.session import get_engine, session_scope
    from arguard.limits import service
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import get_company

    _, orders, as_of = _prepare(url, size, seed, n + min(n, 300) + 50)
    engine = get_engine(url)
    statements, backends = _watch(engine)
    engine.dispose()
    with session_scope(engine) as s:
        company_id = get_company(s, "SYNTH" if size == "synthetic" else "DEMO").id

    def one(o: dict) -> None:
        with session_scope(engine) as s:
            ctx = ServiceContext(s, company_id, "bench", "analyst")
            service.check_order(ctx, service.OrderCheck(o["order_id"], o["customer"], Money.of(o["amount"], "EUR"),
                                                        date.fromisoformat(o["ship_date"])),
                                as_of=date.fromisoformat(as_of))

    for o in orders[:50]:  # warm caches and snapshots
        one(o)
    statements.clear()
    db_cpu = sum(_cpu_seconds(p) for p in backends)
    cpu, wall = time.process_time(), time.perf_counter()
    for o in orders[50:50 + n]:
        one(o)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    db_cpu = sum(_cpu_seconds(p) for p in backends) - db_cpu
    total = sum(statements.values())
    load = os.getloadavg()
    print(f"{n} checks (≈10 % replays): {total / n:.1f} statements per check {dict(statements)} (+ BEGIN/COMMIT); "
          f"CPU per check: {1000 * cpu / n:.2f} ms in the Python process, {1000 * db_cpu / n:.2f} ms in its "
          f"PostgreSQL backend ({len(backends)} connection(s)); wall {1000 * wall / n:.2f} ms per check; "
          f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    prof = cProfile.Profile(time.process_time)  # CPU, not wall: the machine is shared
    prof.enable()
    for o in orders[50 + n:]:
        one(o)
    prof.disable()
    pstats.Stats(prof).sort_stats("cumulative").print_stats(25)


def profile_http(url: str, size: str, seed: int, n: int) -> None:
    """Profile `n` checks sent through the ASGI app in-process: the server path without the load
    generator's noise (no sockets, no uvicorn; everything from the middleware inward)."""
    import asyncio
    import cProfile
    import pstats

    from arguard.db.session import get_engine

    os.environ["ARGUARD_DATABASE_URL"] = url
    key, orders, _ = _prepare(url, size, seed, n + min(n, 300) + 50)
    from arguard.api.app import create_app
    from arguard.settings import get_settings

    get_settings.cache_clear()  # the URL above, whatever was read before
    engine = get_engine(url)
    statements, backends = _watch(engine)
    engine.dispose()
    app = create_app()

    async def run() -> None:
        async with app.router.lifespan_context(app):

            async def send(batch: list[dict]) -> None:
                # a bare ASGI call (what uvicorn hands the app), so that no client's CPU is counted
                for o in batch:
                    body = json.dumps(o).encode()
                    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                             "scheme": "http", "path": "/api/v1/credit-check", "raw_path": b"/api/v1/credit-check",
                             "root_path": "", "query_string": b"", "client": ("127.0.0.1", 50000),
                             "server": ("127.0.0.1", 8000),
                             "headers": [(b"host", b"127.0.0.1:8000"), (b"content-type", b"application/json"),
                                         (b"content-length", str(len(body)).encode()),
                                         (b"authorization", f"Bearer {key}".encode())]}
                    receive, respond, answer = _exchange(body)
                    await app(scope, receive, respond)
                    if answer[0]["status"] != 200:
                        raise SystemExit(f"{answer[0]['status']}: {answer[1:]}")

            await send(orders[:50])  # warm caches, snapshots and the pool
            statements.clear()
            db_cpu = sum(_cpu_seconds(p) for p in backends)
            pg_all = _postgres_cpu_seconds()
            cpu, loop_cpu, wall = time.process_time(), time.thread_time(), time.perf_counter()
            await send(orders[50:50 + n])
            cpu, loop_cpu, wall = (time.process_time() - cpu, time.thread_time() - loop_cpu,
                                   time.perf_counter() - wall)
            db_cpu = sum(_cpu_seconds(p) for p in backends) - db_cpu
            pg_all = _postgres_cpu_seconds() - pg_all
            total = sum(statements.values())
            load = os.getloadavg()
            print(f"{n} requests through the ASGI app (≈10 % replays): {total / n:.1f} statements per request "
                  f"{dict(statements)}; CPU per request: {1000 * cpu / n:.2f} ms in this process (event loop "
                  f"{1000 * loop_cpu / n:.2f}, worker threads {1000 * (cpu - loop_cpu) / n:.2f}), "
                  f"{1000 * db_cpu / n:.2f} ms in its PostgreSQL backends ({len(backends)} connection(s)), "
                  f"{1000 * pg_all / n:.2f} ms in every postgres process; wall {1000 * wall / n:.2f} ms per "
                  f"request; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
            prof = cProfile.Profile(time.process_time)
            prof.enable()
            await send(orders[50 + n:])
            prof.disable()
            if os.environ.get("ARGUARD_BENCH_PROFILE_OUT"):
                prof.dump_stats(os.environ["ARGUARD_BENCH_PROFILE_OUT"])
            stats = pstats.Stats(prof)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)

    asyncio.run(run())


def _watch(engine: Any) -> tuple[Counter[str], set[int]]:
    """Statements the engine sends, counted by their first word, and the PostgreSQL backends (pids) of the
    connections it opens from now on."""
    from sqlalchemy import event

    statements: Counter[str] = Counter()
    event.listen(engine, "before_cursor_execute",
                 lambda conn, cur, stmt, params, ctx, many: statements.update([stmt.split()[0]]))
    backends: set[int] = set()
    event.listen(engine, "connect", lambda dbapi_conn, record: backends.add(dbapi_conn.info.backend_pid))
    return statements, backends


def _exchange(body: bytes) -> tuple[Any, Any, list[dict[str, Any]]]:
    """An ASGI request's `receive` (the body, then a disconnect) and `send` (kept in the list returned)."""
    messages: list[dict[str, Any]] = [{"type": "http.request", "body": body, "more_body": False}]
    answer: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def respond(message: MutableMapping[str, Any]) -> None:
        answer.append(dict(message))

    return receive, respond, answer


def _postgres_cpu_seconds() -> float:
    """User + system CPU seconds of every process named postgres (Linux /proc): the database's share."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its children (Linux /proc), 0 where unreadable."""
    total = 0.0
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            continue
    return total


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that `finally` stops the server
    url = os.environ.get("ARGUARD_BENCH_DATABASE_URL", DEFAULT_URL)
    size = os.environ.get("ARGUARD_BENCH_SIZE", "large")
    rate = float(os.environ.get("ARGUARD_BENCH_RATE", "200"))
    duration = float(os.environ.get("ARGUARD_BENCH_DURATION", "30"))
    seed = int(os.environ.get("ARGUARD_BENCH_SEED", "1"))
    print(describe())
    print(f"seed {seed}, rate {rate:g}/s, {duration:g} s measured after 5 s warm-up")
    _ensure_database(url)
    if os.environ.get("ARGUARD_BENCH_PROFILE_HTTP"):
        profile_http(url, size, seed, int(os.environ["ARGUARD_BENCH_PROFILE_HTTP"]))
        return
    if os.environ.get("ARGUARD_BENCH_PROFILE"):
        profile(url, size, seed, int(os.environ["ARGUARD_BENCH_PROFILE"]))
        return
    key, orders, as_of = _prepare(url, size, seed, int(rate * (duration + 5)))
    port = _free_port()
    workers = int(os.environ.get("ARGUARD_BENCH_WORKERS", str(os.cpu_count() or 1)))
    env = {**os.environ, "ARGUARD_DATABASE_URL": url}
    env.pop("WEB_CONCURRENCY", None)
    if workers == 1:
        command = [str(ROOT / ".venv/bin/arguard"), "serve", "--port", str(port)]
    else:
        command = [sys.executable, "-m", "uvicorn", "arguard.api.app:create_app", "--factory", "--port", str(port),
                   "--workers", str(workers), "--timeout-worker-healthcheck", "120", "--no-access-log"]
    print(f"server: {' '.join(command[1:] if workers > 1 else ['arguard', *command[1:]])}")
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(900):
            try:
                if httpx.get(base + "/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(orders, f)
        cpu_before = _cpu_seconds(server.pid)
        gen = subprocess.Popen([sys.executable, str(ROOT / "bench/credit_check_load.py"), base, key, f.name,
                                "--rate", str(rate), "--duration", str(duration), "--timeout", "10"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(WARMUP_S + 0.5)  # the generator's start-up and warm-up
        cpu_measured, db_measured = _cpu_seconds(server.pid), _postgres_cpu_seconds()
        stdout, stderr = gen.communicate()
        if gen.returncode != 0:
            raise SystemExit(f"load generator failed:\n{stderr}")
        result = json.loads(stdout)
        cpu_after = _cpu_seconds(server.pid)
        server_cpu, steady_cpu = cpu_after - cpu_before, cpu_after - cpu_measured
        db_cpu = _postgres_cpu_seconds() - db_measured
        load = os.getloadavg()
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server and its worker processes, nothing else
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    print(f"credit check at {result['rate_achieved']}/s (target {rate:g}/s; answered {result['answered_per_s']}/s), "
          f"{result['requests']} requests: "
          f"p50 {result['p50_ms']} ms · p95 {result['p95_ms']} ms · p99 {result['p99_ms']} ms · "
          f"max {result['max_ms']} ms")
    answered = result.get("answered_all") or 1
    measured = result["statuses"].get("200", 0) or 1
    print(f"server-process CPU per answered check (database not included): {1000 * steady_cpu / measured:.1f} ms "
          f"while measured, {1000 * server_cpu / answered:.1f} ms with the warm-up · load generator CPU "
          f"{result['generator_cpu_ms_per_request']} ms per request · load average {load[0]:.1f} {load[1]:.1f} "
          f"{load[2]:.1f}")
    print(f"PostgreSQL CPU (every postgres process on the machine) while measured: {1000 * db_cpu / measured:.1f} ms "
          f"per answered check")
    print(f"statuses {result['statuses']} · decisions {result['decisions']} · as of {as_of}")


if __name__ == "__main__":
    main()
