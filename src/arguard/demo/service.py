"""Build the demo company: draw the world, write it through the ledger, run every capability's step.

`build_demo` is the one entry point (CLI `arguard demo`, tests, benchmarks). It opens its own units of
work: the company, its users, keys and ledger in one; each capability step in its own.
"""

from __future__ import annotations

import secrets
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Engine, insert, select

from arguard.core.errors import ValidationError
from arguard.db.session import session_scope
from arguard.demo.buyers import draw_buyers
from arguard.demo.geography import EUR_RATES
from arguard.demo.history import LedgerHistory, simulate
from arguard.demo.model import SIZES, DemoSize, DemoWorld, HiddenRisk
from arguard.demo.records import (
    chunks,
    credit_note_records,
    credited,
    customer_record,
    fx_rates,
    invoice_records,
    invoices_csv,
    number_documents,
    payment_records,
    payments_csv,
)
from arguard.demo.steps import DemoStep, discover_steps, step_rng
from arguard.demo.tables import DemoBuyerTruth
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext
from arguard.platform.interface import company_id, create_api_key, create_company, create_user, delete_company

ACTOR = "system:demo"
COMPANY_NAME = "Demo Exports GmbH · 演示出口有限公司"
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", "admin", "en"), ("analyst", "analyst", "en"), ("manager", "credit_manager", "zh-CN"),
    ("viewer", "viewer", "zh-CN"))
"""(user name, role, language) of the demo users"""
CHUNK = 50_000

Progress = Callable[[str, int, int], None]


@dataclass
class DemoResult:
    """What `build_demo` did. created: False when the company was already there (nothing changed);
    passwords/api_key: shown once (only hashes are stored); counts: rows written per kind;
    seconds: time per phase; steps: (name, ok, message) of each capability step."""

    company_code: str
    created: bool
    seed: int
    as_of: date
    size: str
    passwords: dict[str, str] = field(default_factory=dict)
    api_key: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    steps: list[tuple[str, bool, str]] = field(default_factory=list)


def history_start(as_of: date, years: int) -> date:
    """First day of a history of `years` years ending on `as_of` (29 February falls back to the 28th)."""
    try:
        back = as_of.replace(year=as_of.year - years)
    except ValueError:
        back = as_of.replace(year=as_of.year - years, day=28)
    return back + timedelta(days=1)


def make_world(size: DemoSize, seed: int, as_of: date, company_code: str = "DEMO") -> DemoWorld:
    """The demo world (pure): buyers and their hidden risk."""
    start = history_start(as_of, size.years)
    return DemoWorld(company_code, "EUR", as_of, start, seed, size, draw_buyers(size, seed, as_of, start))


def demo_exists(engine: Engine, company_code: str = "DEMO") -> bool:
    with session_scope(engine) as s:
        return company_id(s, company_code) is not None


def build_demo(engine: Engine, *, size: str | DemoSize = "small", seed: int = 42, as_of: date,
               company_code: str = "DEMO", reset: bool = False, progress: Progress | None = None,
               steps: Sequence[DemoStep] | None = None) -> DemoResult:
    """Create the demo company once. If it exists: nothing changes (created=False) unless `reset`,
    which deletes that company (and only it) first. steps: the capability steps to run (default: every
    registered one, see `steps.discover_steps`)."""
    demo_size = SIZES[size] if isinstance(size, str) else size
    result = DemoResult(company_code, False, seed, as_of, demo_size.name)
    tick = time.perf_counter()
    with session_scope(engine) as s:
        existing = company_id(s, company_code)
        if existing is not None and not reset:
            return result
        if existing is not None:
            delete_company(s, existing)
    result.seconds["reset"] = time.perf_counter() - tick
    world = make_world(demo_size, seed, as_of, company_code)
    history = simulate(world)
    result.seconds["generate"] = time.perf_counter() - tick - result.seconds["reset"]
    with session_scope(engine) as s:
        company = create_company(s, company_code, COMPANY_NAME, world.base_currency)
        ctx = ServiceContext(s, company.id, ACTOR, "admin")
        for username, role, lang in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            create_user(ctx, username, role, password, email=f"{username}@demo.arguard.example", language=lang)
            result.passwords[username] = password
        result.api_key = create_api_key(ctx, "admin", "demo key")
        _write_ledger(ctx, world, history, result, progress)
        _write_truth(ctx, world)
        ctx.audit("demo.build", "company", company_code, reason="arguard demo",
                  after={"seed": seed, "size": demo_size.name, "as_of": as_of.isoformat(), **result.counts})
    result.created = True
    result.seconds["ledger"] = time.perf_counter() - tick - sum(result.seconds.values())
    _run_steps(engine, world, result, discover_steps() if steps is None else steps, progress)
    return result


def _import(ctx: ServiceContext, kind: str, records: list[Any], source: str, result: DemoResult,
            rows_written: Callable[[int], None] | None = None) -> None:
    """Load through the ledger's bulk import; the generator's rows must all be accepted.

    Documents and payments go in as the canonical CSV a user would upload (`import_bytes`): the demo
    then exercises exactly the path of a real import, amounts written as decimal text. rows_written: told
    how many of the records the ledger has written so far."""
    def written(phase: str, done: int, _total: int | None) -> None:
        if phase == "write" and rows_written is not None:
            rows_written(done)

    if kind == "customers":
        done = ledger.import_records(ctx, kind, records, source=source, progress=written)
    else:
        data = invoices_csv(records) if kind == "invoices" else payments_csv(records)
        done = ledger.import_bytes(ctx, kind, data, source, progress=written)
    if done.issues:
        raise ValidationError(f"demo {kind} rejected by the ledger: {done.issues[0]} "
                              f"({len(done.issues)} issues)", code="demo_rejected")
    result.counts["import_warnings"] = result.counts.get("import_warnings", 0) + len(done.warnings)


def _write_ledger(ctx: ServiceContext, world: DemoWorld, h: LedgerHistory, result: DemoResult,
                  progress: Progress | None) -> None:
    note = progress or (lambda _phase, _done, _total: None)
    customers = [customer_record(b) for b in world.buyers]
    _import(ctx, "customers", customers, "demo-customers", result)
    note("customers", len(customers), len(customers))
    nums = number_documents(world, h)
    n_inv = len(h.inv_buyer)
    credit = credited(h)
    for lo, hi in chunks(n_inv, CHUNK):
        _import(ctx, "invoices", invoice_records(world, h, nums, lo, hi, credit), f"demo-invoices-{lo // CHUNK + 1:03d}.csv",
                result, _after(note, "invoices", lo, n_inv))
        note("invoices", hi, n_inv)
    _import(ctx, "invoices", credit_note_records(world, h, nums), "demo-credit-notes.csv", result)
    note("credit notes", len(h.cn_day), len(h.cn_day))
    n_pay = len(h.pay_day)
    for lo, hi in chunks(n_pay, CHUNK):
        _import(ctx, "payments", payment_records(world, h, nums, lo, hi), f"demo-payments-{lo // CHUNK + 1:03d}.csv",
                result, _after(note, "payments", lo, n_pay))
        note("payments", hi, n_pay)
    for i in np.flatnonzero(h.inv_disputed_open).tolist():
        ledger.set_dispute(ctx, nums.invoices[i], True, "buyer disputes quantity or quality (demo)")
    rates = fx_rates(world, EUR_RATES, np.random.default_rng([world.seed, 3]))
    for quote, rate, on in rates:
        ledger.add_fx_rate(ctx, world.base_currency, quote, rate, on)
    result.counts.update(customers=len(customers), invoices=n_inv, credit_notes=len(h.cn_day), payments=n_pay,
                         allocations=len(h.al_invoice), open_disputes=int(h.inv_disputed_open.sum()),
                         fx_rates=len(rates), countries=len({b.country for b in world.buyers}),
                         sectors=len({b.sector for b in world.buyers}),
                         currencies=len({b.currency for b in world.buyers}),
                         defaults=sum(b.defaulted_on is not None for b in world.buyers))


def _after(note: Progress, phase: str, offset: int, total: int) -> Callable[[int], None]:
    """Rows written of one chunk, told as rows written of the whole phase."""
    return lambda done: note(phase, offset + done, total)


def _write_truth(ctx: ServiceContext, world: DemoWorld) -> None:
    rows = [{"company_id": ctx.company_id, "customer_code": b.code, "pd_12m": b.pd_12m,
             "culture_days": b.culture_days, "defaulted_on": b.defaulted_on, "default_kind": b.default_kind,
             "seed": world.seed} for b in world.buyers]
    ctx.session.execute(insert(DemoBuyerTruth), rows)


def _run_steps(engine: Engine, world: DemoWorld, result: DemoResult, steps: Sequence[DemoStep],
               progress: Progress | None) -> None:
    with session_scope(engine) as s:
        company = company_id(s, world.company_code)
    assert company is not None
    for i, step in enumerate(steps):
        tick = time.perf_counter()
        if progress:
            progress(f"step {step.name}", 0, 1)
        try:
            with session_scope(engine) as s:
                ctx = ServiceContext(s, company, ACTOR, "admin")
                step.run(ctx, world, step_rng(world.seed, step.name))
            ctx.run_after_commit()
            result.steps.append((step.name, True, f"{time.perf_counter() - tick:.1f} s"))
        except Exception as exc:  # noqa: BLE001 -- another capability's step must not take the demo down
            last = traceback.format_exception_only(exc)[-1].strip()
            result.steps.append((step.name, False, last))
        if progress:
            progress(f"step {step.name}", 1, 1)
            progress("steps", i + 1, len(steps))
        result.seconds[f"step:{step.name}"] = time.perf_counter() - tick


def hidden_risk(ctx: ServiceContext) -> dict[str, HiddenRisk]:
    """The hidden truth of the company's demo buyers by customer code (empty for non-demo companies)."""
    rows = ctx.session.scalars(select(DemoBuyerTruth).where(DemoBuyerTruth.company_id == ctx.company_id))
    return {r.customer_code: HiddenRisk(r.customer_code, r.pd_12m, r.culture_days, r.defaulted_on,
                                        r.default_kind) for r in rows}

