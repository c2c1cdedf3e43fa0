"""Browser fixtures: a real uvicorn server on a seeded SQLite database, and Debian's headless Chromium
driven by Playwright (never a downloaded browser). Without /usr/bin/chromium the tests skip with a reason;
`make test` installs it first (`make browser`).

The seeded ledger is written below as small tables, with dates as days relative to today because the
pages default to `as_of` = today.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("ARGUARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--lang=en-US"]
PASSWORD = "correct horse battery"

CUSTOMERS = """
code  country currency terms name
C001  DE      EUR      30    Hamburg Maschinenbau GmbH
C002  CN      USD      60    上海华东贸易有限公司
C003  FR      EUR      45    Lyon Textiles SARL
C004  US      USD      30    Chicago Tools Inc.
C005  IT      EUR      60    Milano Arredamenti S.p.A.
"""

# issued / due: days relative to today (negative = in the past).
INVOICES = """
number     customer issued due   amount    currency
INV-1001   C001     -400   -370  12000.00  EUR
INV-1002   C001     -300   -270  8000.00   EUR
INV-1003   C001     -200   -170  9500.00   EUR
INV-1004   C001     -95    -65   15000.00  EUR
INV-1005   C001     -40    -10   7200.00   EUR
INV-1006   C001     -10    20    4300.00   EUR
INV-2001   C002     -360   -300  30000.00  USD
INV-2002   C002     -250   -190  22000.00  USD
INV-2003   C002     -150   -90   18500.00  USD
INV-2004   C002     -60    0     26000.00  USD
INV-3001   C003     -330   -285  5400.00   EUR
INV-3002   C003     -210   -165  6100.00   EUR
INV-3003   C003     -120   -75   4800.00   EUR
INV-3004   C003     -20    25    5200.00   EUR
INV-4001   C004     -180   -150  9900.00   USD
INV-4002   C004     -45    -15   11200.00  USD
INV-5001   C005     -280   -220  14000.00  EUR
INV-5002   C005     -130   -70   16500.00  EUR
INV-5003   C005     -25    35    12800.00  EUR
"""

CREDIT_NOTES = """
number     customer issued due   amount    currency
CN-1001    C001     -35    -35   -700.00   EUR
"""

PAYMENTS = """
id         customer received amount    currency invoices
PAY-1      C001     -372     12000.00  EUR      INV-1001
PAY-2      C001     -260     8000.00   EUR      INV-1002
PAY-3      C001     -150     9500.00   EUR      INV-1003
PAY-4      C002     -290     30000.00  USD      INV-2001
PAY-5      C002     -170     22000.00  USD      INV-2002
PAY-6      C002     -30      10000.00  USD      INV-2003
PAY-7      C003     -280     5400.00   EUR      INV-3001
PAY-8      C003     -160     6100.00   EUR      INV-3002
PAY-9      C004     -140     9900.00   USD      INV-4001
PAY-10     C005     -200     14000.00  EUR      INV-5001
"""


def rows(table: str) -> list[dict[str, str]]:
    lines = [ln for ln in table.strip().splitlines() if ln.strip()]
    header = lines[0].split()
    return [dict(zip(header, ln.split(None, len(header) - 1), strict=True)) for ln in lines[1:]]


def seed_ledger(ctx: Any, today: date) -> None:
    """Five buyers in two currencies, a year of invoices, payments (some late), one credit note."""
    from arguard.core.money import Money
    from arguard.ledger import service
    from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord

    def day(offset: str) -> date:
        return today + timedelta(days=int(offset))

    for c in rows(CUSTOMERS):
        service.upsert_customer(ctx, CustomerRecord(
            code=c["code"], name=c["name"], country=c["country"], currency=c["currency"],
            terms_days=int(c["terms"]), email=f"ar@{c['code'].lower()}.example",
            language="zh-CN" if c["country"] == "CN" else "en"))
    for doc_type, table in (("invoice", INVOICES), ("credit_note", CREDIT_NOTES)):
        for i in rows(table):
            service.add_invoice(ctx, InvoiceRecord(
                number=i["number"], customer_code=i["customer"], issue_date=day(i["issued"]),
                due_date=day(i["due"]), amount=Money.of(i["amount"], i["currency"]), document_type=doc_type))
    for p in rows(PAYMENTS):
        service.add_payment(ctx, PaymentRecord(
            external_id=p["id"], customer_code=p["customer"], received_on=day(p["received"]),
            amount=Money.of(p["amount"], p["currency"]), invoice_numbers=tuple(p["invoices"].split(";"))))


@dataclass(frozen=True)
class LiveServer:
    url: str
    company_code: str
    username: str
    password: str
    other_company_code: str
    today: date


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_dashboard(url: str) -> Iterator[str]:
    """Serve the app on the database `url` from a thread on a free local port; yields its base URL."""
    import uvicorn

    from arguard.settings import get_settings

    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ARGUARD_DATABASE_URL", url)
        get_settings.cache_clear()
        from arguard.api.app import create_app

        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning",
                                               access_log=False))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                pytest.fail("the dashboard server did not start")
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    get_settings.cache_clear()


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    from arguard.db import session as db_session
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company, create_user

    url = f"sqlite:///{tmp_path_factory.mktemp('webdb') / 'dashboard.db'}"
    engine = db_session.get_engine(url)
    db_session.migrate(engine)
    today = date.today()
    with db_session.session_scope(engine) as s:
        company = create_company(s, "ACME", "ACME Export Co. 艾克米出口", "EUR")
        ctx = ServiceContext(s, company.id, "seed", "admin")
        create_user(ctx, "alice", "admin", PASSWORD)
        seed_ledger(ctx, today)
        other = create_company(s, "OTHER", "Other Co.", "EUR")
        other_ctx = ServiceContext(s, other.id, "seed", "admin")
        create_user(other_ctx, "bob", "admin", PASSWORD)

    with serve_dashboard(url) as base:
        yield LiveServer(base, "ACME", "alice", PASSWORD, "OTHER", today)


@contextmanager
def desk_server(db_path: Path, seed: Callable[[Any], None], today: date | None = None) -> Iterator[LiveServer]:
    """A server on a fresh SQLite database at `db_path`: company ACME with a credit manager who reads
    English (alice) and a viewer who chose 中文 (wang), and the book `seed(ctx)` writes."""
    from arguard.db import session as db_session
    from arguard.platform.context import ServiceContext
    from arguard.platform.service import create_company, create_user

    url = f"sqlite:///{db_path}"
    engine = db_session.get_engine(url)
    db_session.migrate(engine)
    with db_session.session_scope(engine) as s:
        company = create_company(s, "ACME", "ACME Export Co.", "EUR")
        ctx = ServiceContext(s, company.id, "seed", "admin")
        create_user(ctx, "alice", "credit_manager", PASSWORD)
        create_user(ctx, "wang", "viewer", PASSWORD, language="zh-CN")
        seed(ctx)
    with serve_dashboard(url) as base:
        yield LiveServer(base, "ACME", "alice", PASSWORD, "OTHER", today or date.today())


def sign_in_as(pg: Any, server: LiveServer, user: str) -> None:
    """Sign `user` (password PASSWORD) in to the server's company on the page `pg`."""
    pg.goto(f"{server.url}/login")
    pg.fill("input[name=company]", server.company_code)
    pg.fill("input[name=username]", user)
    pg.fill("input[name=password]", PASSWORD)
    pg.click("button[type=submit]")
    pg.wait_for_load_state("networkidle")


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (run `make browser`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@dataclass
class Traffic:
    """What a page did: console errors, failed requests, and every URL it asked for."""

    console_errors: list[str]
    page_errors: list[str]
    urls: list[str]
    failed: list[str]


@pytest.fixture
def page(browser: Any, live_server: LiveServer, tmp_path: Path) -> Iterator[tuple[Any, Traffic]]:
    """A fresh browser context (no cookies) whose requests are all recorded; anything not addressed to
    127.0.0.1 is aborted and recorded, so a test can prove nothing leaves the machine."""
    context = browser.new_context(viewport={"width": 1360, "height": 900}, accept_downloads=True,
                                  locale="en-US")
    traffic = Traffic([], [], [], [])

    def guard(route: Any) -> None:
        request_url = route.request.url
        traffic.urls.append(request_url)
        if request_url.startswith(("http://127.0.0.1:", "data:", "blob:")):
            route.continue_()
        else:
            traffic.failed.append(request_url)
            route.abort()

    context.route("**/*", guard)
    pg = context.new_page()
    pg.on("console", lambda m: traffic.console_errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: traffic.page_errors.append(str(e)))
    yield pg, traffic
    context.close()


@pytest.fixture(scope="session")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Screenshots land here (ARGUARD_SCREENSHOTS to keep them somewhere else); the path is printed."""
    target = Path(os.environ.get("ARGUARD_SCREENSHOTS") or tmp_path_factory.mktemp("screenshots"))
    target.mkdir(parents=True, exist_ok=True)
    print(f"screenshots: {target}")
    return target
