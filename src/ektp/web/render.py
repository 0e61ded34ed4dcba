"""Render the Jinja2 pages: language choice, translated labels, safety headers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context

from ektp.auth import roles
from ektp.web import i18n
from ektp.web.deps import csrf_token

TEMPLATES_DIR = Path(__file__).with_name("templates")
STATIC_DIR = Path(__file__).with_name("static")
_LANG_COOKIE_AGE = 365 * 24 * 3600

# htmx needs no inline script; 'self' keeps any injected markup from loading code.
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def make_templates() -> Jinja2Templates:
    """Return the page templates with the number and date filters installed."""
    templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
    env = templates.env
    env.filters["num"] = _num
    env.filters["date"] = _date
    env.filters["datetime"] = _datetime
    return templates


@pass_context
def _num(context: Context, value: int) -> str:
    return i18n.format_number(context.get("lang", "id"), value)


@pass_context
def _date(context: Context, value: dt.date) -> str:
    return i18n.format_date(context.get("lang", "id"), value)


@pass_context
def _datetime(context: Context, value: dt.datetime) -> str:
    return i18n.format_datetime(context.get("lang", "id"), value)


def language_of(request: Request) -> str:
    """Return the page language: ``?lang=``, else the cookie, else the configured default."""
    default = request.app.state.runtime.settings.default_language
    return i18n.pick_language(
        request.query_params.get("lang"), request.cookies.get(i18n.LANGUAGE_COOKIE), default=default
    )


def translate(request: Request, key: str, **params: object) -> str:
    """Return ``key`` translated into the request's language."""
    return i18n.translate(language_of(request), key, **params)


def _with_lang(request: Request, lang: str) -> str:
    # A path, not a full URL: behind a reverse proxy the Host seen here may be an inner one.
    query = {key: value for key, value in request.query_params.items() if key != "lang"}
    return f"{request.url.path}?{urlencode({**query, 'lang': lang})}"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    personal: bool = False,
) -> HTMLResponse:
    """Return a rendered page; ``personal`` pages are never stored by browsers or proxies."""
    lang = language_of(request)
    user = getattr(request.state, "user", None)
    role = getattr(user, "role", None)
    full_context: dict[str, Any] = {
        "lang": lang,
        "t": i18n.translator(lang),
        "user": user,
        "csrf_token": csrf_token(request),
        "can_see_personal": role is not None and roles.may_see_personal_data(role),
        "can_audit": role is not None and roles.may_search_audit(role),
        "active": None,
        "lang_links": {code: _with_lang(request, code) for code in i18n.LANGUAGES},
    }
    full_context.update(context or {})
    templates: Jinja2Templates = request.app.state.templates
    response = templates.TemplateResponse(request, template, full_context, status_code=status_code)
    response.headers.update(_SECURITY_HEADERS)
    # Pages differ per user and per language; no shared cache may keep them.
    response.headers["Cache-Control"] = "no-store" if personal else "private, no-cache"
    response.headers["Vary"] = "Cookie"
    chosen = request.query_params.get("lang")
    if chosen in i18n.LANGUAGES:
        response.set_cookie(
            i18n.LANGUAGE_COOKIE,
            chosen,
            max_age=_LANG_COOKIE_AGE,
            samesite="lax",
            httponly=True,
            secure=request.app.state.runtime.settings.secure_cookies,
        )
    return response
