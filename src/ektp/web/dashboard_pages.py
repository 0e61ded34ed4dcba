"""The progress dashboards (/pantauan, city → kecamatan → kelurahan → RT) and the alerts page
(/peringatan), each table downloadable as CSV or XLSX. Counts only, no personal data; who
sees what is decided in ``dashboard_access``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from ektp.auth import roles
from ektp.monitoring import alerts_service
from ektp.monitoring.alerts import Alert
from ektp.monitoring.figures import Figures
from ektp.monitoring.progress import Progress
from ektp.web import dashboard_access, i18n
from ektp.web.deps import CurrentUser, DbSession
from ektp.web.exports import table_response
from ektp.web.pages import Crumb
from ektp.web.render import language_of, render

router = APIRouter(include_in_schema=False)
TABLES = ("wilayah", "harian", "alat", "kartu")
_FIGURE_COLUMNS = (
    "kode",
    "nama",
    "wajib_ktp",
    "recorded",
    "coverage",
    "pace_7_days",
    "invited",
    "missed",
    "missed_rate",
    "walk_ins",
    "walk_in_share",
    "evening",
    "evening_share",
)


_DATE_PARAMS = ("since", "oldest", "tanggal")
_NUMBER_PARAMS = (
    *("recorded", "target", "cards", "invited", "attended"),
    *("idle_minutes", "open_minutes"),
)


def alert_text(lang: str, alert: Alert) -> str:
    """Return an alert as a sentence in ``lang``: the area by name and code, dates and
    numbers written the reader's way, a card stage by its label."""
    params: dict[str, Any] = {"nama": alert.area, **alert.params}
    for key in _DATE_PARAMS:
        if isinstance(params.get(key), str):
            params[key] = i18n.format_date(lang, dt.date.fromisoformat(params[key]))
    for key in _NUMBER_PARAMS:
        if isinstance(params.get(key), int):
            params[key] = i18n.format_number(lang, params[key])
    if "state" in params:
        params["state"] = i18n.translate(lang, f"card_state.{params['state']}")
    return i18n.translate(
        lang,
        f"dash.alert.{alert.kind}",
        area=alert.area,
        subject=alert.subject,
        value=alert.value,
        threshold=alert.threshold,
        percent=f"{alert.value * 100:.0f}",
        limit=f"{alert.threshold * 100:.0f}",
        **params,
    )


def _alerts_inside(session: DbSession, user: CurrentUser, kode: str) -> list[Alert]:
    found = alerts_service.current_alerts(
        session=session,
        today=dashboard_access.today(session=session),
        kecamatan=dashboard_access.alert_scope(user, kode),
    )
    mine = dashboard_access.alerts_in_area(user, found)
    return [alert for alert in mine if roles.area_covers(kode, alert.area)]


def _chart(request: Request, found: Progress) -> dict[str, Any]:
    lang = language_of(request)
    return {
        "locale": "id-ID" if lang == "id" else "en-GB",
        "labels": [i18n.format_day_month(lang, day.tanggal) for day in found.days],
        "recorded": [day.recorded for day in found.days],
        "target": [day.target for day in found.days],
        "names": {
            "recorded": i18n.translate(lang, "dash.recorded"),
            "target": i18n.translate(lang, f"dash.chart.{found.target_kind}"),
        },
    }


def _crumbs(found: Progress) -> list[Crumb]:
    steps = [*found.trail, (found.figures.kode, found.figures.nama)]
    return [Crumb(nama, f"/pantauan/{kode}") for kode, nama in steps]


def _page(request: Request, user: CurrentUser, session: DbSession, kode: str) -> HTMLResponse:
    found = dashboard_access.progress_in_area(session=session, user=user, kode=kode)
    lang = language_of(request)
    shown = _alerts_inside(session, user, kode)
    context: dict[str, Any] = {
        "p": found,
        "f": found.figures,
        "fc": dashboard_access.forecast_of(session=session, found=found),
        "city_reader": user.role in (roles.ADMIN_KOTA, roles.PENGAMAT),
        "crumbs": _crumbs(found),
        "chart": _chart(request, found),
        "alerts": [(alert, alert_text(lang, alert)) for alert in shown],
        "export": f"/pantauan/{kode}/unduh",
        "active": "dashboard",
    }
    return render(request, "dashboard/progress.html", context)


@router.get("/pantauan", response_class=HTMLResponse)
def city_dashboard(request: Request, user: CurrentUser, session: DbSession) -> Response:
    """Return the city's dashboard; a kecamatan or kelurahan user goes to their own area's."""
    kode = dashboard_access.home_code(session=session, user=user)
    if user.role not in (roles.ADMIN_KOTA, roles.PENGAMAT):
        return RedirectResponse(f"/pantauan/{kode}", status_code=303)
    return _page(request, user, session, kode)


@router.get("/pantauan/{kode}", response_class=HTMLResponse)
def area_dashboard(
    request: Request, kode: str, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    """Return the dashboard of a kecamatan, a kelurahan or an RT (or of the city)."""
    return _page(request, user, session, kode)


def _figure_row(row: Figures) -> list[Any]:
    values = row.as_json()
    return [values[column] for column in _FIGURE_COLUMNS]


def _table(found: Progress, name: str) -> tuple[Sequence[str], list[list[Any]]]:
    if name == "wilayah":
        ranks = {r.figures.kode: (r.by_coverage, r.by_pace) for r in found.ranked}
        header = [*_FIGURE_COLUMNS, "rank_coverage", "rank_pace"]
        rows = [
            [*_figure_row(child), *ranks.get(child.kode, ("", ""))]
            for child in [found.figures, *found.children]
        ]
        return header, rows
    if name == "harian":
        header = ["tanggal", "recorded", found.target_kind]
        return header, [[d.tanggal.isoformat(), d.recorded, d.target] for d in found.days]
    if name == "alat":
        header = ["site_code", "nama", "kode_kecamatan", "days", "set_days", "recorded"]
        header += ["per_set_per_day", "idle_minutes", "open_minutes", "idle_share"]
        return header, [
            [
                *(s.site_code, s.nama, s.kode_kecamatan, s.days, s.set_days, s.recorded),
                *(s.per_set_per_day, s.idle_minutes, s.open_minutes, s.idle_share),
            ]
            for s in found.sites
        ]
    return ["state", "cards"], [[state, cards] for state, cards in found.cards]


@router.get("/pantauan/{kode}/unduh/{name}.{fmt}")
def dashboard_table(
    kode: str, name: str, fmt: str, user: CurrentUser, session: DbSession
) -> Response:
    """Return one table of a dashboard (wilayah, harian, alat, kartu) as CSV or XLSX."""
    found = dashboard_access.progress_in_area(session=session, user=user, kode=kode)
    if name not in TABLES:
        raise HTTPException(status_code=404, detail=f"no table {name!r}; tables: {TABLES}")
    header, rows = _table(found, name)
    return table_response(fmt, f"pantauan-{kode}-{name}-{found.as_of.isoformat()}", header, rows)


def _alert_rows(lang: str, found: Sequence[Alert]) -> list[list[Any]]:
    return [
        [a.kind, a.kode_kecamatan, a.area, a.subject, a.value, a.threshold, alert_text(lang, a)]
        for a in found
    ]


@router.get("/peringatan", response_class=HTMLResponse)
def alerts_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the current alerts in the user's area, grouped by rule, with the thresholds."""
    dashboard_access.require_reader(user)
    today = dashboard_access.today(session=session)
    found = dashboard_access.alerts_in_area(
        user,
        alerts_service.current_alerts(
            session=session, today=today, kecamatan=dashboard_access.alert_scope(user)
        ),
    )
    lang = language_of(request)
    context: dict[str, Any] = {
        "today": today,
        "alerts": [(alert, alert_text(lang, alert)) for alert in found],
        "limits": alerts_service.thresholds_of(session=session),
        "active": "alerts",
    }
    return render(request, "dashboard/alerts.html", context)


@router.get("/peringatan.{fmt}")
def alerts_table(request: Request, fmt: str, user: CurrentUser, session: DbSession) -> Response:
    """Return the current alerts in the user's area as CSV or XLSX."""
    dashboard_access.require_reader(user)
    today = dashboard_access.today(session=session)
    found = dashboard_access.alerts_in_area(
        user,
        alerts_service.current_alerts(
            session=session, today=today, kecamatan=dashboard_access.alert_scope(user)
        ),
    )
    header = ["kind", "kode_kecamatan", "area", "subject", "value", "threshold", "text"]
    rows = _alert_rows(language_of(request), found)
    return table_response(fmt, f"peringatan-{today.isoformat()}", header, rows)
