"""JSON routes of the campaign under /schedule, and the resident's own move under /turns.

Who may do what: ``admin_kota`` everything in its city; ``operator_kecamatan`` reads and runs
its kecamatan (sessions, sets, moves, attendance); ``petugas_kelurahan`` reads its kelurahan
(and its kecamatan's sessions); ``pengamat`` reads the per-kecamatan report and daily load
only (no personal data); ``petugas_pusat`` nothing here. Every answer that names residents
is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.regions.wilayah import dotted
from ektp.scheduling import errors
from ektp.scheduling import service as schedule
from ektp.scheduling.models import Invitation
from ektp.scheduling.schemas import (
    AttendedRequest,
    CampaignView,
    CloseResult,
    DailyLoad,
    FollowUpRow,
    MoveRequest,
    OwnMoveRequest,
    PlanRequest,
    ReplanRequest,
    RtSchedule,
    SessionLoad,
    SetChangeRequest,
    SetChangeView,
    SiteInfo,
    TurnView,
    report_as_json,
)
from ektp.web.deps import CurrentUser, DbSession, client_address

router = APIRouter(tags=["schedule"])
_NO_STORE = {"Cache-Control": "no-store"}
_STATUS = {
    errors.NoCampaignError: 409,
    errors.SiteNotFoundError: 404,
    errors.TurnNotFoundError: 404,
    errors.NoRoomError: 409,
    errors.AttendanceCodeError: 422,
}
_READ_ROLES = (roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN, roles.PETUGAS_KELURAHAN)
_WRITE_ROLES = (roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN)


def _refused(error: errors.ScheduleError) -> HTTPException:
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    return HTTPException(status_code=status, detail=str(error))


def _forbidden() -> HTTPException:
    return HTTPException(status_code=403, detail="not allowed for your role or area")


def _may_read(user: User, kode: str) -> bool:
    """Whether ``user`` may read counts of the region ``kode`` (kecamatan or kelurahan)."""
    area = user.area_kode
    if user.role not in _READ_ROLES or area is None:
        return False
    inside_own = user.role == roles.PETUGAS_KELURAHAN and roles.area_covers(kode, area)
    return roles.area_covers(area, kode) or inside_own


def _require_read(user: User, kode: str) -> None:
    if not _may_read(user, kode):
        raise _forbidden()


def _require_write(user: User, kode: str) -> None:
    if user.role not in _WRITE_ROLES or user.area_kode is None:
        raise _forbidden()
    if not roles.area_covers(user.area_kode, kode):
        raise _forbidden()


def _require_personal(user: User, kode_kelurahan: str) -> None:
    if not roles.covers_resident(
        role=user.role, area_kode=user.area_kode, kode_kelurahan=kode_kelurahan
    ):
        raise _forbidden()


def _own_kecamatan(user: User) -> str | None:
    """Return the kecamatan a kecamatan or kelurahan user works in, None for city roles."""
    if user.role in (roles.OPERATOR_KECAMATAN, roles.PETUGAS_KELURAHAN) and user.area_kode:
        return ".".join(user.area_kode.split(".")[:3])
    return None


def _audit(
    session: Session, request: Request, user: User | None, action: str, subject: str, **detail: Any
) -> None:
    auth_service.record_audit(
        session=session,
        username=None if user is None else user.username,
        action=action,
        subject=subject,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        client=client_address(request),
    )


def _site_kecamatan(session: Session, site_code: str) -> str:
    try:
        campaign = schedule.require_campaign(session=session)
        definition = schedule.campaign_definition(session=session, campaign=campaign)
    except errors.ScheduleError as error:
        raise _refused(error) from None
    for site in definition.sites:
        if site.code == site_code:
            return site.kecamatan
    raise HTTPException(status_code=404, detail=f"no site {site_code!r}")


def _invitation_kelurahan(session: Session, invitation_id: int) -> str:
    from ektp.residents.models import Resident

    invitation = session.get(Invitation, invitation_id)
    resident = None if invitation is None else session.get(Resident, invitation.resident_id)
    if resident is None:
        raise HTTPException(status_code=404, detail="no such invitation")
    return resident.kode_kelurahan


@router.get("/schedule/campaign", response_model=CampaignView)
def get_campaign(user: CurrentUser, session: DbSession) -> CampaignView:
    """Return the active campaign."""
    if user.role == roles.PETUGAS_PUSAT:
        raise _forbidden()
    try:
        campaign = schedule.require_campaign(session=session)
    except errors.ScheduleError as error:
        raise _refused(error) from None
    return schedule.campaign_view(session=session, campaign=campaign)


@router.get("/schedule/report")
def get_report(user: CurrentUser, session: DbSession) -> list[dict[str, object]]:
    """Return the latest plan's report: per kecamatan, residents, capacity, days, deadline.

    Kecamatan and kelurahan users get their own kecamatan's line only.
    """
    if user.role == roles.PETUGAS_PUSAT:
        raise _forbidden()
    try:
        reports = schedule.plan_report(session=session)
    except errors.ScheduleError as error:
        raise _refused(error) from None
    own = _own_kecamatan(user)
    return [report_as_json(line) for line in reports if own in (None, line.kode_kecamatan)]


@router.get("/schedule/daily-load", response_model=list[DailyLoad])
def get_daily_load(
    user: CurrentUser, session: DbSession, kecamatan: str | None = None
) -> list[DailyLoad]:
    """Return turns per day as the latest plan or re-plan left them, against capacity,
    for the city or one kecamatan."""
    if user.role == roles.PETUGAS_PUSAT:
        raise _forbidden()
    own = _own_kecamatan(user)
    if own is not None:
        if kecamatan is not None and dotted(kecamatan) != own:
            raise _forbidden()
        kecamatan = own
    try:
        return schedule.daily_load(session=session, kecamatan=kecamatan)
    except errors.ScheduleError as error:
        raise _refused(error) from None


@router.post("/schedule/plan")
def post_plan(body: PlanRequest, user: CurrentUser, session: DbSession) -> dict[str, object]:
    """Give a turn to everyone not yet invited; return the report (city administrators)."""
    if user.role != roles.ADMIN_KOTA:
        raise _forbidden()
    now = dt.datetime.now(dt.UTC)
    try:
        campaign = schedule.require_campaign(session=session)
        result = schedule.plan(
            session=session,
            now=now,
            seed=body.seed,
            by=user.username,
            today=body.today or schedule.campaign_today(campaign, now),
        )
    except errors.ScheduleError as error:
        raise _refused(error) from None
    return {
        "plan_run_id": result.plan_run_id,
        "invited": result.invited,
        "unserved": result.unserved,
        "reports": [report_as_json(line) for line in result.reports],
    }


@router.post("/schedule/replan")
def post_replan(
    body: ReplanRequest, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    """Re-plan turns after the freeze window; return who moved (city administrators)."""
    if user.role != roles.ADMIN_KOTA:
        raise _forbidden()
    try:
        result = schedule.replan(
            session=session,
            replan_day=body.day,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
            freeze_days=body.freeze_days,
        )
    except errors.ScheduleError as error:
        raise _refused(error) from None
    _audit(session, request, user, "schedule.replan", body.day.isoformat(), moved=len(result.moved))
    return JSONResponse(result.model_dump(mode="json"), headers=_NO_STORE)


@router.get("/schedule/kecamatan/{kode}/sites", response_model=list[SiteInfo])
def get_sites(
    kode: str, user: CurrentUser, session: DbSession, day: dt.date | None = None
) -> list[SiteInfo]:
    """Return the kecamatan's recording sites with their working sets on ``day``."""
    _require_read(user, dotted(kode))
    try:
        return schedule.sites_of_kecamatan(session=session, kecamatan=kode, day=day)
    except errors.ScheduleError as error:
        raise _refused(error) from None


@router.get("/schedule/sites/{site_code}/sessions", response_model=list[SessionLoad])
def get_sessions(
    site_code: str,
    user: CurrentUser,
    session: DbSession,
    from_day: dt.date,
    days: Annotated[int, Query(ge=1, le=92)] = 7,
) -> list[SessionLoad]:
    """Return the site's sessions for ``days`` days from ``from_day``, with their counts."""
    _require_read(user, _site_kecamatan(session, site_code))
    try:
        return schedule.sessions_overview(
            session=session, site_code=site_code, from_day=from_day, days=days
        )
    except errors.ScheduleError as error:
        raise _refused(error) from None


@router.post("/schedule/sites/{site_code}/sets", response_model=SetChangeView)
def post_set_change(
    site_code: str, body: SetChangeRequest, user: CurrentUser, session: DbSession
) -> SetChangeView:
    """Record sets added, broken, repaired or moved at a site from a day on."""
    from ektp.sites import service as sites_service

    _require_write(user, _site_kecamatan(session, site_code))
    try:
        return sites_service.change_sets(
            session=session,
            site_code=site_code,
            tanggal=body.date,
            change=body.change,
            reason=body.reason,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
            note=body.note,
        )
    except errors.ScheduleError as error:
        raise _refused(error) from None


@router.post(
    "/schedule/sites/{site_code}/sessions/{tanggal}/{session_name}/close",
    response_model=CloseResult,
)
def post_close_session(
    site_code: str,
    tanggal: dt.date,
    session_name: str,
    request: Request,
    user: CurrentUser,
    session: DbSession,
) -> Response:
    """Close a session: absent residents missed it and get an evening turn."""
    _require_write(user, _site_kecamatan(session, site_code))
    try:
        result = schedule.close_session(
            session=session,
            site_code=site_code,
            tanggal=tanggal,
            session_name=session_name,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except errors.ScheduleError as error:
        raise _refused(error) from None
    _audit(
        session,
        request,
        user,
        "schedule.close_session",
        f"{site_code} {tanggal.isoformat()} {session_name}",
        missed=result.missed,
    )
    return JSONResponse(result.model_dump(mode="json"), headers=_NO_STORE)


@router.get("/schedule/kelurahan/{kode}/rts", response_model=list[RtSchedule])
def get_rt_schedule(kode: str, user: CurrentUser, session: DbSession) -> list[RtSchedule]:
    """Return the kelurahan's RTs in turn order with their days and letters' progress."""
    _require_read(user, dotted(kode))
    try:
        return schedule.rt_schedule(session=session, kode_kelurahan=kode)
    except errors.ScheduleError as error:
        raise _refused(error) from None


@router.get("/schedule/kelurahan/{kode}/follow-up", response_model=list[FollowUpRow])
def get_follow_up(kode: str, request: Request, user: CurrentUser, session: DbSession) -> Response:
    """Return the kelurahan's residents who missed too many turns (personal data, audited)."""
    _require_personal(user, dotted(kode))
    try:
        rows = schedule.follow_up_list(session=session, kode_kelurahan=kode)
    except errors.ScheduleError as error:
        raise _refused(error) from None
    _audit(session, request, user, "schedule.follow_up", dotted(kode), rows=len(rows))
    return JSONResponse([row.model_dump(mode="json") for row in rows], headers=_NO_STORE)


@router.post("/schedule/invitations/{invitation_id}/move", response_model=TurnView)
def post_move(
    invitation_id: int, body: MoveRequest, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    """Move a resident's turn to a session with a free turn, on their behalf."""
    kelurahan = _invitation_kelurahan(session, invitation_id)
    _require_write(user, kelurahan)
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
        raise _refused(error) from None
    _audit(session, request, user, "schedule.move", str(invitation_id), to=view.invitation_id)
    return JSONResponse(view.model_dump(mode="json"), headers=_NO_STORE)


@router.post("/schedule/invitations/{invitation_id}/attended", response_model=TurnView)
def post_attended(
    invitation_id: int,
    body: AttendedRequest,
    request: Request,
    user: CurrentUser,
    session: DbSession,
) -> Response:
    """Mark a turn attended once the letter's attendance code is checked."""
    kelurahan = _invitation_kelurahan(session, invitation_id)
    _require_write(user, kelurahan)
    try:
        invitation = schedule.mark_attended(
            session=session,
            invitation_id=invitation_id,
            attendance_code=body.attendance_code,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except errors.ScheduleError as error:
        raise _refused(error) from None
    _audit(session, request, user, "schedule.attended", str(invitation_id))
    view = schedule.turn_view(session=session, invitation=invitation)
    return JSONResponse(view.model_dump(mode="json"), headers=_NO_STORE)


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
        refused = _refused(error)
        # Returned, not raised: the audit event of a refused attempt must be committed.
        _audit(
            session,
            request,
            None,
            "turn.move_own_refused",
            body.nik[:16],
            status=refused.status_code,
        )
        return JSONResponse(
            {"detail": refused.detail}, status_code=refused.status_code, headers=_NO_STORE
        )
    _audit(session, request, None, "turn.move_own", body.nik[:16], to=view.invitation_id)
    return JSONResponse(view.model_dump(mode="json"), headers=_NO_STORE)
