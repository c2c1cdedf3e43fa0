"""Row 10 of issue 11: the audit chain is keyed (a rewrite recomputed with the public algorithm is
caught), and deleting the newest entries is caught against a head exported earlier."""

from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import delete, select, update
from typer.testing import CliRunner

from arguard.cli.main import app as cli
from arguard.platform.audit import GENESIS, entry_hash
from arguard.platform.service import audit_head, verify_audit
from arguard.platform.tables import AuditEntry


def _three_entries(ctx_factory):
    with ctx_factory() as ctx:
        for i in range(3):
            ctx.audit("test.step", "thing", i, after={"n": i})


def _public_rehash(ctx) -> None:
    """What the attacker of the issue did: rewrite a row and recompute every hash with SHA-256."""
    rows = list(ctx.session.scalars(select(AuditEntry).where(AuditEntry.company_id == ctx.company_id)
                                    .order_by(AuditEntry.seq)))
    prev = GENESIS
    for r in rows:
        if r.seq == 2:
            r.reason = "rewritten"
        body = json.dumps([r.seq, r.at.isoformat(timespec="microseconds"), r.actor, r.action, r.entity,
                           r.entity_id, r.reason, r.before, r.after], sort_keys=True, ensure_ascii=False,
                          separators=(",", ":"))
        r.prev_hash, r.entry_hash = prev, hashlib.sha256((prev + body).encode()).hexdigest()
        prev = r.entry_hash
    ctx.session.flush()


def test_a_chain_recomputed_without_the_key_is_caught(ctx_factory):
    _three_entries(ctx_factory)
    with ctx_factory() as ctx:
        assert verify_audit(ctx) == []
        _public_rehash(ctx)
        assert verify_audit(ctx) != []


def test_the_hash_depends_on_the_key():
    from datetime import datetime

    args = (GENESIS, 1, datetime(2026, 1, 1), "a", "b", "c", None, None, None, None)
    assert entry_hash(b"k1", *args) != entry_hash(b"k2", *args)


def test_deleting_the_newest_entries_is_caught_against_an_exported_head(ctx_factory, company, use_database):
    _three_entries(ctx_factory)
    r = CliRunner().invoke(cli, ["audit", "head", "--company", company[1]])
    assert r.exit_code == 0, r.output
    head = json.loads(r.output)
    with ctx_factory() as ctx:
        assert head == audit_head(ctx) and head["seq"] >= 3
        assert verify_audit(ctx, head) == []
        ctx.session.execute(delete(AuditEntry).where(AuditEntry.company_id == ctx.company_id,
                                                     AuditEntry.seq >= head["seq"] - 1))
        assert verify_audit(ctx) == []  # a shorter chain is still a valid chain ...
        assert verify_audit(ctx, head) != []  # ... but not the one that was anchored
    r = CliRunner().invoke(cli, ["audit", "verify", "--company", company[1], "--head", json.dumps(head)])
    assert r.exit_code == 1 and "exported head is missing" in r.output


def test_head_check_catches_a_changed_head_entry(ctx_factory):
    _three_entries(ctx_factory)
    with ctx_factory() as ctx:
        head = audit_head(ctx)
        ctx.session.execute(update(AuditEntry).where(AuditEntry.company_id == ctx.company_id,
                                                     AuditEntry.seq == head["seq"])
                            .values(entry_hash="f" * 64))
        assert any("differs" in b.reason for b in verify_audit(ctx, head))


def test_a_chain_written_before_the_key_is_rekeyed_once_and_only_if_intact(ctx_factory):
    from arguard.platform.audit import legacy_entry_hash
    from arguard.platform.service import rekey_audit

    _three_entries(ctx_factory)
    with ctx_factory() as ctx:
        rows = list(ctx.session.scalars(select(AuditEntry).where(AuditEntry.company_id == ctx.company_id)
                                        .order_by(AuditEntry.seq)))
        prev = GENESIS
        for r in rows:  # as an installation before the key wrote them
            r.prev_hash = prev
            r.entry_hash = prev = legacy_entry_hash(prev, r.seq, r.at, r.actor, r.action, r.entity, r.entity_id,
                                                    r.reason, r.before, r.after)
        ctx.session.flush()
        assert verify_audit(ctx) != []
        assert rekey_audit(ctx) == len(rows)
        assert verify_audit(ctx) == []
        assert rekey_audit(ctx) == 0  # already keyed
    with ctx_factory() as ctx:
        _public_rehash(ctx)  # an unkeyed chain again, then an edit nobody rehashed:
        from arguard.core.errors import Conflict

        with pytest.raises(Conflict):  # a broken chain is never moved onto the key
            ctx.session.execute(update(AuditEntry).where(AuditEntry.company_id == ctx.company_id,
                                                         AuditEntry.seq == 1).values(reason="edited"))
            rekey_audit(ctx)


def test_a_process_with_another_audit_key_cannot_extend_the_chain(ctx_factory, tmp_path, monkeypatch):
    """Started from another folder (another installation key), a process would write entries nobody can
    verify with the first key: it is stopped at its first append instead."""
    from arguard.platform.keys import KeyMismatch
    from arguard.settings import get_settings

    _three_entries(ctx_factory)
    monkeypatch.setenv("ARGUARD_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        with pytest.raises(KeyMismatch), ctx_factory() as ctx:
            ctx.audit("test.step", "thing", 9)
    finally:
        monkeypatch.delenv("ARGUARD_DATA_DIR")
        get_settings.cache_clear()
    with ctx_factory() as ctx:
        ctx.audit("test.step", "thing", 10)
        assert verify_audit(ctx) == []


def test_a_pending_entry_edited_before_sealing_is_caught_and_never_chained(ctx_factory, engine):
    """`audit_later` entries wait in audit_pending for a moment: they carry a MAC, so an edit made in that
    moment is reported by verify and the entry is never chained as if it were genuine."""
    from arguard.platform import sealing
    from arguard.platform.tables import AuditPending

    with ctx_factory() as ctx:
        from types import SimpleNamespace

        idle = SimpleNamespace(wake=lambda: None)  # a sealer that does not seal yet
        sealing._SEALERS[sealing._engine_key(engine)] = idle  # type: ignore[assignment]
        try:
            ctx.audit_later("order.check", "order", "SO-1", after={"decision": "hold"})
            ctx.audit_later("order.check", "order", "SO-2", after={"decision": "release"})
        finally:
            ctx.after_commit(lambda: sealing._SEALERS.pop(sealing._engine_key(engine), None))
    with ctx_factory() as ctx:
        ctx.session.execute(update(AuditPending).where(AuditPending.company_id == ctx.company_id,
                                                       AuditPending.entity_id == "SO-1")
                            .values(after={"decision": "release"}))
    with ctx_factory() as ctx:
        breaks = verify_audit(ctx)
        assert [b.reason for b in breaks if "pending entry" in b.reason], breaks
        chained = list(ctx.session.scalars(select(AuditEntry.entity_id).where(
            AuditEntry.company_id == ctx.company_id, AuditEntry.entity == "order")))
        assert chained == ["SO-2"]  # the genuine one joined the chain, the edited one did not
