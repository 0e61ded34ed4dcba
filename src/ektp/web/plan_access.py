"""Who may open the campaign plan pages and downloads, and where: one place for every route.

A role that may never open a page gets 403; a region outside the user's area, unknown or
malformed gets 404 (nobody learns what exists outside their area), as on the resident pages.
"""

from __future__ import annotations

import re

from fastapi import HTTPException, Request
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth.models import User
from ektp.regions import service as regions_service
from ektp.web.pages import Crumb
from ektp.web.render import translate

PLAN_ROLES = frozenset({roles.ADMIN_KOTA, roles.PENGAMAT})
"""The plan per kecamatan: figures only, no personal data."""
RUN_ROLES = frozenset({roles.ADMIN_KOTA})
SESSION_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})
KELURAHAN_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN, roles.PETUGAS_KELURAHAN})
_KECAMATAN = re.compile(r"^\d{2}\.\d{2}\.\d{2}$")
_KELURAHAN = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def require_role(user: User, allowed: frozenset[str]) -> None:
    """Raise 403 unless the user's role is among ``allowed``."""
    if user.role not in allowed:
        raise HTTPException(status_code=403, detail="this role may not open this page")


def _names_in_area(
    session: Session, user: User, kode: str, pattern: re.Pattern[str]
) -> dict[str, str]:
    inside = user.area_kode is not None and roles.area_covers(user.area_kode, kode)
    if not pattern.match(kode) or not inside:
        raise HTTPException(status_code=404, detail="no such region in your area")
    names = regions_service.region_names(session=session, codes=[kode, kode[:8]])
    if kode not in names:
        raise HTTPException(status_code=404, detail="no such region")
    return names


def kecamatan_in_area(*, session: Session, user: User, kode: str) -> str:
    """Return the name of kecamatan ``kode`` when the user may open it (else 403 or 404)."""
    require_role(user, SESSION_ROLES)
    return _names_in_area(session, user, kode, _KECAMATAN)[kode]


def kelurahan_crumbs(*, request: Request, session: Session, user: User, kode: str) -> list[Crumb]:
    """Return the trail down to kelurahan ``kode`` when the user may open it (else 403 or 404).

    The last crumb carries the kelurahan's name.
    """
    require_role(user, KELURAHAN_ROLES)
    names = _names_in_area(session, user, kode, _KELURAHAN)
    crumbs = plan_crumbs(request, user)
    kecamatan = kode[:8]
    if user.role in SESSION_ROLES:
        crumbs.append(Crumb(names.get(kecamatan, kecamatan), f"/rencana/kecamatan/{kecamatan}"))
    crumbs.append(Crumb(names[kode], f"/rencana/kelurahan/{kode}"))
    return crumbs


def plan_crumbs(request: Request, user: User) -> list[Crumb]:
    """Return the trail's start: the city plan, for the roles that may open it."""
    if user.role in PLAN_ROLES:
        return [Crumb(translate(request, "nav.plan"), "/rencana")]
    return []
