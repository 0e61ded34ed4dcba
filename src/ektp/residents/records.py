"""The validated shape of one resident row, shared by import, generation and the writer."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

# Column order of ResidentRecord; the bulk writers send tuples in exactly this order.
RECORD_COLUMNS: tuple[str, ...] = (
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "status_kawin",
    "agama",
    "pekerjaan",
    "alamat",
    "kode_kelurahan",
    "rw",
    "rt",
    "nik_warning",
)


class ResidentRecord(NamedTuple):
    """One resident, already validated and normalised (upper-case names, dotted codes)."""

    nik: str
    no_kk: str
    nama: str
    jenis_kelamin: str
    tempat_lahir: str | None
    tanggal_lahir: dt.date
    status_kawin: str
    agama: str | None
    pekerjaan: str | None
    alamat: str | None
    kode_kelurahan: str
    rw: int
    rt: int
    nik_warning: str | None
