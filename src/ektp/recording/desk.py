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
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from ektp.recording import capture_rules as rules
from ektp.recording.crypto import BiometricCipher, capture_context
from ektp.recording.desk_views import CALLED, attempts_of, exceptions_of
from ektp.recording.models import Capture, EquipmentSet, QueueTicket, Recording
from ektp.scheduling import service as scheduling

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"


class DeskError(ValueError):
    """Raised when a desk step is refused; ``status_code`` is the HTTP answer it maps to."""

    status_code = 409


class RecordingNotFoundError(DeskError):
    """Raised for an unknown recording or ticket."""

    status_code = 404


class DeskConflictError(DeskError):
    """Raised when the recording's or ticket's state refuses the step."""

    status_code = 409


class InvalidCaptureError(DeskError):
    """Raised for a capture or exception that breaks a rule of ``capture_rules``."""

    status_code = 422


@dataclass(frozen=True)
class CaptureResult:
    """A stored capture as the device sees it (no biometric data); ``replayed`` when an
    earlier upload with the same idempotency key already stored it.
    """

    capture_id: int
    recording_id: int
    modality: str
    attempt: int
    quality: int
    accepted: bool
    threshold: int
    retakes_left: int
    replayed: bool


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def _rule_error(error: rules.CaptureRuleError) -> DeskError:
    return DeskConflictError(str(error)) if error.conflict else InvalidCaptureError(str(error))


def _insert_ignoring_conflict(session: Session, table: Table, values: dict[str, Any]) -> int | None:
    """Return the new row's id, or None when a UNIQUE constraint already holds such a row."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        statement: Any = pg_insert(table)
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        statement = sqlite_insert(table)
    query = statement.values(**values).on_conflict_do_nothing().returning(table.c.id)
    found = session.execute(query).scalar_one_or_none()
    return None if found is None else int(found)


def _require_recording(session: Session, recording_id: int, *, lock: bool = False) -> Recording:
    if lock and session.get_bind().dialect.name == "postgresql":
        # Two steps on one recording queue up here. The row is read again once the lock is
        # held (populate_existing): the copy the area check loaded may be stale by then.
        query = (
            select(Recording)
            .where(Recording.id == recording_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        recording = session.execute(query).scalar_one_or_none()
    else:
        # SQLite: a writing transaction holds the database's one write lock from its BEGIN,
        # so a row this transaction already read is current.
        recording = session.get(Recording, recording_id)
    if recording is None:
        raise RecordingNotFoundError(f"there is no recording {recording_id}")
    return recording


def _require_in_progress(recording: Recording, step: str) -> None:
    if recording.status != IN_PROGRESS:
        raise DeskConflictError(
            f"recording {recording.id} is {recording.status}; it takes no {step}"
        )


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
        _insert_ignoring_conflict(
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
                "started_at": _utc(now),
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


def add_capture(
    *,
    session: Session,
    recording_id: int,
    modality: str,
    quality: int,
    template: bytes,
    image: bytes | None,
    idempotency_key: str | None,
    now: dt.datetime,
    cipher: BiometricCipher,
) -> CaptureResult:
    """Return the stored capture: the next attempt of ``modality``, accepted or not.

    The same ``idempotency_key`` again returns the first upload's result and stores
    nothing; a key reused for another capture is refused.
    """
    recording = _require_recording(session, recording_id, lock=True)
    if idempotency_key is not None:
        # Looked up once the lock is held: a twin may have committed while this one waited.
        earlier = _capture_by_key(session, idempotency_key)
        if earlier is not None:
            return _replay(earlier, recording_id, modality, quality)
    _require_in_progress(recording, "captures")
    try:
        rules.check_modality(modality)
        rules.check_quality(quality)
        rules.check_sizes(
            template_bytes=len(template), image_bytes=None if image is None else len(image)
        )
        attempts = attempts_of(session=session, recording_id=recording_id)
        attempt = rules.next_attempt(modality, attempts, exceptions_of(recording))
    except rules.CaptureRuleError as error:
        raise _rule_error(error) from None
    accepted = rules.is_accepted(modality, quality)
    new_id = _insert_ignoring_conflict(
        session,
        Capture.__table__,  # type: ignore[arg-type]
        {
            "recording_id": recording_id,
            "modality": modality,
            "attempt": attempt,
            "quality": quality,
            "accepted": accepted,
            "template_encrypted": cipher.encrypt(
                template, capture_context(recording_id, modality, attempt, "template")
            ),
            "image_encrypted": None
            if image is None
            else cipher.encrypt(image, capture_context(recording_id, modality, attempt, "image")),
            "idempotency_key": idempotency_key,
            "created_at": _utc(now),
        },
    )
    if new_id is None:
        # A concurrent upload won: the same key (a retry racing itself) or the same attempt.
        earlier = None if idempotency_key is None else _capture_by_key(session, idempotency_key)
        if earlier is not None:
            return _replay(earlier, recording_id, modality, quality)
        raise DeskConflictError(
            f"another capture of {modality} arrived at the same moment; send this one again"
        )
    state = rules.progress_of(
        modality,
        [*attempts, rules.Attempt(modality, attempt, quality, accepted)],
        None,
    )
    return CaptureResult(
        capture_id=new_id,
        recording_id=recording_id,
        modality=modality,
        attempt=attempt,
        quality=quality,
        accepted=accepted,
        threshold=rules.THRESHOLDS[modality],
        retakes_left=state.retakes_left,
        replayed=False,
    )


def _capture_by_key(session: Session, key: str) -> Capture | None:
    return session.execute(
        select(Capture).where(Capture.idempotency_key == key)
    ).scalar_one_or_none()


def _replay(earlier: Capture, recording_id: int, modality: str, quality: int) -> CaptureResult:
    if (earlier.recording_id, earlier.modality, earlier.quality) != (
        recording_id,
        modality,
        quality,
    ):
        raise DeskConflictError(
            "this Idempotency-Key was already used for another capture; use a new key per capture"
        )
    attempt = int(earlier.attempt)
    accepted = bool(earlier.accepted)
    return CaptureResult(
        capture_id=earlier.id,
        recording_id=earlier.recording_id,
        modality=earlier.modality,
        attempt=attempt,
        quality=int(earlier.quality),
        accepted=accepted,
        threshold=rules.THRESHOLDS.get(earlier.modality, 0),
        retakes_left=0 if accepted else max(rules.MAX_ATTEMPTS - attempt, 0),
        replayed=True,
    )


def note_exception(
    *, session: Session, recording_id: int, modality: str, reason: str, by: str | None
) -> Recording:
    """Return the recording with ``modality`` excepted for ``reason`` (a later note replaces
    an earlier one). ``by`` is kept for the caller's audit event.
    """
    del by  # the audit event written by the caller names the operator
    recording = _require_recording(session, recording_id, lock=True)
    _require_in_progress(recording, "exceptions")
    noted = exceptions_of(recording)
    try:
        attempts = attempts_of(session=session, recording_id=recording_id)
        noted[modality] = rules.check_exception(modality, reason, attempts, noted)
    except rules.CaptureRuleError as error:
        raise _rule_error(error) from None
    recording.exceptions = json.dumps(dict(sorted(noted.items())), ensure_ascii=False)
    session.flush()
    return recording


def _finish(
    session: Session, recording_id: int, status: str, now: dt.datetime, by: str | None, **extra: Any
) -> bool:
    """Return whether this call moved the recording from in_progress to ``status``."""
    result = session.execute(
        update(Recording)
        .where(Recording.id == recording_id, Recording.status == IN_PROGRESS)
        .values(status=status, finished_at=_utc(now), operator=by, **extra)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


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
    recording = _require_recording(session, recording_id)
    if recording.status == COMPLETED:
        return recording
    _require_in_progress(recording, "completion")
    try:
        attempts = attempts_of(session=session, recording_id=recording_id)
        rules.check_complete(attempts, exceptions_of(recording))
    except rules.CaptureRuleError as error:
        raise _rule_error(error) from None
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
    if _finish(session, recording_id, COMPLETED, now, by):
        ticket = session.get(QueueTicket, recording.ticket_id)
        assert ticket is not None
        _set_ticket_status(session, ticket.id, "recorded")
        if ticket.invitation_id is not None:
            _mark_invitation_attended(session, ticket.invitation_id, now, by)
        _open_card(session, recording, now, by)
    session.refresh(recording)
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
        raise _rule_error(error) from None
    recording = _require_recording(session, recording_id)
    if recording.status == FAILED:
        return recording
    _require_in_progress(recording, "failure")
    if _finish(session, recording_id, FAILED, now, by, failure_reason=cleaned):
        _set_ticket_status(session, recording.ticket_id, "failed")
    session.refresh(recording)
    if recording.status != FAILED:
        raise DeskConflictError(f"recording {recording_id} is {recording.status}; it cannot fail")
    return recording
