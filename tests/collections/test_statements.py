"""Statements of account sent by e-mail in the buyer's language (PDF text checked), confirmation and
objection recorded, reminders of unconfirmed statements; dunning letters in each language as PDFs."""

from __future__ import annotations

from datetime import date

import pytest

from arguard.collections import letters, service_statements
from arguard.collections.model import DunningLevel
from arguard.core.errors import Conflict
from arguard.ledger.model import CustomerRecord
from tests.collections.helpers import STANDARD, buyers, policy
from tests.collections.ledger_text import write
from tests.collections.test_run import D, pdf_text, smtp  # noqa: F401  (the SMTP fixture)

LEDGER = """
customer K100 DE en k100@example.com "Müller & Söhne <GmbH>"
customer K200 CN zh-CN k200@example.cn "上海贸易有限公司"
customer K300 FR en
invoice K100 H-1 1000.00 EUR due 2026-10-01
pay K100 P-1 600.00 EUR on 2026-10-31 H-1
invoice K200 Z-1 500.00 EUR due 2026-09-01
invoice K300 F-1 300.00 EUR due 2026-11-10
"""


def test_statements_mailed_in_each_language_answered_and_reminded(ctx_factory, smtp) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from email import message_from_bytes
    from email import policy as email_policy

    with ctx_factory() as ctx:
        write(ctx, LEDGER)
    with ctx_factory() as ctx:
        rows = service_statements.send_statements(ctx, D)
        assert [r.customer_code for r in rows] == ["K100", "K200", "K300"]
    with ctx_factory() as ctx:
        assert service_statements.send_statements(ctx, D) == []          # once per buyer and date
        status = {r.customer_code: r.status for r in service_statements.list_statements(ctx)}
    assert status == {"K100": "sent", "K200": "sent", "K300": "failed"}   # K300 has no e-mail address
    mails = {m["To"]: message_from_bytes(m.as_bytes(), policy=email_policy.default) for m in smtp
             if m["To"] in ("k100@example.com", "k200@example.cn")}
    (en,) = list(mails["k100@example.com"].iter_attachments())
    en_text = pdf_text(en.get_content())
    assert "Statement of account" in en_text and "H-1" in en_text and "400.00" in en_text
    assert "Müller & Söhne <GmbH>" in en_text
    assert "对账单" in str(mails["k200@example.cn"]["Subject"])
    (zh,) = list(mails["k200@example.cn"].iter_attachments())
    zh_text = pdf_text(zh.get_content())
    assert "对账单" in zh_text and "上海贸易有限公司" in zh_text and "500.00" in zh_text
    with ctx_factory() as ctx:
        service_statements.answer(ctx, "K100", D, True, date(2026, 12, 3))
        with pytest.raises(Conflict):
            service_statements.answer(ctx, "K100", D, False, date(2026, 12, 4))
    with ctx_factory() as ctx:
        assert service_statements.remind_unconfirmed(ctx, date(2026, 12, 5)) == []   # too early
        due = service_statements.remind_unconfirmed(ctx, date(2026, 12, 20))
        assert [r.customer_code for r in due] == ["K200"]
    reminders = [m for m in smtp if m["To"] == "k200@example.cn"]
    assert len(reminders) == 2
    with ctx_factory() as ctx:
        service_statements.answer(ctx, "K200", D, False, date(2026, 12, 21), "we paid 500 on 11-28")
        assert {r.customer_code: r.status for r in service_statements.list_statements(ctx)}["K200"] == "objected"


@pytest.mark.parametrize(("language", "name", "expected"), [
    ("en", "A <b>&amp;</b> B & Co", ["Final notice before collection", "A <b>&amp;</b> B & Co", "H-1", "Total due",
                                      "156.73", "Dunning fee", "15.00", "Recovery costs (fixed)", "40.00"]),
    ("zh-CN", "深圳<创新>科技", ["最后催告函", "深圳<创新>科技", "H-1", "应付合计", "156.73", "催收费", "固定追偿费用"]),
])
def test_reminder_letter_in_each_language_as_pdf(language: str, name: str, expected: list[str]) -> None:
    from arguard.collections import rules
    from arguard.core.money import FxTable

    pol = policy(STANDARD.replace("days_overdue: 60,", "days_overdue: 61,"))
    (action,) = rules.run(pol, buyers("invoice K1 H-1 100.00 EUR due 2026-10-01"), D, FxTable([]), "EUR").actions
    cust = CustomerRecord(code="K1", name=name, country="DE", language=language)
    pdf = letters.render_letter(action, pol.level(action.level), cust, "Seller & Sons <Ltd>", D)
    text = pdf_text(pdf)
    for piece in expected:
        assert piece in text, (piece, text)
    assert "Seller & Sons <Ltd>" in text


def test_template_of_the_level_is_used_and_escaped() -> None:
    level = DunningLevel("reminder", 1, "email", templates={"en": "Hello $customer, <please> pay $total_due."})
    from arguard.collections import rules
    from arguard.core.money import FxTable

    (action,) = rules.run(policy(), buyers("invoice K1 H-1 100.00 EUR due 2026-11-25"), D, FxTable([]), "EUR").actions
    cust = CustomerRecord(code="K1", name="Zeta", country="DE", language="en")
    text = pdf_text(letters.render_letter(action, level, cust, "", D))
    assert "Hello Zeta, <please> pay 140.14." in text.replace("\n", " ")
