"""Corrections noticed at the desk: recorded as change requests for the Dinas to decide, never
applied to the registry here.

Functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.recording.models import ChangeRequest

MAX_VALUE_LENGTH = 200


class CorrectionError(ValueError):
    """Raised for a correction that cannot be recorded; the message says why."""


CORRECTABLE_FIELDS = (
    "nama",
    "tempat_lahir",
    "tanggal_lahir",
    "jenis_kelamin",
    "status_kawin",
    "agama",
    "pekerjaan",
    "alamat",
)
"""Registry fields a desk may ask the Dinas to correct (NIK and No. KK go through Dukcapil)."""


def request_correction(
    *,
    session: Session,
    resident_id: int,
    field: str,
    old_value: str | None,
    new_value: str,
    now: dt.datetime,
    by: str | None,
) -> ChangeRequest:
    """Return a new open change request for the Dinas; the registry itself is not touched."""
    if field not in CORRECTABLE_FIELDS:
        raise CorrectionError(
            f"{field!r} cannot be corrected at the desk; fields: {', '.join(CORRECTABLE_FIELDS)}"
        )
    cleaned = " ".join(new_value.split())
    if not cleaned or len(cleaned) > MAX_VALUE_LENGTH:
        raise CorrectionError("give the corrected value (1 to 200 characters)")
    if old_value is not None and cleaned == old_value:
        raise CorrectionError("the corrected value is the same as the registry's")
    change = ChangeRequest(
        resident_id=resident_id,
        field=field,
        old_value=None if old_value is None else old_value[:MAX_VALUE_LENGTH],
        new_value=cleaned,
        requested_by=by,
        requested_at=now.replace(tzinfo=dt.UTC) if now.tzinfo is None else now.astimezone(dt.UTC),
        status="open",
    )
    session.add(change)
    session.flush()
    return change


def open_corrections(*, session: Session, resident_id: int) -> list[ChangeRequest]:
    """Return the resident's open change requests, oldest first."""
    query = (
        select(ChangeRequest)
        .where(ChangeRequest.resident_id == resident_id, ChangeRequest.status == "open")
        .order_by(ChangeRequest.id)
    )
    return list(session.execute(query).scalars())
