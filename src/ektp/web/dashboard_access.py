"""Who may open the progress dashboards and alerts, and where (one place for pages and API).

Everything on these pages is counts: the city admin and the observer (pengamat) see the
whole city, a kecamatan operator or a kelurahan officer their own area; another area, an
unknown or malformed code gets 404 (nobody learns what exists outside their area).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from fastapi import HTTPException
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth.models import User
from ektp.monitoring import forecast_service, progress
from ektp.monitoring.alerts import Alert
from ektp.monitoring.forecast import Forecast
from ektp.recording.daily import last_closed_day
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaigns import local_day

READ_ROLES = frozenset(
    {roles.ADMIN_KOTA, roles.PENGAMAT, roles.OPERATOR_KECAMATAN, roles.PETUGAS_KELURAHAN}
)


def require_reader(user: User) -> None:
    """Raise 403 unless the user's role may read the dashboards."""
    if user.role not in READ_ROLES:
        raise HTTPException(status_code=403, detail="this role may not open the dashboards")


def home_code(*, session: Session, user: User) -> str:
    """Return the code of the user's own dashboard: the city, or their area."""
    require_reader(user)
    if user.role in (roles.ADMIN_KOTA, roles.PENGAMAT):
        campaign = scheduling.active_campaign(session=session)
        if campaign is None:
            raise HTTPException(status_code=404, detail="no campaign has been created yet")
        return campaign.city
    if not user.area_kode:
        raise HTTPException(status_code=404, detail="no area is assigned to this account")
    return user.area_kode


def today(*, session: Session) -> dt.date:
    """Return the campaign's today (Palembang time); for a replay of a past campaign (its
    deadline gone by), the last day closed, so that the pages show what was replayed."""
    campaign = scheduling.active_campaign(session=session)
    now = dt.datetime.now(dt.UTC)
    if campaign is None:
        return now.date()
    if local_day(now) > campaign.deadline:
        return last_closed_day(session=session) or campaign.start
    return scheduling.campaign_today(campaign, now)


def progress_in_area(*, session: Session, user: User, kode: str) -> progress.Progress:
    """Return the dashboard of ``kode`` when the user may open it (else 403 or 404)."""
    require_reader(user)
    if user.role != roles.PENGAMAT and not (
        user.area_kode and roles.area_covers(user.area_kode, kode)
    ):
        raise HTTPException(status_code=404, detail="no such region in your area")
    if scheduling.active_campaign(session=session) is None:
        raise HTTPException(status_code=404, detail="no campaign has been created yet")
    try:
        return progress.progress(session=session, kode=kode, today=today(session=session))
    except progress.ProgressNotFoundError:
        raise HTTPException(status_code=404, detail="no such region") from None


def alert_scope(user: User, kode: str | None = None) -> str | None:
    """Return the kecamatan the alerts can be limited to when reading them for ``user``
    (and the dashboard of ``kode``): None for the whole city."""
    area = None if user.role == roles.PENGAMAT else user.area_kode
    deepest = max((code for code in (kode, area) if code), key=len, default="")
    return deepest[:8] if len(deepest) >= 8 else None


def forecast_of(*, session: Session, found: progress.Progress) -> Forecast | None:
    """Return the forecast of a city or kecamatan dashboard (None for other levels): the
    same figures as the Sekda's report, as of the dashboards' today."""
    if found.figures.level not in (progress.CITY, progress.KECAMATAN):
        return None
    return forecast_service.forecast_for(
        session=session, today=today(session=session), kode=found.figures.kode
    )


def alerts_in_area(user: User, found: Sequence[Alert]) -> list[Alert]:
    """Return the alerts about the user's area (all of them for the city's readers)."""
    require_reader(user)
    if user.role == roles.PENGAMAT:
        return list(found)
    area = user.area_kode or "-"
    return [alert for alert in found if roles.area_covers(area, alert.area)]
