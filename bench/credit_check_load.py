"""Open-loop load generator for the order credit check (run as its own process by bench_credit_check).

Sends `rate` requests per second for `duration` seconds to POST /api/v1/credit-check, each at its
scheduled instant whether or not earlier answers came back (open loop: a slow server cannot slow the
generator down and hide its own latency). Latency is measured from the scheduled instant to the last
byte of the answer, so queueing in the client counts too. Prints one JSON object on stdout.

    python bench/credit_check_load.py URL KEY ORDERS.json --rate 200 --duration 30
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections import Counter

import httpx


async def run(url: str, key: str, orders: list[dict], rate: float, duration: float, warmup: float) -> dict:
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    headers = {"Authorization": f"Bearer {key}"}
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    decisions: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=30) as client:
        async def one(i: int, at: float, record: bool) -> None:
            delay = at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            try:
                r = await client.post("/api/v1/credit-check", json=orders[i % len(orders)])
                status = str(r.status_code)
                if r.status_code == 200:
                    decisions[r.json()["decision"]] += record
            except httpx.HTTPError as exc:
                status = type(exc).__name__
            if record:
                latencies.append(time.perf_counter() - at)
                statuses[status] += 1

        start = time.perf_counter() + 0.5
        n_warm, n = int(rate * warmup), int(rate * duration)
        tasks = [asyncio.create_task(one(i, start + i / rate, i >= n_warm)) for i in range(n_warm + n)]
        await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - (start + n_warm / rate)
    latencies.sort()

    def pct(p: float) -> float:
        return round(1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2)

    return {"requests": len(latencies), "rate_target": rate, "rate_achieved": round(len(latencies) / elapsed, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": pct(1.0),
            "statuses": dict(statuses), "decisions": dict(decisions)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("key")
    ap.add_argument("orders")
    ap.add_argument("--rate", type=float, default=200)
    ap.add_argument("--duration", type=float, default=30)
    ap.add_argument("--warmup", type=float, default=5)
    a = ap.parse_args()
    with open(a.orders) as f:
        orders = json.load(f)
    print(json.dumps(asyncio.run(run(a.url, a.key, orders, a.rate, a.duration, a.warmup))))


if __name__ == "__main__":
    main()
