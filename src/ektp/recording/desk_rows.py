"""The desk's refusals and its row access: a recording read (locked for the transaction on
PostgreSQL), an insert that yields to a row a concurrent request stored first.

Functions take the session first and never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Select, Table, bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ektp.recording import capture_rules as rules
from ektp.recording import desk_views
from ektp.recording.models import Recording
from ektp.residents.models import Resident

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"

_LOCKED_KEY = "ektp.recording.locked"


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


def utc(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` in UTC (naive moments are taken as UTC)."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def rule_error(error: rules.CaptureRuleError) -> DeskError:
    """Return the desk's refusal for a broken capture rule: a conflict with the recording's
    state, or an invalid payload."""
    return DeskConflictError(str(error)) if error.conflict else InvalidCaptureError(str(error))


def insert_ignoring_conflict(session: Session, table: Table, values: dict[str, Any]) -> int | None:
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


_WITH_RESIDENT = (
    select(Recording, Resident.nik, Resident.nama)
    .join(Resident, Resident.id == Recording.resident_id)
    .where(Recording.id == bindparam("recording_id"))
)
# The row is read again once the lock is held (populate_existing): a copy loaded before may
# be stale by then.
_LOCKED = _WITH_RESIDENT.with_for_update(of=Recording).execution_options(populate_existing=True)


def recording_of(session: Session, recording_id: int, *, lock: bool = False) -> Recording | None:
    """Return the recording, or None; with ``lock``, held by this transaction until it ends.

    Its resident's NIK and name come along for the request's audit line and answer
    (``desk_views.resident_brief``). On PostgreSQL a lock is a ``FOR UPDATE``, taken once per
    transaction (the area check and the service ask for the same row); two steps on one
    recording queue up there. SQLite needs no row lock: a writing transaction holds the
    database's one write lock from its BEGIN, so a row it already read is current.
    """
    locking = lock and session.get_bind().dialect.name == "postgresql"
    if not locking:
        present = session.identity_map.get(identity_key(Recording, recording_id))
        if isinstance(present, Recording):
            return present
        return _read(session, _WITH_RESIDENT, recording_id)
    transaction = session.get_transaction()
    kept = session.info.get(_LOCKED_KEY)
    if kept is None or kept[0] is not transaction:
        locked: dict[int, Recording] = {}
        session.info[_LOCKED_KEY] = (transaction, locked)
    else:
        locked = kept[1]
    if recording_id not in locked:
        recording = _read(session, _LOCKED, recording_id)
        if recording is None:
            return None
        # The row itself: the identity map holds rows weakly.
        locked[recording_id] = recording
    return locked[recording_id]


def _read(
    session: Session, query: Select[Recording, str, str], recording_id: int
) -> Recording | None:
    found = session.execute(query, {"recording_id": recording_id}).first()
    if found is None:
        return None
    recording, nik, nama = found
    desk_views.remember_brief(
        session=session, resident_id=recording.resident_id, nik=nik, nama=nama
    )
    return recording


def require_recording(session: Session, recording_id: int, *, lock: bool = False) -> Recording:
    """Return the recording (see ``recording_of``) or raise RecordingNotFoundError."""
    recording = recording_of(session, recording_id, lock=lock)
    if recording is None:
        raise RecordingNotFoundError(f"there is no recording {recording_id}")
    return recording


def require_in_progress(recording: Recording, step: str) -> None:
    """Raise DeskConflictError unless the recording is still being taken."""
    if recording.status != IN_PROGRESS:
        raise DeskConflictError(
            f"recording {recording.id} is {recording.status}; it takes no {step}"
        )
