"""Captures from the recording set's device: each one stored once per idempotency key,
sealed by ``crypto.BiometricCipher`` before it reaches the session.

Nothing here returns, logs or formats a template or an image. Functions take a keyword-only
``session`` and never commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from ektp.recording import capture_rules as rules
from ektp.recording.crypto import BiometricCipher, capture_context
from ektp.recording.desk_rows import (
    DeskConflictError,
    insert_ignoring_conflict,
    require_in_progress,
    require_recording,
    rule_error,
    utc,
)
from ektp.recording.desk_views import exceptions_of
from ektp.recording.models import Capture


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


@dataclass(frozen=True)
class _Stored:
    capture_id: int
    recording_id: int
    modality: str
    attempt: int
    quality: int
    accepted: bool


_COLUMNS = (
    Capture.id,
    Capture.recording_id,
    Capture.modality,
    Capture.attempt,
    Capture.quality,
    Capture.accepted,
)
_OF_RECORDING = (
    select(*_COLUMNS, Capture.idempotency_key)
    .where(Capture.recording_id == bindparam("recording_id"))
    .order_by(Capture.id)
)
_BY_KEY = select(*_COLUMNS).where(Capture.idempotency_key == bindparam("key"))


def _stored(row: Any) -> _Stored:
    return _Stored(
        capture_id=int(row[0]),
        recording_id=int(row[1]),
        modality=str(row[2]),
        attempt=int(row[3]),
        quality=int(row[4]),
        accepted=bool(row[5]),
    )


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
    recording = require_recording(session, recording_id, lock=True)
    # Read once the lock is held: a twin may have committed while this one waited. The
    # recording's captures carry their keys, so a retry is found without a query of its
    # own; a key used on another recording shows when the insert below yields.
    rows = session.execute(_OF_RECORDING, {"recording_id": recording_id}).all()
    if idempotency_key is not None:
        for row in rows:
            if row[6] == idempotency_key:
                return _replay(_stored(row), recording_id, modality, quality)
    require_in_progress(recording, "captures")
    try:
        rules.check_modality(modality)
        rules.check_quality(quality)
        rules.check_sizes(
            template_bytes=len(template), image_bytes=None if image is None else len(image)
        )
        attempts = [
            rules.Attempt(modality=str(m), attempt=int(a), quality=int(q), accepted=bool(ok))
            for _, _, m, a, q, ok, _ in rows
        ]
        attempt = rules.next_attempt(modality, attempts, exceptions_of(recording))
    except rules.CaptureRuleError as error:
        raise rule_error(error) from None
    accepted = rules.is_accepted(modality, quality)
    new_id = insert_ignoring_conflict(
        session,
        cast(Table, Capture.__table__),
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
            "created_at": utc(now),
        },
    )
    if new_id is None:
        # A concurrent upload won: the same key (a retry racing itself, or a key of another
        # recording) or the same attempt.
        earlier = None
        if idempotency_key is not None:
            found = session.execute(_BY_KEY, {"key": idempotency_key}).first()
            earlier = None if found is None else _stored(found)
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


def _replay(earlier: _Stored, recording_id: int, modality: str, quality: int) -> CaptureResult:
    if (earlier.recording_id, earlier.modality, earlier.quality) != (
        recording_id,
        modality,
        quality,
    ):
        raise DeskConflictError(
            "this Idempotency-Key was already used for another capture; use a new key per capture"
        )
    return CaptureResult(
        capture_id=earlier.capture_id,
        recording_id=earlier.recording_id,
        modality=earlier.modality,
        attempt=earlier.attempt,
        quality=earlier.quality,
        accepted=earlier.accepted,
        threshold=rules.THRESHOLDS.get(earlier.modality, 0),
        retakes_left=0 if earlier.accepted else max(rules.MAX_ATTEMPTS - earlier.attempt, 0),
        replayed=True,
    )
