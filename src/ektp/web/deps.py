"""FastAPI dependencies: the runtime, a per-request database session, the logged-in user, roles."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.auth.schemas import UserView
from ektp.auth.service import AUDIT_WRITER
from ektp.runtime import Runtime
from ektp.web.write_gate import READ_METHODS

SESSION_USER_KEY = "user_id"
SESSION_CSRF_KEY = "csrf"


class LoginRequired(Exception):
    """Raised when a route needs a logged-in user; pages redirect to the login, the API says 401."""


def get_runtime(request: Request) -> Runtime:
    """Return the Runtime that ``create_app`` put on the application."""
    runtime = request.app.state.runtime
    assert isinstance(runtime, Runtime)
    return runtime


def db_session(request: Request) -> Iterator[Session]:
    """Yield the request's own session: committed when the route returns, rolled back on error.

    Used with ``scope="function"`` so that the commit happens before the response is sent: a
    client never sees success for work that failed to commit. Routes that must keep their
    writes on a refusal (failed logins, audit of a denied view) return the refusal as a
    response instead of raising.
    """
    runtime = get_runtime(request)
    if request.method in READ_METHODS and runtime.separate_reads:
        # A page view reads; its audit rows go through a short write transaction of their
        # own (auth.service.record_audit), so the view never holds SQLite's write lock, and
        # on PostgreSQL it reads in autocommit (no BEGIN and COMMIT round trips).
        session = runtime.read_session_factory()
        session.info[AUDIT_WRITER] = runtime.session_factory
    else:
        session = runtime.session_factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def current_user(request: Request, session: DbSession) -> User:
    """Return the logged-in user, or raise LoginRequired.

    API clients (devices, scripts) send ``Authorization: Bearer <token>`` instead of a
    session cookie; a token that is unknown or revoked gets 401, never the cookie's user.
    """
    bearer = _bearer_token(request)
    if bearer is not None:
        return _token_user(request, session, bearer)
    user_id = request.session.get(SESSION_USER_KEY)
    user = (
        auth_service.user_by_id(session=session, user_id=user_id)
        if isinstance(user_id, int)
        else None
    )
    if user is None:
        raise LoginRequired()
    # A detached copy for the templates: an error page renders after the session rolled back.
    request.state.user = UserView.model_validate(user)
    return user


def _bearer_token(request: Request) -> str | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _token_user(request: Request, session: Session, token: str) -> User:
    from ektp.auth.tokens import user_for_token

    user = user_for_token(session=session, token=token, now=dt.datetime.now(dt.UTC))
    if user is None:
        raise HTTPException(
            status_code=401,
            detail="the API token is unknown or revoked",
            headers={"WWW-Authenticate": "Bearer"},
        )
    request.state.user = UserView.model_validate(user)
    return user


CurrentUser = Annotated[User, Depends(current_user)]


async def personal_data_user(user: CurrentUser) -> User:
    """Return the user when the role may see personal data; else 403."""
    if not roles.may_see_personal_data(user.role) or user.area_kode is None:
        raise HTTPException(status_code=403, detail="this role may not see personal data")
    return user


PersonalDataUser = Annotated[User, Depends(personal_data_user)]


async def audit_reader(user: CurrentUser) -> User:
    """Return the user when the role may read the audit log; else 403."""
    if not roles.may_search_audit(user.role):
        raise HTTPException(status_code=403, detail="this role may not read the audit log")
    return user


AuditReader = Annotated[User, Depends(audit_reader)]


def client_address(request: Request) -> str | None:
    """Return the address of the client as the server saw it (for the audit log)."""
    return request.client.host if request.client else None


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token, creating it on first use."""
    token = request.session.get(SESSION_CSRF_KEY)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF_KEY] = token
    return token


def csrf_ok(request: Request, submitted: str | None) -> bool:
    """Return whether a form's token is the one bound to this session."""
    expected = request.session.get(SESSION_CSRF_KEY)
    if not isinstance(expected, str) or not submitted:
        return False
    return secrets.compare_digest(expected, submitted)


def log_in(request: Request, user: User) -> None:
    """Start a fresh session for ``user``: a new cookie content and a new CSRF token."""
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    request.session[SESSION_CSRF_KEY] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    """Forget everything the session held."""
    request.session.clear()
