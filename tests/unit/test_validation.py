"""Row validation: every accepted form is normalised, every fault named by field and reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ektp.residents.columns import FIELDS
from ektp.residents.models import Resident
from ektp.residents.records import ResidentRecord
from ektp.residents.validation import MAX_LENGTHS, Rejection, RowValidator

REFERENCE = dt.date(2011, 10, 1)
GOOD = {
    "nik": "1671075205850003",
    "no_kk": "1671070101100001",
    "nama": "Siti Aminah",
    "jenis_kelamin": "P",
    "tempat_lahir": "Palembang",
    "tanggal_lahir": "1985-05-12",
    "status_kawin": "KAWIN",
    "agama": "Islam",
    "pekerjaan": "Wiraswasta",
    "alamat": "Jl. Merdeka No. 5",
    "rt": "001",
    "rw": "002",
    "kode_kelurahan": "16.71.07.1002",
}


@pytest.fixture
def validator() -> RowValidator:
    return RowValidator(
        kelurahan_codes={"16.71.07.1002", "16.71.01.1001"},
        kecamatan_codes=frozenset({"167107", "167101"}),
        reference_date=REFERENCE,
    )


def row(**changes: Any) -> tuple[Any, ...]:
    values = {**GOOD, **changes}
    return tuple(values[field] for field in FIELDS)


def valid(validator: RowValidator, **changes: Any) -> ResidentRecord:
    result = validator.validate(row(**changes))
    assert isinstance(result, ResidentRecord), result
    return result


def rejected(validator: RowValidator, **changes: Any) -> Rejection:
    result = validator.validate(row(**changes))
    assert isinstance(result, Rejection), result
    return result


def test_a_good_row_becomes_a_normalised_record(validator: RowValidator) -> None:
    assert validator.validate(row()) == ResidentRecord(
        nik="1671075205850003",
        no_kk="1671070101100001",
        nama="SITI AMINAH",
        jenis_kelamin="P",
        tempat_lahir="Palembang",
        tanggal_lahir=dt.date(1985, 5, 12),
        status_kawin="KAWIN",
        agama="ISLAM",
        pekerjaan="Wiraswasta",
        alamat="Jl. Merdeka No. 5",
        kode_kelurahan="16.71.07.1002",
        rw=2,
        rt=1,
        nik_warning=None,
    )


def test_the_name_is_upper_cased_with_single_spaces(validator: RowValidator) -> None:
    assert valid(validator, nama="  siti\t  aminah   binti ali ").nama == "SITI AMINAH BINTI ALI"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("L", "L"),
        ("P", "P"),
        ("p", "P"),
        (" l ", "L"),
        ("LAKI-LAKI", "L"),
        ("Laki-laki", "L"),
        ("PEREMPUAN", "P"),
        ("perempuan", "P"),
        ("1", "L"),
        ("2", "P"),
    ],
)
def test_jenis_kelamin_accepts_letters_words_and_siak_codes(
    validator: RowValidator, given: str, stored: str
) -> None:
    nik = "1671071205850003" if stored == "L" else GOOD["nik"]
    record = valid(validator, jenis_kelamin=given, nik=nik)
    assert record.jenis_kelamin == stored
    assert record.nik_warning is None


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("BELUM KAWIN", "BELUM KAWIN"),
        ("belum  kawin", "BELUM KAWIN"),
        ("Kawin", "KAWIN"),
        ("cerai hidup", "CERAI HIDUP"),
        ("CERAI MATI", "CERAI MATI"),
        ("1", "BELUM KAWIN"),
        ("2", "KAWIN"),
        ("3", "CERAI HIDUP"),
        ("4", "CERAI MATI"),
    ],
)
def test_status_kawin_accepts_the_four_texts_and_siak_codes(
    validator: RowValidator, given: str, stored: str
) -> None:
    assert valid(validator, status_kawin=given).status_kawin == stored


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("1", "ISLAM"),
        ("2", "KRISTEN"),
        ("3", "KATHOLIK"),
        ("4", "HINDU"),
        ("5", "BUDHA"),
        ("6", "KHONGHUCU"),
        ("7", "KEPERCAYAAN"),
        ("Kristen Protestan", "KRISTEN PROTESTAN"),
        ("", None),
        ("   ", None),
    ],
)
def test_agama_maps_siak_codes_and_keeps_text_upper_cased(
    validator: RowValidator, given: str, stored: str | None
) -> None:
    assert valid(validator, agama=given).agama == stored


@pytest.mark.parametrize(
    "given",
    ["1985-05-12", "12-05-1985", "12/05/1985", "12/5/1985", "1985-05-12 00:00:00", " 1985-05-12 "],
)
def test_tanggal_lahir_accepts_iso_and_day_first_forms(validator: RowValidator, given: str) -> None:
    assert valid(validator, tanggal_lahir=given).tanggal_lahir == dt.date(1985, 5, 12)


@pytest.mark.parametrize("cell", [dt.date(1985, 5, 12), dt.datetime(1985, 5, 12, 0, 0)])
def test_tanggal_lahir_accepts_real_date_cells(validator: RowValidator, cell: dt.date) -> None:
    assert valid(validator, tanggal_lahir=cell).tanggal_lahir == dt.date(1985, 5, 12)


def test_codes_are_dotted_and_rt_rw_are_numbers(validator: RowValidator) -> None:
    record = valid(validator, kode_kelurahan="1671071002", rt="7", rw=" 012 ")
    assert (record.kode_kelurahan, record.rw, record.rt) == ("16.71.07.1002", 12, 7)


def test_optional_text_is_trimmed_and_empty_becomes_none(validator: RowValidator) -> None:
    record = valid(validator, tempat_lahir="  ", pekerjaan=" PNS ", alamat="")
    assert (record.tempat_lahir, record.pekerjaan, record.alamat) == (None, "PNS", None)


def test_a_nik_disagreeing_with_the_record_is_stored_with_a_warning(
    validator: RowValidator,
) -> None:
    record = valid(validator, tanggal_lahir="13-05-1985", jenis_kelamin="L")
    assert record.nik_warning == (
        "NIK encodes birth date 12-05-85, tanggal_lahir is 13-05-1985; "
        "NIK encodes jenis_kelamin P, record has L"
    )


def test_a_birth_year_in_another_century_than_the_nik_suggests_is_no_warning(
    validator: RowValidator,
) -> None:
    # NIK year 05 reads as 2005 with reference 2011; a resident born 1905 is not in conflict.
    record = valid(validator, nik="1671071205050003", jenis_kelamin="L", tanggal_lahir="1905-05-12")
    assert record.nik_warning is None


REJECTIONS = [
    ({"nik": ""}, "nik", "NIK is empty"),
    ({"nik": "12345"}, "nik", "NIK must be 16 digits, got '12345'"),
    ({"nik": "9999995205850003"}, "nik", "kecamatan code 999999"),
    ({"nik": "1671073205850003"}, "nik", "birth day 32"),
    ({"nik": "1671071213850003"}, "nik", "birth month 13"),
    ({"nik": "1671073102850003"}, "nik", "birth date 31-02-1985 in the NIK is not a real date"),
    ({"nik": "1671075205850000"}, "nik", "serial 0000"),
    ({"no_kk": ""}, "no_kk", "No. KK is empty"),
    ({"no_kk": "16710701011000"}, "no_kk", "No. KK must be 16 digits, got '16710701011000'"),
    ({"no_kk": "167107010110000X"}, "no_kk", "No. KK must be 16 digits"),
    ({"nama": "   "}, "nama", "nama is empty"),
    ({"nama": "A" * 121}, "nama", "nama has 121 characters, at most 120 fit"),
    ({"jenis_kelamin": ""}, "jenis_kelamin", "jenis kelamin is empty"),
    ({"jenis_kelamin": "W"}, "jenis_kelamin", "jenis kelamin 'W' is not L, P"),
    ({"jenis_kelamin": "3"}, "jenis_kelamin", "jenis kelamin '3' is not"),
    ({"tempat_lahir": "X" * 81}, "tempat_lahir", "tempat_lahir has 81 characters, at most 80"),
    ({"tanggal_lahir": ""}, "tanggal_lahir", "tanggal lahir is empty"),
    ({"tanggal_lahir": "1985.05.12"}, "tanggal_lahir", "'1985.05.12' is not in the form"),
    ({"tanggal_lahir": "12 Mei 1985"}, "tanggal_lahir", "is not in the form"),
    ({"tanggal_lahir": "85-05-12"}, "tanggal_lahir", "is not in the form"),
    ({"tanggal_lahir": "1985/05/12"}, "tanggal_lahir", "is not in the form"),
    ({"tanggal_lahir": "31-02-1985"}, "tanggal_lahir", "'31-02-1985' is not a real date"),
    ({"tanggal_lahir": "2011-10-02"}, "tanggal_lahir", "tanggal lahir 2011-10-02 is in the future"),
    ({"status_kawin": ""}, "status_kawin", "status kawin is empty"),
    ({"status_kawin": "NIKAH"}, "status_kawin", "status kawin 'NIKAH' is not BELUM KAWIN"),
    ({"status_kawin": "5"}, "status_kawin", "status kawin '5' is not"),
    ({"agama": "8"}, "agama", "agama code '8' is not a SIAK code 1-7"),
    ({"agama": "A" * 41}, "agama", "agama has 41 characters, at most 40 fit"),
    ({"pekerjaan": "P" * 81}, "pekerjaan", "pekerjaan has 81 characters, at most 80 fit"),
    ({"alamat": "J" * 201}, "alamat", "alamat has 201 characters, at most 200 fit"),
    ({"rt": ""}, "rt", "RT is empty"),
    ({"rt": "0"}, "rt", "RT '0' is not a whole number from 1 to 999"),
    ({"rt": "1000"}, "rt", "RT '1000' is not a whole number"),
    ({"rt": "-1"}, "rt", "RT '-1' is not a whole number"),
    ({"rt": "1.5"}, "rt", "RT '1.5' is not a whole number"),
    ({"rw": ""}, "rw", "RW is empty"),
    ({"rw": "abc"}, "rw", "RW 'abc' is not a whole number"),
    ({"kode_kelurahan": ""}, "kode_kelurahan", "kode kelurahan is empty"),
    (
        {"kode_kelurahan": "16.71.99.9999"},
        "kode_kelurahan",
        "kelurahan '16.71.99.9999' is not a kelurahan loaded in the database",
    ),
    ({"kode_kelurahan": "1671999999"}, "kode_kelurahan", "is not a kelurahan loaded"),
]


@pytest.mark.parametrize(("changes", "field", "reason"), REJECTIONS)
def test_each_fault_is_rejected_naming_field_and_reason(
    validator: RowValidator, changes: dict[str, str], field: str, reason: str
) -> None:
    rejection = rejected(validator, **changes)
    assert rejection.field == field
    assert reason in rejection.reason


def test_a_row_with_several_faults_reports_the_first_in_column_order(
    validator: RowValidator,
) -> None:
    assert rejected(validator, nama="", rt="0", kode_kelurahan="").field == "nama"


def test_cached_answers_stay_right_for_repeated_values(validator: RowValidator) -> None:
    for _ in range(3):
        assert rejected(validator, tanggal_lahir="2030-01-01").field == "tanggal_lahir"
        assert valid(validator, rt="003").rt == 3
        assert rejected(validator, rt="0").field == "rt"


def test_maximum_lengths_match_the_residents_table() -> None:
    columns = Resident.__table__.columns
    assert {name: columns[name].type.length for name in MAX_LENGTHS} == MAX_LENGTHS
