"""JSON routes of single turns: staff move one or mark it attended under /schedule, and a
resident moves their own under /turns (public, rate-limited, one answer for any mismatch).
"""

from __future__ import annotations

import datetime as dt
import time

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ektp.scheduling import api_access as access
from ektp.scheduling import errors
from ektp.scheduling import service as schedule
from ektp.scheduling.schemas import AttendedRequest, MoveRequest, OwnMoveRequest, TurnView
from ektp.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["schedule"])


@router.post("/schedule/invitations/{invitation_id}/move", response_model=TurnView)
def post_move(
    invitation_id: int, body: MoveRequest, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    """Move a resident's turn to a session with a free turn, on their behalf."""
    kelurahan = access.invitation_kelurahan(session, invitation_id)
    access.require_write(user, kelurahan)
    try:
        view = schedule.move_invitation(
            session=session,
            invitation_id=invitation_id,
            to_date=body.to_date,
            to_session=body.to_session,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except errors.ScheduleError as error:
        raise access.refused(error) from None
    access.audit(session, request, user, "schedule.move", str(invitation_id), to=view.invitation_id)
    return JSONResponse(view.model_dump(mode="json"), headers=access.NO_STORE)


@router.post("/schedule/invitations/{invitation_id}/attended", response_model=TurnView)
def post_attended(
    invitation_id: int,
    body: AttendedRequest,
    request: Request,
    user: CurrentUser,
    session: DbSession,
) -> Response:
    """Mark a turn attended once the letter's attendance code is checked."""
    kelurahan = access.invitation_kelurahan(session, invitation_id)
    access.require_write(user, kelurahan)
    try:
        invitation = schedule.mark_attended(
            session=session,
            invitation_id=invitation_id,
            attendance_code=body.attendance_code,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except errors.ScheduleError as error:
        raise access.refused(error) from None
    access.audit(session, request, user, "schedule.attended", str(invitation_id))
    view = schedule.turn_view(session=session, invitation=invitation)
    return JSONResponse(view.model_dump(mode="json"), headers=access.NO_STORE)


@router.post(
    "/turns/move",
    response_model=TurnView,
    responses={404: {"description": "No turn matches"}, 409: {"description": "No room"}},
)
def post_own_move(body: OwnMoveRequest, request: Request, session: DbSession) -> Response:
    """Move your own turn: NIK, birth date and the code on your letter, then the new session.

    Public. Any mismatch gets the same answer, so nobody learns which NIKs hold a turn, and
    each client address gets a limited number of attempts (429 beyond it).
    """
    limiter = request.app.state.public_limiter
    client = request.client.host if request.client else "unknown"
    moment = time.monotonic()
    if not limiter.allow(client, moment):
        wait = int(limiter.retry_after(client, moment)) + 1
        return JSONResponse(
            {"detail": "too many attempts from this address; try again later"},
            status_code=429,
            headers={"Retry-After": str(wait)},
        )
    try:
        view = schedule.move_own_turn(
            session=session,
            nik=body.nik,
            tanggal_lahir=body.tanggal_lahir,
            attendance_code=body.attendance_code,
            to_date=body.to_date,
            to_session=body.to_session,
            now=dt.datetime.now(dt.UTC),
        )
    except errors.ScheduleError as error:
        refused = access.refused(error)
        # Returned, not raised: the audit event of a refused attempt must be committed.
        access.audit(
            session,
            request,
            None,
            "turn.move_own_refused",
            body.nik[:16],
            status=refused.status_code,
        )
        return JSONResponse(
            {"detail": refused.detail}, status_code=refused.status_code, headers=access.NO_STORE
        )
    access.audit(session, request, None, "turn.move_own", body.nik[:16], to=view.invitation_id)
    return JSONResponse(view.model_dump(mode="json"), headers=access.NO_STORE)
