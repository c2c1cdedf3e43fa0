"""Cover per invoice, deadlines and their status, in the words of the policy (README rules 5–10)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from arguard.insurance.model import InsuredBuyer, InsuredItem
from arguard.insurance.rules import (
    buyer_cover,
    cover_per_invoice,
    insured_position,
    net_insured_book,
    obligations,
)
from tests.insurance.policies import buyer, items, policy

D = date.fromisoformat


def test_the_issue_example_an_unnotified_overdue_invoice_misses_its_deadlines():
    p = policy()
    report = obligations(p, {"K100": buyer("K100", limit="10000")},
                         items("H-00001 K100 2026-05-02 2026-06-01 1234.50"), D("2026-10-30"))
    (o,) = report.obligations
    assert (o.mep_end, o.notification_deadline, o.claim_deadline) == (D("2026-07-31"), D("2026-08-30"),
                                                                       D("2026-10-29"))
    assert o.waiting_period_end == D("2027-01-27")
    assert o.status == "missed" and o.cover.covered
    assert o.at_stake_minor == 111105          # 1,234.50 × 90 % = 1,111.05
    assert report.stop_supply == {"K100": D("2026-08-01")}   # the day after the MEP ended


def test_status_follows_the_deadlines():
    p = policy()
    inv = items("H-1 ACME 2026-05-02 2026-06-01 1000.00")
    def status(as_of: str, **kw: object) -> str:
        return obligations(p, {"ACME": buyer("ACME", limit="5000", **kw)}, inv, D(as_of)).obligations[0].status
    assert status("2026-08-01") == "ok"
    assert status("2026-08-20") == "due_soon"          # notification due 2026-08-30, 10 days left
    assert status("2026-08-31") == "missed"            # nothing notified by the deadline
    notified = (D("2026-08-10"),)
    assert status("2026-09-01", notifications=notified) == "notified"     # claim due 2026-10-09
    assert status("2026-10-01", notifications=notified) == "due_soon"     # claim due in 8 days
    assert status("2026-10-10", notifications=notified) == "missed"       # claim never filed
    assert status("2026-10-10", notifications=notified, claim_filed_on=D("2026-10-05")) == "notified"
    assert status("2026-09-06", notifications=(D("2026-09-05"),)) == "missed"   # notified late
    adverse = {"adverse_event_on": D("2026-06-20")}    # must be notified by 2026-06-30
    assert status("2026-06-25", **adverse) == "due_soon"
    assert status("2026-07-01", **adverse) == "missed"
    assert status("2026-07-01", adverse_notified_on=D("2026-06-28"), **adverse) == "ok"


def test_a_notification_counts_for_the_invoices_overdue_when_sent():
    p = policy()
    inv = items("""
        H-1 ACME 2026-05-02 2026-06-01 1000.00
        H-2 ACME 2026-07-01 2026-08-15 1000.00
    """)
    report = obligations(p, {"ACME": buyer("ACME", limit="5000", notifications=(D("2026-08-10"),))}, inv,
                         D("2026-10-20"))
    by = {o.number: o for o in report.obligations}
    assert by["H-1"].notified_on == D("2026-08-10")
    assert by["H-2"].notified_on is None and by["H-2"].notification_deadline == D("2026-11-13")
    # H-2 was delivered before H-1's MEP ended (2026-07-31): covered; stop supply from the day after
    assert by["H-2"].cover.covered and report.stop_supply["ACME"] == D("2026-08-01")


def test_cover_per_invoice_says_why_not():
    p = policy()
    inv = items("""
        A-1 ACME 2026-03-01 2026-04-30 6000.00
        A-2 ACME 2026-03-15 2026-05-14 6000.00
        A-3 ACME 2026-04-01 2026-05-31 1000.00
        T-1 TERM 2026-03-01 2026-07-15 100.00
        O-1 OLD  2025-12-20 2026-02-20 100.00
        N-1 NOLIM 2026-03-01 2026-04-01 100.00
        R-1 RUS 2026-03-01 2026-04-01 100.00
        F-1 AFF 2026-03-01 2026-04-01 100.00
        G-1 GOV 2026-03-01 2026-04-01 100.00
        P-1 PERS 2026-03-01 2026-04-01 100.00
        S-1 SISTER 2026-03-01 2026-04-01 100.00
    """)
    buyers = {"ACME": buyer("ACME", limit="10000"), "TERM": buyer("TERM", limit="1000"),
              "OLD": buyer("OLD", limit="1000", since="2025-01-01"), "NOLIM": buyer("NOLIM"),
              "RUS": buyer("RUS", "RU", limit="1000"), "AFF": buyer("AFF", limit="1000", tags=frozenset({"affiliate"})),
              "GOV": buyer("GOV", limit="1000", tags=frozenset({"public"})),
              "PERS": buyer("PERS", limit="1000", tags=frozenset({"private_person"})),
              "SISTER": buyer("SISTER", limit="1000")}
    c = cover_per_invoice(p, buyers, inv, D("2026-04-15"))
    assert (c["A-1"].covered, c["A-1"].covered_minor, c["A-1"].reasons) == (True, 600000, ())
    assert (c["A-2"].covered, c["A-2"].covered_minor, c["A-2"].reasons) == (True, 400000, ("over_limit",))
    assert (c["A-3"].covered, c["A-3"].covered_minor, c["A-3"].reasons) == (False, 0, ("over_limit",))
    assert c["T-1"].reasons == ("terms_too_long",)
    assert c["O-1"].reasons == ("outside_period",)
    assert c["N-1"].reasons == ("no_limit",)
    assert c["R-1"].reasons == ("excluded_country",)
    assert c["F-1"].reasons == ("excluded_affiliate",)
    assert c["G-1"].reasons == ("excluded_public",)
    assert c["P-1"].reasons == ("excluded_private_person",)
    assert c["S-1"].reasons == ("excluded_buyer",)


def test_deliveries_after_the_mep_expired_are_not_covered_and_lose_nothing():
    p = policy()
    inv = items("""
        B-1 BETA 2026-01-30 2026-03-01 2000.00
        B-2 BETA 2026-05-05 2026-06-04 3000.00
    """)
    report = obligations(p, {"BETA": buyer("BETA", limit="50000")}, inv, D("2026-06-15"))
    by = {o.number: o for o in report.obligations}
    assert report.stop_supply["BETA"] == D("2026-05-01")
    assert by["B-2"].cover.reasons == ("after_stop_supply",) and by["B-2"].at_stake_minor == 0
    assert by["B-1"].at_stake_minor == 180000


def test_the_limit_in_force_at_delivery_governs():
    p = policy()
    b = buyer("ACME").__class__(code="ACME", country="DE", cover=((D("2026-01-01"), D("2026-03-31"), 100000),
                                                                  (D("2026-04-01"), None, 50000)))
    c = buyer_cover(p, b, items("""
        X-1 ACME 2026-03-20 2026-04-20 800.00
        X-2 ACME 2026-04-02 2026-05-02 800.00
    """), None)
    assert c["X-1"].covered_minor == 80000                 # delivered under the 1,000 limit
    assert c["X-2"].covered_minor == 0                      # the 500 limit is used by X-1 already


def test_only_invoices_delivered_in_the_period_and_overdue_are_listed_political_rate_applies():
    p = policy()
    inv = items("""
        L-1 ARG 2026-05-01 2026-06-01 100.00
        L-2 ARG 2026-10-01 2026-11-30 100.00
        L-3 ARG 2025-12-01 2026-01-31 100.00
    """)
    report = obligations(p, {"ARG": buyer("ARG", "AR", limit="1000", since="2025-01-01")}, inv, D("2026-10-30"))
    assert [o.number for o in report.obligations] == ["L-1"]
    assert report.obligations[0].at_stake_minor == 9500     # political risk country: 95 %


def test_net_insured_and_uninsured_exposure():
    p = policy()
    inv = items("""
        A-1 ACME 2026-03-01 2026-04-30 6000.00
        A-2 ACME 2026-03-15 2026-05-14 6000.00
    """)
    exposure, insured, uninsured = insured_position(p, buyer("ACME", limit="10000"), inv, D("2026-04-15"))
    assert (exposure, insured, uninsured) == (1200000, 900000, 300000)   # min(12,000, 10,000) × 90 %


_BUYERS = ("A", "B", "C", "D")


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_BUYERS), st.integers(-400, 600), st.sampled_from([0, 30, 60, 119, 120, 121, 150]),
                          st.integers(1, 10**5)),
                min_size=1, max_size=25),
       st.lists(st.tuples(st.integers(-100, 200), st.one_of(st.none(), st.integers(0, 300)), st.integers(0, 10**6)),
                min_size=1, max_size=3),
       st.sampled_from(["DE", "AR", "RU"]), st.integers(0, 500), st.lists(st.integers(0, 500), max_size=2))
def test_the_whole_book_insures_what_each_buyer_insures_alone(rows, spans, country, as_of_day, notices):
    """The book's one pass (forecast and provisions) equals the per-buyer rules: limits spanning dates,
    deliveries outside the period, long terms, stop supply after an expired MEP or a notice, an excluded
    country (RU in the test policy's exclusions or not), a political-risk country, a buyer without cover."""
    p = policy()
    start = D("2026-01-01")
    day = start.toordinal()
    inv = [InsuredItem(f"I-{n}", code, date.fromordinal(day + d), date.fromordinal(day + d + t), m)
           for n, (code, d, t, m) in enumerate(rows)]
    cover = tuple(sorted(((date.fromordinal(day + s), None if e is None else date.fromordinal(day + s + e), m)
                          for s, e, m in spans), key=lambda span: span[0]))
    as_of = date.fromordinal(day + as_of_day)
    buyers = {"A": InsuredBuyer(code="A", country=country, cover=cover,
                                notifications=tuple(sorted(date.fromordinal(day + n) for n in notices))),
              "B": InsuredBuyer(code="B", country="DE", cover=cover[:1]),
              "C": InsuredBuyer(code="C", country="DE")}           # D: not known to the policy's rules at all
    book = net_insured_book(p, buyers, inv, as_of)
    for code in {i.customer_code for i in inv}:
        alone = insured_position(p, buyers.get(code) or InsuredBuyer(code=code, country=""),
                                 [i for i in inv if i.customer_code == code], as_of)[1]
        assert book[code] == alone
    assert set(book) == {i.customer_code for i in inv}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200), st.integers(1, 150), st.integers(1, 10**7)), min_size=1,
                max_size=12), st.integers(0, 10**7), st.integers(0, 400))
def test_covered_amounts_never_exceed_the_limit_nor_the_open_amounts(rows, limit, as_of_day):
    p = policy()
    start = D("2026-01-01")
    inv = [InsuredItem(f"I-{n}", "B", date.fromordinal(start.toordinal() + d),
                       date.fromordinal(start.toordinal() + d + t), m) for n, (d, t, m) in enumerate(rows)]
    b = buyer("B").__class__(code="B", country="DE", cover=((start, None, limit),))
    covers = cover_per_invoice(p, {"B": b}, inv, date.fromordinal(start.toordinal() + as_of_day))
    assert sum(c.covered_minor for c in covers.values()) <= limit
    assert all(0 <= covers[i.number].covered_minor <= i.open_minor for i in inv)


def test_amount_at_stake_is_the_indemnity_rounded_half_to_even_to_the_cent():
    p = policy(indemnity_pct="{commercial: 90, political: 87.5}")
    inv = items("""
        R-1 ACME 2026-03-01 2026-04-30 0.05
        R-2 ACME 2026-03-02 2026-04-30 0.15
        R-3 ACME 2026-03-03 2026-04-30 1234.57
        R-4 ARG 2026-03-01 2026-04-30 0.04
        R-5 ARG 2026-03-02 2026-04-30 0.12
    """)
    report = obligations(p, {"ACME": buyer("ACME", limit="10000"), "ARG": buyer("ARG", "AR", limit="10000")},
                         inv, D("2026-06-01"))
    stake = {o.number: o.at_stake_minor for o in report.obligations}
    # 90 % of 0.05 = 0.045 → 0.04 (4 is even); of 0.15 = 0.135 → 0.14; of 1,234.57 = 1,111.113 → 1,111.11
    # political 87.5 %: of 0.04 = 0.035 → 0.04; of 0.12 = 0.105 → 0.10
    assert stake == {"R-1": 4, "R-2": 14, "R-3": 111111, "R-4": 4, "R-5": 10}


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 10**13), st.decimals(0, 100, places=3))
def test_amount_at_stake_in_the_report_is_the_decimal_indemnity(open_minor, pct):
    from arguard.insurance.rules import at_stake
    p = policy(indemnity_pct=f"{{commercial: {pct}, political: {pct}}}")
    inv = [InsuredItem("S-1", "B", D("2026-03-01"), D("2026-04-30"), open_minor)]
    b = buyer("B").__class__(code="B", country="DE", cover=((D("2026-01-01"), None, 10**13),))
    (o,) = obligations(p, {"B": b}, inv, D("2026-06-01")).obligations
    assert o.at_stake_minor == at_stake(open_minor, pct)


def test_the_report_lists_by_notification_deadline_then_buyer_then_invoice_and_each_buyer_keeps_its_notices():
    p = policy()
    inv = items("""
        Z-2 ZED 2026-03-01 2026-04-30 100.00
        B-9 BEE 2026-03-01 2026-04-30 100.00
        Z-1 ZED 2026-03-02 2026-04-30 100.00
        A-1 ACE 2026-02-01 2026-05-30 100.00
        B-1 BEE 2026-02-01 2026-03-31 100.00
        A-2 ACE 2026-02-01 2026-04-30 100.00
    """)
    notified = (D("2026-05-20"),)
    buyers = {"ACE": buyer("ACE", limit="1000", notifications=notified), "BEE": buyer("BEE", limit="1000"),
              "ZED": buyer("ZED", limit="1000", notifications=notified)}
    report = obligations(p, buyers, inv, D("2026-07-01"))
    assert [o.number for o in report.obligations] == ["B-1", "A-2", "B-9", "Z-1", "Z-2", "A-1"]
    by = {o.number: o for o in report.obligations}
    # same due date, different buyers: only the notified buyers' invoices count as notified
    assert by["A-2"].notified_on == by["Z-1"].notified_on == D("2026-05-20") and by["B-9"].notified_on is None
    assert (by["A-2"].status, by["B-9"].status) == ("notified", "ok")   # claim by 07-19 / notify by 07-29
    assert by["A-1"].notified_on is None              # overdue only after the notice was sent
