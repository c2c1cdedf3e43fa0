"""Collections demo step: the standard dunning policy (EU statutory interest and €40 per invoice, weak grades
one step earlier), a recorded dunning run on the demo date (letters rendered when first opened, e-mails
left queued: the demo sends nothing), collectors assigned, promises (one broken, so monitoring alerts), a
dispute, and a recovery on the first agency case."""

from __future__ import annotations

from datetime import timedelta
from random import Random

from arguard.collections import service, service_cases, service_work
from arguard.core.money import Money
from arguard.demo.model import DemoWorld
from arguard.platform.context import ServiceContext

DEMO_POLICY = """\
name: standard
currency: {currency}
min_overdue_amount: "50.00"
levels:
  - {{name: friendly,     days_overdue: -3,  channel: email}}
  - {{name: reminder,     days_overdue: 1,   channel: email,  fee: "0.00"}}
  - {{name: first_demand, days_overdue: 15,  channel: email,  fee: "5.00"}}
  - {{name: final_notice, days_overdue: 30,  channel: letter, fee: "15.00"}}
  - {{name: call,         days_overdue: 45,  channel: phone,  fee: "0.00"}}
  - {{name: agency,       days_overdue: 60,  channel: agency, fee: "0.00"}}
  - {{name: legal,        days_overdue: 120, channel: legal,  fee: "0.00"}}
interest: {{rate_pct: "10.50", basis: act/365}}
compensation_per_invoice: "40.00"
stricter:
  - {{grades: [8, 10], steps: 1}}
"""
COLLECTORS = ("li.na", "tom.weber", "sofia.r")


def build(ctx: ServiceContext, world: DemoWorld, rng: Random) -> None:
    as_of = world.as_of
    policy = service.load_policy(ctx, DEMO_POLICY.format(currency=world.base_currency), "demo")
    result = service.dunning(ctx, as_of, policy)
    service.record(ctx, policy, result, render_letters=False, send=False)
    items, _ = service_work.worklist(ctx, as_of, limit=10**9)
    for k, w in enumerate(items):
        service_work.assign(ctx, w.customer_code, COLLECTORS[k % len(COLLECTORS)])
    for k, w in enumerate(items[:6]):
        made = as_of - timedelta(days=20 if k == 0 else 2)
        due = made + timedelta(days=7)
        amount = Money(w.overdue.amount / 2, w.overdue.currency)
        service_work.add_promise(ctx, w.customer_code, amount, due, made, reference=f"PTP-DEMO-{k + 1}")
        service_work.log_contact(ctx, w.customer_code, made, "call", "promise", "promised to pay half")
    service_work.check_promises(ctx, as_of)
    disputed = next((a for a in result.actions if len(a.invoices) > 1), None)
    if disputed is not None:
        service_work.open_dispute(ctx, disputed.invoices[-1].number, rng.choice(("pricing", "quality")),
                                  COLLECTORS[0], as_of, "buyer says the goods arrived damaged")
    cases = service_cases.list_cases(ctx, status="open")
    if cases:
        case = cases[-1]
        service_cases.add_case_cost(ctx, case.id, Money.of("150.00", case.currency), as_of, "agency fee")
        service_cases.add_recovery(ctx, case.id, Money.from_minor(case.principal_minor // 4, case.currency), as_of,
                                   "first instalment collected by the agency")
