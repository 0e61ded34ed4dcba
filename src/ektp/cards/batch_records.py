"""Read a kecamatan's recorded cards as package records, set-wise (a day of ten times the
target is 3,000 cards and 42,000 captures per kecamatan)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.models import Card
from ektp.cards.transitions import chunks
from ektp.recording.models import Capture, Recording
from ektp.residents.models import Resident


def waiting_records(
    *, session: Session, kode_kecamatan: str, tanggal: dt.date | None
) -> list[dict[str, Any]]:
    """Return the package records of the kecamatan's ``direkam`` cards, by card id."""
    query = (
        select(
            Card.id,
            Card.recording_id,
            Card.site_code,
            Card.kode_kelurahan,
            Card.recorded_on,
            Resident.nik,
            Resident.nama,
            Resident.tanggal_lahir,
            Resident.jenis_kelamin,
            Recording.finished_at,
            Recording.set_no,
        )
        .join(Resident, Resident.id == Card.resident_id)
        .join(Recording, Recording.id == Card.recording_id)
        .where(Card.kode_kecamatan == kode_kecamatan, Card.state == lifecycle.DIREKAM)
        .order_by(Card.id)
    )
    if tanggal is not None:
        query = query.where(Card.recorded_on == tanggal)
    records: list[dict[str, Any]] = [
        {
            "card_id": int(card_id),
            "recording_id": int(recording_id),
            "site_code": site_code,
            "kode_kelurahan": kelurahan,
            "recorded_on": recorded_on.isoformat(),
            "nik": nik,
            "nama": nama,
            "tanggal_lahir": born.isoformat(),
            "jenis_kelamin": sex,
            "recorded_at": finished.isoformat() if finished is not None else None,
            "set_no": int(set_no),
            "captures": {},
        }
        for (
            card_id,
            recording_id,
            site_code,
            kelurahan,
            recorded_on,
            nik,
            nama,
            born,
            sex,
            finished,
            set_no,
        ) in session.execute(query)
    ]
    by_recording: dict[int, dict[str, Any]] = {
        int(record["recording_id"]): record for record in records
    }
    for recording_id, modality, quality, digest in _template_hashes(session, list(by_recording)):
        by_recording[recording_id]["captures"][modality] = {
            "quality": quality,
            "template_sha256": digest,
        }
    return records


def _template_hashes(
    session: Session, recording_ids: Sequence[int]
) -> list[tuple[int, str, int, str]]:
    """Return (recording id, modality, quality, template hash) of each accepted capture,
    the last accepted attempt per modality winning (rows come in attempt order)."""
    postgres = session.get_bind().dialect.name == "postgresql"
    # PostgreSQL hashes on the server, so 42,000 templates never cross the wire.
    template = (
        func.encode(func.sha256(Capture.template_encrypted), "hex")
        if postgres
        else Capture.template_encrypted
    )
    found: list[tuple[int, str, int, str]] = []
    for part in chunks(recording_ids):
        rows = session.execute(
            select(Capture.recording_id, Capture.modality, Capture.quality, template)
            .where(Capture.recording_id.in_(part), Capture.accepted.is_(True))
            .order_by(Capture.recording_id, Capture.modality, Capture.attempt)
        )
        for recording_id, modality, quality, value in rows:
            digest = str(value) if postgres else hashlib.sha256(bytes(value)).hexdigest()
            found.append((int(recording_id), str(modality), int(quality), digest))
    return found
