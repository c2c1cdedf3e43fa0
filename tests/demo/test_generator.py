"""The demo generator, pure: coverage of the stated counts, determinism, consistency, and behaviour
that follows each buyer's hidden risk. Every random draw is seeded; seeds are printed."""

from __future__ import annotations

import warnings
from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from schwifty import IBAN

from arguard.demo.history import simulate
from arguard.demo.model import DemoSize
from arguard.demo.names import bank_form, buyer_name
from arguard.demo.records import number_documents, payment_records, rf_reference
from arguard.demo.service import history_start, make_world

AS_OF = date(2026, 3, 31)
TEST_SIZE = DemoSize("test", buyers=300, invoices=9_000)


def world_and_history(seed: int, size: DemoSize = TEST_SIZE):  # type: ignore[no-untyped-def]
    print(f"seed={seed} size={size}")
    world = make_world(size, seed, AS_OF)
    return world, simulate(world)


def test_world_has_the_stated_breadth():
    world, h = world_and_history(11)
    buyers = world.buyers
    assert len(buyers) == 300
    assert len({b.country for b in buyers}) >= 30
    assert len({b.sector for b in buyers}) >= 10
    assert len({b.sector[0] for b in buyers}) >= 10, "NACE sections"
    assert {"EUR", "USD", "GBP", "CNY", "JPY"} <= {b.currency for b in buyers}
    assert all(b.language == "zh-CN" for b in buyers if b.country in {"CN", "HK", "TW", "SG"})
    assert all(b.language == "en" for b in buyers if b.country in {"DE", "US", "BR"})
    codes = {b.code for b in buyers}
    assert any(b.parent_code for b in buyers) and all(b.parent_code in codes for b in buyers if b.parent_code)
    assert any(b.name.endswith("有限公司") for b in buyers) and any(b.name.endswith("GmbH") for b in buyers)
    # Three years of history ending at as_of.
    assert world.start_on == history_start(AS_OF, 3) == date(2023, 4, 1)
    assert h.inv_issue.min() <= 30 and h.inv_issue.max() >= (AS_OF - world.start_on).days - 30
    kinds = {b.default_kind for b in buyers}
    assert {"insolvency", "protracted"} <= kinds


def test_ibans_have_valid_check_digits():
    world, _ = world_and_history(12)
    ibans = [i for b in world.buyers for i in b.ibans if i[:2].isalpha()]
    assert len(ibans) > 100
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert all(IBAN(i).is_valid for i in ibans)


def test_names_as_banks_print_them():
    assert bank_form("Müller Maschinenbau GmbH & Co. KG") == "MUELLER MASCHINENBAU GMBH & CO. KG"
    assert bank_form("Yıldız Tekstil San. ve Tic. A.Ş.") == "YILDIZ TEKSTIL SAN. VE TIC. A.S."
    assert len(bank_form("x" * 80)) == 35
    from random import Random

    name = buyer_name("zh_cn", "C13", Random(3))
    assert name.name.endswith("公司") and "TEXTILE" in name.aliases[0] and name.aliases[0].isascii()


def test_rf_references_pass_iso_11649():
    for ref in ("539007547034", "2024000123", "INV2025A7"):
        rf = rf_reference(ref)
        rearranged = rf[4:] + rf[:4]
        assert int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
    assert rf_reference("539007547034") == "RF18539007547034"


def test_same_seed_same_company_other_seed_other_company():
    w1, h1 = world_and_history(5)
    w2, h2 = world_and_history(5)
    w3, h3 = world_and_history(6)
    assert w1 == w2
    for name in ("inv_amount", "inv_issue", "pay_day", "al_amount", "cn_amount"):
        assert np.array_equal(getattr(h1, name), getattr(h2, name))
    assert w1.buyers != w3.buyers and not np.array_equal(h1.inv_amount[:100], h3.inv_amount[:100])


def _check_history(world, h) -> None:  # type: ignore[no-untyped-def]
    span = (world.as_of - world.start_on).days
    n = len(h.inv_amount)
    paid = np.bincount(h.al_invoice, weights=h.al_amount, minlength=n)
    credited = np.bincount(h.cn_invoice, weights=h.cn_amount, minlength=n)
    assert (h.al_amount > 0).all() and (h.cn_amount > 0).all()
    assert (paid + credited <= h.inv_amount).all(), "never more settled than invoiced"
    assert np.array_equal(np.bincount(h.al_payment, weights=h.al_amount, minlength=len(h.pay_amount)),
                          h.pay_amount), "a payment is the sum of what it settles"
    assert (h.pay_day <= span).all() and (h.cn_day <= span).all() and (h.inv_issue <= span).all()
    assert (h.inv_due >= h.inv_issue).all()
    default_day = np.array([(b.defaulted_on - world.start_on).days if b.defaulted_on else 10**6
                            for b in world.buyers])
    assert (h.pay_day < default_day[h.pay_buyer]).all(), "nothing is paid on or after a default"
    assert (h.inv_buyer[h.al_invoice] == h.pay_buyer[h.al_payment]).all()


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), buyers=st.integers(20, 80))
def test_history_invariants_hold_for_any_seed(seed: int, buyers: int):
    world, h = world_and_history(seed, DemoSize("prop", buyers, buyers * 12))
    _check_history(world, h)


def test_payments_name_the_invoices_they_settle():
    world, h = world_and_history(13)
    _check_history(world, h)
    nums = number_documents(world, h)
    records = payment_records(world, h, nums, 0, len(h.pay_day))
    assert len({r.external_id for r in records}) == len(records)
    assert sum(len(r.invoice_numbers) for r in records) == len(h.al_invoice)
    assert any(len(r.invoice_numbers) > 1 for r in records), "payment runs settle several invoices"
    assert len(set(nums.invoices)) == len(nums.invoices) and nums.invoices[0].startswith("INV-2023-")


def _rank(x: np.ndarray) -> np.ndarray:
    r = np.empty(len(x))
    r[np.argsort(x, kind="stable")] = np.arange(len(x))
    return r


def test_riskier_buyers_pay_later_and_fail_more_often():
    seed = 20260331
    world, h = world_and_history(seed, DemoSize("stat", 600, 18_000))
    n = len(h.inv_amount)
    settled_on = np.zeros(n, np.int64)
    np.maximum.at(settled_on, h.al_invoice, h.pay_day[h.al_payment])
    paid = np.bincount(h.al_invoice, weights=h.al_amount, minlength=n)
    credited = np.bincount(h.cn_invoice, weights=h.cn_amount, minlength=n)
    done = (paid > 0) & (paid + credited >= h.inv_amount - 50_000)
    late = (settled_on - h.inv_due)[done]
    buyer = h.inv_buyer[done]
    count = np.bincount(buyer, minlength=len(world.buyers))
    has = count >= 5
    mean_late = (np.bincount(buyer, weights=late, minlength=len(world.buyers)) / np.maximum(count, 1))[has]
    pd = np.array([b.pd_12m for b in world.buyers])[has]
    rho = np.corrcoef(_rank(pd), _rank(mean_late))[0, 1]
    t = rho * np.sqrt((len(pd) - 2) / (1 - rho**2))
    riskiest, safest = mean_late[pd >= np.quantile(pd, 0.75)], mean_late[pd <= np.quantile(pd, 0.25)]
    print(f"seed={seed} buyers={len(pd)} spearman={rho:.3f} t={t:.1f} "
          f"late: safest quartile {safest.mean():.1f} d, riskiest {riskiest.mean():.1f} d")
    assert rho > 0.2 and t > 4, "days late rise with the hidden PD (one-sided, p < 1e-4)"
    assert riskiest.mean() > safest.mean() + 5
    pd_all = np.array([b.pd_12m for b in world.buyers])
    failed = np.array([b.defaulted_on is not None for b in world.buyers])
    assert failed.any() and pd_all[failed].mean() > 2 * pd_all[~failed].mean()
