"""Who may run a recording desk and where, and the small helpers every desk route shares:
the audit event, the flash message, the way back to the desk, the CSRF check.

Only ``operator_kecamatan`` (its kecamatan's sites) and ``admin_kota`` run desks; another role
gets 403, a site outside the user's area 404 (nobody learns what exists outside their area).
"""

from __future__ import annotations

import json

from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.recording import desk_views
from ektp.residents.schemas import ResidentDetail
from ektp.web.deps import client_address, csrf_ok

DESK_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})
FLASH_KEY = "desk_flash"


def require_desk_role(user: User) -> str:
    """Return the user's area when the role runs desks, else raise 403."""
    if user.role not in DESK_ROLES or user.area_kode is None:
        raise HTTPException(status_code=403, detail="this role does not run recording desks")
    return user.area_kode


def require_desk(session: Session, user: User, site_code: str) -> str:
    """Return the site's kecamatan when ``user`` may run its desks (else 403 or 404)."""
    area = require_desk_role(user)
    kecamatan = desk_views.site_kecamatan(session=session, site_code=site_code)
    if kecamatan is None or not roles.area_covers(area, kecamatan):
        raise HTTPException(status_code=404, detail="no such site in your area")
    return kecamatan


def desk_href(site_code: str, set_no: int) -> str:
    """Return the path of a set's desk page."""
    return f"/perekaman/{site_code}/{set_no}"


def flash(request: Request, kind: str, text: str) -> None:
    """Keep a message (``notice``, ``warning`` or ``error``) for the next desk page."""
    request.session[FLASH_KEY] = {"kind": kind, "text": text}


def back_to_desk(site_code: str, set_no: int) -> RedirectResponse:
    """Return the redirect to the desk page after a form (post/redirect/get)."""
    return RedirectResponse(desk_href(site_code, set_no), status_code=303)


def check_form(request: Request, token: str) -> None:
    """Raise 403 unless ``token`` is the session's CSRF token."""
    if not csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="the form has expired")


def resident_detail(session: Session, resident_id: int) -> ResidentDetail:
    """Return the registry record of the resident at the desk."""
    from ektp.residents.models import Resident

    resident = session.get(Resident, resident_id)
    assert resident is not None
    return ResidentDetail.model_validate(resident, from_attributes=True)


def audit(
    request: Request,
    session: Session,
    user: User,
    action: str,
    resident_id: int,
    **detail: object,
) -> None:
    """Write the desk's step on a resident's record to the audit log (never biometric data)."""
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=action,
        subject=resident_detail(session, resident_id).nik,
        detail=json.dumps(detail, ensure_ascii=False),
        client=client_address(request),
    )
