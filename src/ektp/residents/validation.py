"""Turn one raw row into a normalised ResidentRecord, or into a rejection naming field and reason.

Pure, and lean: a city is 1.2 million rows and the import's budget for all of this is a few
microseconds a row. Values that repeat across rows (dates, codes, RT numbers) are parsed once
and cached, so the common row costs a handful of dictionary look-ups and string strips.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence, Set
from typing import Any, NamedTuple

from ektp.regions.wilayah import dotted
from ektp.residents.nik import NikParts, NikRules, nik_disagreement
from ektp.residents.records import ResidentRecord

RawValue = str | dt.date

# Column lengths of the residents table (residents/models.py); a test keeps them in step.
MAX_LENGTHS = {"nama": 120, "tempat_lahir": 80, "agama": 40, "pekerjaan": 80, "alamat": 200}
_MAX_NAMA, _MAX_TEMPAT = MAX_LENGTHS["nama"], MAX_LENGTHS["tempat_lahir"]
_MAX_PEKERJAAN, _MAX_ALAMAT = MAX_LENGTHS["pekerjaan"], MAX_LENGTHS["alamat"]
MAX_RT_RW = 999

JENIS_KELAMIN = {"L": "L", "P": "P", "LAKI-LAKI": "L", "PEREMPUAN": "P", "1": "L", "2": "P"}
STATUS_KAWIN = {
    "BELUM KAWIN": "BELUM KAWIN",
    "KAWIN": "KAWIN",
    "CERAI HIDUP": "CERAI HIDUP",
    "CERAI MATI": "CERAI MATI",
    "1": "BELUM KAWIN",
    "2": "KAWIN",
    "3": "CERAI HIDUP",
    "4": "CERAI MATI",
}
AGAMA_CODES = {
    "1": "ISLAM",
    "2": "KRISTEN",
    "3": "KATHOLIK",
    "4": "HINDU",
    "5": "BUDHA",
    "6": "KHONGHUCU",
    "7": "KEPERCAYAAN",
}
_UNSEEN: Any = object()
_new_tuple = tuple.__new__
DATE_FORMS = "YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY"
SEX_FORMS = "L, P, LAKI-LAKI, PEREMPUAN, 1 or 2"
STATUS_FORMS = "BELUM KAWIN, KAWIN, CERAI HIDUP, CERAI MATI or 1-4"


class Rejection(NamedTuple):
    """Why a row is not stored: the field at fault and the reason in plain words."""

    field: str
    reason: str


def parse_date(value: RawValue) -> dt.date | str:
    """Return the date in ``value`` (YYYY-MM-DD, DD-MM-YYYY, DD/MM/YYYY or a date), or why not.

    A time of day after an ISO date (``1985-05-12 00:00:00``, as database exports write) is
    ignored; day and month may have one digit, as spreadsheets often write them.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return "tanggal lahir is empty"
    if len(text) > 10 and text[4] == "-" and text[10] in " T":
        text = text[:10]
    separator = "/" if "/" in text else "-"
    parts = text.split(separator)
    if len(parts) != 3 or not all(part.isdigit() and part.isascii() for part in parts):
        return f"tanggal lahir {value!r} is not in the form {DATE_FORMS}"
    if len(parts[0]) == 4 and separator == "-" and len(parts[1]) <= 2 and len(parts[2]) <= 2:
        year, month, day = parts
    elif len(parts[2]) == 4 and len(parts[0]) <= 2 and len(parts[1]) <= 2:
        day, month, year = parts
    else:
        return f"tanggal lahir {value!r} is not in the form {DATE_FORMS}"
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return f"tanggal lahir {value!r} is not a real date"


def parse_rt_rw(value: str, name: str) -> int | str:
    """Return the RT or RW number in ``value`` (leading zeros allowed), or why not."""
    text = value.strip()
    if not text:
        return f"{name} is empty"
    if text.isdigit() and text.isascii() and 1 <= int(text) <= MAX_RT_RW:
        return int(text)
    return f"{name} {value!r} is not a whole number from 1 to {MAX_RT_RW}"


def _words(value: str) -> str:
    """Return ``value`` upper-cased with single spaces."""
    return " ".join(value.upper().split())


def _too_long(field: str, text: str) -> Rejection:
    return Rejection(field, f"{field} has {len(text)} characters, at most {MAX_LENGTHS[field]} fit")


class RowValidator:
    """Validates rows against the loaded kelurahan, the known kecamatan and a reference date."""

    def __init__(
        self,
        *,
        kelurahan_codes: Set[str],
        kecamatan_codes: Set[str],
        reference_date: dt.date,
    ) -> None:
        self.kelurahan_codes = kelurahan_codes
        self.reference_date = reference_date
        self.nik_rules = NikRules(kecamatan_codes, reference_date)
        self._nik_birth: Callable[[str], tuple[dt.date, str] | str] = self.nik_rules.birth_of
        self._dates: dict[RawValue, dt.date | str] = {}
        self._rts: dict[str, int | str] = {}
        self._rws: dict[str, int | str] = {}
        self._kelurahan: dict[str, str | Rejection] = {}
        self._agamas: dict[str, str | Rejection | None] = {}

    def validate(self, values: Sequence[Any]) -> ResidentRecord | Rejection:
        """Return the normalised record of one row, or why it is rejected.

        ``values`` come in columns.FIELDS order: text cells, and for tanggal_lahir possibly a
        real date from an XLSX cell. The first field at fault, in that order, is reported.
        """
        nik, no_kk, nama, sex, tempat, tanggal, status, agama, kerja, alamat, rt, rw, kel = values
        nik = nik.strip()
        birth = self._nik_birth(nik)
        if isinstance(birth, str):
            return Rejection("nik", birth)
        no_kk = no_kk.strip()
        if len(no_kk) != 16 or not (no_kk.isdigit() and no_kk.isascii()):
            return Rejection(
                "no_kk", f"No. KK must be 16 digits, got {no_kk!r}" if no_kk else "No. KK is empty"
            )
        nama = " ".join(nama.upper().split())
        if not nama or len(nama) > _MAX_NAMA:
            return _too_long("nama", nama) if nama else Rejection("nama", "nama is empty")
        jenis_kelamin = JENIS_KELAMIN.get(sex) or JENIS_KELAMIN.get(_words(sex))
        if jenis_kelamin is None:
            return Rejection("jenis_kelamin", _unknown("jenis kelamin", sex, SEX_FORMS))
        tempat = tempat.strip() or None
        if tempat and len(tempat) > _MAX_TEMPAT:
            return _too_long("tempat_lahir", tempat)
        born = self._dates.get(tanggal)
        if born is None:
            born = self._dates[tanggal] = self._birth_date(tanggal)
        if isinstance(born, str):
            return Rejection("tanggal_lahir", born)
        marital = STATUS_KAWIN.get(status) or STATUS_KAWIN.get(_words(status))
        if marital is None:
            return Rejection("status_kawin", _unknown("status kawin", status, STATUS_FORMS))
        religion = self._agamas.get(agama, _UNSEEN)
        if religion is _UNSEEN:
            religion = self._agamas[agama] = self._agama(agama)
        if isinstance(religion, Rejection):
            return religion
        kerja = kerja.strip() or None
        if kerja and len(kerja) > _MAX_PEKERJAAN:
            return _too_long("pekerjaan", kerja)
        alamat = alamat.strip() or None
        if alamat and len(alamat) > _MAX_ALAMAT:
            return _too_long("alamat", alamat)
        rt_number = self._rts.get(rt)
        if rt_number is None:
            rt_number = self._rts[rt] = parse_rt_rw(rt, "RT")
        if isinstance(rt_number, str):
            return Rejection("rt", rt_number)
        rw_number = self._rws.get(rw)
        if rw_number is None:
            rw_number = self._rws[rw] = parse_rt_rw(rw, "RW")
        if isinstance(rw_number, str):
            return Rejection("rw", rw_number)
        kode = self._kelurahan.get(kel)
        if kode is None:
            kode = self._kelurahan[kel] = self._kode_kelurahan(kel)
        if isinstance(kode, Rejection):
            return kode
        warning = None
        if birth[0] != born or birth[1] != jenis_kelamin:
            warning = nik_disagreement(NikParts(nik[:6], *birth), born, jenis_kelamin)
        # tuple.__new__ skips the NamedTuple's Python-level __new__: half the cost, same tuple.
        record: ResidentRecord = _new_tuple(ResidentRecord, (
            nik, no_kk, nama, jenis_kelamin, tempat, born, marital, religion, kerja, alamat,
            kode, rw_number, rt_number, warning,
        ))  # fmt: skip
        return record

    def _birth_date(self, value: RawValue) -> dt.date | str:
        born = parse_date(value)
        if isinstance(born, dt.date) and born > self.reference_date:
            return f"tanggal lahir {born.isoformat()} is in the future"
        return born

    def _agama(self, value: str) -> str | Rejection | None:
        text = value.strip()
        if not text:
            return None
        known = AGAMA_CODES.get(text)
        if known is not None:
            return known
        if text.isdigit():
            return Rejection("agama", f"agama code {text!r} is not a SIAK code 1-7")
        text = _words(text)
        if len(text) > MAX_LENGTHS["agama"]:
            return _too_long("agama", text)
        return text

    def _kode_kelurahan(self, value: str) -> str | Rejection:
        text = value.strip()
        if not text:
            return Rejection("kode_kelurahan", "kode kelurahan is empty")
        kode = dotted(text)
        if kode not in self.kelurahan_codes:
            return Rejection(
                "kode_kelurahan", f"kelurahan {text!r} is not a kelurahan loaded in the database"
            )
        return kode


def _unknown(name: str, value: RawValue, accepted: str) -> str:
    text = str(value).strip()
    return f"{name} is empty" if not text else f"{name} {text!r} is not {accepted}"
