"""Per-user API tokens for devices and scripts: created once, stored as SHA-256, revocable.

A token is shown only when created; the database holds its SHA-256, so a leaked database
copy opens no API. Tokens are long random strings, so a plain hash (not a slow password
hash) is enough: nobody can guess one from its hash.

Functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from ektp.auth.models import ApiToken, User
from ektp.auth.service import AUDIT_WRITER
from ektp.storage.engine import WRITE_LOCK_WAIT, WriterBusy

TOKEN_PREFIX = "ektp_"
"""Marks a string as an ektp token, so secret scanners and people recognise a leaked one."""
MAX_NAME_LENGTH = 80
LAST_USED_PRECISION = dt.timedelta(minutes=5)
"""``last_used_at`` moves at most this often, so a busy device does not write on every call."""


_TOKEN_USER = (
    select(ApiToken.id, ApiToken.revoked_at, ApiToken.last_used_at, User)
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_sha256 == bindparam("sha"))
)
"""A token and its user in one query, built once: every device call starts here."""


class TokenError(ValueError):
    """Raised when a token cannot be created or revoked; the message says why."""


def token_sha256(token: str) -> str:
    """Return the hex SHA-256 under which ``token`` is stored."""
    return hashlib.sha256(token.strip().encode("utf-8")).hexdigest()


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes although they were stored as UTC.
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def create_token(*, session: Session, user: User, name: str, now: dt.datetime) -> str:
    """Return a new token of ``user`` named ``name`` (e.g. the device); shown only this once.

    A user's live tokens have distinct names, so that one can be revoked by name.
    """
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > MAX_NAME_LENGTH:
        raise TokenError(f"a token needs a name of 1 to {MAX_NAME_LENGTH} characters")
    taken = session.execute(
        select(ApiToken.id).where(
            ApiToken.user_id == user.id, ApiToken.name == cleaned, ApiToken.revoked_at.is_(None)
        )
    ).first()
    if taken is not None:
        raise TokenError(f"{user.username} already has a token named {cleaned!r}; revoke it first")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            user_id=user.id,
            name=cleaned,
            token_sha256=token_sha256(token),
            created_at=_utc(now),
            last_used_at=None,
            revoked_at=None,
        )
    )
    session.flush()
    return token


def user_for_token(*, session: Session, token: str, now: dt.datetime) -> User | None:
    """Return the user of a live token, or None for an unknown or revoked one."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    found = session.execute(_TOKEN_USER, {"sha": token_sha256(token)}).one_or_none()
    if found is None:
        return None
    token_id, revoked_at, last_used_at, user = found
    if revoked_at is not None:
        return None
    moment = _utc(now)
    if last_used_at is None or moment - _utc(last_used_at) >= LAST_USED_PRECISION:
        _touch(session, token_id, moment)
    return user


def _touch(session: Session, token_id: int, moment: dt.datetime) -> None:
    touch = update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=moment)
    writer = session.info.get(AUDIT_WRITER)
    if writer is None:
        session.execute(touch)
        return
    # A read-only request (a screen refreshing every 5 s) must not turn its snapshot into a
    # write: on SQLite that fails at once when another writer got in between. Nor wait for
    # one: while another request writes, the touch waits for a later call (holding a thread
    # to wait for the writer lock could starve that writer).
    try:
        with writer() as own, own.begin():
            own.connection(execution_options={WRITE_LOCK_WAIT: 0})
            own.execute(touch)
    except WriterBusy:
        pass


def revoke_token(*, session: Session, user: User, name: str, now: dt.datetime) -> int:
    """Return how many live tokens of ``user`` named ``name`` are now revoked (0 or 1)."""
    result = session.execute(
        update(ApiToken)
        .where(
            ApiToken.user_id == user.id,
            ApiToken.name == " ".join(name.split()),
            ApiToken.revoked_at.is_(None),
        )
        .values(revoked_at=_utc(now))
    )
    return int(getattr(result, "rowcount", 0) or 0)
