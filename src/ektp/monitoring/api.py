"""The monitoring API: a level's progress and the current alerts, as JSON (counts only)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter

from ektp.monitoring import alerts_service
from ektp.web import dashboard_access
from ektp.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/monitoring", tags=["monitoring"])


@router.get("/progress/{kode}")
def progress_of(kode: str, user: CurrentUser, session: DbSession) -> dict[str, Any]:
    """Return a level's figures, chart days, children, sites and cards (kode: the city, a
    kecamatan, a kelurahan or an RT like 16.71.06.1001.RW003.RT005), and for the city and a
    kecamatan the forecast (``by_capacity`` counts the reserve too)."""
    found = dashboard_access.progress_in_area(session=session, user=user, kode=kode)
    forecast = dashboard_access.forecast_of(session=session, found=found)
    return {**found.as_json(), "forecast": None if forecast is None else forecast.as_json()}


@router.get("/alerts")
def current_alerts(user: CurrentUser, session: DbSession) -> dict[str, Any]:
    """Return the current alerts in the user's area, with the thresholds they were judged by."""
    dashboard_access.require_reader(user)
    today = dashboard_access.today(session=session)
    found = alerts_service.current_alerts(
        session=session, today=today, kecamatan=dashboard_access.alert_scope(user)
    )
    return {
        "today": today.isoformat(),
        "thresholds": asdict(alerts_service.thresholds_of(session=session)),
        "alerts": [
            {**asdict(alert), "params": dict(alert.params)}
            for alert in dashboard_access.alerts_in_area(user, found)
        ],
    }
