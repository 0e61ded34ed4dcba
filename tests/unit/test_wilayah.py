"""The shipped Kemendagri lists: code forms, levels, parents and Palembang in both editions."""

from __future__ import annotations

import pytest

from ektp.regions import wilayah


def _levels(rows: list[tuple[str, str]]) -> list[str]:
    return [wilayah.level_of(kode) for kode, _nama in rows]


@pytest.mark.parametrize(
    ("kode", "level"),
    [
        ("16", "provinsi"),
        ("16.71", "kabupaten_kota"),
        ("16.71.07", "kecamatan"),
        ("16.71.07.1001", "kelurahan"),
    ],
)
def test_the_level_of_a_code_follows_from_its_length(kode: str, level: str) -> None:
    assert wilayah.level_of(kode) == level


@pytest.mark.parametrize("kode", ["", "1", "16.7", "16.71.071", "1671071001"])
def test_a_code_of_no_kemendagri_length_has_no_level(kode: str) -> None:
    with pytest.raises(ValueError, match="not a Kemendagri region code"):
        wilayah.level_of(kode)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("16", "16"),
        ("1671", "16.71"),
        ("167107", "16.71.07"),
        ("1671071001", "16.71.07.1001"),
        ("16.71.07.1001", "16.71.07.1001"),
        (" 1671 ", "16.71"),
    ],
)
def test_plain_digits_are_cut_into_the_dotted_form(given: str, expected: str) -> None:
    assert wilayah.dotted(given) == expected


def test_the_parent_of_a_kelurahan_is_its_kecamatan_and_a_provinsi_has_none() -> None:
    assert wilayah.parent_of("16.71.07.1001") == "16.71.07"
    assert wilayah.parent_of("16.71.07") == "16.71"
    assert wilayah.parent_of("16.71") == "16"
    assert wilayah.parent_of("16") is None


def test_palembang_2016_has_16_kecamatan_and_107_kelurahan() -> None:
    rows = wilayah.city_rows("2016", "16.71")
    levels = _levels(rows)
    assert levels.count("provinsi") == 1
    assert levels.count("kabupaten_kota") == 1
    assert levels.count("kecamatan") == 16
    assert levels.count("kelurahan") == 107
    assert dict(rows)["16.71"].upper() == "KOTA PALEMBANG"


def test_palembang_2025_has_18_kecamatan() -> None:
    levels = _levels(wilayah.city_rows("2025", "1671"))
    assert levels.count("kecamatan") == 18
    assert levels.count("kelurahan") == 107


def test_city_rows_hold_only_the_city_and_its_provinsi_and_descendants() -> None:
    codes = [kode for kode, _nama in wilayah.city_rows("2016", "16.71")]
    outside = [c for c in codes if c not in ("16", "16.71") and not c.startswith("16.71.")]
    assert outside == []
    assert "16.72" not in codes


def test_an_unknown_edition_is_refused_with_the_shipped_editions_named() -> None:
    with pytest.raises(wilayah.UnknownEditionError, match="2016, 2025"):
        wilayah.edition_rows("1999")


def test_known_kecamatan_codes_include_both_editions() -> None:
    codes = wilayah.known_kecamatan_codes()
    assert "167101" in codes
    # Jakabaring was split off in 2022, so only the 2025 edition knows it.
    assert "167117" in codes
    assert "16.71.17" not in dict(wilayah.city_rows("2016", "16.71"))
    assert "16.71.17" in dict(wilayah.city_rows("2025", "16.71"))
