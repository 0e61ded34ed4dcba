"""NIK rules: shape, kecamatan, encoded birth date and sex, century, serial, disagreement."""

from __future__ import annotations

import datetime as dt

import pytest

from ektp.regions.wilayah import known_kecamatan_codes
from ektp.residents.nik import (
    NikParts,
    NikRejection,
    NikRules,
    century_year,
    check_nik,
    nik_disagreement,
)

KECAMATAN = frozenset({"167107", "167101"})
REFERENCE = dt.date(2011, 10, 1)


def check(nik: str, reference: dt.date = REFERENCE) -> NikParts | NikRejection:
    return check_nik(nik, kecamatan_codes=KECAMATAN, reference_date=reference)


def reason(nik: str) -> str:
    result = check(nik)
    assert isinstance(result, NikRejection), result
    return result.reason


def test_a_male_nik_decodes_to_kecamatan_birth_date_and_sex() -> None:
    assert check("1671071205850003") == NikParts("167107", dt.date(1985, 5, 12), "L")


def test_female_nik_day_is_offset_by_40() -> None:
    assert check("1671075205850003") == NikParts("167107", dt.date(1985, 5, 12), "P")


def test_female_days_41_and_71_are_the_first_and_thirty_first() -> None:
    assert check("1671074101900001") == NikParts("167107", dt.date(1990, 1, 1), "P")
    assert check("1671077101900001") == NikParts("167107", dt.date(1990, 1, 31), "P")


def test_surrounding_spaces_are_ignored() -> None:
    assert isinstance(check(" 1671071205850003 "), NikParts)


@pytest.mark.parametrize(
    "nik",
    [
        "167107120585000",
        "16710712058500031",
        "16710712058500A3",
        "1671 07120585000",
        "１６７１０７１２０５８５０００３",
    ],
)
def test_a_nik_that_is_not_16_ascii_digits_is_rejected(nik: str) -> None:
    assert reason(nik).startswith("NIK must be 16 digits")


def test_an_empty_nik_is_rejected_as_empty() -> None:
    assert reason("") == "NIK is empty"


def test_an_unknown_kecamatan_code_is_rejected_naming_the_code() -> None:
    assert "999999" in reason("9999991205850003")
    assert "kecamatan" in reason("9999991205850003")


def test_a_kecamatan_code_of_only_an_older_edition_stays_valid() -> None:
    # 91.01.01 exists in the 2016 edition only (Papua was renumbered by 2025).
    result = check_nik(
        "9101011205850003", kecamatan_codes=known_kecamatan_codes(), reference_date=REFERENCE
    )
    assert isinstance(result, NikParts)


def test_a_kecamatan_code_of_only_the_newer_edition_is_valid_too() -> None:
    result = check_nik(
        "1671171205850003", kecamatan_codes=known_kecamatan_codes(), reference_date=REFERENCE
    )
    assert isinstance(result, NikParts)


@pytest.mark.parametrize("day", ["00", "32", "40", "72", "99"])
def test_a_birth_day_outside_01_31_and_41_71_is_rejected(day: str) -> None:
    text = reason(f"167107{day}0585" + "0003")
    assert f"birth day {day}" in text


@pytest.mark.parametrize("month", ["00", "13", "99"])
def test_a_birth_month_outside_01_12_is_rejected(month: str) -> None:
    assert f"birth month {month}" in reason(f"16710712{month}85" + "0003")


@pytest.mark.parametrize("ddmmyy", ["310485", "300285", "710285", "290201"])
def test_a_birth_date_that_is_not_on_the_calendar_is_rejected(ddmmyy: str) -> None:
    assert "not a real date" in reason(f"167107{ddmmyy}0003")


def test_29_february_is_accepted_in_a_leap_year() -> None:
    assert check("1671072902000003") == NikParts("167107", dt.date(2000, 2, 29), "L")


def test_a_serial_of_0000_is_rejected() -> None:
    assert "serial 0000" in reason("1671071205850000")


@pytest.mark.parametrize(("yy", "year"), [(5, 2005), (11, 2011), (12, 1912), (0, 2000), (99, 1999)])
def test_the_century_is_the_latest_not_after_the_reference_year(yy: int, year: int) -> None:
    assert century_year(yy, 2011) == year


def test_the_century_rule_applies_to_decoded_dates() -> None:
    assert check("1671071205050003") == NikParts("167107", dt.date(2005, 5, 12), "L")
    assert check("1671071205120003") == NikParts("167107", dt.date(1912, 5, 12), "L")
    later = check("1671071205120003", reference=dt.date(2025, 1, 1))
    assert later == NikParts("167107", dt.date(2012, 5, 12), "L")


def test_rules_give_the_same_answer_from_their_cache() -> None:
    rules = NikRules(KECAMATAN, REFERENCE)
    first = rules.check("1671075205850003")
    again = rules.check("1671015205850004")
    assert first == NikParts("167107", dt.date(1985, 5, 12), "P")
    assert again == NikParts("167101", dt.date(1985, 5, 12), "P")
    assert rules.check("1671073102850003") == NikRejection(
        "birth date 31-02-1985 in the NIK is not a real date"
    )


def test_a_nik_agreeing_with_the_record_gives_no_warning() -> None:
    parts = NikParts("167107", dt.date(1985, 5, 12), "P")
    assert nik_disagreement(parts, dt.date(1985, 5, 12), "P") is None


def test_only_the_two_digit_year_is_compared_because_the_nik_has_no_century() -> None:
    parts = NikParts("167107", dt.date(2005, 5, 12), "L")
    assert nik_disagreement(parts, dt.date(1905, 5, 12), "L") is None


def test_a_different_birth_date_gives_a_warning_with_both_dates() -> None:
    parts = NikParts("167107", dt.date(1985, 5, 12), "L")
    warning = nik_disagreement(parts, dt.date(1985, 5, 13), "L")
    assert warning == "NIK encodes birth date 12-05-85, tanggal_lahir is 13-05-1985"


def test_a_different_sex_gives_a_warning() -> None:
    parts = NikParts("167107", dt.date(1985, 5, 12), "P")
    warning = nik_disagreement(parts, dt.date(1985, 5, 12), "L")
    assert warning == "NIK encodes jenis_kelamin P, record has L"


def test_both_differences_are_named_in_one_warning() -> None:
    parts = NikParts("167107", dt.date(1985, 5, 12), "P")
    warning = nik_disagreement(parts, dt.date(1986, 5, 12), "L")
    assert warning is not None
    assert "birth date" in warning and "jenis_kelamin" in warning
