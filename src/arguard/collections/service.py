"""Collections services: the policy and the dunning run (the only place with the run's queries).

The run gathers the ledger as it stood on the date in a few set queries (`ledger.interface.
items_with_history`, `unapplied_cash`), the grades when the policy has stricter levels, and the previous
actions when it is sequential; `rules.run` decides; recording writes one run row, one row per action, the
letters, tasks and hand-overs in the unit of work; e-mails go out after the commit (`send_pending`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Engine, insert, select

from arguard.collections import rules
from arguard.collections.model import HANDOVER_CHANNELS, BuyerFacts, DunningItem, DunningPolicy, DunningResult
from arguard.collections.policy import parse_policy, policy_dict
from arguard.collections.tables import (
    CaseRow,
    CollectionsPolicy,
    CollectionsTask,
    DunningActionRow,
    DunningRun,
)
from arguard.core.errors import NotFound, ValidationError
from arguard.core.money import Money
from arguard.core.progress import Progress, counted
from arguard.ledger import interface as ledger
from arguard.platform.context import ServiceContext

log = logging.getLogger(__name__)

# ---------------------------------------------------------------- policy


def load_policy(ctx: ServiceContext, text: str, source: str = "policy") -> DunningPolicy:
    """Validate and store the company's dunning policy (replacing the one before; audited)."""
    ctx.require("credit_manager")
    policy, issues = parse_policy(text, source)
    if policy is None:
        raise ValidationError(f"the dunning policy {source} has errors:\n" + "\n".join(
            f"  {i.field or '(file)'}" + (f" (line {i.line})" if i.line else "") + f": {i.reason}" for i in issues),
            code="invalid_policy")
    row = ctx.session.scalar(select(CollectionsPolicy).where(CollectionsPolicy.company_id == ctx.company_id))
    before = None if row is None else row.params
    params = policy_dict(policy)
    if row is None:
        row = CollectionsPolicy(company_id=ctx.company_id, name=policy.name, source=text, params=params,
                                updated_by=ctx.actor)
        ctx.session.add(row)
    else:
        row.name, row.source, row.params, row.updated_by = policy.name, text, params, ctx.actor
        row.updated_at = datetime.now(UTC)
    ctx.session.flush()
    ctx.audit("collections.policy_load", "collections_policy", policy.name, reason=source, before=before,
              after=params)
    return policy


def policy_source(ctx: ServiceContext) -> str:
    row = ctx.session.scalar(select(CollectionsPolicy).where(CollectionsPolicy.company_id == ctx.company_id))
    if row is None:
        raise NotFound("no dunning policy: load one with `arguard collections policy load FILE`",
                       code="no_dunning_policy")
    return row.source


def get_policy(ctx: ServiceContext) -> DunningPolicy:
    policy, issues = parse_policy(policy_source(ctx))
    if policy is None:  # stored policies were valid when loaded; a stricter parser may refuse one later
        raise ValidationError(f"the stored dunning policy no longer reads: {issues[0]}", code="invalid_policy")
    return policy


# ---------------------------------------------------------------- gathering


def _previous_actions(ctx: ServiceContext, before: date) -> dict[str, tuple[str, date]]:
    q = (select(DunningActionRow.customer_code, DunningActionRow.level, DunningActionRow.as_of)
         .where(DunningActionRow.company_id == ctx.company_id, DunningActionRow.as_of < before)
         .order_by(DunningActionRow.as_of))
    return {code: (level, on) for code, level, on in ctx.session.execute(q)}


def buyer_facts(ctx: ServiceContext, policy: DunningPolicy, as_of: date) -> list[BuyerFacts]:
    """Every buyer with open items on as_of, as the ledger stood then: three set queries, no per-buyer one."""
    per_buyer: dict[str, list[DunningItem]] = defaultdict(list)
    for h in ledger.items_with_history(ctx, as_of, history_due_before=as_of):
        i = h.item
        per_buyer[i.customer_code].append(DunningItem(
            i.number, i.customer_code, i.document_type, i.issue_date, i.due_date, i.amount, i.open,
            tuple((on, m.amount) for on, m in h.reductions), h.disputed))
    cash = ledger.unapplied_cash(ctx, as_of)
    grades: dict[str, tuple[int, float]] = {}
    if policy.stricter:
        from arguard.risk import interface as risk

        grades = risk.newest_grades(ctx)
    previous = _previous_actions(ctx, as_of) if policy.sequential is not None else {}
    out = []
    for code in sorted(set(per_buyer) | set(cash)):
        prev = previous.get(code)
        out.append(BuyerFacts(code, tuple(per_buyer.get(code, ())), tuple(cash.get(code, ())),
                              grades[code][0] if code in grades else None,
                              prev[0] if prev else None, prev[1] if prev else None))
    return out


def dunning(ctx: ServiceContext, as_of: date, policy: DunningPolicy | None = None) -> DunningResult:
    """What a run on as_of decides (nothing recorded)."""
    policy = policy or get_policy(ctx)
    return rules.run(policy, buyer_facts(ctx, policy, as_of), as_of, ledger.fx_table(ctx), ledger.base_currency(ctx))


# ---------------------------------------------------------------- the run


def recorded_run(ctx: ServiceContext, as_of: date) -> dict[str, Any] | None:
    """The answer of the run recorded for as_of (None when there was none)."""
    run = ctx.session.scalar(select(DunningRun).where(DunningRun.company_id == ctx.company_id,
                                                      DunningRun.as_of == as_of))
    if run is None:
        return None
    rows = ctx.session.scalars(select(DunningActionRow).where(DunningActionRow.run_id == run.id)
                               .order_by(DunningActionRow.customer_code))
    return {"as_of": as_of.isoformat(), "policy": run.policy, "actions": [r.payload for r in rows]}


def run_dunning(ctx: ServiceContext, as_of: date, dry_run: bool = False) -> tuple[dict[str, Any], bool]:
    """The dunning run of a date: (answer in the issue's JSON shape, replayed). Without dry_run it records
    the actions once per date (a second run of the same date answers the first and changes nothing),
    renders the letters, queues the e-mails (sent after the commit), the calls and the agency/legal
    hand-overs."""
    answer, replayed, _ = run_dunning_explained(ctx, as_of, dry_run)
    return answer, replayed


def run_dunning_explained(ctx: ServiceContext, as_of: date, dry_run: bool = False,
                          progress: Progress | None = None) -> tuple[dict[str, Any], bool, list[dict[str, str]]]:
    """`run_dunning` and the buyers with overdue items that got no action, each with why (empty when the
    date's run was already recorded: its skipped buyers are in that run's audit entry). progress: told
    the buyers decided and the actions recorded (letters rendered) (`core.progress`)."""
    if not dry_run:
        ctx.require("credit_manager")
        done = recorded_run(ctx, as_of)
        if done is not None:
            return done, True, []
    policy = get_policy(ctx)
    if progress is not None:
        progress("buyers decided", 0, None)
    result = dunning(ctx, as_of, policy)
    if progress is not None:
        decided = len(result.actions) + len(result.skipped)
        progress("buyers decided", decided, decided)
    skipped = [{"customer_id": s.customer_code, "reason": s.reason} for s in result.skipped]
    if not dry_run:
        record(ctx, policy, result, progress=progress)
    return result.as_dict(), False, skipped


def record(ctx: ServiceContext, policy: DunningPolicy, result: DunningResult, *, render_letters: bool = True,
           send: bool = True, progress: Progress | None = None) -> int:
    """Write the run, its actions, letters, tasks and cases; returns the run id. render_letters=False
    leaves the letters to be rendered when first asked for or sent (the large demo); send=False leaves the
    e-mails queued for `send_pending` (`arguard collections send`)."""
    from arguard.collections import letters

    run = DunningRun(company_id=ctx.company_id, as_of=result.as_of, policy=result.policy,
                     actions=len(result.actions), actor=ctx.actor)
    ctx.session.add(run)
    ctx.session.flush()
    customers = ledger.customers_by_code(ctx, [a.customer_code for a in result.actions]) if result.actions else {}
    sender = _company_name(ctx)
    rows = []
    for a in counted(result.actions, progress, "actions recorded"):
        letter = None
        if render_letters and a.channel in ("letter", "email"):
            cust = customers.get(a.customer_code)
            letter = letters.render_letter(a, policy.level(a.level), cust, sender, result.as_of) if cust else None
        rows.append({"company_id": ctx.company_id, "run_id": run.id, "as_of": result.as_of,
                     "customer_code": a.customer_code, "level": a.level, "channel": a.channel,
                     "currency": a.currency, "overdue_minor": a.overdue_total.minor,
                     "total_due_minor": a.total_due.minor, "payload": a.as_dict(), "letter": letter,
                     "oldest_days": max((i.days_overdue for i in a.invoices), default=0),
                     "status": {"email": "to_send", "letter": "recorded"}.get(a.channel, "queued")})
    if rows:
        ctx.session.execute(insert(DunningActionRow), rows)
    _queue_work(ctx, result, run.id)
    ctx.audit("collections.run", "collections_run", result.as_of.isoformat(),
              after={"policy": result.policy, "actions": len(result.actions), "per_level": _per_level(result),
                     "skipped": [{"customer_id": x.customer_code, "reason": x.reason} for x in result.skipped]})
    if send and any(a.channel == "email" for a in result.actions):
        engine, company_id, run_id = ctx.session.get_bind(), ctx.company_id, run.id
        ctx.after_commit(lambda: send_pending(engine, company_id, run_id))  # type: ignore[arg-type]
    return run.id


def _per_level(result: DunningResult) -> dict[str, int]:
    out: dict[str, int] = {}
    for a in result.actions:
        out[a.level] = out.get(a.level, 0) + 1
    return out


def _company_name(ctx: ServiceContext) -> str:
    from arguard.platform.interface import company_name

    return company_name(ctx)


def _queue_work(ctx: ServiceContext, result: DunningResult, run_id: int) -> None:
    """A call task per phone action; a hand-over task and an open case per agency/legal action (one open
    case per buyer and kind), and the buyer marked as in collections with the limits capability."""
    ids = dict(ctx.session.execute(select(DunningActionRow.customer_code, DunningActionRow.id)
                                   .where(DunningActionRow.run_id == run_id)).all())
    open_cases = {(c, k) for c, k in ctx.session.execute(
        select(CaseRow.customer_code, CaseRow.kind).where(CaseRow.company_id == ctx.company_id,
                                                          CaseRow.status == "open"))}
    for a in result.actions:
        if a.channel == "phone":
            ctx.session.add(CollectionsTask(company_id=ctx.company_id, customer_code=a.customer_code, kind="call",
                                            due_on=result.as_of, note=f"{a.level}: {a.total_due}",
                                            action_id=ids.get(a.customer_code)))
        elif a.channel in HANDOVER_CHANNELS:
            ctx.session.add(CollectionsTask(company_id=ctx.company_id, customer_code=a.customer_code,
                                            kind=f"handover_{a.channel}", due_on=result.as_of,
                                            note=f"hand over {a.total_due} to {a.channel}",
                                            action_id=ids.get(a.customer_code)))
            if (a.customer_code, a.channel) not in open_cases:
                ctx.session.add(CaseRow(company_id=ctx.company_id, customer_code=a.customer_code, kind=a.channel,
                                        status="open", opened_on=result.as_of, currency=a.currency,
                                        principal_minor=a.overdue_total.minor, interest_minor=a.interest_total.minor,
                                        costs_minor=(a.fee + a.compensation).minor,
                                        invoices=[i.number for i in a.invoices],
                                        note=f"opened by the dunning run of {result.as_of}"))
                open_cases.add((a.customer_code, a.channel))
                _mark_in_collections(ctx, a.customer_code, f"handed over to {a.channel} on {result.as_of}")


def _mark_in_collections(ctx: ServiceContext, code: str, reason: str) -> None:
    from arguard.limits import interface as limits

    try:
        limits.set_collections(ctx, code, True, reason)
    except NotFound:  # a company without a limits policy yet: nothing to mark
        log.info("limits: %s not marked in collections", code)


def send_pending(engine: Engine, company_id: int, run_id: int | None = None) -> tuple[int, int]:
    """Send the e-mails of recorded actions (status to_send) with the letter attached; each is marked sent
    or failed (with the reason) in its own small transaction, so one bad address stops nothing else.
    Returns (sent, failed)."""
    from arguard.db.session import session_scope
    from arguard.monitor import interface as monitor

    with session_scope(engine) as session:
        q = select(DunningActionRow.id, DunningActionRow.customer_code).where(
            DunningActionRow.company_id == company_id, DunningActionRow.status == "to_send")
        if run_id is not None:
            q = q.where(DunningActionRow.run_id == run_id)
        todo = session.execute(q).all()
    sent = failed = 0
    for action_id, code in todo:
        with session_scope(engine) as session:
            ctx = ServiceContext(session, company_id, "collections", "admin")
            row = session.get(DunningActionRow, action_id)
            assert row is not None
            cust = ledger.customers_by_code(ctx, [code]).get(code)
            try:
                if cust is None or not cust.email:
                    raise ValueError("the customer has no e-mail address")
                from arguard.collections.letters import email_text
                from arguard.collections.reads import letter_reference

                subject, body = email_text({**row.payload, "as_of": row.as_of.isoformat()}, cust,
                                           _company_name(ctx))
                pdf = letter_of(ctx, row)
                monitor.send_email(cust.email, subject, body,
                                   [(f"{letter_reference(row.level, code, row.as_of)}.pdf", "application/pdf", pdf)])
                row.status, row.sent_at, row.error = "sent", datetime.now(UTC), None
                sent += 1
            except Exception as exc:  # noqa: BLE001 - every failure is recorded on its row, none raised
                row.status, row.error = "failed", str(exc)[:500]
                failed += 1
    return sent, failed


def list_actions(ctx: ServiceContext, as_of: date | None = None, customer_code: str | None = None,
                 limit: int = 100) -> list[DunningActionRow]:
    q = select(DunningActionRow).where(DunningActionRow.company_id == ctx.company_id)
    if as_of is not None:
        q = q.where(DunningActionRow.as_of == as_of)
    if customer_code is not None:
        q = q.where(DunningActionRow.customer_code == customer_code)
    return list(ctx.session.scalars(q.order_by(DunningActionRow.as_of.desc(), DunningActionRow.customer_code)
                                    .limit(limit)))


def get_letter(ctx: ServiceContext, action_id: int) -> bytes:
    """The action's letter (PDF), rendered and kept the first time it is asked for if the run left it."""
    row = ctx.session.scalar(select(DunningActionRow).where(DunningActionRow.company_id == ctx.company_id,
                                                            DunningActionRow.id == action_id))
    if row is None or row.channel not in ("letter", "email"):
        raise NotFound(f"no letter for action {action_id}", code="letter_not_found")
    return letter_of(ctx, row)


def letter_of(ctx: ServiceContext, row: DunningActionRow) -> bytes:
    if row.letter is None:
        from arguard.collections import letters
        from arguard.collections.model import action_from_dict

        cust = ledger.customers_by_code(ctx, [row.customer_code]).get(row.customer_code)
        policy = get_policy(ctx)
        level = policy.level(row.level) if row.level in [lv.name for lv in policy.levels] else None
        if level is None:
            raise NotFound(f"level {row.level} is no longer in the policy", code="letter_not_found")
        row.letter = letters.render_letter(action_from_dict(row.payload), level, cust, _company_name(ctx), row.as_of)
    return row.letter


def amounts_per_level(ctx: ServiceContext, as_of: date | None = None) -> list[dict[str, Any]]:
    """Buyers and amounts due per level and currency in the newest run on or before as_of."""
    q = select(DunningRun).where(DunningRun.company_id == ctx.company_id)
    if as_of is not None:
        q = q.where(DunningRun.as_of <= as_of)
    run = ctx.session.scalar(q.order_by(DunningRun.as_of.desc()).limit(1))
    if run is None:
        return []
    acc: dict[tuple[str, str], list[int]] = {}
    for level, cur, minor in ctx.session.execute(select(
            DunningActionRow.level, DunningActionRow.currency, DunningActionRow.total_due_minor)
            .where(DunningActionRow.run_id == run.id)):
        v = acc.setdefault((level, cur), [0, 0])
        v[0] += 1
        v[1] += int(minor)
    return [{"as_of": run.as_of.isoformat(), "level": lv, "currency": cur, "buyers": n,
             "total_due": str(Money.from_minor(m, cur).amount)} for (lv, cur), (n, m) in sorted(acc.items())]


__all__: Sequence[str] = ("amounts_per_level", "buyer_facts", "dunning", "get_letter", "get_policy", "list_actions",
                          "load_policy", "policy_source", "record", "recorded_run", "run_dunning",
                          "run_dunning_explained", "send_pending")
