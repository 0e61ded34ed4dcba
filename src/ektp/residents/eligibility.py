"""Who is wajib KTP on a given date (pure): aged 17 or over, or married or ever married."""

from __future__ import annotations

import datetime as dt

WAJIB_KTP_AGE = 17
STATUS_KAWIN = ("BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI")
NEVER_MARRIED = "BELUM KAWIN"


def age_on(tanggal_lahir: dt.date, as_of: dt.date) -> int:
    """Return the age in whole years on ``as_of``; a 29 February birthday falls on 1 March."""
    before_birthday = (as_of.month, as_of.day) < (tanggal_lahir.month, tanggal_lahir.day)
    return as_of.year - tanggal_lahir.year - int(before_birthday)


def latest_birth_date_for_age(as_of: dt.date, age: int = WAJIB_KTP_AGE) -> dt.date:
    """Return the last birth date of someone at least ``age`` years old on ``as_of``.

    The SQL count queries compare ``tanggal_lahir <= this`` and must agree with ``age_on``:
    on 29 February of a leap year the same day does not exist ``age`` years earlier (when
    that year is not leap), and 28 February is the last birth date old enough.
    """
    try:
        return as_of.replace(year=as_of.year - age)
    except ValueError:
        return dt.date(as_of.year - age, 2, 28)


def ever_married(status_kawin: str) -> bool:
    """Return whether the marital status means married now or before."""
    return status_kawin != NEVER_MARRIED


def is_wajib_ktp(tanggal_lahir: dt.date, status_kawin: str, as_of: dt.date) -> bool:
    """Return whether a resident must hold a KTP on ``as_of``."""
    if tanggal_lahir > as_of:
        return False
    return ever_married(status_kawin) or age_on(tanggal_lahir, as_of) >= WAJIB_KTP_AGE
