"""A small city and a small campaign for the scheduling tests, and SQL checks on the result.

Residents come in households (one No. KK) inside RTs; every household holds adults and may
hold a child (not wajib KTP) and a married 15-year-old (wajib KTP: ever married).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from ektp.regions.service import load_city
from ektp.residents.eligibility import is_wajib_ktp
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.scheduling import service
from ektp.sites import service as sites_service
from ektp.sites.calendar import SessionCalendar, build_calendar

NOW = dt.datetime(2011, 9, 26, 2, tzinfo=dt.UTC)
START = dt.date(2011, 10, 3)
IT2 = "16.71.06"
SUKARAMI = "16.71.07"
KELURAHAN = ("16.71.06.1001", "16.71.06.1002", "16.71.07.1002")

# Small sessions so that a few dozen residents span days: 60 minutes per person gives pagi
# 2 turns per set and malam 2 per set, half of malam held back (ceil(2 * sets * 0.5)).
SMALL_CAMPAIGN = """
[campaign]
name = "Kampanye uji"
city = "16.71"
edition = "2016"
start = 2011-10-03
deadline = 2011-10-21
seed = 7
minutes_per_person = 60
freeze_days = 2
max_misses = 2
closed_dates = [2011-10-05]

[[campaign.sessions]]
name = "pagi"
start = "08:00"
end = "10:00"

[[campaign.sessions]]
name = "malam"
start = "16:00"
end = "18:00"
reserve_share = 0.5

[[sites]]
kecamatan = "16.71.06"
name = "Kantor Camat Ilir Timur II"
sets = 2

[[sites]]
kecamatan = "16.71.07"
name = "Kantor Camat Sukarami"
sets = 3
"""


def scenario_file(directory: Path, body: str = SMALL_CAMPAIGN) -> str:
    """Return the path of a campaign TOML written into ``directory``."""
    path = directory / "kampanye.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


@dataclass(frozen=True)
class Household:
    """The sizes of one household's members by kind."""

    adults: int
    children: int = 0
    married_teens: int = 0


def household_records(
    kelurahan: str, rw: int, rt: int, household: Household, number: int, serial: list[int]
) -> list[ResidentRecord]:
    """Return one household's residents; ``serial`` counts residents of the whole city."""
    kecamatan = kelurahan[:8].replace(".", "")
    no_kk = f"{kecamatan}{number:010d}"
    kinds = (
        [("adult", dt.date(1950, 1, 1))] * household.adults
        + [("child", dt.date(2000, 6, 1))] * household.children
        + [("teen", dt.date(1996, 3, 1))] * household.married_teens
    )
    records = []
    for kind, base in kinds:
        n = serial[0]
        serial[0] += 1
        born = base + dt.timedelta(days=n % 3000)
        records.append(
            ResidentRecord(
                nik=f"{kecamatan}{born:%d%m%y}{n // 3000 + 1:04d}",
                no_kk=no_kk,
                nama=f"WARGA {n:06d}",
                jenis_kelamin="L",
                tempat_lahir="PALEMBANG",
                tanggal_lahir=born,
                status_kawin="BELUM KAWIN" if kind == "child" else "KAWIN",
                agama="ISLAM",
                pekerjaan=None,
                alamat=f"RT {rt:03d} RW {rw:03d}",
                kode_kelurahan=kelurahan,
                rw=rw,
                rt=rt,
                nik_warning=None,
            )
        )
    return records


def small_city() -> list[ResidentRecord]:
    """Return about 90 residents in 3 kelurahan, 2 RW each of 2 RTs, mixed households."""
    pattern = [
        Household(2, children=1),
        Household(1),
        Household(3, married_teens=1),
        Household(2),
        Household(5),
    ]
    serial = [1]
    records: list[ResidentRecord] = []
    number = 1
    for kelurahan in KELURAHAN:
        for rw in (1, 2):
            for rt in (1, 2):
                for index in range((rw + rt) % 3 + 1):
                    records += household_records(
                        kelurahan, rw, rt, pattern[(number + index) % 5], number, serial
                    )
                    number += 1
    return records


def load(session: Session, records: Sequence[ResidentRecord]) -> None:
    """Load Palembang's regions and write ``records``."""
    load_city(session=session, city="16.71", edition="2016")
    write_batch(session=session, records=records, now=NOW)


def plan_city(session: Session, directory: Path) -> None:
    """Load the small city, create the small campaign (its scenario written into
    ``directory``) and plan everyone."""
    load(session, small_city())
    service.create_campaign(session=session, scenario=scenario_file(directory), now=NOW)
    service.plan(session=session, now=NOW)


def add_two_sets_at_it2(session: Session) -> None:
    """Add two sets to Ilir Timur II from Thursday of the first week (after the freeze)."""
    sites_service.change_sets(
        session=session,
        site_code=IT2,
        tanggal=dt.date(2011, 10, 6),
        change=2,
        reason="added",
        now=NOW,
        by="tester",
    )


def eligible(records: Sequence[ResidentRecord], as_of: dt.date = START) -> set[str]:
    """Return the NIKs of ``records`` who are wajib KTP on ``as_of``."""
    return {r.nik for r in records if is_wajib_ktp(r.tanggal_lahir, r.status_kawin, as_of)}


def live_turns(session: Session) -> dict[str, list[tuple[str, dt.date, str]]]:
    """Return each NIK's live turns: (site, day, session)."""
    rows = session.execute(
        text(
            "SELECT r.nik, i.site_code, i.tanggal, i.session FROM invitations i "
            "JOIN residents r ON r.id = i.resident_id "
            "WHERE i.status IN ('planned', 'letter_printed', 'delivered')"
        )
    )
    turns: dict[str, list[tuple[str, dt.date, str]]] = defaultdict(list)
    for nik, site, day, name in rows:
        turns[nik].append((site, dt.date.fromisoformat(str(day)[:10]), name))
    return turns


def session_counts(session: Session) -> dict[tuple[str, dt.date, str], int]:
    """Return live turns per (site, day, session), counted by the database."""
    rows = session.execute(
        text(
            "SELECT site_code, tanggal, session, COUNT(*) FROM invitations "
            "WHERE status IN ('planned', 'letter_printed', 'delivered') "
            "GROUP BY site_code, tanggal, session"
        )
    )
    return {(site, dt.date.fromisoformat(str(day)[:10]), name): n for site, day, name, n in rows}


def calendars(session: Session, until: dt.date) -> dict[str, SessionCalendar]:
    """Return each site's calendar from the campaign start to ``until``, as now defined."""
    campaign = service.require_campaign(session=session)
    definition = service.campaign_definition(session=session, campaign=campaign)
    return {
        site.code: build_calendar(site, definition.start, until, definition.closed)
        for site in definition.sites
    }


def turn_index(calendar: SessionCalendar) -> dict[tuple[dt.date, str], int]:
    """Return each session's index by (day, name)."""
    return {key: at for at, key in enumerate(zip(calendar.days, calendar.names, strict=True))}


def residents_by_nik(records: Sequence[ResidentRecord]) -> dict[str, ResidentRecord]:
    """Return the records by NIK."""
    return {record.nik: record for record in records}


def big_rt_city(kelurahan: str, residents: int, per_rt: int = 200) -> Iterator[ResidentRecord]:
    """Yield ``residents`` married adults in households of 4 (the last smaller), RTs of
    ``per_rt`` residents numbered RW 1.., RT 1..10 inside each RW.
    """
    serial = [1]
    made, number = 0, 1
    while made < residents:
        rt_number = made // per_rt
        size = min(4, residents - made, per_rt - made % per_rt)
        yield from household_records(
            kelurahan, rt_number // 10 + 1, rt_number % 10 + 1, Household(size), number, serial
        )
        made += size
        number += 1
