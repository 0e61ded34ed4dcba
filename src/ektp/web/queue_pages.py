"""The queue pages of a recording site: check-in at the door, the operator's queue with a
"call next" button per working set and the broken/repaired switch, and the waiting-room
display (large numbers, refreshed by htmx every 5 s, no names).

Only ``operator_kecamatan`` (its kecamatan's sites) and ``admin_kota`` check in, call and
switch sets; ``pengamat`` may also watch a display. Another role gets 403, a site outside the
user's area 404. Every form carries the session's CSRF token. The check-in result names the
resident (so the operator can confirm it is the right person) and is written to the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.recording import checkin
from ektp.recording.queue import CheckInRefused, QueueError
from ektp.recording.queue_api import (
    DISPLAY_ROLES,
    QUEUE_ROLES,
    Now,
    audit_checkin,
    refusal_status,
    site_in_area,
)
from ektp.residents.models import Resident
from ektp.scheduling import errors as schedule_errors
from ektp.scheduling import service as scheduling
from ektp.web import i18n
from ektp.web.deps import CurrentUser, DbSession, csrf_ok
from ektp.web.render import language_of, render, translate

router = APIRouter(include_in_schema=False)

REFRESH_SECONDS = 5


def _check_form(request: Request, token: str) -> None:
    if not csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="the form has expired")


def _site_name(session: Session, site_code: str) -> str:
    campaign = scheduling.require_campaign(session=session)
    definition = scheduling.campaign_definition(session=session, campaign=campaign)
    site = next((site for site in definition.sites if site.code == site_code), None)
    return site_code if site is None else (site.name or site.code)


def _state(session: Session, site_code: str, now: dt.datetime) -> checkin.QueueState:
    campaign = scheduling.require_campaign(session=session)
    return checkin.queue_state(
        session=session,
        site_code=site_code,
        tanggal=scheduling.campaign_today(campaign, now),
        now=now,
    )


@router.get("/antrean", response_class=HTMLResponse)
def sites_page(request: Request, user: CurrentUser, session: DbSession, now: Now) -> Response:
    """Return the sites of the user's area, each with its check-in, queue and display."""
    if user.role not in QUEUE_ROLES or user.area_kode is None:
        raise HTTPException(status_code=403, detail="this role does not run the queue")
    campaign = scheduling.active_campaign(session=session)
    sites: list[Any] = []
    if campaign is not None:
        definition = scheduling.campaign_definition(session=session, campaign=campaign)
        area = user.area_kode
        sites = [site for site in definition.sites if roles.area_covers(area, site.kecamatan)]
    if len(sites) == 1:
        return RedirectResponse(f"/antrean/{sites[0].code}", status_code=303)
    return render(
        request, "queue/sites.html", {"campaign": campaign, "sites": sites, "active": "queue"}
    )


@router.get("/antrean/{site_code}", response_class=HTMLResponse)
def operator_page(
    request: Request, site_code: str, user: CurrentUser, session: DbSession, now: Now
) -> HTMLResponse:
    """Return the site's queue: waiting numbers, each set with its call and switch buttons."""
    site_in_area(session=session, user=user, site_code=site_code)
    state = _state(session, site_code, now)
    return render(
        request,
        "queue/operator.html",
        {
            "state": state,
            "flash": _outcome(request, state),
            "refresh": REFRESH_SECONDS,
            "active": "queue",
        },
    )


def _number(raw: str | None) -> int | None:
    return int(raw) if raw is not None and raw.isdigit() and len(raw) <= 6 else None


def _outcome(request: Request, state: checkin.QueueState) -> dict[str, str] | None:
    """Return the message of the action that led here, read from the redirect's query.

    In the query, not in the session cookie: the display and the board poll every few
    seconds, and a poll's answer could rewrite the cookie before the message is shown.
    """
    query = request.query_params
    set_no = _number(query.get("loket"))
    if set_no is None:
        return None
    called = _number(query.get("dipanggil"))
    if called is not None:
        if called == 0:
            return {"kind": "warning", "text": translate(request, "queue.nobody_waiting")}
        text = translate(request, "queue.called", number=f"{called:03d}", set_no=set_no)
        return {"kind": "notice", "text": text}
    status = query.get("status")
    if status not in ("broken", "working"):
        return None
    text = translate(
        request,
        f"queue.set_{status}",
        set_no=set_no,
        sets=state.sets_working,
        moved=_number(query.get("dijadwalkan")) or 0,
    )
    return {"kind": "notice" if query.get("berubah") == "1" else "warning", "text": text}


@router.get("/antrean/{site_code}/papan-operator", response_class=HTMLResponse)
def operator_board(
    request: Request, site_code: str, user: CurrentUser, session: DbSession, now: Now
) -> HTMLResponse:
    """Return the operator page's board alone, for its htmx refresh."""
    site_in_area(session=session, user=user, site_code=site_code)
    return render(
        request,
        "queue/_operator_board.html",
        {"state": _state(session, site_code, now), "refresh": REFRESH_SECONDS},
    )


@router.post("/antrean/{site_code}/panggil")
def call_next(
    request: Request,
    site_code: str,
    user: CurrentUser,
    session: DbSession,
    now: Now,
    set_no: Annotated[int, Form(ge=1, le=99)],
    after: Annotated[int | None, Form(ge=0)] = None,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Call the next waiting number to a set, then show the queue with what happened.

    The form carries the number it showed as last called (``after``): a double click calls
    one resident, not two.
    """
    site_in_area(session=session, user=user, site_code=site_code)
    _check_form(request, csrf_token)
    try:
        ticket = checkin.call_next(
            session=session,
            site_code=site_code,
            set_no=set_no,
            now=now,
            by=user.username,
            after=after,
        )
    except (QueueError, schedule_errors.ScheduleError) as error:
        raise HTTPException(status_code=refusal_status(error), detail=str(error)) from None
    outcome = {"loket": set_no, "dipanggil": 0 if ticket is None else ticket.number}
    return RedirectResponse(f"/antrean/{site_code}?{urlencode(outcome)}", status_code=303)


@router.post("/antrean/{site_code}/set/{set_no}")
def switch_set(
    request: Request,
    site_code: str,
    set_no: int,
    user: CurrentUser,
    session: DbSession,
    now: Now,
    status: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Mark a set broken or working again, then show the queue with the new capacity."""
    site_in_area(session=session, user=user, site_code=site_code)
    _check_form(request, csrf_token)
    try:
        result = checkin.set_status(
            session=session,
            site_code=site_code,
            set_no=set_no,
            status=status,
            now=now,
            by=user.username,
        )
    except (QueueError, schedule_errors.ScheduleError) as error:
        raise HTTPException(status_code=refusal_status(error), detail=str(error)) from None
    outcome = {
        "loket": set_no,
        "status": result.status,
        "dijadwalkan": result.moved,
        "berubah": int(result.changed),
    }
    return RedirectResponse(f"/antrean/{site_code}?{urlencode(outcome)}", status_code=303)


@router.get("/antrean/{site_code}/checkin", response_class=HTMLResponse)
def checkin_page(
    request: Request, site_code: str, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    """Return the door's form: scan the letter's QR, or type the NIK (and code)."""
    site_in_area(session=session, user=user, site_code=site_code)
    return render(
        request,
        "queue/checkin.html",
        {"site_code": site_code, "site_name": _site_name(session, site_code), "active": "queue"},
    )


@router.post("/antrean/{site_code}/checkin", response_class=HTMLResponse)
def checkin_submit(
    request: Request,
    site_code: str,
    user: CurrentUser,
    session: DbSession,
    now: Now,
    qr: Annotated[str, Form(max_length=80)] = "",
    nik: Annotated[str, Form(max_length=20)] = "",
    attendance_code: Annotated[str, Form(max_length=12)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """Check a resident in; show the queue number in large type, or why not."""
    site_in_area(session=session, user=user, site_code=site_code)
    _check_form(request, csrf_token)
    context: dict[str, Any] = {
        "site_code": site_code,
        "site_name": _site_name(session, site_code),
        "active": "queue",
    }
    try:
        result = checkin.check_in(
            session=session,
            site_code=site_code,
            now=now,
            by=user.username,
            qr=qr or None,
            nik=nik or None,
            attendance_code=attendance_code or None,
        )
    except CheckInRefused as error:
        session.rollback()
        lang = language_of(request)
        free = error.next_free
        context.update(
            {
                "refused": error.message,
                "reason": error.reason,
                "next_free": None
                if free is None
                else f"{free[1]}, {i18n.format_date(lang, free[0])}",
                "nik": nik,
            }
        )
        return render(request, "queue/checkin.html", context, status_code=refusal_status(error))
    except (QueueError, schedule_errors.ScheduleError) as error:
        raise HTTPException(status_code=refusal_status(error), detail=str(error)) from None
    audit_checkin(session=session, request=request, user=user, result=result)
    resident = session.get(Resident, result.resident_id)
    context.update({"result": result, "resident": resident})
    return render(request, "queue/checkin.html", context, personal=True)


@router.get("/antrean/{site_code}/layar", response_class=HTMLResponse)
def display_page(
    request: Request, site_code: str, user: CurrentUser, session: DbSession, now: Now
) -> HTMLResponse:
    """Return the waiting-room display: the number called at each set, the estimated wait."""
    site_in_area(session=session, user=user, site_code=site_code, allowed=DISPLAY_ROLES)
    return render(
        request,
        "queue/display.html",
        {"state": _state(session, site_code, now), "refresh": REFRESH_SECONDS},
    )


@router.get("/antrean/{site_code}/layar/papan", response_class=HTMLResponse)
def display_board(
    request: Request, site_code: str, user: CurrentUser, session: DbSession, now: Now
) -> HTMLResponse:
    """Return the display's board alone, for its htmx refresh every few seconds."""
    site_in_area(session=session, user=user, site_code=site_code, allowed=DISPLAY_ROLES)
    return render(
        request,
        "queue/_display_board.html",
        {"state": _state(session, site_code, now), "refresh": REFRESH_SECONDS},
    )
