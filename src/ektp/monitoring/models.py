"""ORM models of monitoring: recorded, walk-ins, evening and turns per RT per closed day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ektp.storage.base import Base


class ProgressRtDay(Base):
    """One RT's figures at one site on one closed day, written once when the day closes.

    The dashboards sum these rows instead of counting recordings: a city's 200 days hold a
    few tens of thousands of rows where ``recordings`` holds a million.
    """

    __tablename__ = "progress_rt_days"
    __table_args__ = (
        UniqueConstraint(
            "site_code", "tanggal", "kode_kelurahan", "rw", "rt", name="uq_progress_rt_days"
        ),
        Index("ix_progress_rt_days_kecamatan_day", "kode_kecamatan", "tanggal"),
        Index("ix_progress_rt_days_kelurahan", "kode_kelurahan", "rw", "rt", "tanggal"),
        Index("ix_progress_rt_days_tanggal", "tanggal"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    site_code: Mapped[str] = mapped_column(String(40))
    tanggal: Mapped[dt.date] = mapped_column(Date)
    kode_kecamatan: Mapped[str] = mapped_column(String(8))
    kode_kelurahan: Mapped[str] = mapped_column(String(13))
    rw: Mapped[int] = mapped_column(SmallInteger)
    rt: Mapped[int] = mapped_column(SmallInteger)
    recorded: Mapped[int] = mapped_column(Integer)  # completed recordings
    failed: Mapped[int] = mapped_column(Integer)  # failed recordings
    walk_ins: Mapped[int] = mapped_column(Integer)  # completed, checked in without a turn
    evening: Mapped[int] = mapped_column(Integer)  # completed in an evening (malam) session
    invited: Mapped[int] = mapped_column(Integer)  # turns due that day: came or missed
    missed: Mapped[int] = mapped_column(Integer)  # turns due that day nobody came for
