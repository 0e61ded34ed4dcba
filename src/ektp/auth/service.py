"""Use cases of accounts: create users, check passwords with lock-out, write and read the audit log.

Functions take a keyword-only ``session`` and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from ektp.auth import passwords, roles
from ektp.auth.models import AuditEvent, User
from ektp.regions import service as regions_service

MAX_FAILED_LOGINS = 5
LOCK_DURATION = dt.timedelta(minutes=15)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,59}$")


class UserError(ValueError):
    """Raised when an account cannot be created; the message says why in plain words."""


@dataclass(frozen=True)
class LoginResult:
    """The outcome of a login: the user when it succeeded, else why not."""

    user: User | None
    locked_until: dt.datetime | None = None

    @property
    def locked(self) -> bool:
        """Return whether the account is locked (the password was not even checked)."""
        return self.locked_until is not None


def _utc(moment: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes although they were stored as UTC; PostgreSQL aware ones.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def create_user(
    *,
    session: Session,
    username: str,
    full_name: str,
    role: str,
    area_kode: str | None,
    password: str,
    now: dt.datetime | None = None,
) -> User:
    """Return a new account after checking its name, role, area and password."""
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise UserError(
            "a username has 3 to 60 characters: lower-case letters, digits, '.', '_' or '-'"
        )
    try:
        roles.check_role(role)
    except roles.UnknownRoleError as error:
        raise UserError(str(error)) from None
    area = _checked_area(session=session, role=role, area_kode=area_kode)
    exists = session.execute(select(User.id).where(User.username == username)).first()
    if exists is not None:
        raise UserError(f"the username {username!r} is taken")
    try:
        password_hash = passwords.hash_password(password)
    except passwords.WeakPasswordError as error:
        raise UserError(str(error)) from None
    user = User(
        username=username,
        full_name=full_name.strip() or username,
        role=role,
        area_kode=area,
        password_hash=password_hash,
        failed_logins=0,
        locked_until=None,
        created_at=_utc(now or dt.datetime.now(dt.UTC)),
    )
    session.add(user)
    session.flush()
    return user


def _checked_area(*, session: Session, role: str, area_kode: str | None) -> str | None:
    level = roles.area_level(role)
    if area_kode is None or not area_kode.strip():
        if level is not None:
            raise UserError(f"the role {role} needs an area: a {level} code")
        return None
    region = regions_service.get_region(session=session, kode=area_kode)
    if region is None:
        raise UserError(f"no loaded region has the code {area_kode.strip()!r}")
    if level is not None and region.level != level:
        raise UserError(
            f"the role {role} needs a {level} as its area; {region.kode} is a {region.level}"
        )
    return region.kode


def get_user(*, session: Session, username: str) -> User | None:
    """Return the account with this username, or None."""
    return session.execute(
        select(User).where(User.username == username.strip().lower())
    ).scalar_one_or_none()


def user_by_id(*, session: Session, user_id: int) -> User | None:
    """Return the account with this id (as kept in a login session), or None."""
    return session.get(User, user_id)


def authenticate(
    *, session: Session, username: str, password: str, now: dt.datetime
) -> LoginResult:
    """Return the user when the password matches and the account is not locked.

    Each failure counts; the fifth in a row locks the account for 15 minutes, during which even
    the right password is refused. A success resets the count.
    """
    now = _utc(now)
    user = get_user(session=session, username=username)
    if user is None:
        passwords.dummy_verify(password)
        return LoginResult(user=None)
    if user.locked_until is not None:
        locked_until = _utc(user.locked_until)
        if locked_until > now:
            return LoginResult(user=None, locked_until=locked_until)
        user.locked_until = None
        user.failed_logins = 0
    if not passwords.verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCK_DURATION
            session.flush()
            return LoginResult(user=None, locked_until=user.locked_until)
        session.flush()
        return LoginResult(user=None)
    user.failed_logins = 0
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    session.flush()
    return LoginResult(user=user)


AUDIT_WRITER = "ektp_audit_writer"
"""Key in ``Session.info`` of the session factory that writes audit events for a reader."""


_AUDIT_INSERT = insert(cast(Table, AuditEvent.__table__))


def record_audit(
    *,
    session: Session,
    username: str | None,
    action: str,
    subject: str | None,
    detail: str | None,
    client: str | None,
    now: dt.datetime | None = None,
) -> None:
    """Append one event to the audit log (the table is never updated nor deleted from).

    A read-only session (a page view on SQLite, see ``web.deps.db_session``) carries a
    factory under ``AUDIT_WRITER``: the event is then committed at once in a short write
    transaction of its own, before anything is shown.
    """
    writer = session.info.get(AUDIT_WRITER)
    if writer is not None:
        with writer() as own, own.begin():
            record_audit(
                session=own,
                username=username,
                action=action,
                subject=subject,
                detail=detail,
                client=client,
                now=now,
            )
        return
    # Flush the caller's pending objects first (as add + flush did), then one prebuilt Core
    # insert: the ORM unit of work cost more than the rest of a public status lookup
    # (cards.lookup); the row is written at once all the same.
    session.flush()
    session.execute(
        _AUDIT_INSERT,
        {
            "at": _utc(now or dt.datetime.now(dt.UTC)),
            "username": username,
            "action": action[:40],
            "subject": None if subject is None else subject[:120],
            "detail": detail,
            "client": None if client is None else client[:64],
        },
    )


def search_audit(
    *,
    session: Session,
    username: str | None = None,
    action: str | None = None,
    subject: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[AuditEvent]:
    """Return audit events matching every given filter, newest first, at most ``limit``.

    ``before_id`` pages backwards: pass the smallest id of the previous page.
    """
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(max(1, min(limit, 1000)))
    if username:
        query = query.where(AuditEvent.username == username.strip().lower())
    if action:
        query = query.where(AuditEvent.action == action)
    if subject:
        query = query.where(AuditEvent.subject == subject)
    if since is not None:
        query = query.where(AuditEvent.at >= _utc(since))
    if until is not None:
        query = query.where(AuditEvent.at < _utc(until))
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    return list(session.execute(query).scalars())
