"""What the request guard costs per request (issue 11): `api.security.RequestGuard` around an ASGI app
that answers at once, against the bare app, called in-process (no network, no database).

Cases: a GET (security headers only); a POST with a 1 KiB body and an API key this process already
knows (key checked before the body, the body counted against the route's limit); a dashboard form
POST with an `Origin` (same-origin check). Prints CPU and wall microseconds per request.
"""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from bench.machine import describe

N = 20_000


async def _bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    while True:  # read the whole body, as a route would
        message = await receive()
        if not message.get("more_body"):
            break
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": b"ok"})


def _scope(method: str, path: str, headers: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    return {"type": "http", "method": method, "path": path, "raw_path": path.encode(), "query_string": b"",
            "headers": headers, "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000),
            "scheme": "http", "http_version": "1.1", "root_path": ""}


async def _loop(app: Any, scope: dict[str, Any], body: bytes, n: int) -> None:
    async def send(_message: Any) -> None:
        return None

    for _ in range(n):
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await app(dict(scope), receive, send)


def _measure(app: Any, scope: dict[str, Any], body: bytes) -> tuple[float, float]:
    asyncio.run(_loop(app, scope, body, 200))  # warm
    c0, w0 = time.process_time(), time.perf_counter()
    asyncio.run(_loop(app, scope, body, N))
    return (time.process_time() - c0) / N * 1e6, (time.perf_counter() - w0) / N * 1e6


def main() -> None:
    from arguard.api.security import RequestGuard
    from arguard.platform import caches
    from arguard.platform.service import Principal

    key = "ag_bench-known-key"
    caches.API_KEYS.put(key, Principal(1, "apikey:ag_bench", "admin"))
    guarded = RequestGuard(_bare, upload_paths=lambda: [re.compile(r"^/api/v1/imports/[^/]+$")])
    body = b'{"x": "' + b"a" * 1000 + b'"}'
    cases = [
        ("GET /api/v1/health", _scope("GET", "/api/v1/health", [(b"host", b"127.0.0.1:8000")]), b""),
        ("POST /api/v1/events, 1 KiB, known key", _scope("POST", "/api/v1/events", [
            (b"host", b"127.0.0.1:8000"), (b"authorization", f"Bearer {key}".encode()),
            (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]), body),
        ("POST /alerts/1/acknowledge form, same origin", _scope("POST", "/alerts/1/acknowledge", [
            (b"host", b"127.0.0.1:8000"), (b"origin", b"http://127.0.0.1:8000"),
            (b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"6")]), b"note=x"),
    ]
    print(describe())
    print(f"{N} requests per case, in-process ASGI calls; microseconds per request (CPU / wall)")
    for name, scope, payload in cases:
        bare_cpu, bare_wall = _measure(_bare, scope, payload)
        cpu, wall = _measure(guarded, scope, payload)
        print(f"  {name:<46} bare {bare_cpu:6.1f} / {bare_wall:6.1f}   guarded {cpu:6.1f} / {wall:6.1f}   "
              f"guard costs {cpu - bare_cpu:5.1f} µs CPU")


if __name__ == "__main__":
    main()
