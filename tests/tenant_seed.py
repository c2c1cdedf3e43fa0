"""Company A's objects for the tenant isolation walk (tests/test_tenant_isolation.py): one seeder per
capability, each creating A's rows through the capability's services and recording their identifiers.

A seeder records what the walk needs with `seed.add(name, value)`: the name is what a filler in the test's
FILLERS asks for (`case_id`, `case_id:int` for the integer form); a string value carrying the seed's tag
is also a marker, a string only A's data contains, which no other company's answer may show.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from arguard.core.money import Money
from arguard.platform.context import ServiceContext

AS_OF = date(2025, 6, 30)


@dataclass
class Seed:
    """What company A owns: identifiers by name (`customer_code`, `invoice_id:int`, …) and markers,
    strings that appear only in A's data."""

    tag: str
    ids: dict[str, Any] = field(default_factory=dict)
    markers: set[str] = field(default_factory=set)

    def add(self, name: str, value: Any, marker: bool = True) -> None:
        self.ids[name] = value
        if marker and isinstance(value, str) and self.tag in value:
            self.markers.add(value)

    def add_id(self, name: str, row_id: int) -> None:
        """A row's integer id, for path parameters (`name:int`) and as text (`name`, never a marker)."""
        self.add(name, str(row_id), marker=False)
        self.add(f"{name}:int", row_id)

    def value(self, name: str, schema_type: str | None) -> Any:
        if schema_type == "integer" and f"{name}:int" in self.ids:
            return self.ids[f"{name}:int"]
        return self.ids[name]


Seeder = Callable[[ServiceContext, Seed], None]


# ---------------------------------------------------------------- ledger, recon, limits, monitor

def seed_ledger(ctx: ServiceContext, seed: Seed) -> None:
    from arguard.ledger import service
    from arguard.ledger.model import CustomerRecord, InvoiceRecord, PaymentRecord

    t = seed.tag
    customer, _ = service.upsert_customer(ctx, CustomerRecord(
        code=f"A-{t}", name=f"Alpha Secret Trading {t}", country="DE", currency="EUR", terms_days=30,
        email=f"ar-{t}@alpha.example", ibans=(f"DE89370400440532013{t[:3].upper()}",)))
    seed.add("customer_code", customer.code)
    seed.add("customer_code:int", customer.id)
    seed.add("customer_name", customer.name)
    seed.add("customer_email", customer.email)
    invoice = service.add_invoice(ctx, InvoiceRecord(
        number=f"A-INV-{t}", customer_code=customer.code, issue_date=AS_OF - timedelta(days=60),
        due_date=AS_OF - timedelta(days=30), amount=Money.of("1000.00", "EUR")))
    assert invoice is not None
    seed.add("invoice_number", invoice.number)
    seed.add("invoice_number:int", invoice.id)
    credit = service.add_invoice(ctx, InvoiceRecord(
        number=f"A-CN-{t}", customer_code=customer.code, issue_date=AS_OF - timedelta(days=20),
        due_date=AS_OF - timedelta(days=20), amount=Money.of("-50.00", "EUR"), document_type="credit_note"))
    assert credit is not None
    seed.add("credit_note_number", credit.number)
    payment = service.add_payment(ctx, PaymentRecord(
        external_id=f"A-PAY-{t}", customer_code=customer.code, received_on=AS_OF - timedelta(days=10),
        amount=Money.of("400.00", "EUR"), invoice_numbers=(invoice.number,), reference=f"A-REF-{t}"))
    assert payment is not None
    seed.add("payment_external_id", payment.external_id)
    seed.add("payment_external_id:int", payment.id)
    seed.add("payment_reference", payment.reference)
    from arguard.ledger.tables import Allocation

    allocation_id = ctx.session.scalar(select(Allocation.id).where(Allocation.company_id == ctx.company_id,
                                                                    Allocation.payment_id == payment.id))
    assert allocation_id is not None
    seed.add_id("allocation_id", allocation_id)


def seed_recon(ctx: ServiceContext, seed: Seed) -> None:
    from arguard.recon import service

    t = seed.tag
    statement = (":20:A-STMT\r\n:25:NL34RABO0142623393 EUR\r\n:28C:1/1\r\n:60F:C250620EUR0,00\r\n"
                 f":61:2506200620C600,00NTRFNONREF//A-B1-{t}\r\n:86:/TRTP/SEPA/NAME/A PAYER/REMI/thanks\r\n"
                 f":61:2506200620C77,00NTRFNONREF//A-B2-{t}\r\n:86:/TRTP/SEPA/NAME/A STRANGER/REMI/gift\r\n"
                 ":62F:C250620EUR677,00\r\n-\r\n").encode()
    summary = service.import_statement(ctx, f"a-{t}.sta", statement)
    seed.add_id("statement_id", summary.statement_ids[0])
    views, _ = service.review_queue(ctx, "suggestions")
    seed.add_id("proposal_id", views[0].proposal.id)
    residuals, _ = service.residuals(ctx)  # the stranger's 77.00: unapplied cash
    seed.add_id("residual_id", residuals[0].id)
    mapping = service.save_mapping(ctx, f"a-bank-{t}", {"booking_date": "day", "amount": "amount"})
    seed.add("mapping_name", mapping.name)


def seed_limits(ctx: ServiceContext, seed: Seed) -> None:
    from arguard.limits.service_orders import OrderCheck, check_order

    order = f"A-ORD-{seed.tag}"
    check_order(ctx, OrderCheck(order, seed.ids["customer_code"], Money.of("250000.00", "EUR"),
                                AS_OF + timedelta(days=7)), as_of=AS_OF)
    seed.add("order_id", order)
    from arguard.limits.service_base import set_appetite

    # A's cap on its buyer: another company setting a cap under the same scope and key must get its own row
    set_appetite(ctx, "buyer", seed.ids["customer_code"], Money.of("7777.00", "EUR"), f"A-appetite-{seed.tag}")


def seed_monitor(ctx: ServiceContext, seed: Seed) -> None:
    from arguard.monitor import delivery, service
    from arguard.monitor.model import EventRecord

    hook = delivery.add_webhook(ctx, f"https://hooks.alpha.example/a-{seed.tag}", f"isolation-secret-{seed.tag}")
    seed.add_id("webhook_id", hook.id)
    seed.markers.add(f"https://hooks.alpha.example/a-{seed.tag}")
    _, _, alerts = service.post_event(ctx, EventRecord(
        "insolvency.filing", seed.ids["customer_code"], AS_OF,
        {"court": f"Amtsgericht A-{seed.tag}", "case_number": f"A-IN-{seed.tag}", "source": "register"},
        external_id=f"A-EV-{seed.tag}"), AS_OF)
    seed.markers.add(f"A-IN-{seed.tag}")
    if alerts:
        seed.add_id("alert_id", alerts[0].id)
    from arguard.platform.service import create_user

    user = create_user(ctx, f"a-mon-{seed.tag}", "analyst", "pw-isolation-1", email=f"mon-{seed.tag}@alpha.example")
    delivery.subscribe(ctx, user.username, "email", "high")
    seed.add("username", user.username)
    # A's own rule file (the shipped rules with a note only A's carries): version 1 of A's, not anyone else's
    service.set_rules(ctx, service.DEFAULT_RULES + f"\n# A-RULES-{seed.tag}: alpha's rule file\n")
    seed.markers.add(f"A-RULES-{seed.tag}")


# ---------------------------------------------------------------- collections

DUNNING_POLICY = """
name: alpha-{tag}
currency: EUR
min_overdue_amount: "50.00"
levels:
  - {{name: reminder, days_overdue: 1,  channel: letter, fee: "0.00"}}
  - {{name: call,     days_overdue: 20, channel: phone,  fee: "0.00"}}
"""


def seed_collections(ctx: ServiceContext, seed: Seed) -> None:
    """A letter (the reminder run 10 days after the due date), a call task (the run 30 days after), an
    agency case with a cost and a recovery, a promise, a disputed invoice and a write-off request."""
    from arguard.collections import service, service_cases, service_work
    from arguard.ledger import service as ledger
    from arguard.ledger.model import InvoiceRecord

    t, code, eur = seed.tag, seed.ids["customer_code"], "EUR"
    service.load_policy(ctx, DUNNING_POLICY.format(tag=t), "isolation seed")
    reminder_day = AS_OF - timedelta(days=20)
    service.run_dunning(ctx, reminder_day)
    [letter] = [a for a in service.list_actions(ctx, reminder_day, code) if a.channel == "letter"]
    seed.add_id("action_id", letter.id)
    service.run_dunning(ctx, AS_OF)
    [task] = service_work.list_tasks(ctx, customer_code=code)
    seed.add_id("task_id", task.id)

    case = service_cases.open_case(ctx, code, "agency", AS_OF, handler=f"A-Agency-{t}", note=f"A-case-{t}")
    service_cases.add_case_cost(ctx, case.id, Money.of("25.00", eur), AS_OF, f"A-cost-{t}")
    service_cases.add_recovery(ctx, case.id, Money.of("10.00", eur), AS_OF + timedelta(days=5), f"A-recovered-{t}")
    seed.add_id("case_id", case.id)
    seed.add("case_handler", f"A-Agency-{t}")
    seed.add("case_cost_note", f"A-cost-{t}")

    promise = service_work.add_promise(ctx, code, Money.of("100.00", eur), AS_OF + timedelta(days=7), AS_OF,
                                       reference=f"A-PTP-{t}")
    seed.add("promise_reference", promise.reference)

    disputed = ledger.add_invoice(ctx, InvoiceRecord(
        number=f"A-DSP-{t}", customer_code=code, issue_date=AS_OF - timedelta(days=15),
        due_date=AS_OF + timedelta(days=15), amount=Money.of("300.00", eur)))
    assert disputed is not None
    dispute = service_work.open_dispute(ctx, disputed.number, "quality", f"A-owner-{t}", AS_OF, note=f"A-why-{t}")
    seed.add_id("dispute_id", dispute.id)
    seed.add("dispute_owner", dispute.owner)

    writeoff = service_cases.request_writeoff(ctx, seed.ids["invoice_number"], Money.of("5.00", eur),
                                              f"A-rounding-{t}", AS_OF)
    seed.add_id("writeoff_request_id", writeoff.id)
    seed.add("writeoff_reason", writeoff.reason)


# ---------------------------------------------------------------- insurance

INSURANCE_POLICY = """
policy_number: A-POL-{tag}
insurer: Alpha Insurer {tag}
currency: EUR
period: {{start: 2025-01-01, end: 2025-12-31}}
indemnity_pct: {{commercial: 90, political: 95}}
max_credit_period_days: 120
max_extension_days: 60
overdue_notification_days: 30
adverse_event_notification_days: 10
claim_filing_days: 60
waiting_period_days: 150
insolvency_payout_days: 30
deductible_per_claim: 50
aggregate_first_loss: 0
non_qualifying_loss: 0
max_liability: {{multiple_of_premium: 30}}
premium: {{rate_pct: 0.25, minimum: 2000, declaration: quarterly, buyer_fee: "15.00"}}
discretionary_limit: {{max_amount: 20000, conditions: [credit report under 12 months]}}
exclusions: {{countries: [RU], affiliates: true, public_buyers: true, private_persons: true}}
"""


def seed_insurance(ctx: ServiceContext, seed: Seed) -> None:
    """A policy, an insured-limit request the insurer approved, an overdue declaration, and an insolvency
    claim filed, paid and with a recovery shared."""
    from arguard.insurance import service, service_claims

    t, code, eur = seed.tag, seed.ids["customer_code"], "EUR"
    policy, _ = service.load_policy(ctx, INSURANCE_POLICY.format(tag=t), "isolation seed")
    seed.add("policy_number", policy.policy_number)
    seed.add("insurer", policy.insurer)
    asked_on = date(2025, 1, 15)
    request_id = service_claims.request_insured_limit(ctx, code, Money.of("5000.00", eur), asked_on,
                                                      f"A-cover-{t}")
    seed.add_id("insured_request_id", request_id)
    service_claims.record_insurer_decision(ctx, code, status="approved", amount=Money.of("5000.00", eur),
                                           on=asked_on + timedelta(days=3), reason=f"A-approved-{t}",
                                           request_id=request_id, reference=f"A-LIM-{t}")
    seed.add("insurer_reference", f"A-LIM-{t}")

    declaration = service_claims.declare_overdue(ctx, policy, AS_OF)
    seed.add_id("declaration_id", declaration.id)

    claim = service_claims.open_claim(ctx, policy, code, "insolvency", AS_OF)
    for action, day in (("file", 1), ("review", 5), ("pay", 40)):
        service_claims.advance_claim(ctx, policy, claim.id, action, AS_OF + timedelta(days=day))
    service_claims.add_recovery(ctx, claim.id, Money.of("60.00", eur), AS_OF + timedelta(days=60), f"A-REC-{t}")
    seed.add_id("claim_id", claim.id)
    seed.add("claim_recovery_reference", f"A-REC-{t}")


# ---------------------------------------------------------------- ledger settings (last: they change A's tolerance)

def seed_ledger_settings(ctx: ServiceContext, seed: Seed) -> None:
    """A's EUR/USD rate on the day, its own materiality (EUR 20, 2 %) and an immaterial leftover past due
    (an invoice of 200.00 paid but 0.50): what another company's rate, tolerance or bulk write-off of
    leftovers would collide with or write off if a query forgot the company."""
    from arguard.ledger import service
    from arguard.ledger.model import InvoiceRecord, PaymentRecord
    from arguard.ledger.service_materiality import set_materiality

    t, code = seed.tag, seed.ids["customer_code"]
    service.add_fx_rate(ctx, "EUR", "USD", "1.2345", AS_OF)
    set_materiality(ctx, Decimal("20.00"), Decimal("0.02"), f"A-tolerance-{t}")
    leftover = service.add_invoice(ctx, InvoiceRecord(
        number=f"A-LO-{t}", customer_code=code, issue_date=AS_OF - timedelta(days=70),
        due_date=AS_OF - timedelta(days=40), amount=Money.of("200.00", "EUR")))
    assert leftover is not None
    paid = service.add_payment(ctx, PaymentRecord(
        external_id=f"A-PAY-LO-{t}", customer_code=code, received_on=AS_OF - timedelta(days=35),
        amount=Money.of("199.50", "EUR"), invoice_numbers=(leftover.number,)))
    assert paid is not None
    seed.add("leftover_number", leftover.number)


SEEDERS: dict[str, Seeder] = {
    "ledger": seed_ledger,
    "recon": seed_recon,
    "limits": seed_limits,
    "monitor": seed_monitor,
    "collections": seed_collections,
    "insurance": seed_insurance,
    "ledger settings": seed_ledger_settings,
}
"""Run in this order: the later seeders build on the ledger's customer and invoice; the ledger's settings
come last, so that A's tolerance does not change what the dunning and insurance seeders find."""
