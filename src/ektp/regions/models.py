"""ORM models of the area hierarchy: Kemendagri regions and the RT units inside kelurahan."""

from __future__ import annotations

from sqlalchemy import ForeignKey, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ektp.storage.base import Base


class Region(Base):
    """A provinsi, kabupaten/kota, kecamatan or kelurahan/desa, by its dotted Kemendagri code."""

    __tablename__ = "regions"

    kode: Mapped[str] = mapped_column(String(13), primary_key=True)
    nama: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16))
    parent_kode: Mapped[str | None] = mapped_column(
        ForeignKey("regions.kode", ondelete="RESTRICT"), index=True
    )
    edition: Mapped[str] = mapped_column(String(4))


class RukunTetangga(Base):
    """An RT inside a kelurahan; RW and RT numbers are both counted within the kelurahan."""

    __tablename__ = "rukun_tetangga"
    __table_args__ = (UniqueConstraint("kode_kelurahan", "rw", "rt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kode_kelurahan: Mapped[str] = mapped_column(ForeignKey("regions.kode", ondelete="RESTRICT"))
    rw: Mapped[int] = mapped_column(SmallInteger)
    rt: Mapped[int] = mapped_column(SmallInteger)
