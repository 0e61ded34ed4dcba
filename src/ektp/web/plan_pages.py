"""Campaign plan pages: the Dinas's plan per kecamatan, the Camat's sessions, the kelurahan's
RT dates with their letters, and the follow-up list.

Who sees what: the plan per kecamatan holds no personal data (admin_kota, pengamat); the
sessions belong to the kecamatan (its operator, admin_kota); the RT dates and letters to the
kelurahan (its petugas, the operator of its kecamatan, admin_kota). A role that may never open
a page gets 403; a region outside the user's area gets 404, as on the resident pages.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.regions import service as regions_service
from ektp.scheduling import service as scheduling
from ektp.scheduling.models import Campaign
from ektp.scheduling.report import KecamatanReport
from ektp.scheduling.schemas import DailyLoad
from ektp.web import i18n, plan_downloads
from ektp.web.deps import CurrentUser, DbSession, client_address, csrf_ok
from ektp.web.pages import Crumb
from ektp.web.plan_access import (
    PLAN_ROLES,
    RUN_ROLES,
    SESSION_ROLES,
    kecamatan_in_area,
    kelurahan_crumbs,
    plan_crumbs,
    require_role,
)
from ektp.web.render import language_of, render, translate

router = APIRouter(include_in_schema=False)
router.include_router(plan_downloads.router)

DAY_CHOICES = (1, 3, 7, 14, 28)
DEFAULT_DAYS = 7
ACTION_FOLLOW_UP_VIEW = "follow_up.view"
_FLASH_KEY = "plan_run"


@dataclass(frozen=True)
class CityTotal:
    """The city's line under the kecamatan: sums, earliest and latest days."""

    residents: int
    sets: int
    daily_capacity: int
    first_day: dt.date | None
    last_day: dt.date | None
    lower_bound_last_day: dt.date | None
    deadline_met: bool
    met: int
    extra_sets_needed: int | None


def city_total(reports: list[KecamatanReport]) -> CityTotal:
    """Return the city's totals; extra sets are unknown (None) when any kecamatan's are."""
    extras = [report.extra_sets_needed for report in reports]
    firsts = [report.first_day for report in reports if report.first_day]
    lasts = [report.last_day for report in reports if report.last_day]
    bounds = [report.lower_bound_last_day for report in reports if report.lower_bound_last_day]
    return CityTotal(
        residents=sum(report.residents for report in reports),
        sets=sum(report.sets for report in reports),
        daily_capacity=sum(report.daily_capacity for report in reports),
        first_day=min(firsts, default=None),
        last_day=max(lasts, default=None),
        lower_bound_last_day=max(bounds, default=None),
        deadline_met=all(report.deadline_met for report in reports),
        met=sum(1 for report in reports if report.deadline_met),
        extra_sets_needed=None if None in extras else sum(extra or 0 for extra in extras),
    )


@router.get("/rencana", response_class=HTMLResponse)
def plan_page(
    request: Request, user: CurrentUser, session: DbSession, kecamatan: str = ""
) -> Response:
    """Return the plan per kecamatan with the chart of planned recordings per day.

    Both are the figures the latest plan or re-plan stored when it finished (a dashboard
    reloads this page every few seconds: counting the city's invitations each time took a
    second at full scale). Live counts per session are on the kecamatan's sessions page.
    """
    if user.role == roles.OPERATOR_KECAMATAN and user.area_kode:
        return RedirectResponse(f"/rencana/kecamatan/{user.area_kode}", status_code=303)
    if user.role == roles.PETUGAS_KELURAHAN and user.area_kode:
        return RedirectResponse(f"/rencana/kelurahan/{user.area_kode}", status_code=303)
    require_role(user, PLAN_ROLES)
    campaign = scheduling.active_campaign(session=session)
    flash = request.session.pop(_FLASH_KEY, None)
    context: dict[str, Any] = {
        "campaign": campaign,
        "flash": flash if isinstance(flash, dict) else None,
        "may_run": user.role in RUN_ROLES,
        "active": "plan",
    }
    if campaign is None:
        return render(request, "plan/plan.html", context)
    reports = scheduling.plan_report(session=session, campaign=campaign)
    chosen = kecamatan if any(r.kode_kecamatan == kecamatan for r in reports) else ""
    loads = scheduling.daily_load(session=session, kecamatan=chosen or None)
    lang = language_of(request)
    context.update(
        {
            "reports": reports,
            "total": city_total(reports),
            "chosen": chosen,
            "loads": loads,
            "chart": _chart_data(request, lang, loads),
            "may_open_sessions": user.role in SESSION_ROLES,
        }
    )
    return render(request, "plan/plan.html", context)


def _chart_data(request: Request, lang: str, loads: list[DailyLoad]) -> dict[str, Any]:
    return {
        "labels": [i18n.format_day_month(lang, load.date) for load in loads],
        "dates": [i18n.format_date(lang, load.date) for load in loads],
        "planned": [load.planned for load in loads],
        "bookable": [load.bookable_capacity for load in loads],
        "capacity": [load.capacity for load in loads],
        "names": {
            key: translate(request, f"plan.{key}") for key in ("planned", "bookable", "capacity")
        },
        "locale": "id-ID" if lang == "id" else "en-GB",
    }


@router.post("/rencana/jalankan", response_class=HTMLResponse)
def run_planner(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Plan everyone not yet invited, then show the plan page with the outcome."""
    require_role(user, RUN_ROLES)
    if not csrf_ok(request, csrf_token):
        raise HTTPException(status_code=403, detail="the form has expired")
    now = dt.datetime.now(dt.UTC)
    campaign = scheduling.active_campaign(session=session)
    if campaign is None:
        request.session[_FLASH_KEY] = {"error": translate(request, "plan.no_campaign")}
        return RedirectResponse("/rencana", status_code=303)
    username = user.username
    try:
        # A replayed campaign (its deadline passed) plans on its own calendar, as the CLI does.
        outcome = scheduling.plan(
            session=session, now=now, by=username, today=scheduling.campaign_today(campaign, now)
        )
    except ValueError as problem:  # ScheduleError, or a site that cannot place everyone
        # Nothing of a failed run may be committed with the redirect.
        session.rollback()
        request.session[_FLASH_KEY] = {
            "error": translate(request, "plan.run_failed", reason=str(problem))
        }
        return RedirectResponse("/rencana", status_code=303)
    request.session[_FLASH_KEY] = {"invited": outcome.invited, "unserved": outcome.unserved}
    return RedirectResponse("/rencana", status_code=303)


def _pick_from_day(
    raw: str | None, today: dt.date, campaign: Campaign | None
) -> tuple[dt.date, str | None]:
    """Return the first day to show and why it is not the one asked for (a message key)."""
    if raw:
        try:
            return dt.date.fromisoformat(raw), None
        except ValueError:
            return today, "sessions.bad_date"
    if campaign is not None and not campaign.start <= today <= campaign.deadline:
        return campaign.start, "sessions.outside"
    return today, None


@router.get("/rencana/kecamatan/{kode}", response_class=HTMLResponse)
def sessions_page(
    request: Request,
    kode: str,
    user: CurrentUser,
    session: DbSession,
    tanggal: str | None = None,
    hari: int = DEFAULT_DAYS,
) -> HTMLResponse:
    """Return the kecamatan's sessions per site from a date on, with their counts."""
    nama = kecamatan_in_area(session=session, user=user, kode=kode)
    campaign = scheduling.active_campaign(session=session)
    today = scheduling.local_day(dt.datetime.now(dt.UTC))
    from_day, note_key = _pick_from_day(tanggal, today, campaign)
    days = hari if hari in DAY_CHOICES else DEFAULT_DAYS
    sites = []
    if campaign is not None:
        for site in scheduling.sites_of_kecamatan(session=session, kecamatan=kode, day=from_day):
            loads = scheduling.sessions_overview(
                session=session, site_code=site.code, from_day=from_day, days=days
            )
            sites.append((site, loads))
    note = None
    if note_key is not None and campaign is not None:
        note = translate(request, note_key, start=i18n.format_date(language_of(request), from_day))
    elif note_key == "sessions.bad_date":
        note = translate(request, note_key)
    step = dt.timedelta(days=days)
    # A replayed campaign (2011) has no sessions today: no link to an empty page.
    in_campaign = campaign is not None and campaign.start <= today <= campaign.deadline
    groups = regions_service.kelurahan_in_area(session=session, area_kode=kode)
    return render(
        request,
        "plan/sessions.html",
        {
            "kode": kode,
            "nama": nama,
            "campaign": campaign,
            "from_day": from_day,
            "today": today,
            "days": days,
            "day_choices": DAY_CHOICES,
            "sites": sites,
            "note": note,
            "earlier_href": _sessions_href(kode, from_day - step, days),
            "later_href": _sessions_href(kode, from_day + step, days),
            "today_href": _sessions_href(kode, today, days) if in_campaign else None,
            "kelurahan": groups[0].kelurahan if groups else [],
            "crumbs": [*plan_crumbs(request, user), Crumb(nama, f"/rencana/kecamatan/{kode}")],
            "active": "plan",
        },
    )


def _sessions_href(kode: str, day: dt.date, days: int) -> str:
    return f"/rencana/kecamatan/{kode}?" + urlencode({"tanggal": day.isoformat(), "hari": days})


@router.get("/rencana/kelurahan/{kode}", response_class=HTMLResponse)
def rt_page(request: Request, kode: str, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the kelurahan's RTs in their turn order with dates, and the letters to print."""
    crumbs = kelurahan_crumbs(request=request, session=session, user=user, kode=kode)
    campaign = scheduling.active_campaign(session=session)
    rows = scheduling.rt_schedule(session=session, kode_kelurahan=kode) if campaign else []
    return render(
        request,
        "plan/rt.html",
        {
            "kode": kode,
            "nama": crumbs[-1].label,
            "campaign": campaign,
            "rows": rows,
            "crumbs": crumbs,
            "active": "plan",
        },
    )


@router.get("/rencana/kelurahan/{kode}/tindak-lanjut", response_class=HTMLResponse)
def follow_up_page(
    request: Request, kode: str, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    """Return the residents the kelurahan must visit; the view is written to the audit log."""
    crumbs = kelurahan_crumbs(request=request, session=session, user=user, kode=kode)
    campaign = scheduling.active_campaign(session=session)
    rows = scheduling.follow_up_list(session=session, kode_kelurahan=kode) if campaign else []
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=ACTION_FOLLOW_UP_VIEW,
        subject=kode,
        detail=json.dumps({"rows": len(rows)}),
        client=client_address(request),
    )
    return render(
        request,
        "plan/follow_up.html",
        {
            "kode": kode,
            "nama": crumbs[-1].label,
            "rows": rows,
            "crumbs": [*crumbs, Crumb(translate(request, "followup.title"), request.url.path)],
            "active": "plan",
        },
        personal=True,
    )
