"""The forms of the perekaman desk: call the next number, start, record a correction, note
an exception, complete, fail. Each checks the role, the area and the session's CSRF token,
then redirects back to the desk (post/redirect/get), with a message when it was refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ektp.recording import desk, desk_views
from ektp.recording.corrections import CORRECTABLE_FIELDS, CorrectionError, request_correction
from ektp.recording.models import QueueTicket, Recording
from ektp.web.deps import CurrentUser, DbSession
from ektp.web.desk_access import (
    audit,
    back_to_desk,
    check_form,
    flash,
    require_desk,
    resident_detail,
)
from ektp.web.render import translate

router = APIRouter(include_in_schema=False)


def _current(session: Session, site_code: str, set_no: int) -> tuple[QueueTicket, Recording | None]:
    ticket = desk_views.desk_ticket(session=session, site_code=site_code, set_no=set_no)
    if ticket is None:
        raise HTTPException(status_code=409, detail="no resident is at this set")
    return ticket, desk_views.recording_of_ticket(session=session, ticket_id=ticket.id)


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
    require_desk(session, user, site_code)
    check_form(request, csrf_token)
    if desk_views.desk_ticket(session=session, site_code=site_code, set_no=set_no) is None:
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
            flash(request, "error", str(error))
            return back_to_desk(site_code, set_no)
        if called is None:
            flash(request, "warning", translate(request, "desk.queue_empty"))
    return back_to_desk(site_code, set_no)


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
    require_desk(session, user, site_code)
    check_form(request, csrf_token)
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
        flash(request, "error", str(error))
        return back_to_desk(site_code, set_no)
    audit(request, session, user, "recording.start", ticket.resident_id, recording=recording.id)
    return back_to_desk(site_code, set_no)


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
    require_desk(session, user, site_code)
    check_form(request, csrf_token)
    ticket, _ = _current(session, site_code, set_no)
    person = resident_detail(session, ticket.resident_id)
    old = getattr(person, field, None) if field in CORRECTABLE_FIELDS else None
    try:
        change = request_correction(
            session=session,
            resident_id=ticket.resident_id,
            field=field,
            old_value=None if old is None else str(old),
            new_value=new_value,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except CorrectionError as error:
        flash(request, "error", str(error))
        return back_to_desk(site_code, set_no)
    audit(
        request,
        session,
        user,
        "change_request.create",
        ticket.resident_id,
        change=change.id,
        field=field,
    )
    flash(request, "notice", translate(request, "desk.correction_saved"))
    return back_to_desk(site_code, set_no)


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
    require_desk(session, user, site_code)
    check_form(request, csrf_token)
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
        flash(request, "error", str(error))
        return back_to_desk(site_code, set_no)
    audit(
        request,
        session,
        user,
        "recording.exception",
        ticket.resident_id,
        recording=recording.id,
        modality=modality,
    )
    return back_to_desk(site_code, set_no)


def _recording_at_set(
    session: Session, recording_id: int, site_code: str, set_no: int
) -> Recording:
    """Return the recording the form names, if it is at this desk; else 404."""
    recording = desk_views.get_recording(session=session, recording_id=recording_id)
    if recording is None or recording.site_code != site_code or recording.set_no != set_no:
        raise HTTPException(status_code=404, detail="no such recording at this set")
    return recording


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
    require_desk(session, user, site_code)
    check_form(request, csrf_token)
    recording = _recording_at_set(session, recording_id, site_code, set_no)
    was = recording.status
    try:
        recording = desk.complete_recording(
            session=session,
            recording_id=recording.id,
            now=dt.datetime.now(dt.UTC),
            by=user.username,
        )
    except desk.DeskError as error:
        flash(request, "error", str(error))
        return back_to_desk(site_code, set_no)
    person = resident_detail(session, recording.resident_id)
    if was != recording.status:
        audit(
            request,
            session,
            user,
            "recording.complete",
            recording.resident_id,
            recording=recording.id,
        )
    flash(request, "notice", translate(request, "desk.completed", nama=person.nama))
    return back_to_desk(site_code, set_no)


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
    require_desk(session, user, site_code)
    check_form(request, csrf_token)
    recording = _recording_at_set(session, recording_id, site_code, set_no)
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
        flash(request, "error", str(error))
        return back_to_desk(site_code, set_no)
    if was != recording.status:
        audit(
            request, session, user, "recording.fail", recording.resident_id, recording=recording.id
        )
    flash(
        request, "warning", translate(request, "desk.failed", reason=recording.failure_reason or "")
    )
    return back_to_desk(site_code, set_no)
