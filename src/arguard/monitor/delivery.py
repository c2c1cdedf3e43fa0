"""Telling people: signed webhooks, e-mail over SMTP, the daily digest, and the worker that sends them.

A message is first a `Delivery` row written in the same unit of work as the alert (so nothing is sent
for an alert that was rolled back, and nothing is lost when a receiver is down); after the commit the
worker is woken and sends it. Failures are retried with exponential backoff; every try is logged in
`monitor_delivery_attempts`.

Webhook requests carry `X-Arguard-Timestamp: <unix seconds>`, `X-Arguard-Delivery: <id>` and
`X-Arguard-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + delivery id + "." + body)>`;
receivers recompute it (see `verify_signature`), reject stale timestamps and may drop a delivery id
they already processed (the id is signed, so it cannot be changed to replay a message).

Webhook targets must be public addresses (`platform.outbound`), checked at registration and before each
send. Secrets are kept encrypted (Fernet, key `platform.keys.webhook_fernet`), decrypted only to sign.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from sqlalchemy import Engine, select

from arguard.core.errors import NotFound, ValidationError
from arguard.db.session import get_engine, session_scope
from arguard.monitor.bulk import BULK, insert_ignoring_conflicts
from arguard.monitor.model import AlertView, severity_rank
from arguard.monitor.tables import Alert, Delivery, DeliveryAttempt, Subscription, Webhook
from arguard.platform.context import ServiceContext
from arguard.platform.interface import UserRef, user_ref, users
from arguard.platform.outbound import check_public_url
from arguard.settings import get_settings

log = logging.getLogger(__name__)
EVENT_TYPES = ("alert.raised", "alert.acknowledged", "alert.resolved")
CHANNELS = ("email", "digest")


@dataclass(frozen=True)
class RetryPolicy:
    """Try `max_attempts` times; wait base × factor^(n−1) seconds (capped) after the n-th failure."""

    base_s: float = 30.0
    factor: float = 2.0
    max_delay_s: float = 3600.0
    max_attempts: int = 8
    lease_s: float = 120.0
    """A claimed delivery becomes due again after this long if its sender died."""

    def delay(self, failures: int) -> float:
        return min(self.base_s * self.factor ** max(failures - 1, 0), self.max_delay_s)


def _now() -> datetime:
    from arguard.monitor.service import now_utc

    return now_utc()


def signature(secret: str, timestamp: str, body: bytes, delivery_id: str | None = None) -> str:
    signed = timestamp.encode() + b"." + (b"" if delivery_id is None else delivery_id.encode() + b".") + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_signature(secret: str, timestamp: str, body: bytes, header: str, now: float,
                     tolerance_s: int = 300, delivery_id: str | None = None) -> bool:
    """What a receiver does: recompute the signature (over the delivery id too, as arguard sends it),
    compare in constant time, refuse old messages."""
    try:
        fresh = abs(now - int(timestamp)) <= tolerance_s
    except ValueError:
        return False
    return fresh and hmac.compare_digest(signature(secret, timestamp, body, delivery_id), header or "")


SEALED = "fernet:"
"""Prefix of a webhook secret encrypted at rest; a value without it is a secret stored before."""


def seal_secret(secret: str) -> str:
    from arguard.platform.keys import webhook_fernet

    return SEALED + webhook_fernet().encrypt(secret.encode()).decode()


def open_secret(stored: str) -> str:
    if not stored.startswith(SEALED):
        return stored
    from arguard.platform.keys import webhook_fernet

    return str(webhook_fernet().decrypt(stored[len(SEALED):].encode()).decode())


# ---------------------------------------------------------------- webhooks and subscriptions

def add_webhook(ctx: ServiceContext, url: str, secret: str, event_types: list[str] | None = None,
                min_severity: str = "info") -> Webhook:
    ctx.require("admin")
    if not url.startswith(("http://", "https://")):
        raise ValidationError("a webhook URL starts with http:// or https://", code="invalid_webhook")
    if len(url) > 500:
        raise ValidationError("a webhook URL has at most 500 characters", code="invalid_webhook")
    if not 16 <= len(secret or "") <= 128:
        raise ValidationError("a webhook secret has 16 to 128 characters", code="invalid_webhook")
    check_public_url(url, at_registration=True)
    types = event_types or ["alert.raised"]
    bad = [t for t in types if t != "*" and t not in EVENT_TYPES]
    if bad:
        raise ValidationError(f"unknown event types {bad}; use {', '.join(EVENT_TYPES)} or *",
                              code="invalid_webhook")
    severity_rank(min_severity)
    row = Webhook(company_id=ctx.company_id, url=url, secret=seal_secret(secret), event_types=types,
                  min_severity=min_severity, active=True)
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("monitor.webhook_add", "webhook", row.id, after={"url": url, "event_types": types})
    return row


def list_webhooks(ctx: ServiceContext) -> list[Webhook]:
    return list(ctx.session.scalars(select(Webhook).where(Webhook.company_id == ctx.company_id)
                                    .order_by(Webhook.id)))


def get_webhook(ctx: ServiceContext, webhook_id: int) -> Webhook:
    row = ctx.session.scalar(select(Webhook).where(Webhook.company_id == ctx.company_id, Webhook.id == webhook_id))
    if row is None:
        raise NotFound(f"no webhook {webhook_id}", code="webhook_not_found")
    return row


def disable_webhook(ctx: ServiceContext, webhook_id: int) -> Webhook:
    ctx.require("admin")
    row = get_webhook(ctx, webhook_id)
    row.active = False
    ctx.audit("monitor.webhook_disable", "webhook", row.id)
    return row


def delivery_log(ctx: ServiceContext, webhook_id: int | None = None, limit: int = 50
                 ) -> list[tuple[Delivery, list[DeliveryAttempt]]]:
    q = select(Delivery).where(Delivery.company_id == ctx.company_id)
    if webhook_id is not None:
        get_webhook(ctx, webhook_id)
        q = q.where(Delivery.webhook_id == webhook_id)
    rows = list(ctx.session.scalars(q.order_by(Delivery.id.desc()).limit(limit)))
    attempts: dict[int, list[DeliveryAttempt]] = {r.id: [] for r in rows}
    if rows:
        for a in ctx.session.scalars(select(DeliveryAttempt).where(
                DeliveryAttempt.company_id == ctx.company_id, DeliveryAttempt.delivery_id.in_(list(attempts)))
                .order_by(DeliveryAttempt.id)):
            attempts[a.delivery_id].append(a)
    return [(r, attempts[r.id]) for r in rows]


def subscribe(ctx: ServiceContext, username: str, channel: str, min_severity: str = "high",
              rule_ids: list[str] | None = None) -> Subscription:
    """A user hears of alerts by e-mail at once ('email') or once a day ('digest')."""
    if channel not in CHANNELS:
        raise ValidationError(f"channel is one of {', '.join(CHANNELS)}", code="invalid_channel")
    severity_rank(min_severity)
    user = user_ref(ctx, username)
    if ctx.actor != f"user:{username}":
        ctx.require("admin")
    if not user.email:
        raise ValidationError(f"user {username!r} has no e-mail address", code="no_email")
    row = ctx.session.scalar(select(Subscription).where(
        Subscription.company_id == ctx.company_id, Subscription.user_id == user.id, Subscription.channel == channel))
    if row is None:
        row = Subscription(company_id=ctx.company_id, user_id=user.id, channel=channel)
        ctx.session.add(row)
    row.min_severity, row.rule_ids, row.active = min_severity, list(rule_ids or []), True
    ctx.session.flush()
    ctx.audit("monitor.subscribe", "user", username, after={"channel": channel, "min_severity": min_severity,
                                                            "rules": list(rule_ids or [])})
    return row


# ---------------------------------------------------------------- queueing

def alert_payload(alert: Alert | AlertView) -> dict[str, Any]:
    return {"id": alert.id, "rule_id": alert.rule_id, "kind": alert.kind, "customer_id": alert.customer_code,
            "severity": alert.severity, "title": alert.title, "status": alert.status,
            "evidence": alert.evidence, "first_as_of": alert.first_as_of.isoformat(),
            "last_as_of": alert.last_as_of.isoformat(), "url": f"/alerts/{alert.id}"}


def _insert_ignoring_known(ctx: ServiceContext, rows: list[dict[str, Any]]) -> int:
    """Insert deliveries; one whose dedupe key is already queued is left as it is."""
    stmt = insert_ignoring_conflicts(ctx, Delivery, ["company_id", "dedupe"])
    return len(ctx.session.execute(stmt.returning(Delivery.id), rows, execution_options=BULK).all())


def notify(ctx: ServiceContext, alert: Alert | AlertView, event_type: str) -> int:
    """Queue the messages one alert change owes (see `notify_many`)."""
    return notify_many(ctx, [alert], event_type)


def notify_many(ctx: ServiceContext, alerts: Sequence[Alert | AlertView], event_type: str) -> int:
    """Queue the messages these alert changes owe: each matching webhook and, for a new alert, the
    e-mail of each user subscribed to its severity and rule. Receivers and subscribers are read once
    per batch; returns the number of messages queued."""
    if not alerts:
        return 0
    hooks = [h for h in ctx.session.scalars(select(Webhook).where(Webhook.company_id == ctx.company_id,
                                                                   Webhook.active.is_(True)))
             if event_type in h.event_types or "*" in h.event_types]
    subs: list[tuple[Subscription, UserRef]] = []
    if event_type == "alert.raised":
        subs = _subscribers(ctx, "email")
    if not hooks and not subs:
        return 0
    now, rows = _now(), []
    base = {"company_id": ctx.company_id, "status": "pending", "attempts": 0, "next_attempt_at": now,
            "event_type": event_type, "webhook_id": None, "subject": None}
    for alert in alerts:
        rank = severity_rank(alert.severity)
        body = json.dumps({"type": event_type, "company_id": ctx.company_id, "alert": alert_payload(alert)},
                          ensure_ascii=False, sort_keys=True, default=str)
        for hook in hooks:
            if rank >= severity_rank(hook.min_severity):
                rows.append({**base, "channel": "webhook", "webhook_id": hook.id, "target": hook.url,
                             "alert_id": alert.id, "dedupe": f"webhook:{hook.id}:{event_type}:{alert.id}",
                             "payload": body})
        for sub, user in subs:
            if rank >= severity_rank(sub.min_severity) and (not sub.rule_ids or alert.rule_id in sub.rule_ids):
                subject, text = alert_email(alert, user.language)
                rows.append({**base, "channel": "email", "target": user.email, "alert_id": alert.id,
                             "dedupe": f"email:{user.id}:{event_type}:{alert.id}", "subject": subject,
                             "payload": text})
    queued = _insert_ignoring_known(ctx, rows) if rows else 0
    if queued and not getattr(ctx, "_delivery_kick", False):
        ctx._delivery_kick = True  # type: ignore[attr-defined]
        ctx.after_commit(kick)
    return queued


def alert_email(alert: Alert | AlertView, language: str) -> tuple[str, str]:
    zh = language.lower().startswith("zh")
    subject = (f"[arguard] {'风险预警' if zh else 'Alert'} ({alert.severity}): {alert.title}")[:250]
    lines = [alert.title, "", f"{'客户' if zh else 'Customer'}: {alert.customer_code or '-'}",
             f"{'规则' if zh else 'Rule'}: {alert.rule_id}", f"{'严重程度' if zh else 'Severity'}: {alert.severity}",
             f"{'日期' if zh else 'As of'}: {alert.last_as_of}", "", ("依据" if zh else "Evidence") + ":",
             json.dumps(alert.evidence, ensure_ascii=False, indent=2, default=str), "",
             f"/alerts/{alert.id}"]
    return subject, "\n".join(lines)


def _subscribers(ctx: ServiceContext, channel: str) -> list[tuple[Subscription, UserRef]]:
    """The active subscriptions of a channel with their users, those with an e-mail address only."""
    subs = list(ctx.session.scalars(select(Subscription).where(
        Subscription.company_id == ctx.company_id, Subscription.channel == channel, Subscription.active.is_(True))
        .order_by(Subscription.id)))
    known = users(ctx, {s.user_id for s in subs})
    return [(s, known[s.user_id]) for s in subs if s.user_id in known and known[s.user_id].email]


def queue_digests(ctx: ServiceContext, as_of: date) -> int:
    """One digest per subscribed user per day: alerts first raised that day plus what is still open."""
    count = queued = 0
    for sub, user in _subscribers(ctx, "digest"):
        alerts = [a for a in ctx.session.scalars(select(Alert).where(
            Alert.company_id == ctx.company_id, Alert.status != "resolved").order_by(Alert.id))
            if severity_rank(a.severity) >= severity_rank(sub.min_severity)
            and (not sub.rule_ids or a.rule_id in sub.rule_ids)]
        new = {a.id for a in alerts if a.first_as_of == as_of}
        if not alerts:
            continue
        zh = user.language.lower().startswith("zh")
        head = (f"arguard 每日摘要 {as_of}: 新预警 {len(new)} 条, 未解决 {len(alerts)} 条" if zh else
                f"arguard daily digest {as_of}: {len(new)} new alert(s), {len(alerts)} unresolved")
        body = [head, ""] + [f"{'*' if a.id in new else ' '} [{a.severity}] {a.title}  /alerts/{a.id}"
                             for a in sorted(alerts, key=lambda a: -severity_rank(a.severity))[:200]]
        count += 1
        queued += _insert_ignoring_known(ctx, [{
            "company_id": ctx.company_id, "status": "pending", "attempts": 0, "next_attempt_at": _now(),
            "channel": "email", "webhook_id": None, "target": user.email, "event_type": "digest", "alert_id": None,
            "dedupe": f"digest:{user.id}:{as_of.isoformat()}", "subject": head[:250], "payload": "\n".join(body)}])
    if queued and not getattr(ctx, "_delivery_kick", False):
        ctx._delivery_kick = True  # type: ignore[attr-defined]
        ctx.after_commit(kick)
    return count


# ---------------------------------------------------------------- sending

def _send_webhook(row: Delivery, secret: str, client: httpx.Client) -> int:
    check_public_url(row.target)  # again: the name may resolve elsewhere than at registration
    ts = str(int(time.time()))
    body = row.payload.encode()
    response = client.post(row.target, content=body, headers={
        "Content-Type": "application/json", "X-Arguard-Event": row.event_type,
        "X-Arguard-Delivery": str(row.id), "X-Arguard-Timestamp": ts,
        "X-Arguard-Signature": signature(secret, ts, body, str(row.id))})
    return response.status_code


def _send_email(row: Delivery) -> None:
    send_email(row.target, row.subject or "arguard", row.payload)


def send_email(to: str, subject: str, text: str,
               attachments: Sequence[tuple[str, str, bytes]] = ()) -> None:
    """Send one e-mail over the configured SMTP server (settings smtp_host, smtp_port, smtp_sender) at once;
    attachments: (file name, MIME type 'application/pdf', bytes). Raises OSError / SMTPException when the
    server does not take it (callers record the failure)."""
    s = get_settings()
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = s.smtp_sender, to, subject
    msg.set_content(text)
    for filename, mime, data in attachments:
        maintype, _, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=10) as smtp:
        smtp.send_message(msg)


def _claim(engine: Engine, policy: RetryPolicy, limit: int) -> list[tuple[int, str, int | None]]:
    """Take due deliveries for a lease (so a crashed sender's work comes back)."""
    now = _now()
    with session_scope(engine) as s:
        q = (select(Delivery).where(Delivery.status == "pending", Delivery.next_attempt_at <= now)
             .order_by(Delivery.next_attempt_at, Delivery.id).limit(limit))
        if engine.dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        rows = list(s.scalars(q))
        for r in rows:
            r.next_attempt_at = now + timedelta(seconds=policy.lease_s)
        return [(r.id, r.channel, r.webhook_id) for r in rows]


def deliver_due(engine: Engine | None = None, policy: RetryPolicy = RetryPolicy(), limit: int = 100) -> int:
    """Send every due delivery once; returns how many were tried."""
    engine = engine or get_engine()
    claimed = _claim(engine, policy, limit)
    with httpx.Client(timeout=10.0) as client:
        for delivery_id, channel, webhook_id in claimed:
            _attempt(engine, delivery_id, channel, webhook_id, client, policy)
    return len(claimed)


def _attempt(engine: Engine, delivery_id: int, channel: str, webhook_id: int | None, client: httpx.Client,
             policy: RetryPolicy) -> None:
    with session_scope(engine) as s:
        row = s.get(Delivery, delivery_id)
        hook = s.get(Webhook, webhook_id) if webhook_id else None
        if row is None or row.status != "pending":
            return
        s.expunge(row)
        secret = open_secret(hook.secret) if hook else ""
        active = hook.active if hook else True
    t0, code, error = time.perf_counter(), None, None
    try:
        if not active:
            error = "webhook disabled"
        elif channel == "webhook":
            code = _send_webhook(row, secret, client)
            error = None if 200 <= code < 300 else f"HTTP {code}"
        else:
            _send_email(row)
    except (httpx.HTTPError, OSError, smtplib.SMTPException) as exc:
        error = f"{type(exc).__name__}: {exc}"[:500]
    except ValidationError as exc:  # the target now resolves to a private address: not sent
        error = exc.message[:500]
    ms = int((time.perf_counter() - t0) * 1000)
    with session_scope(engine) as s:
        row = s.get(Delivery, delivery_id)
        if row is None:
            return
        now = _now()
        row.attempts += 1
        s.add(DeliveryAttempt(company_id=row.company_id, delivery_id=row.id, attempted_at=now, status_code=code,
                              error=error, duration_ms=ms))
        if error is None:
            row.status, row.delivered_at, row.last_error = "delivered", now, None
        else:
            row.last_error = error
            if row.attempts >= policy.max_attempts or not active:
                row.status = "failed"
            else:
                row.next_attempt_at = now + timedelta(seconds=policy.delay(row.attempts))


def next_due_in(engine: Engine) -> float | None:
    with session_scope(engine) as s:
        nxt = s.scalar(select(Delivery.next_attempt_at).where(Delivery.status == "pending")
                       .order_by(Delivery.next_attempt_at).limit(1))
    return None if nxt is None else max((nxt - _now()).total_seconds(), 0.0)


class DeliveryWorker:
    """Background thread that sends due deliveries; `kick()` wakes it at once after a commit."""

    def __init__(self, engine: Engine | None = None, policy: RetryPolicy = RetryPolicy(), idle_s: float = 30.0):
        self.engine, self.policy, self.idle_s = engine, policy, idle_s
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> DeliveryWorker:
        global _WORKER
        self._thread = threading.Thread(target=self._loop, name="arguard-delivery", daemon=True)
        self._thread.start()
        _WORKER = self
        return self

    def kick(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        global _WORKER
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        if _WORKER is self:
            _WORKER = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            wait = self.idle_s
            try:
                engine = self.engine or get_engine()
                while deliver_due(engine, self.policy) and not self._stop.is_set():
                    pass
                due = next_due_in(engine)
                wait = self.idle_s if due is None else min(due + 0.01, self.idle_s)
            except Exception:
                log.exception("delivery worker round failed")
            self._wake.wait(wait)


_WORKER: DeliveryWorker | None = None


def kick() -> None:
    """Wake the running worker, if this process has one (the API server does)."""
    if _WORKER is not None:
        _WORKER.kick()
