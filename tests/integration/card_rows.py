"""Cards for the printing and shipping tests, inserted straight in a lifecycle state.

``card_city`` loads Palembang's regions; ``add_cards`` writes residents of one kelurahan,
a completed recording for each (on a placeholder campaign) and their cards in ``state``, with
the stage counters kept right. The batch and dedup steps that would normally bring a card
to the print queue are not needed to test what comes after.
"""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.models import Card
from ektp.cards.transitions import add_to_stage_counts
from ektp.recording.models import QueueTicket, Recording
from ektp.regions.service import load_city
from ektp.residents.models import Resident
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.scheduling.models import Campaign
from tests.integration.schedule_city import SMALL_CAMPAIGN

NOW = dt.datetime(2011, 11, 1, 2, 0, tzinfo=dt.UTC)
SUKARAMI = "16.71.07"
IT2 = "16.71.06"
TALANG_BETUTU = "16.71.07.1002"
ILIR_10 = "16.71.06.1001"
PRINTED = frozenset(lifecycle.STATES) - {
    lifecycle.DIREKAM,
    lifecycle.DIKIRIM_PUSAT,
    lifecycle.DITERIMA_PUSAT,
    lifecycle.DUPLIKAT,
    lifecycle.ANTRIAN_CETAK,
    lifecycle.GAGAL_CETAK,
}
_numbers = itertools.count(5000)
_LOCATION = {
    lifecycle.DICETAK: "pusat",
    lifecycle.DIKIRIM_DAERAH: None,
    lifecycle.DIKIRIM_KECAMATAN: None,
    lifecycle.DITERIMA_KOTA: "16.71",
    lifecycle.DIKEMBALIKAN_KOTA: "16.71",
}


def card_city(session: Session) -> None:
    """Load Palembang's regions (no residents yet)."""
    load_city(session=session, city="16.71", edition="2016")


def man(
    *, nik: str, no_kk: str, nama: str, kelurahan: str, born: dt.date, alamat: str
) -> ResidentRecord:
    """Return a married man of Palembang, a wiraswasta at RW 1 RT 1 of ``kelurahan``."""
    return ResidentRecord(
        nik=nik,
        no_kk=no_kk,
        nama=nama,
        jenis_kelamin="L",
        tempat_lahir="PALEMBANG",
        tanggal_lahir=born,
        status_kawin="KAWIN",
        agama="ISLAM",
        pekerjaan="WIRASWASTA",
        alamat=alamat,
        kode_kelurahan=kelurahan,
        rw=1,
        rt=1,
        nik_warning=None,
    )


def completed_recording(
    session: Session,
    *,
    campaign_id: int,
    resident_id: int,
    site: str,
    day: dt.date,
    number: int,
    at: dt.datetime,
    set_no: int | None = None,
    operator: str | None = None,
) -> int:
    """Return the id of a completed recording of ``resident_id`` at ``site`` on ``day``, with
    the walk-in ticket ``number`` it was recorded on (the ticket's set ``set_no``)."""
    ticket = session.scalar(
        insert(QueueTicket)
        .values(
            campaign_id=campaign_id,
            site_code=site,
            tanggal=day,
            session="pagi",
            number=number,
            resident_id=resident_id,
            kind="walk_in",
            status="recorded",
            set_no=set_no,
            checked_in_at=at,
        )
        .returning(QueueTicket.id)
    )
    recording = session.scalar(
        insert(Recording)
        .values(
            campaign_id=campaign_id,
            ticket_id=ticket,
            resident_id=resident_id,
            site_code=site,
            tanggal=day,
            set_no=1,
            status="completed",
            started_at=at,
            finished_at=at,
            operator=operator,
        )
        .returning(Recording.id)
    )
    assert ticket is not None and recording is not None
    return int(recording)


def _campaign(session: Session) -> int:
    found = session.scalar(select(Campaign.id).order_by(Campaign.id).limit(1))
    if found is not None:
        return int(found)
    return int(
        session.scalar(
            insert(Campaign)
            .values(
                name="Kampanye uji kartu",
                city="16.71",
                edition="2016",
                start=dt.date(2011, 10, 3),
                deadline=dt.date(2012, 3, 30),
                seed=1,
                definition=SMALL_CAMPAIGN,
                created_at=NOW,
            )
            .returning(Campaign.id)
        )
        or 0
    )


def add_cards(
    session: Session,
    kelurahan: str,
    count: int,
    state: str,
    *,
    since: dt.datetime = NOW,
    step: dt.timedelta = dt.timedelta(minutes=1),
) -> list[int]:
    """Return the ids of ``count`` new cards of ``kelurahan`` in ``state`` (state_since
    ``since``, each next one ``step`` later); printed states get a serial ``9…``."""
    kecamatan = kelurahan.rsplit(".", 1)[0]
    digits = kecamatan.replace(".", "")
    serials = [next(_numbers) for _ in range(count)]
    records = [
        man(
            nik=f"{digits}1705{80 + n % 20:02d}{n % 10000:04d}",
            no_kk=f"{digits}0101{n:06d}",
            nama=f"WARGA {n}",
            kelurahan=kelurahan,
            born=dt.date(1980 + n % 20, 5, 17),
            alamat=f"JL. KARTU NO. {n}",
        )
        for n in serials
    ]
    write_batch(session=session, records=records, now=NOW)
    niks = [record.nik for record in records]
    residents = {
        str(nik): int(resident_id)
        for nik, resident_id in session.execute(
            select(Resident.nik, Resident.id).where(Resident.nik.in_(niks))
        )
    }
    campaign = _campaign(session)
    card_ids: list[int] = []
    for position, (n, nik) in enumerate(zip(serials, niks, strict=True)):
        resident_id = residents[nik]
        recording = completed_recording(
            session,
            campaign_id=campaign,
            resident_id=resident_id,
            site=f"{kecamatan}-uji",
            day=dt.date(2011, 10, 3),
            number=n,
            at=NOW,
        )
        card_id = session.scalar(
            insert(Card)
            .values(
                resident_id=resident_id,
                recording_id=recording,
                kode_kecamatan=kecamatan,
                kode_kelurahan=kelurahan,
                site_code=f"{kecamatan}-uji",
                recorded_on=dt.date(2011, 10, 3),
                state=state,
                state_since=since + position * step,
                reprints=0,
                serial=f"9{n:014d}" if state in PRINTED else None,
                chip_id=f"CHIP{n:012d}" if state in PRINTED else None,
                location=_LOCATION.get(state, kecamatan if state in PRINTED else None),
            )
            .returning(Card.id)
        )
        assert card_id is not None
        card_ids.append(int(card_id))
    add_to_stage_counts(session=session, deltas={(kecamatan, state): count})
    return card_ids
