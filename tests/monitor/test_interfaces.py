"""The API, CLI and dashboard of monitoring (thin shells over the same services)."""

from __future__ import annotations

import json
from datetime import date, timedelta

from typer.testing import CliRunner

from arguard.cli.main import app as cli
from arguard.db import session as db_session
from arguard.platform.context import ServiceContext
from arguard.platform.service import Principal, create_user
from arguard.web.common import COOKIE, make_session_cookie
from tests.conftest import auth, new_company
from tests.monitor.helpers import load

TODAY = date.today()


def _ledger(engine, company_id: int) -> None:  # type: ignore[no-untyped-def]
    with db_session.session_scope(engine) as s:
        ctx = ServiceContext(s, company_id, "test", "admin")
        due = (TODAY - timedelta(days=45)).isoformat()
        load(ctx, f"customer ACME DE machinery\ninvoice A-1 ACME {(TODAY - timedelta(days=75)).isoformat()} {due} "
                  "9000.00 EUR\n")


def test_posted_event_raises_its_alert_in_the_same_call(api, company, use_database):
    client, key_for = api
    _ledger(use_database, company[0])
    key = key_for("analyst")
    body = {"type": "insolvency.filing", "customer_id": "ACME", "occurred_on": TODAY.isoformat(),
            "details": {"court": "Amtsgericht Köln", "case_number": "73 IN 12/26"}, "external_id": "reg-1"}
    r = client.post("/api/v1/events", json=body, headers=auth(key))
    assert r.status_code == 201, r.text
    alerts = r.json()["alerts"]
    assert {a["rule_id"] for a in alerts} >= {"insolvency", "overdue"}
    listed = client.get("/api/v1/alerts?min_severity=critical", headers=auth(key_for("viewer"))).json()
    assert [a["rule_id"] for a in listed["items"]] == ["insolvency"]
    again = client.post("/api/v1/events", json=body, headers=auth(key)).json()
    assert again["created"] is False and again["alerts"] == []
    bad = client.post("/api/v1/events", json={**body, "type": "rumour", "external_id": None}, headers=auth(key))
    assert bad.status_code == 422 and bad.json()["error"] == "invalid_event"
    alert_id = alerts[0]["id"]
    assert client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"note": "done"},
                       headers=auth(key_for("viewer"))).status_code == 403
    assert client.post(f"/api/v1/alerts/{alert_id}/acknowledge", headers=auth(key)).json()["status"] == "acknowledged"
    assert client.post(f"/api/v1/alerts/{alert_id}/resolve", json={"note": "claim filed"},
                       headers=auth(key)).json()["status"] == "resolved"


def test_another_company_never_sees_or_touches_the_alerts(api, company, use_database):
    client, key_for = api
    _ledger(use_database, company[0])
    ours = client.post("/api/v1/events", headers=auth(key_for("admin")), json={
        "type": "news.negative", "customer_id": "ACME", "occurred_on": TODAY.isoformat(),
        "details": {"headline": "secret-marker-42"}}).json()["alerts"][0]["id"]
    other_id, _ = new_company(use_database)
    theirs = auth(key_for("admin", other_id))
    assert client.get("/api/v1/alerts", headers=theirs).json()["total"] == 0
    assert client.get(f"/api/v1/alerts/{ours}", headers=theirs).status_code == 404
    assert client.post(f"/api/v1/alerts/{ours}/resolve", json={"note": "x"}, headers=theirs).status_code == 404
    assert "secret-marker-42" not in client.get("/api/v1/events", headers=theirs).text
    assert client.post("/api/v1/events", headers=theirs, json={
        "type": "news.negative", "customer_id": "ACME", "occurred_on": TODAY.isoformat()}).status_code == 404


def test_webhooks_rules_and_run_through_the_api(api, company, use_database):
    client, key_for = api
    admin = auth(key_for("admin"))
    _ledger(use_database, company[0])
    r = client.post("/api/v1/webhooks", headers=admin, json={
        "url": "https://erp.example.com/hooks/arguard", "secret": "0123456789abcdef-secret",
        "event_types": ["alert.raised", "alert.resolved"]})
    assert r.status_code == 201 and "secret" not in r.json()
    assert client.post("/api/v1/webhooks", headers=auth(key_for("analyst")), json={
        "url": "https://x", "secret": "0123456789abcdef"}).status_code == 403
    bad = client.put("/api/v1/monitor/rules", headers=admin, json={"text": '[rules.a]\nkind = "psychic"\n'})
    assert bad.status_code == 422 and "rules.a.kind" in bad.json()["message"]
    ok = client.put("/api/v1/monitor/rules", headers=admin, json={
        "text": '[rules.late]\nkind = "overdue_days"\nthresholds = [30]\nseverity = "high"\n'})
    assert ok.json()["version"] == 1
    run = client.post("/api/v1/monitor/run", headers=admin, json={"as_of": TODAY.isoformat()}).json()
    again = client.post("/api/v1/monitor/run", headers=admin, json={"as_of": TODAY.isoformat()}).json()
    assert run["raised"] == 1 and again["raised"] == 0
    log = client.get(f"/api/v1/webhooks/{r.json()['id']}/deliveries", headers=admin).json()
    assert [d["event_type"] for d in log] == ["alert.raised"]


def test_cli_imports_events_runs_and_lists_alerts(use_database, company, tmp_path):
    _ledger(use_database, company[0])
    f = tmp_path / "events.csv"
    f.write_text("type,customer_id,occurred_on,external_id,headline,details\n"
                 f"news.negative,ACME,{TODAY.isoformat()},n-1,Factory fire,\n"
                 f"insurer.decision,ACME,{TODAY.isoformat()},d-1,,\"{{\"\"decision\"\": \"\"withdrawn\"\"}}\"\n"
                 f"insolvency.filing,NOBODY,{TODAY.isoformat()},x-1,,\n"
                 "promise.due,ACME,not-a-date,p-1,,\n", encoding="utf-8")
    runner = CliRunner()
    code = ["--company", company[1]]
    r = runner.invoke(cli, ["events", "import", str(f), *code])
    assert r.exit_code == 0, r.output
    assert "4 read, 2 new" in r.output and "events.csv:4" in r.output and "events.csv:5" in r.output
    r2 = runner.invoke(cli, ["events", "import", str(f), *code])
    assert "0 new, 2 already known" in r2.output
    r = runner.invoke(cli, ["monitor", "run", "--as-of", TODAY.isoformat(), *code])
    assert r.exit_code == 0 and "new alert" in r.output
    r = runner.invoke(cli, ["alerts", "list", "--format", "json", "--status", "all", *code])
    rules = {a["rule"] for a in json.loads(r.output)}
    assert {"adverse", "cover", "overdue"} <= rules


def test_dashboard_inbox_and_alert_page(api, company, use_database):
    client, key_for = api
    _ledger(use_database, company[0])
    with db_session.session_scope(use_database) as s:
        create_user(ServiceContext(s, company[0], "test", "admin"), "mei", "analyst", "pw-123456")
    client.post("/api/v1/events", headers=auth(key_for("analyst")), json={
        "type": "legal.action", "customer_id": "ACME", "occurred_on": TODAY.isoformat(),
        "details": {"description": "Mahnbescheid"}})
    client.cookies.set(COOKIE, make_session_cookie(Principal(company[0], "user:mei", "analyst")))
    inbox = client.get("/alerts")
    assert inbox.status_code == 200 and "Mahnbescheid" in inbox.text
    alert_id = client.get("/api/v1/alerts?rule_id=adverse", headers=auth(key_for())).json()["items"][0]["id"]
    page = client.get(f"/alerts/{alert_id}", headers={"accept-language": "zh-CN"})
    assert page.status_code == 200 and "依据" in page.text and "法律诉讼" in page.text and "legal.action" not in page.text
    r = client.post(f"/alerts/{alert_id}/resolve", data={"note": "paid after the court letter"},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.get(f"/api/v1/alerts/{alert_id}", headers=auth(key_for())).json()["status"] == "resolved"
    assert client.get("/monitor/rules").status_code == 200
