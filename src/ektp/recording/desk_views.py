"""What a desk shows (read only): the site's kecamatan, the ticket at a set, a recording's
attempts, exceptions and progress, and the views the device API answers with. Nothing here
reads templates or images.

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
from ektp.recording.desk_schemas import DeskView, ModalityView, RecordingView, ResidentBrief
from ektp.recording.models import Capture, QueueTicket, Recording
from ektp.residents.models import Resident
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


_BRIEFS = "ektp.recording.desk_views.resident_briefs"


def resident_brief(*, session: Session, resident_id: int) -> ResidentBrief:
    """Return the resident's NIK and name, read once per session: a request's audit line
    and its answer both name the resident."""
    briefs: dict[int, ResidentBrief] = session.info.setdefault(_BRIEFS, {})
    if resident_id not in briefs:
        nik, nama = session.execute(
            select(Resident.nik, Resident.nama).where(Resident.id == resident_id)
        ).one()
        briefs[resident_id] = ResidentBrief(nik=nik, nama=nama)
    return briefs[resident_id]


def remember_brief(*, session: Session, resident_id: int, nik: str, nama: str) -> None:
    """Keep the resident's NIK and name read along with another row (``resident_brief``)."""
    briefs: dict[int, ResidentBrief] = session.info.setdefault(_BRIEFS, {})
    briefs[resident_id] = ResidentBrief(nik=nik, nama=nama)


def recording_view(*, session: Session, recording: Recording) -> RecordingView:
    """Return the recording's state as the API shows it."""
    ticket = session.get(QueueTicket, recording.ticket_id)
    progress = progress_of(session=session, recording=recording)
    return RecordingView(
        id=recording.id,
        ticket_id=recording.ticket_id,
        number=None if ticket is None else ticket.number,
        site_code=recording.site_code,
        tanggal=recording.tanggal,
        set_no=recording.set_no,
        status=recording.status,
        started_at=recording.started_at,
        finished_at=recording.finished_at,
        failure_reason=recording.failure_reason,
        resident=resident_brief(session=session, resident_id=recording.resident_id),
        modalities=[ModalityView(**vars(item)) for item in progress],
        missing=[item.modality for item in progress if not item.done],
    )


def desk_view(*, session: Session, site_code: str, set_no: int) -> DeskView:
    """Return the resident now at a set: the called ticket and its recording, if any."""
    ticket = desk_ticket(session=session, site_code=site_code, set_no=set_no)
    recording = (
        None if ticket is None else recording_of_ticket(session=session, ticket_id=ticket.id)
    )
    return DeskView(
        site_code=site_code,
        set_no=set_no,
        ticket_id=None if ticket is None else ticket.id,
        number=None if ticket is None else ticket.number,
        recording_id=None if recording is None else recording.id,
        recording_status=None if recording is None else recording.status,
    )
