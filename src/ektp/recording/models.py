"""ORM models of the recording day: equipment sets, queue tickets, recordings, captures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
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
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ektp.storage.base import Base


class EquipmentSet(Base):
    """One recording set (alat perekaman) of a site, numbered from 1; the desk's identity."""

    __tablename__ = "equipment_sets"
    __table_args__ = (UniqueConstraint("campaign_id", "site_code", "set_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    site_code: Mapped[str] = mapped_column(String(40))
    set_no: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16))  # working | broken | moved_out
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class QueueTicket(Base):
    """A resident checked in at a site for one session, with a queue number for the day."""

    __tablename__ = "queue_tickets"
    __table_args__ = (
        # Named: the naming convention would give both the same name (site_code's), which
        # PostgreSQL refuses.
        UniqueConstraint("site_code", "tanggal", "number", name="uq_queue_tickets_number"),
        # A resident checks in once per site and day; a second scan returns the same ticket.
        UniqueConstraint("site_code", "tanggal", "resident_id", name="uq_queue_tickets_resident"),
        Index("ix_queue_tickets_waiting", "site_code", "tanggal", "status", "number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    site_code: Mapped[str] = mapped_column(String(40))
    tanggal: Mapped[dt.date] = mapped_column(Date)
    session: Mapped[str] = mapped_column(String(16))
    number: Mapped[int] = mapped_column(Integer)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("invitations.id"))
    kind: Mapped[str] = mapped_column(String(16))  # invited | walk_in | reinvited
    status: Mapped[str] = mapped_column(String(16))  # waiting | called | recorded | failed | left
    set_no: Mapped[int | None] = mapped_column(SmallInteger)
    checked_in_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    called_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    called_by: Mapped[str | None] = mapped_column(String(60))


class Recording(Base):
    """One perekaman of a resident at a set: captures, then completed or failed."""

    __tablename__ = "recordings"
    __table_args__ = (
        # A ticket is recorded once, whoever clicks; a resident is completed once.
        UniqueConstraint("ticket_id"),
        Index(
            "ux_recordings_completed_resident",
            "resident_id",
            unique=True,
            sqlite_where=text("status = 'completed'"),
            postgresql_where=text("status = 'completed'"),
        ),
        Index("ix_recordings_site_day", "site_code", "tanggal"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("queue_tickets.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    site_code: Mapped[str] = mapped_column(String(40))
    tanggal: Mapped[dt.date] = mapped_column(Date)
    set_no: Mapped[int] = mapped_column(SmallInteger)
    status: Mapped[str] = mapped_column(String(16))  # in_progress | completed | failed
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str | None] = mapped_column(String(60))
    exceptions: Mapped[str | None] = mapped_column(Text)  # JSON: modality -> reason
    failure_reason: Mapped[str | None] = mapped_column(String(200))


class Capture(Base):
    """One capture attempt of one modality; template and image are encrypted at rest."""

    __tablename__ = "captures"
    __table_args__ = (
        UniqueConstraint("recording_id", "modality", "attempt"),
        # A device retrying the same upload gets the first result back, not a second row.
        UniqueConstraint("idempotency_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), index=True)
    modality: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int] = mapped_column(SmallInteger)
    quality: Mapped[int] = mapped_column(SmallInteger)
    accepted: Mapped[bool] = mapped_column()
    template_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    image_encrypted: Mapped[bytes | None] = mapped_column(LargeBinary)
    idempotency_key: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ChangeRequest(Base):
    """A correction of registry biodata noticed at the desk, for the Dinas to decide."""

    __tablename__ = "change_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str | None] = mapped_column(String(60))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # open | accepted | rejected


class DailyReport(Base):
    """A site's closed day (or session): counts frozen at closing, against the target."""

    __tablename__ = "daily_reports"
    __table_args__ = (UniqueConstraint("site_code", "tanggal", "session"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    site_code: Mapped[str] = mapped_column(String(40))
    kode_kecamatan: Mapped[str] = mapped_column(String(8), index=True)
    tanggal: Mapped[dt.date] = mapped_column(Date, index=True)
    session: Mapped[str] = mapped_column(String(16))  # a session name, or "hari" for the day
    recorded: Mapped[int] = mapped_column(Integer)
    failed: Mapped[int] = mapped_column(Integer)
    walk_ins: Mapped[int] = mapped_column(Integer)
    missed: Mapped[int] = mapped_column(Integer)
    mean_minutes: Mapped[float | None] = mapped_column()
    idle_minutes: Mapped[int] = mapped_column(Integer)
    target: Mapped[int] = mapped_column(Integer)
    sets_working: Mapped[int] = mapped_column(SmallInteger)
    per_set: Mapped[str] = mapped_column(Text)  # JSON list of per-set counts
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(60))
