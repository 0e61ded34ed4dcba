"""A synthetic city of recorded cards, written set-wise, for batch tests and benchmarks.

Every kecamatan asked for gets ``per_kecamatan`` residents, each with a queue ticket, a
completed recording on ``tanggal`` with one accepted capture per modality (random bytes in
place of a sealed template, ``template_bytes`` long) and a card in ``direkam``. It skips the
desk on purpose: the batches only read what the desk leaves behind.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.models import Card, CardEvent
from ektp.cards.transitions import add_to_stage_counts
from ektp.recording.capture_rules import MODALITIES
from ektp.recording.models import Capture, QueueTicket, Recording
from ektp.regions.service import kelurahan_codes, load_city
from ektp.residents.models import Resident
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.scheduling.models import Campaign

CITY = "16.71"
EDITION = "2016"


def _insert_returning(session: Session, table: Any, rows: list[dict[str, Any]]) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), 5000):
        result = session.execute(
            insert(table).returning(table.id, sort_by_parameter_order=True),
            rows[start : start + 5000],
        )
        ids.extend(int(value) for value in result.scalars())
    return ids


def build(
    *,
    session: Session,
    kecamatan: Sequence[str],
    per_kecamatan: int,
    tanggal: dt.date,
    at: dt.datetime,
    modalities: Sequence[str] = MODALITIES,
    template_bytes: int = 541,
    first_serial: int = 1,
) -> list[int]:
    """Return the ids of the cards created (``direkam``), loading the city's regions first."""
    load_city(session=session, city=CITY, edition=EDITION)
    kelurahan = sorted(kelurahan_codes(session=session, city=CITY))
    campaign = session.scalar(select(Campaign.id).order_by(Campaign.id).limit(1))
    if campaign is None:
        campaign = _insert_returning(
            session,
            Campaign,
            [
                {
                    "name": "Kampanye sintetis",
                    "city": CITY,
                    "edition": EDITION,
                    "start": tanggal,
                    "deadline": tanggal + dt.timedelta(days=90),
                    "seed": 1,
                    "definition": "",
                    "created_at": at,
                }
            ],
        )[0]
    records: list[ResidentRecord] = []
    serial = first_serial
    for kec in kecamatan:
        mine = [code for code in kelurahan if code.startswith(kec + ".")]
        digits = kec.replace(".", "")[-6:]
        for index in range(per_kecamatan):
            born = dt.date(1960, 1, 1) + dt.timedelta(days=serial % 9000)
            records.append(
                ResidentRecord(
                    nik=f"{digits}{born:%d%m%y}{serial // 9000 + 1:04d}",
                    no_kk=f"{digits}{serial:010d}",
                    nama=f"WARGA {serial:07d}",
                    jenis_kelamin="LP"[serial % 2],
                    tempat_lahir="PALEMBANG",
                    tanggal_lahir=born,
                    status_kawin="KAWIN",
                    agama=None,
                    pekerjaan=None,
                    alamat=None,
                    kode_kelurahan=mine[index % len(mine)],
                    rw=1,
                    rt=1,
                    nik_warning=None,
                )
            )
            serial += 1
    for start in range(0, len(records), 20000):
        write_batch(session=session, records=records[start : start + 20000], now=at)
    niks = [record.nik for record in records]
    resident_of: dict[str, int] = {}
    for start in range(0, len(niks), 5000):
        part = niks[start : start + 5000]
        rows = session.execute(select(Resident.nik, Resident.id).where(Resident.nik.in_(part)))
        resident_of.update((str(nik), int(rid)) for nik, rid in rows)
    numbers: Counter[str] = Counter()
    tickets = []
    for record in records:
        kec = record.kode_kelurahan.rsplit(".", 1)[0]
        numbers[kec] += 1
        tickets.append(
            {
                "campaign_id": campaign,
                "site_code": kec,
                "tanggal": tanggal,
                "session": "pagi",
                "number": 100000 + first_serial + numbers[kec],
                "resident_id": resident_of[record.nik],
                "kind": "invited",
                "status": "recorded",
                "set_no": 1 + numbers[kec] % 3,
                "checked_in_at": at,
            }
        )
    ticket_ids = _insert_returning(session, QueueTicket, tickets)
    recording_ids = _insert_returning(
        session,
        Recording,
        [
            {
                "campaign_id": campaign,
                "ticket_id": ticket_id,
                "resident_id": ticket["resident_id"],
                "site_code": ticket["site_code"],
                "tanggal": tanggal,
                "set_no": ticket["set_no"],
                "status": "completed",
                "started_at": at,
                "finished_at": at,
                "operator": "sintetis",
            }
            for ticket, ticket_id in zip(tickets, ticket_ids, strict=True)
        ],
    )
    captures = [
        {
            "recording_id": recording_id,
            "modality": modality,
            "attempt": 1,
            "quality": 80,
            "accepted": True,
            "template_encrypted": os.urandom(template_bytes),
            "created_at": at,
        }
        for recording_id in recording_ids
        for modality in modalities
    ]
    for start in range(0, len(captures), 20000):
        session.execute(insert(Capture), captures[start : start + 20000])
    card_rows = [
        {
            "resident_id": ticket["resident_id"],
            "recording_id": recording_id,
            "kode_kecamatan": ticket["site_code"],
            "kode_kelurahan": record.kode_kelurahan,
            "site_code": ticket["site_code"],
            "recorded_on": tanggal,
            "state": lifecycle.DIREKAM,
            "state_since": at,
            "reprints": 0,
        }
        for record, ticket, recording_id in zip(records, tickets, recording_ids, strict=True)
    ]
    card_ids = _insert_returning(session, Card, card_rows)
    events = [
        {
            "card_id": card_id,
            "from_state": None,
            "to_state": lifecycle.DIREKAM,
            "event": "recorded",
            "at": at,
            "actor": "sintetis",
            "ref": f"recording:{recording_id}",
        }
        for card_id, recording_id in zip(card_ids, recording_ids, strict=True)
    ]
    table = CardEvent.__table__
    assert isinstance(table, Table)
    for start in range(0, len(events), 20000):
        session.execute(insert(table), events[start : start + 20000])
    add_to_stage_counts(
        session=session,
        deltas=Counter((str(row["kode_kecamatan"]), lifecycle.DIREKAM) for row in card_rows),
    )
    session.flush()
    return card_ids
