"""ORM models of a campaign, its audited RT order, plan runs and invitations."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ektp.storage.base import Base

LIVE_STATUSES = ("planned", "letter_printed", "delivered")
"""Invitation states that still hold a turn; a resident has at most one such invitation."""

_LIVE_SQL = "status IN ('planned', 'letter_printed', 'delivered')"
_LIVE_SQLITE = "status = 'planned' OR status = 'letter_printed' OR status = 'delivered'"
"""The same test spelled out: SQLite checks an IN list through a lookup table per row, which
tripled the time of building the index after a city's first plan (1.0 s against 0.4 s)."""


class Campaign(Base):
    """A recording campaign of one city, as declared in its TOML file."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(5))
    edition: Mapped[str] = mapped_column(String(4))
    start: Mapped[dt.date] = mapped_column(Date)
    deadline: Mapped[dt.date] = mapped_column(Date)
    seed: Mapped[int] = mapped_column(Integer)
    # The TOML as given, so the campaign can always be re-read and shown as declared.
    definition: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SetChangeEvent(Base):
    """Equipment sets added, broken, repaired or moved at a site from a date on."""

    __tablename__ = "set_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    site_code: Mapped[str] = mapped_column(String(40))
    tanggal: Mapped[dt.date] = mapped_column(Date)
    change: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str | None] = mapped_column(String(60))


class RtTurn(Base):
    """One RT's place in its site's random order ("acak sesuai per RT"), kept for audit."""

    __tablename__ = "rt_turns"
    __table_args__ = (UniqueConstraint("campaign_id", "kode_kelurahan", "rw", "rt"),)

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), primary_key=True)
    site_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kode_kelurahan: Mapped[str] = mapped_column(String(13))
    rw: Mapped[int] = mapped_column(SmallInteger)
    rt: Mapped[int] = mapped_column(SmallInteger)


class PlanRun(Base):
    """One run of the planner (plan, re-plan, re-invite) with its report as JSON."""

    __tablename__ = "plan_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    invited: Mapped[int] = mapped_column(Integer, default=0)
    moved: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(60))
    # Turns per site and day as the run left them (JSON, scheduling.day_loads): the Dinas
    # chart reads them instead of counting a city's invitations on every request.
    day_loads: Mapped[str | None] = mapped_column(Text)
    # The newest set change this run planned with: a re-plan re-plans the sites changed since.
    set_changes_seen: Mapped[int | None] = mapped_column(Integer)


class Invitation(Base):
    """A resident's turn (undangan): site, day, session, attendance code, state."""

    __tablename__ = "invitations"
    __table_args__ = (
        Index("ix_invitations_session", "campaign_id", "site_code", "tanggal", "session"),
        Index("ix_invitations_resident", "resident_id"),
        # The database, not just Python, guarantees one live invitation per resident.
        Index(
            "ux_invitations_live_resident",
            "resident_id",
            unique=True,
            sqlite_where=text(_LIVE_SQLITE),
            postgresql_where=text(_LIVE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    site_code: Mapped[str] = mapped_column(String(40))
    tanggal: Mapped[dt.date] = mapped_column(Date)
    session: Mapped[str] = mapped_column(String(16))
    attendance_code: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    misses: Mapped[int] = mapped_column(SmallInteger, default=0)
    plan_run_id: Mapped[int | None] = mapped_column(ForeignKey("plan_runs.id"))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class InvitationEvent(Base):
    """A change of an invitation's state after planning (printed, delivered, moved...)."""

    __tablename__ = "invitation_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    by: Mapped[str | None] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(String(200))


class FollowUp(Base):
    """A resident who missed too many turns: the kelurahan visits them."""

    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("campaign_id", "resident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"))
    misses: Mapped[int] = mapped_column(SmallInteger)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(String(200))
