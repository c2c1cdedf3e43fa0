"""The installation's secrets: one random key kept with the installation, and the keys derived from it.

A server started without settings must never sign with a value anyone could know. On first use a
256-bit random key is written to `<data_dir>/installation.key` (mode 0600, created exclusively, so two
processes starting together agree on one key) and kept there: sessions survive a restart and the audit
chain stays verifiable. Each purpose gets its own key, HMAC-SHA256(installation key, purpose), unless the
operator sets it explicitly (ARGUARD_SESSION_SECRET, ARGUARD_AUDIT_KEY, ARGUARD_WEBHOOK_KEY), which
servers on several machines sharing one database must do (or share the file).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from arguard.core.errors import ArguardError
from arguard.platform import caches
from arguard.settings import get_settings

KEY_FILE = "installation.key"


def key_path() -> Path:
    return _key_path(get_settings().data_dir)


@lru_cache(maxsize=16)
def _key_path(data_dir: str) -> Path:
    return Path(data_dir).absolute() / KEY_FILE


def installation_key() -> bytes:
    return _installation_key(str(key_path()))


@lru_cache(maxsize=4)
def _installation_key(path: str) -> bytes:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
    for _ in range(50):  # a process that just created it may not have written it yet
        text = p.read_text().strip()
        if len(text) == 64:
            return bytes.fromhex(text)
        time.sleep(0.02)
    raise RuntimeError(f"{p} does not hold a 64-digit hex key; remove it to let arguard make a new one")


def derived_key(purpose: str) -> bytes:
    return _derived(str(key_path()), purpose)


@lru_cache(maxsize=16)
def _derived(path: str, purpose: str) -> bytes:
    return hmac.new(_installation_key(path), purpose.encode(), hashlib.sha256).digest()


def session_key() -> bytes:
    configured = get_settings().session_secret
    return configured.encode() if configured else derived_key("session cookies")


def audit_key() -> bytes:
    """Read on every audit append and order check: derived once per key file (cached)."""
    configured = get_settings().audit_key
    return configured.encode() if configured else derived_key("audit chain")


def webhook_fernet() -> Any:
    """The Fernet that encrypts webhook secrets at rest."""
    from cryptography.fernet import Fernet

    configured = get_settings().webhook_key
    key = configured.encode() if configured else base64.urlsafe_b64encode(derived_key("webhook secrets"))
    return Fernet(key)


def ensure_installation_key() -> Path:
    """Create the key now (server start) so the first request does not; returns where it is."""
    installation_key()
    return key_path()


class KeyMismatch(ArguardError):
    http_status = 500
    exit_code = 7
    code = "installation_key_mismatch"


def check_fingerprint(conn: Connection, purpose: str, key: bytes) -> None:
    """The first time a process uses `key` on a database: record its fingerprint there, or refuse if the
    database already holds another one (the chain there was written with a different key)."""
    from sqlalchemy import insert, select

    from arguard.platform.tables import InstallationKey

    fingerprint = hmac.new(key, b"arguard key fingerprint", hashlib.sha256).hexdigest()
    marker = (str(conn.engine.url), purpose, fingerprint)
    if caches.KEY_FINGERPRINTS.get(marker):
        return
    t = InstallationKey.__table__
    found = conn.execute(select(t.c.fingerprint).where(t.c.purpose == purpose)).scalar()
    if found is None:
        nested = conn.begin_nested()
        try:
            conn.execute(insert(InstallationKey).values(purpose=purpose, fingerprint=fingerprint))
            nested.commit()
        except IntegrityError:  # another process recorded it first: compare with that one
            nested.rollback()
            found = conn.execute(select(t.c.fingerprint).where(t.c.purpose == purpose)).scalar()
    if found is not None and not hmac.compare_digest(found, fingerprint):
        raise KeyMismatch(
            f"this process's {purpose} key is not the one this database was written with: start it with "
            f"the installation's data dir (ARGUARD_DATA_DIR, now {Path(get_settings().data_dir).absolute()}) "
            "or the configured key")
    caches.KEY_FINGERPRINTS.put(marker, True)
