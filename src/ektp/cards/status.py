"""What a resident is told about their card (pure): from the card's state and dates to one of
a few public stages, with the text in Bahasa Indonesia and English.

The answer names dates and places only: never the name, the address, the serial, nor an
internal side path (a card held for deduplication is simply "at the centre"). A wrong NIK, a
wrong birth date and a resident without a card all get the very same ``NO_CARD`` answer, so
that nobody learns from it which NIKs exist.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ektp.cards import lifecycle

# Indonesia has no daylight saving: Palembang is UTC+7 all year.
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")

TIDAK_ADA = "tidak_ada"
DIREKAM = "direkam"
DI_PUSAT = "di_pusat"
CETAK_ULANG = "cetak_ulang"
DALAM_PERJALANAN = "dalam_perjalanan"
SIAP_DIAMBIL = "siap_diambil"
DISERAHKAN = "diserahkan"
STAGES = (TIDAK_ADA, DIREKAM, DI_PUSAT, CETAK_ULANG, DALAM_PERJALANAN, SIAP_DIAMBIL, DISERAHKAN)

# Lifecycle state -> public stage.
_STAGE_OF: dict[str, str] = {
    lifecycle.DIREKAM: DIREKAM,
    lifecycle.DIKIRIM_PUSAT: DIREKAM,
    lifecycle.DITERIMA_PUSAT: DI_PUSAT,
    lifecycle.DUPLIKAT: DI_PUSAT,
    lifecycle.ANTRIAN_CETAK: DI_PUSAT,
    lifecycle.GAGAL_CETAK: DI_PUSAT,
    lifecycle.DICETAK: DI_PUSAT,
    lifecycle.RUSAK: CETAK_ULANG,
    lifecycle.HILANG: CETAK_ULANG,
    lifecycle.DIKIRIM_DAERAH: DALAM_PERJALANAN,
    lifecycle.DITERIMA_KOTA: DALAM_PERJALANAN,
    lifecycle.DIKIRIM_KECAMATAN: DALAM_PERJALANAN,
    lifecycle.DITERIMA_KECAMATAN: SIAP_DIAMBIL,
    lifecycle.DIKEMBALIKAN_KOTA: SIAP_DIAMBIL,
    lifecycle.DISERAHKAN: DISERAHKAN,
}

_MONTHS_ID = (
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
_MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# stage -> (Bahasa Indonesia, English); {date} and {place} are filled in.
_TEXTS: dict[str, tuple[str, str]] = {
    TIDAK_ADA: (
        "Tidak ada data kartu e-KTP untuk NIK dan tanggal lahir ini. Periksa kembali NIK dan "
        "tanggal lahir Anda; bila keduanya benar, Anda mungkin belum melakukan perekaman.",
        "There is no e-KTP card on record for this NIK and birth date. Check both; if they "
        "are right, you may not have been recorded yet.",
    ),
    DIREKAM: (
        "Data Anda direkam pada {date} di Kecamatan {place}. Kartu menunggu dikirim ke pusat "
        "untuk dicetak.",
        "You were recorded on {date} at Kecamatan {place}. The card is waiting to be sent to "
        "the centre for printing.",
    ),
    DI_PUSAT: (
        "Data Anda (direkam pada {date} di Kecamatan {place}) sedang diproses dan dicetak di "
        "pusat.",
        "Your record (made on {date} at Kecamatan {place}) is being processed and printed at "
        "the centre.",
    ),
    CETAK_ULANG: (
        "Kartu Anda sedang dicetak ulang di pusat (direkam pada {date} di Kecamatan {place}).",
        "Your card is being reprinted at the centre (recorded on {date} at Kecamatan {place}).",
    ),
    DALAM_PERJALANAN: (
        "Kartu Anda sudah dicetak dan sedang dalam perjalanan ke Kecamatan {place}.",
        "Your card has been printed and is on its way to Kecamatan {place}.",
    ),
    SIAP_DIAMBIL: (
        "Kartu Anda siap diambil di {place} sejak {date}. Bawa surat panggilan atau Kartu "
        "Keluarga.",
        "Your card is ready for pickup at {place} since {date}. Bring your call-up letter or "
        "family card.",
    ),
    DISERAHKAN: (
        "Kartu Anda sudah diserahkan pada {date}.",
        "Your card was handed over on {date}.",
    ),
}


@dataclass(frozen=True)
class CardFacts:
    """What the lookup read of one card: its state, dates and place names."""

    state: str
    recorded_on: dt.date
    kecamatan_name: str
    state_since: dt.datetime
    ready_at: dt.datetime | None = None
    handed_at: dt.datetime | None = None
    city_office_name: str = "Dinas Kependudukan dan Pencatatan Sipil"


@dataclass(frozen=True)
class PublicStatus:
    """The public answer: the stage, its texts, and the date and place they name.

    Every answer has these same fields; ``date`` and ``place`` are None for ``tidak_ada``.
    """

    stage: str
    text_id: str
    text_en: str
    date: dt.date | None
    place: str | None

    def as_json(self) -> dict[str, object]:
        """Return the answer as the public API sends it."""
        return {
            "stage": self.stage,
            "message": {"id": self.text_id, "en": self.text_en},
            "date": None if self.date is None else self.date.isoformat(),
            "place": self.place,
        }


def local_date(moment: dt.datetime) -> dt.date:
    """Return the date in Palembang of ``moment`` (a naive moment is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(WIB).date()


def long_date(day: dt.date, lang: str) -> str:
    """Return ``day`` written out: ``17 Agustus 2011`` (id) or ``17 August 2011`` (en)."""
    months = _MONTHS_EN if lang == "en" else _MONTHS_ID
    return f"{day.day} {months[day.month - 1]} {day.year}"


def stage_of(state: str) -> str:
    """Return the public stage of lifecycle ``state``; raise KeyError for an unknown one."""
    return _STAGE_OF[state]


def _answer(stage: str, date: dt.date | None, place: str | None) -> PublicStatus:
    text_id, text_en = _TEXTS[stage]
    fill_id = {"date": long_date(date, "id") if date else "", "place": place or ""}
    fill_en = {"date": long_date(date, "en") if date else "", "place": place or ""}
    return PublicStatus(
        stage=stage,
        text_id=text_id.format(**fill_id),
        text_en=text_en.format(**fill_en),
        date=date,
        place=place,
    )


NO_CARD = _answer(TIDAK_ADA, None, None)
"""The answer for a wrong NIK, a wrong birth date, or a resident without a card."""


def public_status(facts: CardFacts | None) -> PublicStatus:
    """Return what the resident is told about the card ``facts`` describe (NO_CARD for None)."""
    if facts is None:
        return NO_CARD
    stage = stage_of(facts.state)
    kecamatan = facts.kecamatan_name
    if stage == SIAP_DIAMBIL:
        if facts.state == lifecycle.DIKEMBALIKAN_KOTA:
            return _answer(stage, local_date(facts.state_since), facts.city_office_name)
        since = facts.ready_at or facts.state_since
        return _answer(stage, local_date(since), f"Kantor Kecamatan {kecamatan}")
    if stage == DISERAHKAN:
        return _answer(stage, local_date(facts.handed_at or facts.state_since), None)
    if stage == DALAM_PERJALANAN:
        return _answer(stage, None, kecamatan)
    return _answer(stage, facts.recorded_on, kecamatan)
