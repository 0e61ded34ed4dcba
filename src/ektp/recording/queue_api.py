"""JSON routes of the check-in queue under /recording: check in, call the next number, read
the queue, mark a set broken or working.

Who may do what: ``operator_kecamatan`` at its kecamatan's sites and ``admin_kota`` at every
site check in, call and mark sets; ``pengamat`` may also read the queue, which holds numbers
only, no names. Other roles get 403; a site outside the caller's area answers 404, as if it
did not exist. A refused check-in (wrong code, another kecamatan's resident, reserve full...)
answers 4xx with a plain ``detail``, a ``reason`` word and, when the reserve is full,
``next_free`` (the next session with room), and changes nothing. Every check-in is written to
the audit log with the resident's NIK.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, TypeAdapter
from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.recording import checkin
from ektp.recording.models import QueueTicket
from ektp.recording.queue import CheckInRefused, QueueError, QueueState, UnknownSetError
from ektp.residents.models import Resident
from ektp.scheduling import errors as schedule_errors
from ektp.scheduling import service as scheduling
from ektp.web.deps import CurrentUser, DbSession, client_address

router = APIRouter(tags=["queue"])

QUEUE_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})
"""Roles that run a site's door and queue."""
DISPLAY_ROLES = QUEUE_ROLES | {roles.PENGAMAT}
"""Roles that may read a queue: numbers and waits only, no personal data."""
ACTION_CHECKIN = "queue.checkin"
ACTION_SET_STATUS = "equipment.status"

_NO_STORE = {"Cache-Control": "no-store"}
_REFUSAL_STATUS = {"unknown": 404, "full": 409, "closed": 409, "recorded": 409}
_RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {"description": "The role does not run queues."},
    404: {"description": "No such site (or not in the caller's area), set or resident."},
    409: {"description": "The state refuses it: reserve full, set broken, no campaign."},
    422: {"description": "Wrong attendance code, another area's resident, bad input."},
}


_QUEUE_STATE = TypeAdapter(QueueState)
_CHECK_IN_RESULT = TypeAdapter(checkin.CheckInResult)


def _json(adapter: TypeAdapter[Any], value: object) -> Response:
    # pydantic's serializer, in Rust: the screens ask for the queue every 5 s, and
    # jsonable_encoder walking the dataclasses cost a fifth of what reading the queue did.
    return Response(adapter.dump_json(value), media_type="application/json", headers=_NO_STORE)


async def clock() -> dt.datetime:
    """Return the present moment (UTC); tests and replays override this dependency.

    ``async`` so that FastAPI calls it on the event loop, not through a worker thread.
    """
    return dt.datetime.now(dt.UTC)


Now = Annotated[dt.datetime, Depends(clock)]


class CheckInRequest(BaseModel):
    """A check-in: the letter's QR payload, or a NIK with (invited) or without (walk-in)
    the letter's attendance code.
    """

    site: str = Field(max_length=40, examples=["16.71.07"])
    qr: str | None = Field(default=None, max_length=80, examples=["EKTP:1234:ACDEFG"])
    nik: str | None = Field(default=None, max_length=20)
    attendance_code: str | None = Field(default=None, max_length=12)


class CallNextRequest(BaseModel):
    """Call the next waiting number to set ``set_no`` of ``site``.

    ``after``, when given, is the number last called to the set as the caller saw it (0 for
    none): a repeated request (double click, retry) then calls nobody new.
    """

    site: str = Field(max_length=40)
    set_no: int = Field(ge=1, le=99)
    after: int | None = Field(default=None, ge=0)


class SetStatusRequest(BaseModel):
    """A set's new state: ``broken`` (out of service from now) or ``working`` (repaired)."""

    status: Literal["working", "broken"]


def site_in_area(
    *, session: Session, user: User, site_code: str, allowed: frozenset[str] = QUEUE_ROLES
) -> str:
    """Return the site's kecamatan when the user's role and area may work there; else 403
    (role) or 404 (unknown site, or outside the area).
    """
    if user.role not in allowed:
        raise HTTPException(status_code=403, detail="this role does not run the queue")
    campaign = scheduling.active_campaign(session=session)
    if campaign is None:
        raise HTTPException(status_code=409, detail="there is no campaign yet")
    definition = scheduling.campaign_definition(session=session, campaign=campaign)
    kecamatan = next((s.kecamatan for s in definition.sites if s.code == site_code), None)
    # A pengamat has no area: it reads every site's queue, which holds no personal data.
    city_wide = user.role == roles.PENGAMAT
    inside = user.area_kode is not None and roles.area_covers(user.area_kode, kecamatan or "")
    if kecamatan is None or not (city_wide or inside):
        raise HTTPException(status_code=404, detail=f"site {site_code} is not in your area")
    return kecamatan


def refusal_status(error: Exception) -> int:
    """Return the HTTP status of a refused queue action."""
    if isinstance(error, CheckInRefused):
        return _REFUSAL_STATUS.get(error.reason, 422)
    if isinstance(error, UnknownSetError | schedule_errors.SiteNotFoundError):
        return 404
    return 409


def ticketjsonable_encoder(ticket: QueueTicket) -> dict[str, Any]:
    """Return a ticket as the API shows it: numbers and states, no names."""
    return {
        "ticket_id": ticket.id,
        "number": ticket.number,
        "display": f"{ticket.number:03d}",
        "site_code": ticket.site_code,
        "tanggal": ticket.tanggal.isoformat(),
        "session": ticket.session,
        "kind": ticket.kind,
        "status": ticket.status,
        "set_no": ticket.set_no,
    }


def audit_checkin(
    *, session: Session, request: Request, user: User, result: checkin.CheckInResult
) -> None:
    """Write a check-in to the audit log under the resident's NIK."""
    nik = session.scalar(select(Resident.nik).where(Resident.id == result.resident_id))
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=ACTION_CHECKIN,
        subject=nik,
        detail=json.dumps(
            {"site": result.site_code, "number": result.number, "already": result.already}
        ),
        client=client_address(request),
    )


@router.post("/recording/checkin", responses=_RESPONSES)
def post_checkin(
    body: CheckInRequest, request: Request, user: CurrentUser, session: DbSession, now: Now
) -> Response:
    """Check a resident in and return the ticket (the same one when checked in already)."""
    site_in_area(session=session, user=user, site_code=body.site)
    try:
        result = checkin.check_in(
            session=session,
            site_code=body.site,
            now=now,
            by=user.username,
            qr=body.qr,
            nik=body.nik,
            attendance_code=body.attendance_code,
        )
    except CheckInRefused as error:
        # Nothing of the attempt is kept: not a set row created on the way, not a lock.
        session.rollback()
        free = error.next_free
        return JSONResponse(
            {
                "detail": error.message,
                "reason": error.reason,
                "next_free": None
                if free is None
                else {"date": free[0].isoformat(), "session": free[1]},
            },
            status_code=refusal_status(error),
            headers=_NO_STORE,
        )
    except (QueueError, schedule_errors.ScheduleError) as error:
        raise HTTPException(status_code=refusal_status(error), detail=str(error)) from None
    audit_checkin(session=session, request=request, user=user, result=result)
    return _json(_CHECK_IN_RESULT, result)


@router.post("/recording/call-next", responses=_RESPONSES)
def post_call_next(
    body: CallNextRequest, user: CurrentUser, session: DbSession, now: Now
) -> JSONResponse:
    """Call the next waiting number to a set; ``ticket`` is null when nobody waits."""
    site_in_area(session=session, user=user, site_code=body.site)
    try:
        ticket = checkin.call_next(
            session=session,
            site_code=body.site,
            set_no=body.set_no,
            now=now,
            by=user.username,
            after=body.after,
        )
    except (QueueError, schedule_errors.ScheduleError) as error:
        raise HTTPException(status_code=refusal_status(error), detail=str(error)) from None
    return JSONResponse(
        {"ticket": None if ticket is None else ticketjsonable_encoder(ticket)}, headers=_NO_STORE
    )


@router.get("/recording/queue", responses=_RESPONSES)
def get_queue(
    user: CurrentUser,
    session: DbSession,
    now: Now,
    site: Annotated[str, Query(max_length=40, examples=["16.71.07"])],
    tanggal: dt.date | None = None,
) -> Response:
    """Return a site's queue: waiting numbers, each set's last call, the estimated wait."""
    site_in_area(session=session, user=user, site_code=site, allowed=DISPLAY_ROLES)
    try:
        campaign = scheduling.require_campaign(session=session)
        state = checkin.queue_state(
            session=session,
            site_code=site,
            tanggal=tanggal or scheduling.campaign_today(campaign, now),
            now=now,
        )
    except (QueueError, schedule_errors.ScheduleError) as error:
        raise HTTPException(status_code=refusal_status(error), detail=str(error)) from None
    return _json(_QUEUE_STATE, state)


@router.post("/recording/sets/{site}/{set_no}", responses=_RESPONSES)
def post_set_status(
    site: str,
    set_no: int,
    body: SetStatusRequest,
    request: Request,
    user: CurrentUser,
    session: DbSession,
    now: Now,
) -> JSONResponse:
    """Mark a set broken or working; capacity follows and the coming turns are re-planned."""
    site_in_area(session=session, user=user, site_code=site)
    try:
        result = checkin.set_status(
            session=session,
            site_code=site,
            set_no=set_no,
            status=body.status,
            now=now,
            by=user.username,
        )
    except (QueueError, schedule_errors.ScheduleError) as error:
        raise HTTPException(status_code=refusal_status(error), detail=str(error)) from None
    if result.changed:
        auth_service.record_audit(
            session=session,
            username=user.username,
            action=ACTION_SET_STATUS,
            subject=f"{site} set {set_no}",
            detail=json.dumps({"status": result.status, "moved": result.moved}),
            client=client_address(request),
        )
    return JSONResponse(jsonable_encoder(result), headers=_NO_STORE)
