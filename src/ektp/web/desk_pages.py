"""The perekaman desk pages, one per equipment set: the called resident's biodata to verify
(a view written to the audit log), corrections as change requests, the capture steps as the
device sends them (htmx polling), exceptions, and complete or fail.

Only ``operator_kecamatan`` (its kecamatan's sites) and ``admin_kota`` open desks; another
role gets 403, a site outside the user's area 404. Every form carries the session's CSRF token.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.recording import capture_rules as rules
from ektp.recording import desk
from ektp.recording.models import EquipmentSet, QueueTicket, Recording
from ektp.regions.service import region_names
from ektp.residents.schemas import ResidentDetail
from ektp.scheduling import service as scheduling
from ektp.web.deps import CurrentUser, DbSession, client_address, csrf_ok
from ektp.web.render import render, translate

router = APIRouter(include_in_schema=False)

DESK_ROLES = frozenset({roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})
ACTION_DESK_VIEW = "resident.view"
_FLASH_KEY = "desk_flash"


def _require_desk(session: Session, user: User, site_code: str) -> str:
    """Return the site's kecamatan when ``user`` may run its desks (else 403 or 404)."""
    if user.role not in DESK_ROLES or user.area_kode is None:
        raise HTTPException(status_code=403, detail="this role does not run recording desks")
    kecamatan = desk.site_kecamatan(session=session, site_code=site_code)
    if kecamatan is None or not roles.area_covers(user.area_kode, kecamatan):
        raise HTTPException(status_code=404, detail="no such site in your area")
    return kecamatan


def _desk_href(site_code: str, set_no: int) -> str:
    return f"/perekaman/{site_code}/{set_no}"


def _flash(request: Request, kind: str, text: str) -> None:
    request.session[_FLASH_KEY] = {"kind": kind, "text": text}


def _back(site_code: str, set_no: int) -> RedirectResponse:
    return RedirectResponse(_desk_href(site_code, set_no), status_code=303)


def _check_form(request: Request, token: str) -> None:
    if not csrf_ok(request, token):
        raise HTTPException(status_code=403, detail="the form has expired")


@router.get("/perekaman", response_class=HTMLResponse)
def desks_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the sites of the user's area with a link to each set's desk."""
    if user.role not in DESK_ROLES or user.area_kode is None:
        raise HTTPException(status_code=403, detail="this role does not run recording desks")
    from ektp.sites import service as sites_service

    campaign = scheduling.active_campaign(session=session)
    sites: list[dict[str, Any]] = []
    if campaign is not None:
        today = scheduling.campaign_today(campaign, dt.datetime.now(dt.UTC))
        area = user.area_kode
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
    ticket = desk.desk_ticket(session=session, site_code=site_code, set_no=set_no)
    recording = (
        None if ticket is None else desk.recording_of_ticket(session=session, ticket_id=ticket.id)
    )
    progress = [] if recording is None else desk.progress_of(session=session, recording=recording)
    return {
        "ticket": ticket,
        "recording": recording,
        "progress": progress,
        "missing": [item.modality for item in progress if not item.done],
        "state_key": _state_key(ticket, recording),
    }


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
    _require_desk(session, user, site_code)
    if not 1 <= set_no <= 99:
        raise HTTPException(status_code=404, detail="no such set")
    state = _desk_state(session, site_code, set_no)
    ticket: QueueTicket | None = state["ticket"]
    person = None
    names: dict[str, str] = {}
    corrections: list[Any] = []
    if ticket is not None:
        person = _resident(session, ticket.resident_id)
        names = region_names(session=session, codes=[person.kode_kelurahan])
        corrections = desk.open_corrections(session=session, resident_id=ticket.resident_id)
        auth_service.record_audit(
            session=session,
            username=user.username,
            action=ACTION_DESK_VIEW,
            subject=person.nik,
            detail=json.dumps({"desk": site_code, "set": set_no, "ticket": ticket.id}),
            client=client_address(request),
        )
    recording: Recording | None = state["recording"]
    flash = request.session.pop(_FLASH_KEY, None)
    exceptable = [
        item.modality
        for item in state["progress"]
        if not item.done and item.modality not in rules.NOT_EXCEPTABLE
    ]
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
            "correctable": desk.CORRECTABLE_FIELDS,
            "exceptions": {} if recording is None else desk.exceptions_of(recording),
            "exceptable": exceptable,
            "flash": flash if isinstance(flash, dict) else None,
            "active": "desk",
        },
        personal=True,
    )


def _resident(session: Session, resident_id: int) -> ResidentDetail:
    from ektp.residents.models import Resident

    resident = session.get(Resident, resident_id)
    assert resident is not None
    return ResidentDetail.model_validate(resident, from_attributes=True)


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
) -> Response:
    """Return the capture steps for htmx polling; when the desk's resident or recording changed
    since ``state``, ask htmx to reload the whole page instead (it shows new biodata).
    """
    _require_desk(session, user, site_code)
    current = _desk_state(session, site_code, set_no)
    if current["state_key"] != state:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    recording = current["recording"]
    return render(
        request,
        "desk/steps.html",
        {
            **current,
            "site_code": site_code,
            "set_no": set_no,
            "exceptions": {} if recording is None else desk.exceptions_of(recording),
        },
        personal=True,
    )


def _current(session: Session, site_code: str, set_no: int) -> tuple[QueueTicket, Recording | None]:
    ticket = desk.desk_ticket(session=session, site_code=site_code, set_no=set_no)
    if ticket is None:
        raise HTTPException(status_code=409, detail="no resident is at this set")
    return ticket, desk.recording_of_ticket(session=session, ticket_id=ticket.id)


def _audit(
    request: Request, session: Session, user: User, action: str, resident_id: int, **detail: object
) -> None:
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=action,
        subject=_resident(session, resident_id).nik,
        detail=json.dumps(detail, ensure_ascii=False),
        client=client_address(request),
    )


@router.post("/perekaman/{site_code}/{set_no}/panggil")
def call_next(
    request: Request,
    site_code: str,
    set_no: int,
    user: CurrentUser,
    session: DbSession,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Call the next waiting number to this set, unless someone is at it already."""
    _require_desk(session, user, site_code)
    _check_form(request, csrf_token)
    if desk.desk_ticket(session=session, site_code=site_code, set_no=set_no) is None:
        from ektp.recording import checkin, queue

        try:
            called = checkin.call_next(
                session=session,
                site_code=site_code,
                set_no=set_no,
                now=dt.datetime.now(dt.UTC),
                by=user.username,
            )
        except queue.QueueError as error:
            _flash(request, "error", str(error))
            return _back(site_code, set_no)
        if called is None:
            _flash(request, "warning", translate(request, "desk.queue_empty"))
    return _back(site_code, set_no)


@router.post("/perekaman/{site_code}/{set_no}/mulai")
def start(
    request: Request,
    site_code: str,
    set_no: int,
    user: CurrentUser,
    session: DbSession,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Start recording the resident at this set."""
    _require_desk(session, user, site_code)
    _check_form(request, csrf_token)
    ticket, _ = _current(session, site_code, set_no)
    try:
        recording = desk.start_recording(
            session=session,
            ticket_id=ticket.id,
            set_no=set_no,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except desk.DeskError as error:
        _flash(request, "error", str(error))
        return _back(site_code, set_no)
    _audit(request, session, user, "recording.start", ticket.resident_id, recording=recording.id)
    return _back(site_code, set_no)


@router.post("/perekaman/{site_code}/{set_no}/koreksi")
def correct(
    request: Request,
    site_code: str,
    set_no: int,
    user: CurrentUser,
    session: DbSession,
    field: Annotated[str, Form()] = "",
    new_value: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Record a correction of the biodata as a change request (the registry is untouched)."""
    _require_desk(session, user, site_code)
    _check_form(request, csrf_token)
    ticket, _ = _current(session, site_code, set_no)
    person = _resident(session, ticket.resident_id)
    old = getattr(person, field, None) if field in desk.CORRECTABLE_FIELDS else None
    try:
        change = desk.request_correction(
            session=session,
            resident_id=ticket.resident_id,
            field=field,
            old_value=None if old is None else str(old),
            new_value=new_value,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except desk.DeskError as error:
        _flash(request, "error", str(error))
        return _back(site_code, set_no)
    _audit(
        request,
        session,
        user,
        "change_request.create",
        ticket.resident_id,
        change=change.id,
        field=field,
    )
    _flash(request, "notice", translate(request, "desk.correction_saved"))
    return _back(site_code, set_no)


@router.post("/perekaman/{site_code}/{set_no}/pengecualian")
def except_modality(
    request: Request,
    site_code: str,
    set_no: int,
    user: CurrentUser,
    session: DbSession,
    modality: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Note that the resident cannot give ``modality``, and why."""
    _require_desk(session, user, site_code)
    _check_form(request, csrf_token)
    ticket, recording = _current(session, site_code, set_no)
    if recording is None:
        raise HTTPException(status_code=409, detail="start the recording first")
    try:
        desk.note_exception(
            session=session,
            recording_id=recording.id,
            modality=modality,
            reason=reason,
            by=user.username,
        )
    except desk.DeskError as error:
        _flash(request, "error", str(error))
        return _back(site_code, set_no)
    _audit(
        request,
        session,
        user,
        "recording.exception",
        ticket.resident_id,
        recording=recording.id,
        modality=modality,
    )
    return _back(site_code, set_no)


@router.post("/perekaman/{site_code}/{set_no}/selesai")
def complete(
    request: Request,
    site_code: str,
    set_no: int,
    user: CurrentUser,
    session: DbSession,
    recording_id: Annotated[int, Form()] = 0,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Complete the recording shown on the page (a second click changes nothing)."""
    _require_desk(session, user, site_code)
    _check_form(request, csrf_token)
    recording = desk.get_recording(session=session, recording_id=recording_id)
    if recording is None or recording.site_code != site_code or recording.set_no != set_no:
        raise HTTPException(status_code=404, detail="no such recording at this set")
    was = recording.status
    try:
        recording = desk.complete_recording(
            session=session,
            recording_id=recording.id,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except desk.DeskError as error:
        _flash(request, "error", str(error))
        return _back(site_code, set_no)
    person = _resident(session, recording.resident_id)
    if was != recording.status:
        _audit(
            request,
            session,
            user,
            "recording.complete",
            recording.resident_id,
            recording=recording.id,
        )
    _flash(request, "notice", translate(request, "desk.completed", nama=person.nama))
    return _back(site_code, set_no)


@router.post("/perekaman/{site_code}/{set_no}/gagal")
def fail(
    request: Request,
    site_code: str,
    set_no: int,
    user: CurrentUser,
    session: DbSession,
    recording_id: Annotated[int, Form()] = 0,
    reason: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Fail the recording shown on the page; the resident is re-invited at closing."""
    _require_desk(session, user, site_code)
    _check_form(request, csrf_token)
    recording = desk.get_recording(session=session, recording_id=recording_id)
    if recording is None or recording.site_code != site_code or recording.set_no != set_no:
        raise HTTPException(status_code=404, detail="no such recording at this set")
    was = recording.status
    try:
        recording = desk.fail_recording(
            session=session,
            recording_id=recording.id,
            reason=reason,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except desk.DeskError as error:
        _flash(request, "error", str(error))
        return _back(site_code, set_no)
    if was != recording.status:
        _audit(
            request, session, user, "recording.fail", recording.resident_id, recording=recording.id
        )
    _flash(
        request, "warning", translate(request, "desk.failed", reason=recording.failure_reason or "")
    )
    return _back(site_code, set_no)
