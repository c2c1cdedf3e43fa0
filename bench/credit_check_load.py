"""Open-loop load generator for the order credit check (run as its own process by bench_credit_check).

Sends `rate` requests per second for `duration` seconds to POST /api/v1/credit-check, each released at
its scheduled instant whether or not earlier answers came back (open loop: a slow server cannot slow the
generator down and hide its own latency). Latency runs from the scheduled instant to the last byte of
the answer, so waiting for a free connection counts too. Requests are pre-encoded and sent over a pool of
keep-alive HTTP/1.1 connections with plain asyncio streams, so the generator itself needs little CPU
(it shares the machine with the server). A request that waited longer than `timeout` for a free
connection counts as a timeout and is not sent, so an overloaded server cannot stretch the run
without end. Prints one JSON object on stdout.

    python bench/credit_check_load.py http://127.0.0.1:8000 KEY ORDERS.json --rate 200 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from collections import Counter
from urllib.parse import urlsplit

DECISION = re.compile(rb'"decision":"([a-z_]+)"')


def encode(host: str, key: str, order: dict) -> bytes:
    body = json.dumps(order).encode()
    head = (f"POST /api/v1/credit-check HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {key}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode() + body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    return status, await reader.readexactly(length)


async def run(url: str, key: str, orders: list[dict], rate: float, duration: float, warmup: float,
              connections: int, timeout: float) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    payloads = [encode(f"{host}:{port}", key, o) for o in orders]
    n_warm, n = int(rate * warmup), int(rate * duration)
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    answered_all = [0]  # warm-up included: the server's CPU is divided by it
    cpu = time.process_time()

    async def worker() -> None:
        reader = writer = None
        while (item := await queue.get()) is not None:
            i, at = item
            if time.perf_counter() - at > timeout:  # waited too long for a free connection: a timeout
                if i >= n_warm:
                    latencies.append(time.perf_counter() - at)
                    statuses["not sent within timeout"] += 1
                continue
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                writer.write(payloads[i % len(payloads)])
                status, body = await asyncio.wait_for(read_response(reader), timeout)
                outcome = str(status)
                found = DECISION.search(body)
                if i >= n_warm and found:
                    decisions[found.group(1).decode()] += 1
            except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
                outcome = type(exc).__name__
                if writer is not None:
                    writer.close()
                reader = writer = None
            if outcome == "200":
                answered_all[0] += 1
            if i >= n_warm:
                latencies.append(time.perf_counter() - at)
                statuses[outcome] += 1
        if writer is not None:
            writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    start = time.perf_counter() + 0.2
    for i in range(n_warm + n):
        at = start + i / rate
        delay = at - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((i, at))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - (start + n_warm / rate)
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else 0.0

    return {"requests": len(latencies), "rate_target": rate, "rate_achieved": round(len(latencies) / elapsed, 1),
            "answered_per_s": round(statuses.get("200", 0) / elapsed, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": pct(1.0),
            "statuses": dict(statuses), "decisions": dict(decisions), "answered_all": answered_all[0],
            "generator_cpu_ms_per_request": round(1000 * (time.process_time() - cpu) / max(1, n_warm + n), 3)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("key")
    ap.add_argument("orders")
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=5)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=30)
    a = ap.parse_args()
    with open(a.orders) as f:
        orders = json.load(f)
    print(json.dumps(asyncio.run(run(a.url, a.key, orders, a.rate, a.duration, a.warmup, a.connections,
                                     a.timeout))))


if __name__ == "__main__":
    main()
