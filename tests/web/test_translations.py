"""Every text a user reads on the desk's pages is in the reader's language (issue 12 item 6).

Each registered message has an English and a Chinese text; and the pages of the desk, rendered in 中文
with a graded book, limits, held orders and alerts, show no English sentence of the message table, no
untranslated key, and none of the English texts the services store (reasons of the order check, alert
titles) — those are made into sentences in the reader's language on the way to the page."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from tests.web.desk_data import seed_desk
from tests.web.fixtures import PASSWORD

TODAY = date.today()
# What the services store in English and the pages must not pass on as it is.
STORED_ENGLISH = ("days overdue", "exceeded by", "no credit limit", "not graded yet", "days past due",
                  "grade changed", "insurer cover", "holds ", "of receivables", "overdue\n")
# Texts that read the same in both languages (codes, abbreviations, the brand).
SAME_IN_BOTH = re.compile(r"^[\W\d_]*$|^(DSO|CEI|ADD|PD|IBAN|BIC|ISO|OK|MT940|camt|arguard)\b")


def _messages() -> dict[str, dict[str, str]]:
    from arguard.web import i18n

    i18n.translate("en", "app.title")  # loads every capability's declared messages
    return i18n._MESSAGES


def test_every_message_has_both_languages() -> None:
    messages = _messages()
    assert set(messages["en"]) == set(messages["zh-CN"])
    missing = [k for k, en in messages["en"].items() if not en.strip() or not messages["zh-CN"][k].strip()]
    assert not missing, f"messages without a text: {missing[:20]}"
    for key, en in messages["en"].items():
        zh = messages["zh-CN"][key]
        assert set(re.findall(r"{(\w+)", en)) == set(re.findall(r"{(\w+)", zh)), f"{key}: placeholders differ"


def english_fragments() -> set[str]:
    """Literal parts (between placeholders) of the English messages that a Chinese page must not show."""
    messages = _messages()
    out: set[str] = set()
    for key, en in messages["en"].items():
        if en == messages["zh-CN"][key] or SAME_IN_BOTH.match(en):
            continue
        for part in re.split(r"{[^}]*}", en):
            part = part.strip(" .,:;()·—-")
            if len(part) >= 10 and len(part.split()) >= 2:
                out.add(part)
    return out


def visible_text(page: str) -> str:
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    placeholders = " ".join(re.findall(r'(?:placeholder|title|aria-label)="([^"]*)"', page))
    text = re.sub(r"<[^>]+>", " ", page) + " " + placeholders
    return html.unescape(re.sub(r"[ \t]+", " ", text))


@pytest.fixture
def desk(use_database: Any, company: tuple[int, str], ctx_factory: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from arguard.api.app import create_app
    from arguard.platform.service import create_user

    with ctx_factory() as ctx:
        create_user(ctx, "li", "credit_manager", PASSWORD, language="zh-CN")
        seed_desk(ctx, TODAY)
    with TestClient(create_app()) as client:
        r = client.post("/login", data={"company": company[1], "username": "li", "password": PASSWORD},
                        follow_redirects=False)
        assert r.status_code == 303
        yield client


def test_a_chinese_user_reads_the_desk_in_chinese(desk: Any) -> None:
    """li chose 中文 when her user was created: signing in is enough (no switch clicked)."""
    assert desk.cookies.get("arguard_lang") == "zh-CN"
    inbox = desk.get("/alerts?status=").text
    alert_ids = sorted(set(re.findall(r'href="/alerts/(\d+)"', inbox)))
    assert alert_ids, "the daily run raised no alert to read"
    paths = ["/", "/customers", "/customers?sort=grade&dir=desc", "/customers/C001", "/customers/C003",
             "/risk", "/risk?grade=5", "/limits", "/limits/holds", "/limits/holds?group=true", "/limits/requests",
             "/alerts?status=", "/alerts?status=&group=true", "/recon/review", "/bank-statements",
             "/customers/NOPE", *[f"/alerts/{i}" for i in alert_ids]]
    fragments = english_fragments()
    keys = set(_messages()["en"])
    problems: list[str] = []
    for path in paths:
        r = desk.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        assert 'lang="zh-CN"' in r.text, path
        text = visible_text(r.text)
        problems += [f"{path}: English {f!r}" for f in fragments if f in text]
        problems += [f"{path}: stored English {s!r}" for s in STORED_ENGLISH if s in text.lower()]
        problems += [f"{path}: key {k!r}" for k in re.findall(r"\b[a-z_]+(?:\.[a-z0-9_>\-]+){1,3}\b", text)
                     if k in keys]
    assert not problems, "\n".join(problems[:40])


def test_the_hold_queue_gives_reasons_as_sentences_and_buyer_names(desk: Any) -> None:
    page = visible_text(desk.get("/limits/holds?sort=amount_value&dir=desc").text)
    assert "Hamburg Maschinenbau GmbH" in page and "Milano Arredamenti S.p.A." in page
    assert "将超出内部额度 20,000.00 EUR" in page  # C001's order over its internal limit
    assert "尚无有效信用额度" in page              # C005 has no limit
    assert page.index("50,000.00 EUR") < page.index("7,000.00 EUR") < page.index("3,000.00 EUR")
    desk.cookies.set("arguard_lang", "en")
    page = visible_text(desk.get("/limits/holds").text)
    assert "The internal limit of 20,000.00 EUR would be exceeded by" in page
    assert "No credit limit is in force" in page and "≥" not in page
