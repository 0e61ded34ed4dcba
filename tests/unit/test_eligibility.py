"""wajib KTP: 17 or over, or ever married; the date arithmetic agrees with the SQL cutoff."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ektp.residents.eligibility import (
    age_on,
    is_wajib_ktp,
    latest_birth_date_for_age,
)


def test_a_resident_becomes_wajib_ktp_on_the_seventeenth_birthday() -> None:
    born = dt.date(1994, 10, 3)
    assert not is_wajib_ktp(born, "BELUM KAWIN", dt.date(2011, 10, 2))
    assert is_wajib_ktp(born, "BELUM KAWIN", dt.date(2011, 10, 3))


def test_a_married_sixteen_year_old_is_wajib_ktp() -> None:
    assert is_wajib_ktp(dt.date(1995, 1, 1), "KAWIN", dt.date(2011, 10, 1))
    assert is_wajib_ktp(dt.date(1995, 1, 1), "CERAI HIDUP", dt.date(2011, 10, 1))


def test_someone_not_yet_born_is_never_wajib_ktp() -> None:
    assert not is_wajib_ktp(dt.date(2012, 1, 1), "KAWIN", dt.date(2011, 10, 1))


def test_a_leap_day_birthday_counts_from_the_first_of_march() -> None:
    born = dt.date(1992, 2, 29)
    assert age_on(born, dt.date(2009, 2, 28)) == 16
    assert age_on(born, dt.date(2009, 3, 1)) == 17


def test_the_cutoff_on_a_leap_day_is_the_twenty_eighth_of_february() -> None:
    assert latest_birth_date_for_age(dt.date(2012, 2, 29)) == dt.date(1995, 2, 28)


@given(
    born=st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)),
    as_of=st.dates(dt.date(1950, 1, 1), dt.date(2040, 12, 31)),
)
def test_the_cutoff_date_agrees_with_age_on_for_every_pair_of_dates(
    born: dt.date, as_of: dt.date
) -> None:
    assert (born <= latest_birth_date_for_age(as_of)) == (age_on(born, as_of) >= 17)
