"""Pydantic shapes of residents as search results and detail records."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict


class ResidentListItem(BaseModel):
    """One search hit: enough to tell residents apart, nothing more."""

    model_config = ConfigDict(from_attributes=True)

    nik: str
    nama: str
    jenis_kelamin: str
    tanggal_lahir: dt.date
    kode_kelurahan: str
    rw: int
    rt: int


class ResidentPage(BaseModel):
    """One page of search hits and the cursor of the next page (None on the last page)."""

    items: list[ResidentListItem]
    next_after: str | None


class ResidentDetail(ResidentListItem):
    """A resident's whole registry record."""

    no_kk: str
    tempat_lahir: str | None
    status_kawin: str
    agama: str | None
    pekerjaan: str | None
    alamat: str | None
    nik_warning: str | None
    updated_at: dt.datetime
