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
    session_secret: str = "change-me-in-production"
    """Signs dashboard session cookies; set ARGUARD_SESSION_SECRET in production."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
