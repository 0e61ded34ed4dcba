"""The Dinas's daily report page: each kecamatan's closed day against its target, as a page
and as CSV; and the form that closes a site's day.

The report holds counts only, no personal data: the city admin and the observer (pengamat)
see every kecamatan, a kecamatan operator sees its own. Closing a day changes residents'
turns (absent invitees are re-invited), so only the kecamatan's operator and the city admin
may do it, with the form's CSRF token, and it is written to the audit log.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.recording import closing
from ektp.recording.reports import KecamatanDay
from ektp.scheduling import service as scheduling
from ektp.scheduling.errors import ScheduleError
from ektp.sites import service as sites_service
from ektp.web.deps import CurrentUser, DbSession, client_address, csrf_ok
from ektp.web.render import render, translate

router = APIRouter(include_in_schema=False)

READ_ROLES = frozenset({roles.ADMIN_KOTA, roles.PENGAMAT, roles.OPERATOR_KECAMATAN})
CLOSE_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})
ACTION_DAY_CLOSED = "day.closed"
CSV_COLUMNS = (
    "date",
    "kode_kecamatan",
    "nama",
    "recorded",
    "target",
    "below_target",
    "failed",
    "walk_ins",
    "missed",
    "sets_working",
    "mean_minutes",
    "idle_minutes",
)
_FLASH_KEY = "report_flash"


def _require(user: User, allowed: frozenset[str]) -> None:
    if user.role not in allowed:
        raise HTTPException(status_code=403, detail="this role may not open the daily report")


def _own_kecamatan(user: User) -> str | None:
    """Return the kecamatan a user is limited to (None: the whole city)."""
    if user.role == roles.OPERATOR_KECAMATAN:
        return user.area_kode or ""
    return None


def _parse_day(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise HTTPException(status_code=400, detail="a date looks like 2011-10-03") from None


def _lines(session: DbSession, user: User, day: dt.date | None) -> list[KecamatanDay]:
    lines = closing.daily_report(session=session, tanggal=day)
    own = _own_kecamatan(user)
    return [line for line in lines if own is None or line.kode_kecamatan == own]


def _closable_sites(session: DbSession, user: User, day: dt.date) -> list[tuple[str, str]]:
    """Return (code, name) of the sites the user may close."""
    if user.role not in CLOSE_ROLES or scheduling.active_campaign(session=session) is None:
        return []
    own = _own_kecamatan(user)
    return [
        (site.code, site.name)
        for site in sites_service.list_sites(session=session, day=day)
        if own is None or site.kecamatan == own
    ]


@router.get("/laporan/harian", response_class=HTMLResponse)
def daily_report_page(
    request: Request, user: CurrentUser, session: DbSession, tanggal: str | None = None
) -> HTMLResponse:
    """Return each kecamatan's closed day (default: the last closed), below-target rows
    marked."""
    _require(user, READ_ROLES)
    chosen = _parse_day(tanggal)
    lines = _lines(session, user, chosen)
    days = closing.closed_days(session=session)
    day = chosen or (lines[0].date if lines else None)
    campaign = scheduling.active_campaign(session=session)
    today = scheduling.campaign_today(campaign, dt.datetime.now(dt.UTC)) if campaign else None
    context: dict[str, Any] = {
        "lines": lines,
        "day": day,
        "days": days,
        "total": _total(lines),
        "csv_href": "/laporan/harian.csv"
        + (f"?{urlencode({'tanggal': day.isoformat()})}" if day else ""),
        "sites": _closable_sites(session, user, today) if today else [],
        "close_day": (day or today),
        "flash": request.session.pop(_FLASH_KEY, None),
        "active": "report",
    }
    return render(request, "report/daily.html", context)


def _total(lines: list[KecamatanDay]) -> dict[str, int]:
    return {
        "recorded": sum(line.recorded for line in lines),
        "target": sum(line.target or 0 for line in lines),
        "failed": sum(line.failed for line in lines),
        "walk_ins": sum(line.walk_ins for line in lines),
        "missed": sum(line.missed for line in lines),
        "sets_working": sum(line.sets_working for line in lines),
        "idle_minutes": sum(line.idle_minutes for line in lines),
        "below": sum(1 for line in lines if line.below_target),
    }


@router.get("/laporan/harian.csv")
def daily_report_csv(user: CurrentUser, session: DbSession, tanggal: str | None = None) -> Response:
    """Return the daily report as CSV (one line per kecamatan)."""
    _require(user, READ_ROLES)
    lines = _lines(session, user, _parse_day(tanggal))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.date.isoformat(),
                line.kode_kecamatan,
                line.nama,
                line.recorded,
                "" if line.target is None else line.target,
                int(line.below_target),
                line.failed,
                line.walk_ins,
                line.missed,
                line.sets_working,
                "" if line.mean_minutes is None else line.mean_minutes,
                line.idle_minutes,
            ]
        )
    day = lines[0].date.isoformat() if lines else (tanggal or "kosong")
    return Response(
        content=out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="laporan-harian-{day}.csv"',
            "Cache-Control": "private, no-cache",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.post("/laporan/tutup")
def close_day_form(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    site_code: Annotated[str, Form()] = "",
    tanggal: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Close a site's day (every session, then the day's figures) and show the report."""
    _require(user, CLOSE_ROLES)
    if not csrf_ok(request, csrf_token):
        raise HTTPException(status_code=403, detail="the form has expired")
    day = _parse_day(tanggal)
    if day is None:
        raise HTTPException(status_code=400, detail="the day to close is missing")
    campaign = scheduling.active_campaign(session=session)
    sites = {
        site.code: site
        for site in (sites_service.list_sites(session=session, day=day) if campaign else [])
    }
    site = sites.get(site_code)
    own = _own_kecamatan(user)
    if site is None or (own is not None and site.kecamatan != own):
        # Another kecamatan's site looks like an unknown one: nobody learns what exists.
        raise HTTPException(status_code=404, detail="no such site in your area")
    now = dt.datetime.now(dt.UTC)
    try:
        rows = closing.close_day(
            session=session, site_code=site.code, tanggal=day, now=now, by=user.username
        )
    except ScheduleError as error:
        # Nothing of a refused closing stays: the sessions closed before the refusal reopen.
        session.rollback()
        request.session[_FLASH_KEY] = {"error": str(error)}
    else:
        day_row = rows[-1]
        auth_service.record_audit(
            session=session,
            username=user.username,
            action=ACTION_DAY_CLOSED,
            subject=f"{site.code} {day.isoformat()}",
            detail=f'{{"recorded": {day_row.recorded}, "missed": {day_row.missed}}}',
            client=client_address(request),
            now=now,
        )
        request.session[_FLASH_KEY] = {
            "closed": translate(
                request, "report.closed", site=site.name or site.code, recorded=day_row.recorded
            )
        }
    return RedirectResponse(
        "/laporan/harian?" + urlencode({"tanggal": day.isoformat()}), status_code=303
    )
