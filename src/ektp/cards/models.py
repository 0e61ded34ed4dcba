"""ORM models of the card pipeline: cards and their events, batches, print runs, shipments,
handovers, the notification outbox, and the counters the pipeline page reads."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ektp.storage.base import Base


class Card(Base):
    """One resident's e-KTP from recording to hand; ``state`` is a lifecycle state.

    A reprint keeps the row (the resident's card case) and replaces serial and chip id; the
    events keep the old ones.
    """

    __tablename__ = "cards"
    __table_args__ = (
        Index("ix_cards_state_since", "state", "state_since"),
        Index("ix_cards_kecamatan_state", "kode_kecamatan", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), unique=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), unique=True)
    kode_kecamatan: Mapped[str] = mapped_column(String(8))
    kode_kelurahan: Mapped[str] = mapped_column(String(13))
    site_code: Mapped[str] = mapped_column(String(40))
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    state_since: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("batches.id"), index=True)
    dedup_status: Mapped[str | None] = mapped_column(String(16))  # not_checked | passed | ...
    serial: Mapped[str | None] = mapped_column(String(24), unique=True)
    chip_id: Mapped[str | None] = mapped_column(String(40))
    print_run_id: Mapped[int | None] = mapped_column(ForeignKey("print_runs.id"), index=True)
    printed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    shipment_id: Mapped[int | None] = mapped_column(ForeignKey("shipments.id"), index=True)
    # Where the card physically is: "pusat", the city's code (16.71) or a kecamatan's.
    location: Mapped[str | None] = mapped_column(String(13))
    reprints: Mapped[int] = mapped_column(SmallInteger, default=0)
    ready_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    handed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class CardEvent(Base):
    """One transition of one card: from, to, when, by whom, why (append-only)."""

    __tablename__ = "card_events"
    __table_args__ = (Index("ix_card_events_to_at", "to_state", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(60))  # a username, or "system"
    detail: Mapped[str | None] = mapped_column(String(400))
    # What the event belongs to: "batch:12", "print_run:3", "shipment:KRM-...", "handover:9".
    ref: Mapped[str | None] = mapped_column(String(60))


class CardStageCount(Base):
    """How many cards of a kecamatan are in each state, kept as transitions happen."""

    __tablename__ = "card_stage_counts"

    kode_kecamatan: Mapped[str] = mapped_column(String(8), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), primary_key=True)
    cards: Mapped[int] = mapped_column(Integer)


class CardHandoverDays(Base):
    """Histogram of days from recording to handover per kecamatan (for the median)."""

    __tablename__ = "card_handover_days"

    kode_kecamatan: Mapped[str] = mapped_column(String(8), primary_key=True)
    days: Mapped[int] = mapped_column(Integer, primary_key=True)
    cards: Mapped[int] = mapped_column(Integer)


class SiteKey(Base):
    """A recording site's Ed25519 key: the public half the centre trusts, and the private
    half sealed at rest (only where the site itself runs)."""

    __tablename__ = "site_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_code: Mapped[str] = mapped_column(String(40), index=True)
    key_id: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of public key
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    private_key_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Batch(Base):
    """One signed package of a site's completed recordings, sent to the centre."""

    __tablename__ = "batches"
    __table_args__ = (UniqueConstraint("site_code", "seq", name="uq_batches_site_seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_uid: Mapped[str] = mapped_column(String(80), unique=True)
    kode_kecamatan: Mapped[str] = mapped_column(String(8), index=True)
    site_code: Mapped[str] = mapped_column(String(40))
    tanggal: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    records: Mapped[int] = mapped_column(Integer)
    manifest_sha256: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # dikirim | diterima | ditolak
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(60))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)


class BatchReceipt(Base):
    """Every package the centre was handed, accepted or refused, with the reason."""

    __tablename__ = "batch_receipts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_uid: Mapped[str | None] = mapped_column(String(80), index=True)
    file_sha256: Mapped[str] = mapped_column(String(64))
    accepted: Mapped[bool] = mapped_column(Boolean)
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    records: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[str] = mapped_column(String(60))


class PrintRun(Base):
    """One run of the central card printer over part of a city's print queue."""

    __tablename__ = "print_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kode_kota: Mapped[str] = mapped_column(String(5), index=True)
    size: Mapped[int] = mapped_column(Integer)
    printed: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16))  # berjalan | selesai
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(60))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Shipment(Base):
    """Numbered boxes of cards on one leg: centre → city office, or city office → kecamatan."""

    __tablename__ = "shipments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    leg: Mapped[str] = mapped_column(String(16))  # pusat_kota | kota_kecamatan
    origin: Mapped[str] = mapped_column(String(13))  # "pusat", a city or a kecamatan code
    destination: Mapped[str] = mapped_column(String(13), index=True)
    boxes: Mapped[int] = mapped_column(SmallInteger)
    cards: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))  # dikirim | diterima | diterima_selisih
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str] = mapped_column(String(60))
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[str | None] = mapped_column(String(60))


class ShipmentItem(Base):
    """One card in one box of a shipment; ``received_at`` is set when its serial is scanned."""

    __tablename__ = "shipment_items"
    __table_args__ = (UniqueConstraint("shipment_id", "card_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    box_no: Mapped[int] = mapped_column(SmallInteger)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), index=True)
    serial: Mapped[str] = mapped_column(String(24), index=True)
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[str | None] = mapped_column(String(60))


class ShipmentDiscrepancy(Base):
    """A line of a shipment's discrepancy report: missing, extra, or for another place."""

    __tablename__ = "shipment_discrepancies"
    __table_args__ = (UniqueConstraint("shipment_id", "serial", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id"), index=True)
    serial: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(16))  # hilang | lebih | salah_tujuan
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    detail: Mapped[str | None] = mapped_column(String(200))
    noted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    noted_by: Mapped[str] = mapped_column(String(60))


class Handover(Base):
    """The card handed to its owner or an authorised representative, with confirmation."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unique: a card is handed over once, however many clicks or operators.
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id"), unique=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    kode_kecamatan: Mapped[str] = mapped_column(String(8))
    handed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(60))
    operator_name: Mapped[str] = mapped_column(String(120))
    recipient: Mapped[str] = mapped_column(String(8))  # pemilik | wakil
    representative_name: Mapped[str | None] = mapped_column(String(120))
    representative_nik: Mapped[str | None] = mapped_column(String(16))
    representative_relation: Mapped[str | None] = mapped_column(String(60))
    face_confirmed: Mapped[bool] = mapped_column(Boolean)
    signature_png: Mapped[bytes | None] = mapped_column(LargeBinary)
    acknowledged: Mapped[bool] = mapped_column(Boolean)  # the tick box, when no signature pad


class Notification(Base):
    """A message to a resident waiting in the outbox; a pluggable sender delivers it."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status", "status", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id"))
    kind: Mapped[str] = mapped_column(String(24))  # kartu_siap | ...
    channel: Mapped[str] = mapped_column(String(16))  # sms | whatsapp | surat
    message: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # menunggu | terkirim | gagal | nonaktif
    attempts: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
