"""The public card status page ``/cek-ktp``: NIK and birth date in, where the card is out.

No login. The answer is the lookup's (``cards.lookup``): a stage, a date and a place, in the
page's language; a wrong NIK or birth date reads exactly like "no card". Attempts are
counted per client address with the public API's limiter; beyond it the page says when to
try again (429).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from ektp.cards.lookup import lookup_status
from ektp.cards.lookup_api import too_many
from ektp.web.deps import DbSession, client_address, csrf_ok
from ektp.web.render import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, status_code: int = 200, **context: object) -> HTMLResponse:
    return render(
        request,
        "status/cek.html",
        {"active": "status", **context},
        status_code=status_code,
        personal=True,
    )


@router.get("/cek-ktp", response_class=HTMLResponse)
def status_form(request: Request) -> HTMLResponse:
    """Return the lookup form."""
    return _page(request)


@router.post("/cek-ktp", response_class=HTMLResponse)
def status_answer(
    request: Request,
    session: DbSession,
    nik: Annotated[str, Form(max_length=32)] = "",
    tanggal_lahir: Annotated[str, Form(max_length=10)] = "",
    csrf_token: Annotated[str, Form(max_length=100)] = "",
) -> HTMLResponse:
    """Return the form with the answer for the NIK and birth date sent."""
    if not csrf_ok(request, csrf_token):
        return _page(request, 403, problem="status.expired")
    try:
        born = dt.date.fromisoformat(tanggal_lahir.strip())
    except ValueError:
        return _page(request, 400, problem="status.bad_date", nik=nik.strip()[:16])
    refused = too_many(request)
    if refused is not None:
        minutes = max(1, (int(refused.headers["Retry-After"]) + 59) // 60)
        page = _page(request, 429, problem="status.too_many", minutes=minutes)
        page.headers["Retry-After"] = refused.headers["Retry-After"]
        return page
    answer = lookup_status(
        session=session,
        nik=nik,
        tanggal_lahir=born,
        client=client_address(request),
        now=dt.datetime.now(dt.UTC),
    )
    return _page(request, answer=answer)
