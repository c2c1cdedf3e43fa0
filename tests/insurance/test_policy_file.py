"""The policy file: every key read exactly, every bad key named."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from arguard.core.money import Money
from arguard.insurance.policy import parse_policy, policy_terms
from arguard.insurance.policy_io import load_policy_text
from tests.insurance.policies import POLICY_YAML, policy


def test_every_key_of_the_policy_file_is_read_exactly():
    p = policy()
    assert (p.policy_number, p.insurer, p.currency) == ("P-1", "Example Credit Insurance AG", "EUR")
    assert (p.start, p.end) == (date(2026, 1, 1), date(2026, 12, 31))
    assert (p.indemnity_commercial_pct, p.indemnity_political_pct) == (Decimal(90), Decimal(95))
    assert (p.max_credit_period_days, p.max_extension_days, p.overdue_notification_days) == (120, 60, 30)
    assert (p.adverse_event_notification_days, p.claim_filing_days, p.waiting_period_days) == (10, 60, 150)
    assert p.insolvency_payout_days == 30
    assert p.deductible_per_claim == Money.of("500", "EUR")
    assert p.aggregate_first_loss == Money.of("5000", "EUR")
    assert p.non_qualifying_loss == Money.of("1000", "EUR")
    assert p.max_liability.multiple_of_premium == Decimal(30) and p.max_liability.amount is None
    assert p.premium.rate_pct == Decimal("0.25") and isinstance(p.premium.rate_pct, Decimal)
    assert p.premium.minimum == Money.of("2000", "EUR") and p.premium.declaration == "quarterly"
    assert p.premium.buyer_fee == Money.of("15", "EUR")
    assert p.discretionary_max == Money.of("20000", "EUR") and len(p.discretionary_conditions) == 2
    assert p.exclusions.countries == frozenset({"RU"}) and p.exclusions.buyers == frozenset({"SISTER"})
    assert p.exclusions.affiliates and p.exclusions.public_buyers and p.exclusions.private_persons
    assert p.political_countries == frozenset({"AR"})


def test_json_and_yaml_describe_the_same_policy_and_terms_round_trip():
    p = policy()
    again, issues = load_policy_text(json.dumps(policy_terms(p)), "p.json")
    assert issues == [] and again == p
    assert parse_policy(policy_terms(p))[0] == p


def test_every_bad_key_is_named():
    text = POLICY_YAML.replace("currency: EUR", "currency: EURO").replace("max_extension_days: 60",
                                                                           "max_extension_days: sixty")
    text = text.replace("period: {start: 2026-01-01, end: 2026-12-31}", "period: {start: 2026-01-01, end: 2025-12-31}")
    text = text.replace("declaration: quarterly", "declaration: weekly").replace("commercial: 90", "commercial: 190")
    text = text.replace("max_liability: {multiple_of_premium: 30}", "max_liability: {amount: 1, multiple_of_premium: 3}")
    text = text.replace("insurer: Example Credit Insurance AG\n", "") + "colour: blue\nexclusions2: {}\n"
    p, issues = load_policy_text(text, "bad.yaml")
    assert p is None
    named = {i.field for i in issues}
    assert named == {"currency", "max_extension_days", "period.end", "premium.declaration", "indemnity_pct.commercial",
                     "max_liability", "insurer", "colour", "exclusions2"}
    assert all(i.source == "bad.yaml" for i in issues)


def test_a_fixed_maximum_liability_and_string_numbers_are_accepted():
    p = policy(max_liability='{amount: "250000.00"}', deductible_per_claim='"1,000.50"')
    assert p.max_liability.amount == Money.of("250000", "EUR")
    assert p.deductible_per_claim == Money.of("1000.50", "EUR")


def test_not_a_mapping_or_not_yaml_is_one_clear_issue():
    assert load_policy_text("- a\n- b\n", "x.yaml")[1][0].reason.startswith("a policy file is a mapping")
    _, issues = load_policy_text("a: [\n", "x.yaml")
    assert issues and issues[0].reason.startswith("not valid YAML/JSON")
