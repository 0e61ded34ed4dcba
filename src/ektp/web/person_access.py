"""Searching and opening residents' records on a user's behalf: area scope and audit, once.

Both the pages and the JSON API go through here, so that no route can forget the area filter
or the audit event.
"""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.residents import search
from ektp.residents.schemas import ResidentDetail, ResidentPage

ACTION_SEARCH = "resident.search"
ACTION_VIEW = "resident.view"
ACTION_VIEW_REFUSED = "resident.view_refused"
AUDIT_ACTIONS = (ACTION_SEARCH, ACTION_VIEW, ACTION_VIEW_REFUSED, "auth.login", "auth.logout")


def search_for(
    *,
    session: Session,
    user: User,
    text: str,
    kelurahan: str | None,
    after: str | None,
    limit: int,
    client: str | None,
) -> ResidentPage:
    """Return one page of residents in ``user``'s area and record the search in the audit log.

    Raises ``search.SearchError`` for an unusable query (nothing is recorded then: nothing
    was read).
    """
    area = _area_of(user)
    unit = search.parse_unit(kelurahan) if kelurahan else None
    page = search.search_residents(
        session=session, text=text, area_kode=area, unit=unit, after=after, limit=limit
    )
    detail = {"q": text.strip(), "kelurahan": kelurahan or None, "page": "next" if after else 1}
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=ACTION_SEARCH,
        subject=(text.strip() or kelurahan or "")[:120],
        detail=json.dumps({**detail, "hits": len(page.items)}, ensure_ascii=False),
        client=client,
    )
    return page


def open_record(
    *, session: Session, user: User, nik: str, client: str | None
) -> ResidentDetail | None:
    """Return a resident's record if it lies in ``user``'s area, else None; audit either way."""
    area = _area_of(user)
    resident = search.find_resident(session=session, nik=nik)
    allowed = resident is not None and roles.covers_resident(
        role=user.role, area_kode=area, kode_kelurahan=resident.kode_kelurahan
    )
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=ACTION_VIEW if allowed else ACTION_VIEW_REFUSED,
        subject=nik.strip()[:120],
        detail=None if allowed else ("outside area" if resident else "no such NIK"),
        client=client,
    )
    return resident if allowed else None


def _area_of(user: User) -> str:
    # The routes check the role first; this is the last line against a role without an area.
    if not roles.may_see_personal_data(user.role) or user.area_kode is None:
        raise PermissionError(f"{user.username} may not see personal data")
    return user.area_kode
