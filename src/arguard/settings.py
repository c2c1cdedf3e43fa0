"""Settings read from the environment (prefix ARGUARD_); cached once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ARGUARD_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{Path('var/arguard.db').absolute()}"
    """SQLAlchemy URL. SQLite file by default; postgresql+psycopg://… for production."""
    host: str = "127.0.0.1"
    port: int = 8000
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_sender: str = "arguard@localhost"
    data_dir: str = str(Path("var").absolute())
    """Where the installation keeps its own files (`installation.key`, mode 0600): next to the default
    SQLite database. Servers sharing one PostgreSQL database share this folder's key, or set the three
    secrets below explicitly (see docs/security.md)."""
    session_secret: str | None = None
    """Signs dashboard session cookies. Unset: derived from the installation key (never a known value)."""
    audit_key: str | None = None
    """Keys the audit hash chain (HMAC). Unset: derived from the installation key. Not in the database."""
    webhook_key: str | None = None
    """Fernet key (urlsafe base64, 32 bytes) encrypting webhook secrets at rest. Unset: derived."""
    cookie_secure: bool = False
    """Mark the session cookie `Secure` (set it when the dashboard is served over HTTPS)."""
    trusted_origins: str = ""
    """Comma-separated origins (https://arguard.example.com) whose dashboard forms are accepted besides
    the request's own host: for a reverse proxy that does not pass the Host header on."""
    webhook_allow_private: bool = False
    """Allow webhooks to private, loopback and link-local addresses (a receiver on the same host)."""
    max_body_bytes: int = 1 << 20
    """Largest request body of an ordinary API or dashboard request (JSON, forms)."""
    max_upload_bytes: int = 50 << 20
    """Largest request body of a file upload (imports, bank statements)."""
    background: bool = True
    """Run every capability's server-lifetime work (registry `background=`: monitoring's delivery worker
    and daily run) inside the API server. false: the process only answers requests (a read replica, the
    test suite's in-process app); run `arguard monitor deliver` / `arguard monitor run` elsewhere."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
