"""Resident search by NIK and name, area-scoped and keyset-paginated, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from ektp.regions.service import load_city
from ektp.residents.records import ResidentRecord
from ektp.residents.search import (
    SearchError,
    Unit,
    find_resident,
    parse_unit,
    search_residents,
)
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime

NOW = dt.datetime(2011, 10, 1, 8, tzinfo=dt.UTC)
SUKARAMI = "16.71.07"
TALANG_BETUTU = "16.71.07.1002"
SUKAJAYA = "16.71.07.1004"
ILIR_10 = "16.71.06.1001"


def _resident(
    serial: int,
    nama: str,
    kelurahan: str,
    *,
    sex: str = "L",
    born: dt.date = dt.date(1980, 5, 17),
    rw: int = 1,
    rt: int = 1,
) -> ResidentRecord:
    kecamatan = kelurahan[:8].replace(".", "")
    day = born.day + (40 if sex == "P" else 0)
    return ResidentRecord(
        nik=f"{kecamatan}{day:02d}{born:%m%y}{serial:04d}",
        no_kk=f"{kecamatan}0101110{serial:03d}",
        nama=nama,
        jenis_kelamin=sex,
        tempat_lahir="PALEMBANG",
        tanggal_lahir=born,
        status_kawin="KAWIN",
        agama="ISLAM",
        pekerjaan=None,
        alamat=None,
        kode_kelurahan=kelurahan,
        rw=rw,
        rt=rt,
        nik_warning=None,
    )


RESIDENTS = [
    _resident(1, "SITI AMINAH", TALANG_BETUTU, sex="P"),
    _resident(2, "SITI AMALIA", ILIR_10, sex="P"),
    _resident(3, "SITI BADRIAH", TALANG_BETUTU, sex="P"),
    _resident(4, "NUR SITI AMBARWATI", TALANG_BETUTU, sex="P", rw=2, rt=3),
    # Without the space it sorts inside 'SITI AM'..'SITI AN' under a linguistic collation.
    _resident(5, "SITIAMAH", TALANG_BETUTU, sex="P"),
    _resident(6, "SITI AMIRAH", SUKAJAYA, sex="P", rw=4, rt=2),
    _resident(7, "A_B PERCENT%", TALANG_BETUTU),
    *[_resident(100 + n, "BUDI SANTOSO", TALANG_BETUTU) for n in range(5)],
    *[_resident(200 + n, f"BUDI {n:02d}", TALANG_BETUTU, rw=1 + n % 2) for n in range(12)],
]


@pytest.fixture
def registry(runtime: Runtime) -> Iterator[Session]:
    """Yield a session on Palembang 2016 with a few dozen residents in three kelurahan."""
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
        write_batch(session=session, records=RESIDENTS, now=NOW)
    with runtime.transaction() as session:
        yield session


def _names(page: Any) -> list[str]:
    return [item.nama for item in page.items]


def test_a_name_prefix_finds_names_that_start_with_it_in_byte_order(registry: Session) -> None:
    page = search_residents(session=registry, text="siti am", area_kode="16.71")
    assert _names(page) == ["SITI AMALIA", "SITI AMINAH", "SITI AMIRAH"]
    assert page.next_after is None


def test_a_kecamatan_operator_never_gets_a_resident_of_another_kecamatan(
    registry: Session,
) -> None:
    page = search_residents(session=registry, text="SITI AM", area_kode=SUKARAMI)
    assert _names(page) == ["SITI AMINAH", "SITI AMIRAH"]
    other = search_residents(session=registry, text=RESIDENTS[1].nik, area_kode=SUKARAMI)
    assert other.items == []


def test_a_kelurahan_area_sees_only_its_own_kelurahan(registry: Session) -> None:
    page = search_residents(session=registry, text="SITI AM", area_kode=SUKAJAYA)
    assert _names(page) == ["SITI AMIRAH"]


def test_pages_follow_each_other_without_gaps_or_repeats_across_equal_names(
    registry: Session,
) -> None:
    seen: list[tuple[str, str]] = []
    after = None
    for _ in range(10):
        page = search_residents(
            session=registry, text="BUDI", area_kode="16.71", after=after, limit=4
        )
        seen += [(item.nama, item.nik) for item in page.items]
        after = page.next_after
        if after is None:
            break
    assert len(seen) == 17
    assert seen == sorted(seen)
    assert len(set(seen)) == 17


def test_a_full_nik_finds_exactly_that_resident(registry: Session) -> None:
    wanted = RESIDENTS[2]
    page = search_residents(session=registry, text=wanted.nik, area_kode="16.71")
    assert [item.nik for item in page.items] == [wanted.nik]


def test_a_nik_prefix_of_six_digits_lists_by_nik(registry: Session) -> None:
    page = search_residents(session=registry, text="167106", area_kode="16.71")
    assert [item.nik for item in page.items] == [RESIDENTS[1].nik]
    # Women's NIKs carry the birth day + 40: 17 May 1980 is 570580.
    women = search_residents(session=registry, text="16710757", area_kode="16.71", limit=100)
    niks = [item.nik for item in women.items]
    assert niks == sorted(niks)
    assert {item.jenis_kelamin for item in women.items} == {"P"}
    assert len(niks) == 5


@pytest.mark.parametrize(
    ("query", "key"),
    [("16710", "nik_too_short"), ("1" * 17, "nik_too_long"), ("S", "name_too_short")],
)
def test_an_unusable_query_says_why(registry: Session, query: str, key: str) -> None:
    with pytest.raises(SearchError) as raised:
        search_residents(session=registry, text=query, area_kode="16.71")
    assert raised.value.key == key


def test_an_empty_query_needs_a_kelurahan(registry: Session) -> None:
    with pytest.raises(SearchError):
        search_residents(session=registry, text="  ", area_kode="16.71")


def test_within_a_kelurahan_any_part_of_the_name_matches(registry: Session) -> None:
    page = search_residents(
        session=registry, text="SITI AM", area_kode="16.71", unit=Unit(TALANG_BETUTU)
    )
    assert _names(page) == ["NUR SITI AMBARWATI", "SITI AMINAH"]


def test_like_wildcards_in_a_query_match_only_themselves(registry: Session) -> None:
    inside = search_residents(
        session=registry, text="_B", area_kode="16.71", unit=Unit(TALANG_BETUTU)
    )
    assert _names(inside) == ["A_B PERCENT%"]
    prefix = search_residents(session=registry, text="A%", area_kode="16.71")
    assert prefix.items == []


def test_an_rw_and_rt_narrow_a_kelurahan_listing(registry: Session) -> None:
    unit = parse_unit(f"{TALANG_BETUTU}.RW002.RT003")
    assert unit == Unit(TALANG_BETUTU, 2, 3)
    page = search_residents(session=registry, text="", area_kode="16.71", unit=unit)
    assert _names(page) == ["NUR SITI AMBARWATI"]
    rw2 = search_residents(
        session=registry, text="BUDI", area_kode="16.71", unit=parse_unit("1671071002.RW2")
    )
    assert _names(rw2) == [f"BUDI {n:02d}" for n in range(1, 12, 2)]


def test_a_unit_outside_the_area_lists_nobody(registry: Session) -> None:
    page = search_residents(session=registry, text="", area_kode=SUKAJAYA, unit=Unit(ILIR_10))
    assert page.items == []


def test_a_damaged_cursor_is_refused(registry: Session) -> None:
    with pytest.raises(SearchError) as raised:
        search_residents(session=registry, text="BUDI", area_kode="16.71", after="%%%")
    assert raised.value.key == "bad_cursor"


def test_a_record_is_found_by_nik_with_every_field(registry: Session) -> None:
    record = find_resident(session=registry, nik=RESIDENTS[0].nik)
    assert record is not None
    assert (record.nama, record.jenis_kelamin, record.status_kawin) == ("SITI AMINAH", "P", "KAWIN")
    assert find_resident(session=registry, nik="1671070000000000") is None


@contextmanager
def _captured_sql(session: Session) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []
    engine = session.get_bind()

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


# The unique constraint's index is named by the migration on PostgreSQL, by SQLite on SQLite.
_INDEXES = {
    "name": {"postgresql": "ix_residents_nama", "sqlite": "ix_residents_nama"},
    "nik": {"postgresql": "uq_residents_nik", "sqlite": "sqlite_autoindex_residents_1"},
}


@pytest.mark.parametrize(("query", "kind"), [("SITI AM", "name"), ("167107", "nik")])
def test_name_and_nik_searches_walk_an_index_range(
    registry: Session, query: str, kind: str
) -> None:
    with _captured_sql(registry) as statements:
        search_residents(session=registry, text=query, area_kode=SUKARAMI)
    statement, parameters = statements[-1]
    connection = registry.connection()
    if connection.dialect.name == "postgresql":
        # A tiny table is cheaper to scan; forbid that to see whether the index is usable.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = "\n".join(
            row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        )
        assert "Index Cond" in plan
    else:
        plan = "\n".join(
            str(row[-1])
            for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        )
        assert "SEARCH residents USING" in plan
    assert _INDEXES[kind][connection.dialect.name] in plan
