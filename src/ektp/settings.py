"""Runtime settings, read from the environment (prefix ``EKTP_``) on request, never at import."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SQLITE_PATH = Path("var") / "ektp.sqlite3"


class Settings(BaseSettings):
    """Settings for one process: database, secrets, web server."""

    model_config = SettingsConfigDict(env_prefix="EKTP_", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{DEFAULT_SQLITE_PATH.as_posix()}")
    # A random key per process logs everybody out on restart; production sets EKTP_SECRET_KEY.
    secret_key: str = Field(default_factory=lambda: secrets.token_urlsafe(32))
    secure_cookies: bool = False
    default_language: str = "id"
    # Biometric templates and images are encrypted with this key (32 bytes, urlsafe base64).
    # Without it, a key is created once in biometric_key_file (mode 0600) and reused.
    biometric_key: str | None = None
    biometric_key_file: Path = Path("var") / "biometric.key"
    # The Sekda's daily report: where the evening job writes it, and whether the web server
    # runs that job itself each evening at evening_job_at (Palembang time, after closing).
    reports_dir: Path = Path("var") / "reports"
    evening_job: bool = False
    evening_job_at: str = "20:30"
    # Connections per process: as many as the request thread pool (40 in Starlette), or
    # requests wait on the pool instead of the database under load. Mind PostgreSQL's
    # max_connections (100 by default) when running several ``serve --workers``.
    db_pool_size: int = 20
    db_max_overflow: int = 20


def get_settings(**overrides: object) -> Settings:
    """Return settings from the environment, with explicit overrides (e.g. ``--db``) on top."""
    clean = {key: value for key, value in overrides.items() if value is not None}
    return Settings(**clean)  # type: ignore[arg-type]
