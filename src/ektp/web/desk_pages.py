"""The perekaman desk pages, one per equipment set: the called resident's biodata to verify
(a view written to the audit log), the capture steps as the device sends them (htmx polling),
and the forms of ``desk_actions`` (corrections, exceptions, complete, fail).

Who may open a desk: see ``desk_access``. Personal pages are never cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.recording import capture_rules as rules
from ektp.recording import desk_views
from ektp.recording.corrections import CORRECTABLE_FIELDS, open_corrections
from ektp.recording.models import EquipmentSet, QueueTicket, Recording
from ektp.regions.service import region_names
from ektp.scheduling import service as scheduling
from ektp.web import desk_actions
from ektp.web.deps import CurrentUser, DbSession, client_address
from ektp.web.desk_access import FLASH_KEY, require_desk, require_desk_role, resident_detail
from ektp.web.render import render

router = APIRouter(include_in_schema=False)
router.include_router(desk_actions.router)

ACTION_DESK_VIEW = "resident.view"


@router.get("/perekaman", response_class=HTMLResponse)
def desks_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the sites of the user's area with a link to each set's desk."""
    area = require_desk_role(user)
    from ektp.sites import service as sites_service

    campaign = scheduling.active_campaign(session=session)
    sites: list[dict[str, Any]] = []
    if campaign is not None:
        today = scheduling.campaign_today(campaign, dt.datetime.now(dt.UTC))
        for info in sites_service.list_sites(session=session, day=today):
            if not roles.area_covers(area, info.kecamatan):
                continue
            status = dict(
                session.execute(
                    select(EquipmentSet.set_no, EquipmentSet.status).where(
                        EquipmentSet.campaign_id == campaign.id,
                        EquipmentSet.site_code == info.code,
                    )
                ).all()
            )
            count = max([info.sets, *status.keys()])
            sites.append(
                {
                    "info": info,
                    "sets": [(n, status.get(n, "working")) for n in range(1, count + 1)],
                }
            )
    return render(
        request, "desk/list.html", {"campaign": campaign, "sites": sites, "active": "desk"}
    )


def _desk_state(session: Session, site_code: str, set_no: int) -> dict[str, Any]:
    ticket = desk_views.desk_ticket(session=session, site_code=site_code, set_no=set_no)
    recording = None
    if ticket is not None:
        recording = desk_views.recording_of_ticket(session=session, ticket_id=ticket.id)
    progress = (
        [] if recording is None else desk_views.progress_of(session=session, recording=recording)
    )
    return {
        "ticket": ticket,
        "recording": recording,
        "progress": progress,
        "missing": [item.modality for item in progress if not item.done],
        "exceptable": [
            item.modality
            for item in progress
            if not item.done and item.modality not in rules.NOT_EXCEPTABLE
        ],
        "exceptions": {} if recording is None else desk_views.exceptions_of(recording),
        "state_key": _state_key(ticket, recording),
        "steps_key": _steps_key(progress),
    }


def _steps_key(progress: list[rules.ModalityProgress]) -> str:
    """Return a short digest of the steps: the poll redraws them only when it changes, so an
    exception reason being typed is not wiped every two seconds.
    """
    seen = "|".join(f"{p.modality}:{p.status}:{p.attempts}:{p.best_quality}" for p in progress)
    return hashlib.sha256(seen.encode()).hexdigest()[:16]


def _state_key(ticket: QueueTicket | None, recording: Recording | None) -> str:
    """Return what, when it changes, needs the whole desk redrawn (not just the steps)."""
    if ticket is None:
        return "none"
    if recording is None:
        return f"{ticket.id}"
    return f"{ticket.id}.{recording.id}.{recording.status}"


@router.get("/perekaman/{site_code}/{set_no}", response_class=HTMLResponse)
def desk_page(
    request: Request, site_code: str, set_no: int, user: CurrentUser, session: DbSession
) -> HTMLResponse:
    """Return the desk of one set: the called resident, their biodata and the capture steps."""
    require_desk(session, user, site_code)
    if not 1 <= set_no <= 99:
        raise HTTPException(status_code=404, detail="no such set")
    state = _desk_state(session, site_code, set_no)
    ticket: QueueTicket | None = state["ticket"]
    person = None
    names: dict[str, str] = {}
    corrections: list[Any] = []
    if ticket is not None:
        person = resident_detail(session, ticket.resident_id)
        names = region_names(session=session, codes=[person.kode_kelurahan])
        corrections = open_corrections(session=session, resident_id=ticket.resident_id)
        auth_service.record_audit(
            session=session,
            username=user.username,
            action=ACTION_DESK_VIEW,
            subject=person.nik,
            detail=json.dumps({"desk": site_code, "set": set_no, "ticket": ticket.id}),
            client=client_address(request),
        )
    flash = request.session.pop(FLASH_KEY, None)
    return render(
        request,
        "desk/desk.html",
        {
            **state,
            "site_code": site_code,
            "site_name": _site_name(session, site_code),
            "set_no": set_no,
            "person": person,
            "kelurahan_nama": names.get(person.kode_kelurahan, "") if person else "",
            "corrections": corrections,
            "correctable": CORRECTABLE_FIELDS,
            "flash": flash if isinstance(flash, dict) else None,
            "active": "desk",
        },
        personal=True,
    )


def _site_name(session: Session, site_code: str) -> str:
    campaign = scheduling.require_campaign(session=session)
    definition = scheduling.campaign_definition(session=session, campaign=campaign)
    return next((site.name for site in definition.sites if site.code == site_code), site_code)


@router.get("/perekaman/{site_code}/{set_no}/langkah", response_class=HTMLResponse)
def steps_fragment(
    request: Request,
    site_code: str,
    set_no: int,
    user: CurrentUser,
    session: DbSession,
    state: str = "",
    steps: str = "",
) -> Response:
    """Return the capture steps for htmx polling: nothing (204) while they stay as ``steps``
    says; when the desk's resident or recording changed since ``state``, ask htmx to reload
    the whole page instead (it shows new biodata and buttons).
    """
    require_desk(session, user, site_code)
    current = _desk_state(session, site_code, set_no)
    if current["state_key"] != state:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    if current["steps_key"] == steps:
        return Response(status_code=204)  # htmx keeps the steps (and any half-typed form)
    return render(
        request,
        "desk/steps.html",
        {**current, "site_code": site_code, "set_no": set_no},
        personal=True,
    )
