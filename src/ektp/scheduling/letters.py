"""Call-up letters (undangan) and delivery lists (pure): letter data -> HTML -> PDF bytes.

Letters are printed two to an A4 sheet (half pages, cut along the dashed line), and each RT's
bundle starts on a fresh sheet so the kelurahan can hand every Ketua RT their own stack.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from typing import Any

import segno
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

HARI = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
BULAN = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
QR_PREFIX = "EKTP"
LETTERS_PER_SHEET = 2
LETTERS_PER_PART = 200
"""Letters laid out per WeasyPrint document (about 200 MB of memory) before joining PDFs."""

DELIVERY_CSV_COLUMNS = (
    "kode_kelurahan",
    "rw",
    "rt",
    "no",
    "nama",
    "nik",
    "tanggal",
    "sesi",
    "waktu",
    "tanda_tangan_penerima",
)

# Provinsi codes east of the WIB zone (Permendagri region codes, first two digits).
_WITA_PROVINSI = frozenset({"51", "52", "53", "63", "64", "65", "71", "72", "73", "74", "75", "76"})


@dataclass(frozen=True)
class SessionTime:
    """A named opening session of a day, e.g. ``malam`` 16:00-20:00."""

    name: str
    start: dt.time
    end: dt.time


@dataclass(frozen=True)
class Letter:
    """One resident's call-up: who, where they live, and their turn."""

    invitation_id: int
    nama: str
    nik: str
    no_kk: str
    alamat: str | None
    rw: int
    rt: int
    tanggal: dt.date
    session: str
    start: dt.time
    end: dt.time
    site_name: str
    site_address: str
    attendance_code: str


@dataclass(frozen=True)
class LetterBatch:
    """The letters of one kelurahan (or one RW or RT of it), ordered by RW, RT, No. KK, name."""

    kode_kelurahan: str
    kota: str
    kecamatan: str
    kelurahan: str
    printed_on: dt.date
    evening: SessionTime
    """The session that ends last: where residents who work or study by day can go."""
    letters: tuple[Letter, ...]

    @property
    def time_zone(self) -> str:
        """Return the Indonesian time zone of the kelurahan: WIB, WITA or WIT."""
        return time_zone_of(self.kode_kelurahan)

    def by_rt(self) -> Iterator[tuple[tuple[int, int], list[Letter]]]:
        """Yield ((rw, rt), letters) per RT, in the batch's order."""
        for key, letters in groupby(self.letters, key=lambda letter: (letter.rw, letter.rt)):
            yield key, list(letters)


def format_tanggal(day: dt.date) -> str:
    """Return a date as Indonesian letters write it: ``Senin, 3 Oktober 2011``."""
    return f"{HARI[day.weekday()]}, {format_tanggal_tanpa_hari(day)}"


def format_tanggal_tanpa_hari(day: dt.date) -> str:
    """Return a date without its weekday: ``3 Oktober 2011``."""
    return f"{day.day} {BULAN[day.month - 1]} {day.year}"


def format_jam(moment: dt.time) -> str:
    """Return a time of day the Indonesian way, with a dot: ``16.00``."""
    return f"{moment.hour:02d}.{moment.minute:02d}"


def format_waktu(start: dt.time, end: dt.time, zone: str = "WIB") -> str:
    """Return a session's time span: ``16.00–20.00 WIB``."""
    return f"{format_jam(start)}–{format_jam(end)} {zone}"


def time_zone_of(kode_wilayah: str) -> str:
    """Return WIB, WITA or WIT for a dotted or plain region code (by its provinsi)."""
    provinsi = kode_wilayah.replace(".", "")[:2]
    if provinsi in _WITA_PROVINSI:
        return "WITA"
    if provinsi.isdigit() and int(provinsi) >= 81:
        return "WIT"
    return "WIB"


def local_date(kode_wilayah: str, moment: dt.datetime) -> dt.date:
    """Return the calendar date at ``moment`` (an aware datetime) in the region's time zone."""
    hours = {"WIB": 7, "WITA": 8, "WIT": 9}[time_zone_of(kode_wilayah)]
    return moment.astimezone(dt.timezone(dt.timedelta(hours=hours))).date()


def mask_nik(nik: str) -> str:
    """Return a NIK with only its first 4 (provinsi, kota) and last 4 (serial) digits shown.

    The hidden middle holds the kecamatan and the birth date (and so the sex), which a letter
    left on a doorstep or a list passed round an RT should not give away.
    """
    if len(nik) <= 8:
        return "x" * len(nik)
    return nik[:4] + "x" * (len(nik) - 8) + nik[-4:]


def qr_payload(invitation_id: int, attendance_code: str) -> str:
    """Return what the QR code holds: only the invitation id and its attendance code."""
    return f"{QR_PREFIX}:{invitation_id}:{attendance_code}"


def qr_svg(payload: str) -> str:
    """Return an inline ``<svg>`` QR code of ``payload``, sized by the surrounding CSS."""
    # make_qr, not make: segno would pick a Micro QR for short data, which most phone
    # scanners and desk readers cannot read.
    code = segno.make_qr(payload, error="m")
    svg: str = code.svg_inline(scale=1, border=2, omitsize=True)
    return svg


def city_place_name(kota: str) -> str:
    """Return the place name written before a letter's date: ``KOTA PALEMBANG`` -> Palembang."""
    name = kota.strip()
    for prefix in ("KOTA ADM. ", "KOTA ", "KABUPATEN ", "KAB. "):
        if name.upper().startswith(prefix):
            name = name[len(prefix) :]
            break
    return name.title()


def _sheets(letters: Sequence[Letter]) -> list[list[Letter]]:
    """Return the letters two to a sheet, each RT starting on a fresh sheet."""
    sheets: list[list[Letter]] = []
    for _, rt_letters in groupby(letters, key=lambda letter: (letter.rw, letter.rt)):
        listed = list(rt_letters)
        sheets.extend(
            listed[index : index + LETTERS_PER_SHEET]
            for index in range(0, len(listed), LETTERS_PER_SHEET)
        )
    return sheets


def sheet_count(letters: Sequence[Letter]) -> int:
    """Return how many A4 pages the letters take (a letter whose name and address outgrow
    its half page pushes its neighbour to a page of its own, which this does not count).
    """
    return len(_sheets(letters))


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("ektp.scheduling", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["tanggal"] = format_tanggal
    environment.filters["tanggal_tanpa_hari"] = format_tanggal_tanpa_hari
    environment.filters["jam"] = format_jam
    environment.filters["nik"] = mask_nik
    return environment


def _common(batch: LetterBatch) -> dict[str, Any]:
    return {
        "batch": batch,
        "zone": batch.time_zone,
        "place": city_place_name(batch.kota),
        "waktu": lambda turn: format_waktu(turn.start, turn.end, batch.time_zone),
    }


def letters_html(batch: LetterBatch, letters: Sequence[Letter] | None = None) -> str:
    """Return the HTML of the batch's letters (or of ``letters``, a run of whole RTs of it)."""
    chosen = batch.letters if letters is None else letters
    sheets = [
        [
            (letter, qr_svg(qr_payload(letter.invitation_id, letter.attendance_code)))
            for letter in sheet
        ]
        for sheet in _sheets(chosen)
    ]
    return _environment().get_template("letters.html").render(sheets=sheets, **_common(batch))


def delivery_list_html(batch: LetterBatch) -> str:
    """Return the HTML of the delivery list: one table per RT with a signature column."""
    return (
        _environment()
        .get_template("delivery_list.html")
        .render(rts=list(batch.by_rt()), **_common(batch))
    )


def delivery_list_csv(batch: LetterBatch) -> str:
    """Return the delivery list as CSV text: one row per letter, numbered within its RT."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(DELIVERY_CSV_COLUMNS)
    zone = batch.time_zone
    for (rw, rt), letters in batch.by_rt():
        for number, letter in enumerate(letters, start=1):
            writer.writerow(
                (
                    batch.kode_kelurahan,
                    rw,
                    rt,
                    number,
                    letter.nama,
                    mask_nik(letter.nik),
                    letter.tanggal.isoformat(),
                    letter.session,
                    format_waktu(letter.start, letter.end, zone),
                    "",
                )
            )
    return buffer.getvalue()


def letter_chunks(batch: LetterBatch, size: int) -> list[list[Letter]]:
    """Return the batch's letters in runs of whole RTs, each about ``size`` letters at most
    (an RT larger than ``size`` makes a run of its own).
    """
    chunks: list[list[Letter]] = []
    chunk: list[Letter] = []
    for _, letters in batch.by_rt():
        if chunk and len(chunk) + len(letters) > size:
            chunks.append(chunk)
            chunk = []
        chunk.extend(letters)
    if chunk:
        chunks.append(chunk)
    return chunks


def html_to_pdf(html: str) -> bytes:
    """Return the PDF that WeasyPrint makes of one HTML document."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow import, no type hints

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf


def join_pdfs(parts: Sequence[bytes]) -> bytes:
    """Return one PDF holding the pages of ``parts`` in order."""
    if len(parts) == 1:
        return parts[0]
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(PdfReader(io.BytesIO(part)))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def letters_pdf(
    batch: LetterBatch,
    *,
    letters_per_part: int = LETTERS_PER_PART,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """Return the PDF of the batch's letters, two to an A4 page, each RT on fresh pages.

    WeasyPrint keeps about 1 MB of layout per letter until the PDF is written, so a
    kelurahan of several thousand letters is printed in parts of whole RTs whose PDFs are
    then joined; ``workers`` > 1 lays the parts out in that many processes. ``progress``
    is called with the number of letters of each finished part.
    """
    chunks = letter_chunks(batch, letters_per_part)
    documents = (letters_html(batch, chunk) for chunk in chunks)
    parts: list[bytes] = []
    if workers <= 1 or len(chunks) == 1:
        for chunk, html in zip(chunks, documents, strict=True):
            parts.append(html_to_pdf(html))
            if progress is not None:
                progress(len(chunk))
        return join_pdfs(parts)
    # spawn, not fork: the caller may be a threaded web server.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for chunk, part in zip(chunks, pool.map(html_to_pdf, documents), strict=True):
            parts.append(part)
            if progress is not None:
                progress(len(chunk))
    return join_pdfs(parts)


def delivery_list_pdf(batch: LetterBatch) -> bytes:
    """Return the PDF of the delivery list (A4, each RT's table on fresh pages)."""
    return html_to_pdf(delivery_list_html(batch))
