"""Demo step: the last two weeks' bank statement of the demo company (camt.053), imported, so that the
review screen has automatic matches, suggestions and unmatched money to look at.

The payments are drawn by `recon.generator` from the demo ledger's open items (references written well
and badly, multi-invoice payments, bank charges, partial, duplicate, foreign-currency, third-party and
unrelated credits) and written as camt.053 by `recon.writers`, then imported through the service like
any uploaded file.
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal
from random import Random

from arguard.demo.model import DemoWorld
from arguard.platform.context import ServiceContext
from arguard.recon import service
from arguard.recon.generator import CASE_WEIGHTS, statement_from
from arguard.recon.writers import with_balances, write_camt053

ACCOUNT = "DE75512108001245126199"
PAYMENTS = 160
DEMO_WEIGHTS = {**CASE_WEIGHTS, "multi_noref": 10, "noref_single": 14, "third_party": 6, "unrelated": 10,
                "amount_only": 8}
"""A little more work for a person than the benchmark's mix: payments without references, unknown payers."""


def recon_demo(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    items = service.load_open_items(ctx)
    customers = service.load_customers(ctx)
    statement, _ = statement_from(rng, customers, items, PAYMENTS, world.as_of, account=ACCOUNT,
                                  statement_id=f"DEMO-{world.as_of:%Y%m%d}", days=(-13, 0), weights=DEMO_WEIGHTS)
    statement = with_balances(statement, Decimal("250000.00"))
    data = write_camt053(statement, datetime.combine(world.as_of, time(18, 0)))
    service.import_statement(ctx, f"camt053_{world.as_of:%Y%m%d}.xml", data)
