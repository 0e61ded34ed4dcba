"""Login and logout pages, and the audit log page of the city admin."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ektp.auth import service as auth_service
from ektp.web import i18n
from ektp.web.deps import (
    SESSION_USER_KEY,
    AuditReader,
    DbSession,
    client_address,
    csrf_ok,
    log_in,
    log_out,
)
from ektp.web.person_access import AUDIT_ACTIONS
from ektp.web.render import language_of, render, translate

router = APIRouter(include_in_schema=False)
AUDIT_PAGE_SIZE = 100


def safe_next(target: str | None) -> str:
    """Return ``target`` when it is a path on this site, else ``/`` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    """Return the login form (or go on to ``next`` when already logged in)."""
    if isinstance(request.session.get(SESSION_USER_KEY), int):
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next_url": safe_next(next), "username": ""})


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Log in and go on to ``next``; on failure show the form again with the reason."""
    context = {"next_url": safe_next(next), "username": username}
    if not csrf_ok(request, csrf_token):
        context["error"] = translate(request, "login.csrf")
        return render(request, "login.html", context, status_code=403)
    result = auth_service.authenticate(
        session=session, username=username, password=password, now=dt.datetime.now(dt.UTC)
    )
    if result.user is None:
        auth_service.record_audit(
            session=session,
            username=username.strip().lower()[:60] or None,
            action="auth.login_failed",
            subject=None,
            detail="locked" if result.locked else None,
            client=client_address(request),
        )
        if result.locked_until is not None:
            lang = language_of(request)
            moment = i18n.format_datetime(lang, result.locked_until)
            context["error"] = translate(request, "login.locked", time=moment)
        else:
            context["error"] = translate(request, "login.failed")
        return render(request, "login.html", context, status_code=401)
    log_in(request, result.user)
    auth_service.record_audit(
        session=session,
        username=result.user.username,
        action="auth.login",
        subject=None,
        detail=None,
        client=client_address(request),
    )
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/logout")
def logout_submit(
    request: Request, session: DbSession, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    """Log out (a cross-site form cannot: the CSRF token is checked) and show the login form."""
    if not csrf_ok(request, csrf_token):
        return render(
            request,
            "error.html",
            {
                "heading": translate(request, "error.403"),
                "message": translate(request, "login.csrf"),
            },
            status_code=403,
        )
    user_id = request.session.get(SESSION_USER_KEY)
    user = (
        auth_service.user_by_id(session=session, user_id=user_id)
        if isinstance(user_id, int)
        else None
    )
    if user is not None:
        auth_service.record_audit(
            session=session,
            username=user.username,
            action="auth.logout",
            subject=None,
            detail=None,
            client=client_address(request),
        )
    log_out(request)
    return RedirectResponse("/login", status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    user: AuditReader,
    session: DbSession,
    username: str = "",
    action: str = "",
    subject: str = "",
    before: int | None = None,
) -> HTMLResponse:
    """Return the newest audit events matching the filters, a hundred at a time."""
    events = auth_service.search_audit(
        session=session,
        username=username or None,
        action=action or None,
        subject=subject.strip() or None,
        before_id=before,
        limit=AUDIT_PAGE_SIZE,
    )
    older_href = None
    if len(events) == AUDIT_PAGE_SIZE:
        query = {"username": username, "action": action, "subject": subject}
        older_href = "/audit?" + urlencode({**query, "before": events[-1].id})
    return render(
        request,
        "audit.html",
        {
            "events": events,
            "filters": {"username": username, "action": action, "subject": subject},
            "actions": (*AUDIT_ACTIONS, "auth.login_failed"),
            "older_href": older_href,
            "active": "audit",
        },
        personal=True,
    )
