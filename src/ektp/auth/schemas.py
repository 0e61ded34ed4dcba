"""Pydantic shapes of accounts, logins and audit events as the API shows them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class UserView(BaseModel):
    """An account without its secrets."""

    model_config = ConfigDict(from_attributes=True)

    username: str
    full_name: str
    role: str
    area_kode: str | None


class LoginRequest(BaseModel):
    """Credentials sent to ``POST /api/v1/auth/login``."""

    username: str = Field(min_length=1, max_length=60)
    password: str = Field(min_length=1, max_length=200)


class AuditEventView(BaseModel):
    """One audit row: who did what to which subject, when, from where."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    username: str | None
    action: str
    subject: str | None
    detail: str | None
    client: str | None
