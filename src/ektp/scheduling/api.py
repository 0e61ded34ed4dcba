"""JSON routes of the campaign under /schedule (turns: ``turns_api``).

Who may do what: ``admin_kota`` everything in its city; ``operator_kecamatan`` reads and runs
its kecamatan (sessions, sets, moves, attendance); ``petugas_kelurahan`` reads its kelurahan
(and its kecamatan's sessions); ``pengamat`` reads the per-kecamatan report and daily load
only (no personal data); ``petugas_pusat`` nothing here. Every answer that names residents
is recorded in the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from ektp.auth import roles
from ektp.regions.wilayah import dotted
from ektp.scheduling import api_access as access
from ektp.scheduling import errors
from ektp.scheduling import service as schedule
from ektp.scheduling.schemas import (
    CampaignView,
    CloseResult,
    DailyLoad,
    FollowUpRow,
    PlanRequest,
    ReplanRequest,
    RtSchedule,
    SessionLoad,
    SetChangeRequest,
    SetChangeView,
    SiteInfo,
    report_as_json,
)
from ektp.web.deps import CurrentUser, DbSession

router = APIRouter(tags=["schedule"])


@router.get("/schedule/campaign", response_model=CampaignView)
def get_campaign(user: CurrentUser, session: DbSession) -> CampaignView:
    """Return the active campaign."""
    if user.role == roles.PETUGAS_PUSAT:
        raise access.forbidden()
    try:
        campaign = schedule.require_campaign(session=session)
    except errors.ScheduleError as error:
        raise access.refused(error) from None
    return schedule.campaign_view(session=session, campaign=campaign)


@router.get("/schedule/report")
def get_report(user: CurrentUser, session: DbSession) -> list[dict[str, object]]:
    """Return the latest plan's report: per kecamatan, residents, capacity, days, deadline.

    Kecamatan and kelurahan users get their own kecamatan's line only.
    """
    if user.role == roles.PETUGAS_PUSAT:
        raise access.forbidden()
    try:
        reports = schedule.plan_report(session=session)
    except errors.ScheduleError as error:
        raise access.refused(error) from None
    own = access.own_kecamatan(user)
    return [report_as_json(line) for line in reports if own in (None, line.kode_kecamatan)]


@router.get("/schedule/daily-load", response_model=list[DailyLoad])
def get_daily_load(
    user: CurrentUser, session: DbSession, kecamatan: str | None = None
) -> list[DailyLoad]:
    """Return turns per day as the latest plan or re-plan left them, against capacity,
    for the city or one kecamatan."""
    if user.role == roles.PETUGAS_PUSAT:
        raise access.forbidden()
    own = access.own_kecamatan(user)
    if own is not None:
        if kecamatan is not None and dotted(kecamatan) != own:
            raise access.forbidden()
        kecamatan = own
    try:
        return schedule.daily_load(session=session, kecamatan=kecamatan)
    except errors.ScheduleError as error:
        raise access.refused(error) from None


@router.post("/schedule/plan")
def post_plan(body: PlanRequest, user: CurrentUser, session: DbSession) -> dict[str, object]:
    """Give a turn to everyone not yet invited; return the report (city administrators)."""
    if user.role != roles.ADMIN_KOTA:
        raise access.forbidden()
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
        raise access.refused(error) from None
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
        raise access.forbidden()
    try:
        result = schedule.replan(
            session=session,
            replan_day=body.day,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
            freeze_days=body.freeze_days,
            all_sites=body.all_sites,
        )
    except errors.ScheduleError as error:
        raise access.refused(error) from None
    access.audit(
        session, request, user, "schedule.replan", body.day.isoformat(), moved=len(result.moved)
    )
    return JSONResponse(result.model_dump(mode="json"), headers=access.NO_STORE)


@router.get("/schedule/kecamatan/{kode}/sites", response_model=list[SiteInfo])
def get_sites(
    kode: str, user: CurrentUser, session: DbSession, day: dt.date | None = None
) -> list[SiteInfo]:
    """Return the kecamatan's recording sites with their working sets on ``day``."""
    access.require_read(user, dotted(kode))
    try:
        return schedule.sites_of_kecamatan(session=session, kecamatan=kode, day=day)
    except errors.ScheduleError as error:
        raise access.refused(error) from None


@router.get("/schedule/sites/{site_code}/sessions", response_model=list[SessionLoad])
def get_sessions(
    site_code: str,
    user: CurrentUser,
    session: DbSession,
    from_day: dt.date,
    days: Annotated[int, Query(ge=1, le=92)] = 7,
) -> list[SessionLoad]:
    """Return the site's sessions for ``days`` days from ``from_day``, with their counts."""
    access.require_read(user, access.site_kecamatan(session, site_code))
    try:
        return schedule.sessions_overview(
            session=session, site_code=site_code, from_day=from_day, days=days
        )
    except errors.ScheduleError as error:
        raise access.refused(error) from None


@router.post("/schedule/sites/{site_code}/sets", response_model=SetChangeView)
def post_set_change(
    site_code: str, body: SetChangeRequest, user: CurrentUser, session: DbSession
) -> SetChangeView:
    """Record sets added, broken, repaired or moved at a site from a day on."""
    from ektp.sites import service as sites_service

    access.require_write(user, access.site_kecamatan(session, site_code))
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
        raise access.refused(error) from None


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
    access.require_write(user, access.site_kecamatan(session, site_code))
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
        raise access.refused(error) from None
    access.audit(
        session,
        request,
        user,
        "schedule.close_session",
        f"{site_code} {tanggal.isoformat()} {session_name}",
        missed=result.missed,
    )
    return JSONResponse(result.model_dump(mode="json"), headers=access.NO_STORE)


@router.get("/schedule/kelurahan/{kode}/rts", response_model=list[RtSchedule])
def get_rt_schedule(kode: str, user: CurrentUser, session: DbSession) -> list[RtSchedule]:
    """Return the kelurahan's RTs in turn order with their days and letters' progress."""
    access.require_read(user, dotted(kode))
    try:
        return schedule.rt_schedule(session=session, kode_kelurahan=kode)
    except errors.ScheduleError as error:
        raise access.refused(error) from None


@router.get("/schedule/kelurahan/{kode}/follow-up", response_model=list[FollowUpRow])
def get_follow_up(kode: str, request: Request, user: CurrentUser, session: DbSession) -> Response:
    """Return the kelurahan's residents who missed too many turns (personal data, audited)."""
    access.require_personal(user, dotted(kode))
    try:
        rows = schedule.follow_up_list(session=session, kode_kelurahan=kode)
    except errors.ScheduleError as error:
        raise access.refused(error) from None
    access.audit(session, request, user, "schedule.follow_up", dotted(kode), rows=len(rows))
    return JSONResponse([row.model_dump(mode="json") for row in rows], headers=access.NO_STORE)
