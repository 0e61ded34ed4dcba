"""Cards for the handover and status tests: a few residents recorded (ticket, completed
recording, optionally an encrypted face photo), their cards opened by ``cards.service`` and
moved along the lifecycle with ``cards.transitions.move``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.models import Card
from ektp.cards.service import open_card
from ektp.cards.transitions import move
from ektp.recording.crypto import BiometricCipher, capture_context
from ektp.recording.models import Capture, QueueTicket
from ektp.residents.models import Resident
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.scheduling.models import Campaign
from tests.integration.card_rows import card_city, completed_recording, man

NOW = dt.datetime(2011, 10, 3, 2, tzinfo=dt.UTC)
RECORDED_ON = dt.date(2011, 10, 3)
SUKARAMI = "16.71.07"
TALANG_BETUTU = "16.71.07.1002"
ILIR_10 = "16.71.06.1001"
PNG_PHOTO = b"\x89PNG\r\n\x1a\n" + b"face-photo-pixels" * 8


def resident(serial: int, nama: str, kelurahan: str, born: dt.date) -> ResidentRecord:
    """Return a man of ``kelurahan`` born on ``born`` with a NIK that follows the rules."""
    kecamatan = kelurahan[:8].replace(".", "")
    return man(
        nik=f"{kecamatan}{born:%d%m%y}{serial:04d}",
        no_kk=f"{kecamatan}0101110{serial:03d}",
        nama=nama,
        kelurahan=kelurahan,
        born=born,
        alamat=f"JL. KENANGAN NO. {serial}",
    )


PEOPLE = [
    resident(1, "ANDI SAPUTRA", TALANG_BETUTU, dt.date(1980, 5, 17)),
    resident(2, "BAMBANG HARTONO", TALANG_BETUTU, dt.date(1975, 1, 2)),
    resident(3, "CANDRA WIJAYA", TALANG_BETUTU, dt.date(1990, 12, 30)),
    resident(4, "DEDI KURNIAWAN", ILIR_10, dt.date(1985, 7, 8)),
    resident(5, "EKO PRASETYO", TALANG_BETUTU, dt.date(1970, 3, 3)),
]


def load_people(session: Session, people: Sequence[ResidentRecord] = PEOPLE) -> None:
    """Load Palembang's regions and ``people`` into the registry."""
    card_city(session)
    write_batch(session=session, records=people, now=NOW)


def _campaign(session: Session) -> int:
    existing = session.scalar(select(Campaign.id).order_by(Campaign.id).limit(1))
    if existing is not None:
        return int(existing)
    new_id = session.scalar(
        insert(Campaign)
        .values(
            name="Kampanye uji kartu",
            city="16.71",
            edition="2016",
            start=RECORDED_ON,
            deadline=RECORDED_ON + dt.timedelta(days=60),
            seed=1,
            definition="",
            created_at=NOW,
        )
        .returning(Campaign.id)
    )
    assert new_id is not None
    return int(new_id)


def record(
    session: Session,
    nik: str,
    *,
    day: dt.date = RECORDED_ON,
    at: dt.datetime = NOW,
    cipher: BiometricCipher | None = None,
    photo: bytes | None = None,
) -> int:
    """Return the id of the card opened for ``nik`` after a completed recording at the
    resident's kecamatan (with an accepted face photo sealed under ``cipher`` when given)."""
    resident_id, kelurahan = session.execute(
        select(Resident.id, Resident.kode_kelurahan).where(Resident.nik == nik)
    ).one()
    site = kelurahan.rsplit(".", 1)[0]
    campaign = _campaign(session)
    number = 1 + int(
        session.scalar(
            select(func.coalesce(func.max(QueueTicket.number), 0)).where(
                QueueTicket.site_code == site, QueueTicket.tanggal == day
            )
        )
        or 0
    )
    recording = completed_recording(
        session,
        campaign_id=campaign,
        resident_id=resident_id,
        site=site,
        day=day,
        number=number,
        at=at,
        set_no=1,
        operator="camat",
    )
    if cipher is not None and photo is not None:
        session.execute(
            insert(Capture).values(
                recording_id=recording,
                modality="photo",
                attempt=1,
                quality=90,
                accepted=True,
                template_encrypted=cipher.encrypt(
                    b"face-template", capture_context(recording, "photo", 1, "template")
                ),
                image_encrypted=cipher.encrypt(
                    photo, capture_context(recording, "photo", 1, "image")
                ),
                created_at=at,
            )
        )
    return open_card(
        session=session,
        resident_id=resident_id,
        recording_id=recording,
        kode_kelurahan=kelurahan,
        site_code=site,
        recorded_on=day,
        at=at,
        actor="camat",
    )


def advance(session: Session, card_ids: Sequence[int], to_state: str, at: dt.datetime) -> None:
    """Move ``card_ids`` (all in one state of the main path) along it up to ``to_state``."""
    if not card_ids:
        return
    current = session.scalar(select(Card.state).where(Card.id == card_ids[0]))
    kecamatan_of = dict(
        session.execute(select(Card.id, Card.kode_kecamatan).where(Card.id.in_(card_ids))).all()
    )
    path = lifecycle.MAIN_PATH
    for step in path[path.index(str(current)) + 1 : path.index(to_state) + 1]:
        values: dict[str, object] = {}
        by_card: dict[int, dict[str, object]] | None = None
        if step == lifecycle.DICETAK:
            values = {"printed_at": at, "location": "pusat"}
            by_card = {card: {"serial": f"S{card:09d}", "chip_id": f"C{card}"} for card in card_ids}
        if step in (lifecycle.DIKIRIM_DAERAH, lifecycle.DIKIRIM_KECAMATAN):
            values = {"location": None}
        if step == lifecycle.DITERIMA_KOTA:
            values = {"location": "16.71"}
        if step == lifecycle.DITERIMA_KECAMATAN:
            # Where the receiving desk puts it: at its own kecamatan, ready for pickup.
            values = {"ready_at": at}
            by_card = {card: {"location": kecamatan_of[card]} for card in card_ids}
        move(
            session=session,
            card_ids=card_ids,
            to_state=step,
            at=at,
            actor="system",
            values=values,
            values_by_card=by_card,
        )
