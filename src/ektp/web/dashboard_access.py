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
from ektp.monitoring import progress
from ektp.monitoring.alerts import Alert
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


def alerts_in_area(user: User, found: Sequence[Alert]) -> list[Alert]:
    """Return the alerts about the user's area (all of them for the city's readers)."""
    require_reader(user)
    if user.role == roles.PENGAMAT:
        return list(found)
    area = user.area_kode or "-"
    return [alert for alert in found if roles.area_covers(area, alert.area)]
