"""NIK rules (pure): check a NIK's shape, decode its parts, compare it with the record.

A NIK is ``PP KK CC DDMMYY SSSS``: the Kemendagri code of the kecamatan of first issue, the
birth date (day + 40 for women), and a serial. The year has two digits; the century is the
latest one that does not put the birth year after the reference year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Set
from typing import NamedTuple

FEMALE_DAY_OFFSET = 40

# The decoded birth part of a NIK: (birth date, jenis kelamin), or the rejection reason.
NikBirth = tuple[dt.date, str] | str


class NikParts(NamedTuple):
    """What a valid NIK encodes."""

    kode_kecamatan: str  # six digits, as in the NIK
    tanggal_lahir: dt.date
    jenis_kelamin: str  # 'L' or 'P'


class NikRejection(NamedTuple):
    """Why a NIK is not valid, in plain words."""

    reason: str


def century_year(two_digits: int, reference_year: int) -> int:
    """Return the four-digit year: 20yy unless that is after ``reference_year``, else 19yy."""
    year = 2000 + two_digits
    return year if year <= reference_year else year - 100


def decode_birth(ddmmyy: str, reference_year: int) -> NikBirth:
    """Return (birth date, jenis kelamin) encoded in a NIK's DDMMYY digits, or the reason not."""
    day, month, yy = int(ddmmyy[:2]), int(ddmmyy[2:4]), int(ddmmyy[4:])
    sex = "L"
    if day > FEMALE_DAY_OFFSET:
        day -= FEMALE_DAY_OFFSET
        sex = "P"
    if not 1 <= day <= 31:
        return f"birth day {ddmmyy[:2]} in the NIK is not 01-31 (men) or 41-71 (women)"
    if not 1 <= month <= 12:
        return f"birth month {ddmmyy[2:4]} in the NIK is not 01-12"
    year = century_year(yy, reference_year)
    try:
        return dt.date(year, month, day), sex
    except ValueError:
        return f"birth date {day:02d}-{month:02d}-{year} in the NIK is not a real date"


class NikRules:
    """Checks NIKs against the known kecamatan codes and a reference date, fast.

    A city has a few tens of thousands of distinct DDMMYY strings among a million NIKs, so the
    decoded births are cached; a check is then a handful of string operations.
    """

    def __init__(self, kecamatan_codes: Set[str], reference_date: dt.date) -> None:
        self.kecamatan_codes = kecamatan_codes
        self.reference_year = reference_date.year
        self._births: dict[str, NikBirth] = {}

    def birth_of(self, nik: str) -> NikBirth:
        """Return (birth date, jenis kelamin) of a stripped NIK, or why it is not valid."""
        if len(nik) != 16 or not (nik.isdigit() and nik.isascii()):
            if not nik:
                return "NIK is empty"
            return f"NIK must be 16 digits, got {nik!r}"
        if nik[:6] not in self.kecamatan_codes:
            return f"kecamatan code {nik[:6]} at the start of the NIK is not a known kecamatan"
        if nik[12:] == "0000":
            return "serial 0000 at the end of the NIK is not valid"
        ddmmyy = nik[6:12]
        birth = self._births.get(ddmmyy)
        if birth is None:
            birth = self._births[ddmmyy] = decode_birth(ddmmyy, self.reference_year)
        return birth

    def check(self, nik: str) -> NikParts | NikRejection:
        """Return the decoded parts of ``nik``, or why it is not valid."""
        nik = nik.strip()
        birth = self.birth_of(nik)
        if isinstance(birth, str):
            return NikRejection(birth)
        return NikParts(nik[:6], birth[0], birth[1])


def check_nik(
    nik: str, *, kecamatan_codes: Set[str], reference_date: dt.date
) -> NikParts | NikRejection:
    """Return the decoded parts of ``nik``, or why it is not valid (uncached; see NikRules)."""
    return NikRules(kecamatan_codes, reference_date).check(nik)


def nik_disagreement(parts: NikParts, tanggal_lahir: dt.date, jenis_kelamin: str) -> str | None:
    """Return a warning when the NIK's birth day, month, two-digit year or sex differ, else None.

    Only the two-digit year is compared: the NIK does not encode the century.
    """
    encoded = parts.tanggal_lahir
    problems = []
    if (
        encoded.day != tanggal_lahir.day
        or encoded.month != tanggal_lahir.month
        or encoded.year % 100 != tanggal_lahir.year % 100
    ):
        problems.append(
            f"NIK encodes birth date {encoded:%d-%m-%y}, tanggal_lahir is {tanggal_lahir:%d-%m-%Y}"
        )
    if parts.jenis_kelamin != jenis_kelamin:
        problems.append(
            f"NIK encodes jenis_kelamin {parts.jenis_kelamin}, record has {jenis_kelamin}"
        )
    return "; ".join(problems) if problems else None
