"""What a desk shows (read only): the site's kecamatan, the ticket at a set, a recording's
attempts, exceptions and progress. Nothing here reads templates or images.

Functions take a keyword-only ``session`` and never write.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.recording import capture_rules as rules
from ektp.recording.models import Capture, QueueTicket, Recording
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaign import parse_campaign

CALLED = "called"


@lru_cache(maxsize=8)
def _kecamatan_of_sites(definition: str) -> dict[str, str]:
    # Parsed once per campaign text, not on every device call.
    return {site.code: site.kecamatan for site in parse_campaign(tomllib.loads(definition)).sites}


def site_kecamatan(*, session: Session, site_code: str) -> str | None:
    """Return the kecamatan of the active campaign's site ``site_code``, or None."""
    campaign = scheduling.active_campaign(session=session)
    if campaign is None:
        return None
    return _kecamatan_of_sites(campaign.definition).get(site_code)


def get_recording(*, session: Session, recording_id: int) -> Recording | None:
    """Return the recording with this id, or None."""
    return session.get(Recording, recording_id)


def exceptions_of(recording: Recording) -> dict[str, str]:
    """Return the recording's excepted modalities with their reasons."""
    loaded = json.loads(recording.exceptions) if recording.exceptions else {}
    return {str(key): str(value) for key, value in loaded.items()}


def attempts_of(*, session: Session, recording_id: int) -> list[rules.Attempt]:
    """Return the recording's capture attempts in the order they were taken (no data)."""
    rows = session.execute(
        select(Capture.modality, Capture.attempt, Capture.quality, Capture.accepted)
        .where(Capture.recording_id == recording_id)
        .order_by(Capture.id)
    )
    return [
        rules.Attempt(modality=m, attempt=int(a), quality=int(q), accepted=bool(ok))
        for m, a, q, ok in rows
    ]


def progress_of(*, session: Session, recording: Recording) -> list[rules.ModalityProgress]:
    """Return every modality's progress in the recording, in capture order."""
    attempts = attempts_of(session=session, recording_id=recording.id)
    return rules.progress(attempts, exceptions_of(recording))


def desk_day(*, session: Session, site_code: str) -> dt.date | None:
    """Return the latest day with tickets at the site (the desk's day), or None."""
    found = session.execute(
        select(func.max(QueueTicket.tanggal)).where(QueueTicket.site_code == site_code)
    ).scalar_one_or_none()
    if found is None or isinstance(found, dt.date):
        return found
    return dt.date.fromisoformat(str(found)[:10])


def desk_ticket(*, session: Session, site_code: str, set_no: int) -> QueueTicket | None:
    """Return the ticket now at set ``set_no``: the latest called to it and not yet done."""
    day = desk_day(session=session, site_code=site_code)
    if day is None:
        return None
    query = (
        select(QueueTicket)
        .where(
            QueueTicket.site_code == site_code,
            QueueTicket.tanggal == day,
            QueueTicket.status == CALLED,
            QueueTicket.set_no == set_no,
        )
        .order_by(QueueTicket.called_at.desc(), QueueTicket.id.desc())
        .limit(1)
    )
    return session.execute(query).scalar_one_or_none()


def recording_of_ticket(*, session: Session, ticket_id: int) -> Recording | None:
    """Return the ticket's recording, or None before it starts."""
    return session.execute(
        select(Recording).where(Recording.ticket_id == ticket_id)
    ).scalar_one_or_none()
