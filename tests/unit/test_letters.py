"""Call-up letters without a database: masking, Indonesian dates, the QR code, the HTML, the
delivery list, and the PDF that WeasyPrint makes of them.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import segno
from pypdf import PdfReader

from ektp.scheduling import letters
from ektp.scheduling.letters import Letter, LetterBatch, SessionTime

NIK = "1671074505800012"


def make_letter(
    invitation_id: int,
    nama: str,
    *,
    rw: int = 1,
    rt: int = 1,
    nik: str = NIK,
    code: str = "K7P2QX",
) -> Letter:
    """Return a letter for an evening turn on Monday 3 October 2011 at the Sukarami office."""
    return Letter(
        invitation_id=invitation_id,
        nama=nama,
        nik=nik,
        no_kk="1671070101110001",
        alamat="JL. MERDEKA NO. 5",
        rw=rw,
        rt=rt,
        tanggal=dt.date(2011, 10, 3),
        session="malam",
        start=dt.time(16),
        end=dt.time(20),
        site_name="Kantor Camat Sukarami",
        site_address="Jl. Kol. H. Burlian Km. 7, Palembang",
        attendance_code=code,
    )


def make_batch(*letter_list: Letter, kode: str = "16.71.07.1002") -> LetterBatch:
    """Return the letters as a batch of Talang Betutu, printed on 1 October 2011."""
    return LetterBatch(
        kode_kelurahan=kode,
        kota="KOTA PALEMBANG",
        kecamatan="Sukarami",
        kelurahan="Talang Betutu",
        printed_on=dt.date(2011, 10, 1),
        evening=SessionTime("malam", dt.time(16), dt.time(20)),
        letters=letter_list,
    )


def test_masked_nik_shows_only_the_first_four_and_last_four_digits() -> None:
    assert letters.mask_nik("1671074505800012") == "1671xxxxxxxx0012"


def test_a_value_too_short_to_be_a_nik_is_masked_entirely() -> None:
    assert letters.mask_nik("12345678") == "xxxxxxxx"


@pytest.mark.parametrize(
    ("day", "written"),
    [
        (dt.date(2011, 10, 3), "Senin, 3 Oktober 2011"),
        (dt.date(2011, 10, 4), "Selasa, 4 Oktober 2011"),
        (dt.date(2011, 11, 16), "Rabu, 16 November 2011"),
        (dt.date(2011, 12, 29), "Kamis, 29 Desember 2011"),
        (dt.date(2012, 1, 6), "Jumat, 6 Januari 2012"),
        (dt.date(2012, 2, 4), "Sabtu, 4 Februari 2012"),
        (dt.date(2011, 8, 21), "Minggu, 21 Agustus 2011"),
    ],
)
def test_dates_are_written_with_indonesian_day_and_month_names(day: dt.date, written: str) -> None:
    assert letters.format_tanggal(day) == written


def test_session_times_use_a_dot_an_en_dash_and_the_time_zone() -> None:
    assert letters.format_waktu(dt.time(16), dt.time(20)) == "16.00–20.00 WIB"
    assert letters.format_waktu(dt.time(8, 30), dt.time(12), "WITA") == "08.30–12.00 WITA"


@pytest.mark.parametrize(
    ("kode", "zone"),
    [
        ("16.71.07.1002", "WIB"),
        ("3273", "WIB"),
        ("51.71", "WITA"),
        ("73.71.01", "WITA"),
        ("91.71", "WIT"),
        ("81.71.01.1001", "WIT"),
    ],
)
def test_the_time_zone_follows_the_provinsi(kode: str, zone: str) -> None:
    assert letters.time_zone_of(kode) == zone


def test_the_letter_date_is_the_local_date_of_the_kelurahan() -> None:
    late_evening_utc = dt.datetime(2011, 10, 2, 18, 30, tzinfo=dt.UTC)
    assert letters.local_date("16.71.07.1002", late_evening_utc) == dt.date(2011, 10, 3)
    assert letters.local_date("16.71.07.1002", late_evening_utc.replace(hour=16)) == dt.date(
        2011, 10, 2
    )


def test_the_qr_payload_holds_only_the_invitation_id_and_attendance_code() -> None:
    assert letters.qr_payload(123456, "K7P2QX") == "EKTP:123456:K7P2QX"


def test_the_qr_code_is_a_full_size_qr_svg_of_exactly_the_payload() -> None:
    svg = letters.qr_svg("EKTP:123456:K7P2QX")
    expected = segno.make_qr("EKTP:123456:K7P2QX", error="m")
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert svg == expected.svg_inline(scale=1, border=2, omitsize=True)
    # Micro QR codes (at most 17 modules) are unreadable for most scanners; 21 + 2 * 2 border.
    size = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    assert size is not None and int(size.group(1)) >= 25
    assert svg != letters.qr_svg("EKTP:123457:K7P2QX")


def test_the_letter_says_who_when_where_and_what_to_bring() -> None:
    html = letters.letters_html(make_batch(make_letter(42, "SITI AMINAH", rw=3, rt=5)))
    for expected in (
        "PEMERINTAH KOTA PALEMBANG",
        "KECAMATAN SUKARAMI",
        "SITI AMINAH",
        "1671xxxxxxxx0012",
        "JL. MERDEKA NO. 5, RT 005 / RW 003, Kelurahan Talang Betutu",
        "Senin, 3 Oktober 2011",
        "16.00–20.00 WIB",
        "Kantor Camat Sukarami",
        "Jl. Kol. H. Burlian Km. 7, Palembang",
        "K7P2QX",
        "surat panggilan ini",
        "Kartu Keluarga (KK) asli atau fotokopinya",
        "KTP lama, bila ada",
        "dibuka sampai pukul 20.00 WIB",
        "Palembang, 1 Oktober 2011",
    ):
        assert expected in html, expected
    assert NIK not in html
    assert letters.qr_svg(letters.qr_payload(42, "K7P2QX")) in html


def test_names_are_escaped_in_the_html() -> None:
    html = letters.letters_html(make_batch(make_letter(1, "A & B <SCRIPT>")))
    assert "A &amp; B &lt;SCRIPT&gt;" in html
    assert "<SCRIPT>" not in html


def test_two_letters_share_a_sheet_and_each_rt_starts_a_fresh_one() -> None:
    rt1 = [make_letter(n, f"WARGA {n}", rt=1) for n in range(3)]
    rt2 = [make_letter(10 + n, f"WARGA {10 + n}", rt=2) for n in range(2)]
    assert letters.sheet_count([*rt1, *rt2]) == 3
    html = letters.letters_html(make_batch(*rt1, *rt2))
    assert html.count('<section class="sheet">') == 3
    assert html.count('<article class="letter"') == 5


def test_parts_of_the_pdf_hold_whole_rts() -> None:
    batch = make_batch(
        *[make_letter(n, f"A{n}", rt=1) for n in range(3)],
        *[make_letter(10 + n, f"B{n}", rt=2) for n in range(3)],
        *[make_letter(20 + n, f"C{n}", rt=3) for n in range(5)],
    )
    chunks = letters.letter_chunks(batch, 4)
    assert [[letter.rt for letter in chunk] for chunk in chunks] == [[1] * 3, [2] * 3, [3] * 5]
    assert [len(chunk) for chunk in letters.letter_chunks(batch, 6)] == [6, 5]


def test_the_delivery_list_csv_numbers_letters_within_each_rt_with_an_empty_signature() -> None:
    batch = make_batch(
        make_letter(1, "SITI AMINAH", rt=1),
        make_letter(2, "BUDI SANTOSO", rt=1),
        make_letter(3, "JOKO WIDODO", rt=2),
    )
    rows = list(csv.DictReader(io.StringIO(letters.delivery_list_csv(batch))))
    assert list(rows[0]) == list(letters.DELIVERY_CSV_COLUMNS)
    assert [(row["rt"], row["no"], row["nama"]) for row in rows] == [
        ("1", "1", "SITI AMINAH"),
        ("1", "2", "BUDI SANTOSO"),
        ("2", "1", "JOKO WIDODO"),
    ]
    assert {row["nik"] for row in rows} == {"1671xxxxxxxx0012"}
    assert {(row["tanggal"], row["sesi"], row["waktu"]) for row in rows} == {
        ("2011-10-03", "malam", "16.00–20.00 WIB")
    }
    assert {row["tanda_tangan_penerima"] for row in rows} == {""}


def test_the_delivery_list_html_has_one_table_per_rt_with_a_signature_column() -> None:
    batch = make_batch(make_letter(1, "SITI AMINAH", rt=1), make_letter(3, "JOKO WIDODO", rt=2))
    html = letters.delivery_list_html(batch)
    assert html.count('<table class="daftar">') == 2
    assert html.count("Tanda tangan penerima") == 2
    assert "RW 001 · RT 002 · 1 surat" in html
    assert NIK not in html and "1671xxxxxxxx0012" in html


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_letters_pdf_is_a4_with_two_letters_a_page() -> None:
    batch = make_batch(*[make_letter(n, f"WARGA NOMOR {n}", code=f"KODE{n:02d}") for n in range(3)])
    pdf = letters.letters_pdf(batch)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2
    width, height = (float(value) for value in reader.pages[0].mediabox.upper_right)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    first, second = _pages(pdf)
    assert "WARGA NOMOR 0" in first and "WARGA NOMOR 1" in first and "KODE01" in first
    assert "WARGA NOMOR 2" in second and "KODE02" in second
    assert "SURAT PANGGILAN PEREKAMAN" in first


def test_a_pdf_laid_out_in_parts_keeps_every_page_in_order() -> None:
    batch = make_batch(
        *[make_letter(rt * 10 + n, f"RT{rt} WARGA{n}", rt=rt) for rt in (1, 2, 3) for n in range(2)]
    )
    pages = _pages(letters.letters_pdf(batch, letters_per_part=2))
    assert len(pages) == 3
    assert "RT1 WARGA0" in pages[0] and "RT1 WARGA1" in pages[0]
    assert "RT2 WARGA1" in pages[1] and "RT3 WARGA0" in pages[2]


def test_parts_laid_out_in_worker_processes_join_in_order() -> None:
    batch = make_batch(*[make_letter(rt, f"KETUA RT {rt}", rt=rt) for rt in (1, 2, 3)])
    done: list[int] = []
    pages = _pages(letters.letters_pdf(batch, letters_per_part=1, workers=2, progress=done.append))
    assert len(pages) == 3
    for rt, page in zip((1, 2, 3), pages, strict=True):
        assert f"KETUA RT {rt}" in page
    assert done == [1, 1, 1]


def test_the_delivery_list_pdf_starts_each_rt_on_a_new_page() -> None:
    batch = make_batch(make_letter(1, "SITI AMINAH", rt=1), make_letter(3, "JOKO WIDODO", rt=2))
    pages = _pages(letters.delivery_list_pdf(batch))
    assert len(pages) == 2
    assert "SITI AMINAH" in pages[0] and "JOKO WIDODO" not in pages[0]
    assert "Tanda tangan penerima" in pages[1] and "JOKO WIDODO" in pages[1]


def test_the_place_before_the_date_is_the_city_name() -> None:
    assert letters.city_place_name("KOTA PALEMBANG") == "Palembang"
    assert letters.city_place_name("KABUPATEN OGAN ILIR") == "Ogan Ilir"
