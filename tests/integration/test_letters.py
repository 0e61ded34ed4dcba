"""Call-up letters from the database, on SQLite and PostgreSQL: which invitations, in what
order, with which site and session; marking them printed; the PDF they make.

The campaign and its invitations are inserted directly (not planned), so that each test
knows exactly which turn every resident holds.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pypdf import PdfReader
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ektp.regions.service import load_city
from ektp.residents.models import Resident
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime
from ektp.scheduling import letters
from ektp.scheduling.letters_service import (
    LettersError,
    latest_campaign,
    letters_of,
    mark_letters_printed,
    read_definition,
)
from ektp.scheduling.models import Campaign, Invitation, InvitationEvent

NOW = dt.datetime(2011, 10, 1, 8, tzinfo=dt.UTC)
TODAY = dt.date(2011, 10, 1)
TALANG_BETUTU = "16.71.07.1002"
ILIR_10 = "16.71.06.1001"
SUKARAMI_ADDRESS = "Jl. Kol. H. Burlian Km. 7, Palembang"
DEFINITION = f"""
[campaign]
name = "Uji surat panggilan"
city = "16.71"
edition = "2016"
start = 2011-10-03
deadline = 2011-12-31
seed = 7

[[campaign.sessions]]
name = "pagi"
start = "08:00"
end = "12:00"

[[campaign.sessions]]
name = "malam"
start = "16:00"
end = "20:00"
reserve_share = 0.2

[[sites]]
kecamatan = "16.71.07"
sets = 2
address = "{SUKARAMI_ADDRESS}"

[[sites]]
kecamatan = "16.71.06"
name = "Aula Kelurahan 10 Ilir"
sets = 3
"""


@dataclass(frozen=True)
class Turn:
    """A resident and the invitation the test gives them."""

    serial: int
    nama: str
    no_kk: int
    rw: int
    rt: int
    tanggal: dt.date
    session: str
    code: str
    status: str = "planned"
    kelurahan: str = TALANG_BETUTU


# Listed out of order on purpose: letters come by RW, RT, No. KK, then name.
TURNS = (
    Turn(1, "SITI AMINAH", 2, 1, 1, dt.date(2011, 10, 3), "pagi", "AAA111"),
    Turn(2, "BUDI SANTOSO", 1, 1, 1, dt.date(2011, 10, 3), "pagi", "BBB222"),
    Turn(3, "ANI SANTOSO", 1, 1, 1, dt.date(2011, 10, 3), "pagi", "CCC333"),
    Turn(4, "RUDI HARTONO", 3, 1, 2, dt.date(2011, 10, 4), "malam", "DDD444", "letter_printed"),
    Turn(5, "DEWI LESTARI", 4, 1, 2, dt.date(2011, 10, 4), "malam", "EEE555", "delivered"),
    Turn(6, "JOKO WIDODO", 5, 2, 1, dt.date(2011, 10, 5), "pagi", "FFF666"),
    Turn(7, "TONO BATAL", 6, 1, 1, dt.date(2011, 10, 3), "pagi", "GGG777", "cancelled"),
    Turn(8, "SITI AMALIA", 7, 1, 1, dt.date(2011, 10, 3), "malam", "HHH888", kelurahan=ILIR_10),
)
LIVE_IN_TALANG_BETUTU = ["ANI SANTOSO", "BUDI SANTOSO", "SITI AMINAH", "RUDI HARTONO"]
LIVE_IN_TALANG_BETUTU += ["DEWI LESTARI", "JOKO WIDODO"]
City = tuple[Runtime, dict[str, int]]


def nik_of(turn: Turn) -> str:
    """Return the NIK the test gives a resident (Sukarami, born 17 May 1980)."""
    return f"167107170580{turn.serial:04d}"


def _record(turn: Turn) -> ResidentRecord:
    return ResidentRecord(
        nik=nik_of(turn),
        no_kk=f"167107010111{turn.no_kk:04d}",
        nama=turn.nama,
        jenis_kelamin="L",
        tempat_lahir="PALEMBANG",
        tanggal_lahir=dt.date(1980, 5, 17),
        status_kawin="KAWIN",
        agama="ISLAM",
        pekerjaan=None,
        alamat=f"JL. MERDEKA NO. {turn.serial}",
        kode_kelurahan=turn.kelurahan,
        rw=turn.rw,
        rt=turn.rt,
        nik_warning=None,
    )


def seed_letters(session: Session, *, with_campaign: bool = True) -> dict[str, int]:
    """Load Palembang, the residents of ``TURNS`` and (by default) a campaign holding their
    invitations; return the invitation id of each resident by name.
    """
    load_city(session=session, city="16.71", edition="2016")
    write_batch(session=session, records=[_record(turn) for turn in TURNS], now=NOW)
    if not with_campaign:
        return {}
    campaign = Campaign(
        name="Uji surat panggilan",
        city="16.71",
        edition="2016",
        start=dt.date(2011, 10, 3),
        deadline=dt.date(2011, 12, 31),
        seed=7,
        definition=DEFINITION,
        created_at=NOW,
    )
    session.add(campaign)
    session.flush()
    resident_ids = dict(session.execute(select(Resident.nik, Resident.id)).all())
    session.execute(
        insert(Invitation),
        [
            {
                "campaign_id": campaign.id,
                "resident_id": resident_ids[nik_of(turn)],
                "site_code": turn.kelurahan[:8],
                "tanggal": turn.tanggal,
                "session": turn.session,
                "attendance_code": turn.code,
                "status": turn.status,
                "misses": 0,
                "plan_run_id": None,
                "updated_at": NOW,
            }
            for turn in TURNS
        ],
    )
    rows = session.execute(
        select(Resident.nama, Invitation.id).join(Resident, Resident.id == Invitation.resident_id)
    )
    return dict(rows.all())


@pytest.fixture
def city(runtime: Runtime) -> Iterator[City]:
    """Yield the runtime and the invitation ids of the seeded residents."""
    with runtime.transaction() as session:
        ids = seed_letters(session)
    yield runtime, ids


def _statuses(session: Session) -> dict[int, str]:
    return dict(session.execute(select(Invitation.id, Invitation.status)).all())


def test_letters_of_a_kelurahan_are_its_live_invitations_by_rw_rt_kk_and_name(city: City) -> None:
    runtime, _ = city
    with runtime.transaction() as session:
        batch = letters_of(session=session, kode_kelurahan="1671071002", printed_on=TODAY)
    assert [letter.nama for letter in batch.letters] == LIVE_IN_TALANG_BETUTU
    assert (batch.kota, batch.kecamatan, batch.kelurahan) == (
        "KOTA PALEMBANG",
        "Sukarami",
        "Talang Betutu",
    )
    assert batch.kode_kelurahan == TALANG_BETUTU


def test_a_letter_carries_the_site_address_and_session_times_of_the_campaign(city: City) -> None:
    runtime, ids = city
    with runtime.transaction() as session:
        batch = letters_of(session=session, kode_kelurahan=TALANG_BETUTU, printed_on=TODAY)
    rudi = next(letter for letter in batch.letters if letter.nama == "RUDI HARTONO")
    assert rudi.invitation_id == ids["RUDI HARTONO"]
    assert (rudi.site_name, rudi.site_address) == ("Kantor Camat Sukarami", SUKARAMI_ADDRESS)
    assert (rudi.session, rudi.start, rudi.end) == ("malam", dt.time(16), dt.time(20))
    assert (rudi.tanggal, rudi.attendance_code, rudi.rw, rudi.rt) == (
        dt.date(2011, 10, 4),
        "DDD444",
        1,
        2,
    )
    assert rudi.alamat == "JL. MERDEKA NO. 4"
    assert batch.evening == letters.SessionTime("malam", dt.time(16), dt.time(20))


def test_a_named_site_without_address_is_found_at_its_name(city: City) -> None:
    runtime, _ = city
    with runtime.transaction() as session:
        batch = letters_of(session=session, kode_kelurahan=ILIR_10, printed_on=TODAY)
    (letter,) = batch.letters
    assert (letter.site_name, letter.site_address) == (
        "Aula Kelurahan 10 Ilir",
        "Aula Kelurahan 10 Ilir",
    )
    assert batch.kecamatan == "Ilir Timur II"


def test_a_site_without_name_or_address_is_the_kecamatan_office() -> None:
    definition = DEFINITION.replace(f'address = "{SUKARAMI_ADDRESS}"', "")
    parsed, addresses = read_definition(definition)
    assert addresses == {}
    assert [site.code for site in parsed.sites] == ["16.71.07", "16.71.06"]
    _, with_address = read_definition(DEFINITION)
    assert with_address == {"16.71.07": SUKARAMI_ADDRESS}


def test_rw_and_rt_filters_narrow_the_letters(city: City) -> None:
    runtime, _ = city
    with runtime.transaction() as session:
        rt_letters = letters_of(
            session=session, kode_kelurahan=TALANG_BETUTU, rw=1, rt=2, printed_on=TODAY
        )
        rw_letters = letters_of(
            session=session, kode_kelurahan=TALANG_BETUTU, rw=2, printed_on=TODAY
        )
    assert [letter.nama for letter in rt_letters.letters] == ["RUDI HARTONO", "DEWI LESTARI"]
    assert [letter.nama for letter in rw_letters.letters] == ["JOKO WIDODO"]


@pytest.mark.parametrize(
    ("kode", "rw", "rt", "message"),
    [
        ("16.71.07.9999", None, None, "no loaded kelurahan has the code '16.71.07.9999'"),
        ("16.71.07", None, None, "no loaded kelurahan has the code '16.71.07'"),
        (TALANG_BETUTU, 9, None, "no live invitations in kelurahan Talang Betutu"),
        (TALANG_BETUTU, 1, 7, "RW 001 RT 007"),
    ],
)
def test_nothing_to_print_is_an_error_that_says_why(
    city: City, kode: str, rw: int | None, rt: int | None, message: str
) -> None:
    runtime, _ = city
    with runtime.transaction() as session, pytest.raises(LettersError, match=message):
        letters_of(session=session, kode_kelurahan=kode, rw=rw, rt=rt, printed_on=TODAY)


def test_without_a_campaign_the_error_says_to_create_one(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        seed_letters(session, with_campaign=False)
        assert latest_campaign(session=session, city="16.71") is None
        with pytest.raises(LettersError, match="no campaign exists for KOTA PALEMBANG"):
            letters_of(session=session, kode_kelurahan=TALANG_BETUTU, printed_on=TODAY)


def test_printing_marks_only_planned_invitations_and_records_each_change(city: City) -> None:
    runtime, ids = city
    with runtime.transaction() as session:
        batch = letters_of(session=session, kode_kelurahan=TALANG_BETUTU, printed_on=TODAY)
        before = _statuses(session)
        marked = mark_letters_printed(
            session=session,
            invitation_ids=[letter.invitation_id for letter in batch.letters],
            now=NOW,
            by="cli",
        )
    assert marked == 4
    with runtime.transaction() as session:
        after = _statuses(session)
        events = session.execute(select(InvitationEvent)).scalars().all()
    planned_here = {ids[name] for name in ("BUDI SANTOSO", "ANI SANTOSO", "SITI AMINAH")}
    planned_here.add(ids["JOKO WIDODO"])
    assert {key for key in after if after[key] != before[key]} == planned_here
    assert {after[key] for key in planned_here} == {"letter_printed"}
    assert after[ids["DEWI LESTARI"]] == "delivered"
    assert after[ids["TONO BATAL"]] == "cancelled"
    assert after[ids["SITI AMALIA"]] == "planned"
    assert sorted(event.invitation_id for event in events) == sorted(planned_here)
    assert {(event.from_status, event.to_status, event.by) for event in events} == {
        ("planned", "letter_printed", "cli")
    }


def test_printing_the_same_bundle_again_changes_nothing(city: City) -> None:
    runtime, ids = city
    every_id = list(ids.values())
    with runtime.transaction() as session:
        first = mark_letters_printed(session=session, invitation_ids=every_id, now=NOW, by=None)
    with runtime.transaction() as session:
        second = mark_letters_printed(session=session, invitation_ids=every_id, now=NOW, by=None)
        events = session.execute(select(InvitationEvent.id)).all()
    assert (first, second) == (5, 0)
    assert len(events) == 5


def test_the_pdf_has_a_half_page_per_letter_with_each_name_and_code(city: City) -> None:
    runtime, _ = city
    with runtime.transaction() as session:
        batch = letters_of(session=session, kode_kelurahan=TALANG_BETUTU, printed_on=TODAY)
    reader = PdfReader(io.BytesIO(letters.letters_pdf(batch)))
    # RW 1 RT 1 holds 3 letters (2 pages), RW 1 RT 2 two (1 page), RW 2 RT 1 one (1 page).
    assert len(reader.pages) == letters.sheet_count(batch.letters) == 4
    pages = [page.extract_text() for page in reader.pages]
    for letter in batch.letters:
        holding = [index for index, text in enumerate(pages) if letter.nama in text]
        assert len(holding) == 1, letter.nama
        assert letter.attendance_code in pages[holding[0]]
    assert "BUDI SANTOSO" in pages[0] and "ANI SANTOSO" in pages[0]
    assert "SITI AMINAH" in pages[1] and "RUDI HARTONO" not in pages[1]


def test_a_planned_campaign_prints_one_letter_per_invited_resident(runtime: Runtime) -> None:
    from ektp.scheduling import service as scheduling_service

    with runtime.transaction() as session:
        seed_letters(session, with_campaign=False)
        scheduling_service.create_campaign(session=session, scenario="palembang-2011", now=NOW)
        scheduling_service.plan(session=session, now=NOW)
    with runtime.transaction() as session:
        batch = letters_of(session=session, kode_kelurahan=TALANG_BETUTU, printed_on=TODAY)
        invited = session.execute(
            select(Invitation.id, Invitation.attendance_code)
            .join(Resident, Resident.id == Invitation.resident_id)
            .where(Resident.kode_kelurahan == TALANG_BETUTU)
        ).all()
    assert sorted((letter.invitation_id, letter.attendance_code) for letter in batch.letters) == (
        sorted((row.id, row.attendance_code) for row in invited)
    )
    assert len(batch.letters) == sum(turn.kelurahan == TALANG_BETUTU for turn in TURNS)
    assert {letter.site_name for letter in batch.letters} == {"Kantor Camat Sukarami"}
    assert {letter.session for letter in batch.letters} <= {"pagi", "siang", "malam"}
    assert all(letter.tanggal >= dt.date(2011, 10, 3) for letter in batch.letters)


def test_letters_printed_after_the_deadline_replay_the_campaign_and_are_dated_on_its_start(
    city: City,
) -> None:
    runtime, _ = city
    with runtime.transaction() as session:
        today = letters_of(session=session, kode_kelurahan=TALANG_BETUTU, printed_on=TODAY)
        replay = letters_of(
            session=session, kode_kelurahan=TALANG_BETUTU, printed_on=dt.date(2026, 11, 29)
        )
    assert today.printed_on == TODAY
    assert replay.printed_on == dt.date(2011, 10, 3)
