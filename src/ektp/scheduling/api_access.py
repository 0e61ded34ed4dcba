"""Who may read and change what under /schedule: role and area checks, refusals as HTTP
answers, and the audit line of every answer that names residents.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.scheduling import errors
from ektp.scheduling import service as schedule
from ektp.scheduling.models import Invitation
from ektp.web.deps import client_address

NO_STORE = {"Cache-Control": "no-store"}
_STATUS = {
    errors.NoCampaignError: 409,
    errors.SiteNotFoundError: 404,
    errors.TurnNotFoundError: 404,
    errors.NoRoomError: 409,
    errors.AttendanceCodeError: 422,
}
_READ_ROLES = (roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN, roles.PETUGAS_KELURAHAN)
_WRITE_ROLES = (roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN)


def refused(error: errors.ScheduleError) -> HTTPException:
    """Return the HTTP answer to a refused scheduling step (404, 409, 422 or 400)."""
    status = next((code for kind, code in _STATUS.items() if isinstance(error, kind)), 400)
    return HTTPException(status_code=status, detail=str(error))


def forbidden() -> HTTPException:
    """Return the answer to a user whose role or area does not allow the step."""
    return HTTPException(status_code=403, detail="not allowed for your role or area")


def may_read(user: User, kode: str) -> bool:
    """Whether ``user`` may read counts of the region ``kode`` (kecamatan or kelurahan)."""
    area = user.area_kode
    if user.role not in _READ_ROLES or area is None:
        return False
    inside_own = user.role == roles.PETUGAS_KELURAHAN and roles.area_covers(kode, area)
    return roles.area_covers(area, kode) or inside_own


def require_read(user: User, kode: str) -> None:
    """Return if ``user`` may read counts of the region ``kode``; raise 403 otherwise."""
    if not may_read(user, kode):
        raise forbidden()


def require_write(user: User, kode: str) -> None:
    """Return if ``user`` may change the schedule of the region ``kode``; raise 403 otherwise."""
    if user.role not in _WRITE_ROLES or user.area_kode is None:
        raise forbidden()
    if not roles.area_covers(user.area_kode, kode):
        raise forbidden()


def require_personal(user: User, kode_kelurahan: str) -> None:
    """Return if ``user`` may see the residents of ``kode_kelurahan``; raise 403 otherwise."""
    if not roles.covers_resident(
        role=user.role, area_kode=user.area_kode, kode_kelurahan=kode_kelurahan
    ):
        raise forbidden()


def own_kecamatan(user: User) -> str | None:
    """Return the kecamatan a kecamatan or kelurahan user works in, None for city roles."""
    if user.role in (roles.OPERATOR_KECAMATAN, roles.PETUGAS_KELURAHAN) and user.area_kode:
        return ".".join(user.area_kode.split(".")[:3])
    return None


def audit(
    session: Session, request: Request, user: User | None, action: str, subject: str, **detail: Any
) -> None:
    """Write the request's audit line: who, what, about whom, from where."""
    auth_service.record_audit(
        session=session,
        username=None if user is None else user.username,
        action=action,
        subject=subject,
        detail=json.dumps(detail, ensure_ascii=False, default=str) if detail else None,
        client=client_address(request),
    )


def site_kecamatan(session: Session, site_code: str) -> str:
    """Return the kecamatan of the active campaign's site; 404 when there is no such site."""
    try:
        campaign = schedule.require_campaign(session=session)
        definition = schedule.campaign_definition(session=session, campaign=campaign)
    except errors.ScheduleError as error:
        raise refused(error) from None
    for site in definition.sites:
        if site.code == site_code:
            return site.kecamatan
    raise HTTPException(status_code=404, detail=f"no site {site_code!r}")


def invitation_kelurahan(session: Session, invitation_id: int) -> str:
    """Return the kelurahan of the invitation's resident; 404 when there is no such turn."""
    from ektp.residents.models import Resident

    invitation = session.get(Invitation, invitation_id)
    resident = None if invitation is None else session.get(Resident, invitation.resident_id)
    if resident is None:
        raise HTTPException(status_code=404, detail="no such invitation")
    return resident.kode_kelurahan
