"""The perekaman desk: start a called resident's recording, take captures from the device,
note exceptions, then complete or fail it.

Each step takes effect once, whoever repeats it: a recording per ticket (UNIQUE ticket_id),
a capture per idempotency key (UNIQUE idempotency_key), a completion per recording (a
conditional UPDATE ... WHERE status = 'in_progress' checked by its row count) and per resident
(a partial UNIQUE index). Inserts use ``ON CONFLICT DO NOTHING``, so a lost race reads the
winner's row instead of breaking the caller's transaction.

Templates and images are sealed by ``crypto.BiometricCipher`` before they reach the session;
nothing here returns, logs or formats them. Functions take a keyword-only ``session`` and
never commit.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ektp.recording import capture_rules as rules
from ektp.recording.captures import CaptureResult, add_capture
from ektp.recording.desk_rows import (
    COMPLETED,
    FAILED,
    IN_PROGRESS,
    DeskConflictError,
    DeskError,
    InvalidCaptureError,
    RecordingNotFoundError,
    insert_ignoring_conflict,
    require_in_progress,
    require_recording,
    rule_error,
    utc,
)
from ektp.recording.desk_views import CALLED, attempts_of, exceptions_of
from ektp.recording.models import EquipmentSet, QueueTicket, Recording
from ektp.scheduling import service as scheduling

__all__ = [
    "COMPLETED",
    "FAILED",
    "IN_PROGRESS",
    "CaptureResult",
    "DeskConflictError",
    "DeskError",
    "InvalidCaptureError",
    "RecordingNotFoundError",
    "add_capture",
    "complete_recording",
    "fail_recording",
    "note_exception",
    "start_recording",
]


def start_recording(
    *, session: Session, ticket_id: int, set_no: int, now: dt.datetime, by: str | None
) -> Recording:
    """Return the recording of a called ticket at set ``set_no``, started now or before.

    Starting twice (a double click, a device retry) returns the first recording. Refused
    when the ticket is unknown, not called, called to another set, or the set is broken.
    """
    ticket = session.get(QueueTicket, ticket_id)
    if ticket is None:
        raise RecordingNotFoundError(f"there is no queue ticket {ticket_id}")
    existing = session.execute(
        select(Recording).where(Recording.ticket_id == ticket_id)
    ).scalar_one_or_none()
    if existing is None:
        _check_startable(session, ticket, set_no)
        insert_ignoring_conflict(
            session,
            Recording.__table__,  # type: ignore[arg-type]
            {
                "campaign_id": ticket.campaign_id,
                "ticket_id": ticket.id,
                "resident_id": ticket.resident_id,
                "site_code": ticket.site_code,
                "tanggal": ticket.tanggal,
                "set_no": set_no,
                "status": IN_PROGRESS,
                "started_at": utc(now),
                "operator": by,
            },
        )
        existing = session.execute(
            select(Recording).where(Recording.ticket_id == ticket_id)
        ).scalar_one()
    if existing.set_no != set_no:
        raise DeskConflictError(
            f"number {ticket.number} is being recorded at set {existing.set_no}, not {set_no}"
        )
    return existing


def _check_startable(session: Session, ticket: QueueTicket, set_no: int) -> None:
    if ticket.status != CALLED:
        hint = "call it to a set first" if ticket.status == "waiting" else "it is not in the queue"
        raise DeskConflictError(f"number {ticket.number} is {ticket.status}; {hint}")
    if ticket.set_no is not None and ticket.set_no != set_no:
        raise DeskConflictError(
            f"number {ticket.number} was called to set {ticket.set_no}, not set {set_no}"
        )
    broken = session.execute(
        select(EquipmentSet.id).where(
            EquipmentSet.campaign_id == ticket.campaign_id,
            EquipmentSet.site_code == ticket.site_code,
            EquipmentSet.set_no == set_no,
            EquipmentSet.status != "working",
        )
    ).first()
    if broken is not None:
        raise DeskConflictError(f"set {set_no} of {ticket.site_code} is not working")


def note_exception(
    *, session: Session, recording_id: int, modality: str, reason: str, by: str | None
) -> Recording:
    """Return the recording with ``modality`` excepted for ``reason`` (a later note replaces
    an earlier one). ``by`` is kept for the caller's audit event.
    """
    del by  # the audit event written by the caller names the operator
    recording = require_recording(session, recording_id, lock=True)
    require_in_progress(recording, "exceptions")
    noted = exceptions_of(recording)
    try:
        attempts = attempts_of(session=session, recording_id=recording_id)
        noted[modality] = rules.check_exception(modality, reason, attempts, noted)
    except rules.CaptureRuleError as error:
        raise rule_error(error) from None
    recording.exceptions = json.dumps(dict(sorted(noted.items())), ensure_ascii=False)
    session.flush()
    return recording


def _finish(
    session: Session,
    recording: Recording,
    status: str,
    now: dt.datetime,
    by: str | None,
    **extra: Any,
) -> bool:
    """Return whether this call moved the recording from in_progress to ``status``; the row
    in the session holds what was stored then (read again when someone else moved it).
    """
    values = {"status": status, "finished_at": utc(now), "operator": by, **extra}
    columns = [getattr(Recording, key) for key in values]
    stored = session.execute(
        update(Recording)
        .where(Recording.id == recording.id, Recording.status == IN_PROGRESS)
        .values(**values)
        .returning(*columns)
        .execution_options(synchronize_session=False)
    ).first()
    if stored is None:
        session.refresh(recording)
        return False
    # As the database gave them back (SQLite's timestamps come back naive).
    for key, value in zip(values, stored, strict=True):
        set_committed_value(recording, key, value)
    return True


def _set_ticket_status(session: Session, ticket_id: int, status: str) -> None:
    session.execute(
        update(QueueTicket)
        .where(QueueTicket.id == ticket_id, QueueTicket.status == CALLED)
        .values(status=status)
        .execution_options(synchronize_session=False)
    )


def complete_recording(
    *, session: Session, recording_id: int, now: dt.datetime, by: str | None
) -> Recording:
    """Return the recording, completed: every modality accepted or excepted; the ticket is
    ``recorded`` and the invitation ``attended``. Completing again returns it unchanged.
    """
    recording = require_recording(session, recording_id)
    if recording.status == COMPLETED:
        return recording
    require_in_progress(recording, "completion")
    try:
        attempts = attempts_of(session=session, recording_id=recording_id)
        rules.check_complete(attempts, exceptions_of(recording))
    except rules.CaptureRuleError as error:
        raise rule_error(error) from None
    already = session.execute(
        select(Recording.id).where(
            Recording.resident_id == recording.resident_id,
            Recording.status == COMPLETED,
            Recording.id != recording_id,
        )
    ).first()
    if already is not None:
        raise DeskConflictError(
            f"this resident was already recorded (recording {already[0]}); fail this one"
        )
    if _finish(session, recording, COMPLETED, now, by):
        ticket = session.get(QueueTicket, recording.ticket_id)
        assert ticket is not None
        _set_ticket_status(session, ticket.id, "recorded")
        if ticket.invitation_id is not None:
            _mark_invitation_attended(session, ticket.invitation_id, now, by)
        _open_card(session, recording, now, by)
    if recording.status != COMPLETED:
        raise DeskConflictError(
            f"recording {recording_id} is {recording.status}; it cannot complete"
        )
    return recording


def _open_card(session: Session, recording: Recording, now: dt.datetime, by: str | None) -> None:
    """Open the resident's card (``direkam``): the start of its way to the resident's hand."""
    from ektp.cards import service as cards
    from ektp.residents.models import Resident

    kelurahan = session.scalar(
        select(Resident.kode_kelurahan).where(Resident.id == recording.resident_id)
    )
    assert kelurahan is not None
    cards.open_card(
        session=session,
        resident_id=recording.resident_id,
        recording_id=recording.id,
        kode_kelurahan=kelurahan,
        site_code=recording.site_code,
        recorded_on=recording.tanggal,
        at=now,
        actor=by or "system",
    )


def _mark_invitation_attended(
    session: Session, invitation_id: int, now: dt.datetime, by: str | None
) -> None:
    # A turn that no longer holds (check-in already marked it, or it was moved) stays as is.
    try:
        scheduling.mark_attended_in_person(
            session=session, invitation_id=invitation_id, now=now, by=by
        )
    except scheduling.TurnNotFoundError:
        return


def fail_recording(
    *, session: Session, recording_id: int, reason: str, now: dt.datetime, by: str | None
) -> Recording:
    """Return the recording, failed for ``reason``; the ticket is ``failed``.

    The resident's invitation stays live, so closing the session (``scheduling.close_session``)
    re-invites them into the reserve of the coming evening sessions. Failing again returns
    the recording unchanged; a completed one cannot fail.
    """
    try:
        cleaned = rules.check_failure_reason(reason)
    except rules.CaptureRuleError as error:
        raise rule_error(error) from None
    recording = require_recording(session, recording_id)
    if recording.status == FAILED:
        return recording
    require_in_progress(recording, "failure")
    if _finish(session, recording, FAILED, now, by, failure_reason=cleaned):
        _set_ticket_status(session, recording.ticket_id, "failed")
    if recording.status != FAILED:
        raise DeskConflictError(f"recording {recording_id} is {recording.status}; it cannot fail")
    return recording
