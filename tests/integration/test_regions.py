"""Loading a city's regions and browsing them with counts, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import pytest

from ektp.regions.service import (
    RegionLoadError,
    RegionNotFoundError,
    get_region,
    kelurahan_codes,
    load_city,
    loaded_edition,
    region_summary,
)
from ektp.residents.counts import refresh_counts
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime

AS_OF = dt.date(2011, 10, 1)
NOW = dt.datetime(2011, 10, 1, 8, tzinfo=dt.UTC)
KELURAHAN = "16.71.01.1001"


def _resident(
    serial: int, kelurahan: str, rw: int, rt: int, born: dt.date, status: str = "BELUM KAWIN"
) -> ResidentRecord:
    return ResidentRecord(
        nik=f"167101{born:%d%m%y}{serial:04d}",
        no_kk=f"16710101011{serial:05d}",
        nama=f"WARGA {serial}",
        jenis_kelamin="L",
        tempat_lahir="PALEMBANG",
        tanggal_lahir=born,
        status_kawin=status,
        agama=None,
        pekerjaan=None,
        alamat=None,
        kode_kelurahan=kelurahan,
        rw=rw,
        rt=rt,
        nik_warning=None,
    )


def _write(runtime: Runtime, records: Iterable[ResidentRecord]) -> None:
    with runtime.transaction() as session:
        write_batch(session=session, records=list(records), now=NOW)


@pytest.fixture
def palembang(runtime: Runtime) -> Runtime:
    """Return the runtime with Palembang 2016 loaded and a few residents in one kelurahan."""
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
    _write(
        runtime,
        [
            _resident(1, KELURAHAN, 3, 5, dt.date(1980, 5, 1), "KAWIN"),
            _resident(2, KELURAHAN, 3, 5, dt.date(2000, 1, 1)),
            _resident(3, KELURAHAN, 3, 12, dt.date(1994, 10, 1)),
            _resident(4, KELURAHAN, 10, 1, dt.date(1994, 10, 2)),
            _resident(5, KELURAHAN, 2, 1, dt.date(2012, 3, 3)),
            _resident(6, "16.71.02.1001", 1, 1, dt.date(1970, 7, 7), "CERAI MATI"),
        ],
    )
    return runtime


def test_loading_palembang_2016_stores_16_kecamatan_and_107_kelurahan(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        result = load_city(session=session, city="16.71", edition="2016")
    assert (result.city, result.edition) == ("16.71", "2016")
    assert (result.kecamatan, result.kelurahan) == (16, 107)
    assert (result.inserted, result.updated) == (125, 0)
    with runtime.transaction() as session:
        assert len(kelurahan_codes(session=session, city="16.71")) == 107
        kelurahan = get_region(session=session, kode="1671011001")
        assert kelurahan is not None
        assert (kelurahan.level, kelurahan.parent_kode, kelurahan.edition) == (
            "kelurahan",
            "16.71.01",
            "2016",
        )
        provinsi = get_region(session=session, kode="16")
        assert provinsi is not None and provinsi.parent_kode is None
        assert loaded_edition(session=session, city="1671") == "2016"
        assert loaded_edition(session=session, city="16.72") is None


def test_plain_city_codes_load_like_dotted_ones(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        result = load_city(session=session, city="1671", edition="2025")
    assert (result.city, result.kecamatan, result.kelurahan) == ("16.71", 18, 107)


def test_reloading_the_same_edition_updates_the_rows_and_adds_none(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
    with runtime.transaction() as session:
        again = load_city(session=session, city="16.71", edition="2016")
    assert (again.inserted, again.updated) == (0, 125)
    with runtime.transaction() as session:
        assert len(kelurahan_codes(session=session)) == 107


def test_a_city_loaded_with_one_edition_refuses_the_other(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
    refused = pytest.raises(RegionLoadError, match="already loaded with the 2016 edition")
    with refused, runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2025")
    with runtime.transaction() as session:
        assert loaded_edition(session=session, city="16.71") == "2016"
        assert get_region(session=session, kode="16.71.17") is None


@pytest.mark.parametrize(
    ("city", "edition", "message"),
    [
        ("16.71", "1999", "unknown region edition '1999'"),
        ("16.71.07", "2016", "not a kabupaten/kota code"),
        ("16", "2016", "not a kabupaten/kota code"),
        ("kota", "2016", "not a kabupaten/kota code"),
        ("16.99", "2016", "16.99 does not exist in the 2016 edition"),
        ("93.01", "2016", "93.01 does not exist in the 2016 edition"),
    ],
)
def test_bad_load_requests_are_refused_in_plain_words(
    runtime: Runtime, city: str, edition: str, message: str
) -> None:
    with pytest.raises(RegionLoadError, match=message), runtime.transaction() as session:
        load_city(session=session, city=city, edition=edition)
    with runtime.transaction() as session:
        assert get_region(session=session, kode="16") is None


def test_a_second_city_of_the_same_provinsi_loads_beside_the_first(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
        second = load_city(session=session, city="16.74", edition="2016")
        third = load_city(session=session, city="16.72", edition="2025")
    assert second.updated == 1  # the shared provinsi row
    assert third.updated == 0  # the provinsi keeps the edition it was first loaded with
    with runtime.transaction() as session:
        assert loaded_edition(session=session, city="16.72") == "2025"
        assert loaded_edition(session=session, city="16") == "2016"
        codes = kelurahan_codes(session=session)
        assert kelurahan_codes(session=session, city="16.71") < codes
        summary = region_summary(session=session, kode="16", as_of=AS_OF)
    assert [child.kode for child in summary.children] == ["16.71", "16.72", "16.74"]


def test_a_city_lists_every_kecamatan_with_zero_counts_included(palembang: Runtime) -> None:
    with palembang.transaction() as session:
        summary = region_summary(session=session, kode="1671", as_of=AS_OF)
    assert (summary.kode, summary.level) == ("16.71", "kabupaten_kota")
    assert len(summary.children) == 16
    assert [c.kode for c in summary.children] == sorted(c.kode for c in summary.children)
    first, second = summary.children[0], summary.children[1]
    # Born 2012 is not yet a resident in 2011; born 1994-10-02 turns 17 the day after.
    assert (first.kode, first.residents, first.wajib_ktp) == ("16.71.01", 4, 2)
    assert (second.kode, second.residents, second.wajib_ktp) == ("16.71.02", 1, 1)
    assert all(c.residents == 0 for c in summary.children[2:])
    assert (summary.residents, summary.wajib_ktp) == (5, 3)


def test_counts_are_the_same_before_and_after_the_summary_is_refreshed(
    palembang: Runtime,
) -> None:
    with palembang.transaction() as session:
        stale = region_summary(session=session, kode="16.71", as_of=AS_OF)
        refresh_counts(session=session)
    with palembang.transaction() as session:
        fresh = region_summary(session=session, kode="16.71", as_of=AS_OF)
    assert fresh == stale


def test_a_kecamatan_lists_its_kelurahan(palembang: Runtime) -> None:
    with palembang.transaction() as session:
        summary = region_summary(session=session, kode="16.71.01", as_of=AS_OF)
    assert summary.level == "kecamatan"
    assert [c.kode for c in summary.children][:2] == ["16.71.01.1001", "16.71.01.1002"]
    assert [c.level for c in summary.children] == ["kelurahan"] * len(summary.children)
    assert (summary.children[0].residents, summary.children[0].wajib_ktp) == (4, 2)


def test_a_kelurahan_lists_its_rw_units_in_numeric_order(palembang: Runtime) -> None:
    with palembang.transaction() as session:
        summary = region_summary(session=session, kode="1671011001", as_of=AS_OF)
    assert (summary.residents, summary.wajib_ktp) == (4, 2)
    assert [(c.kode, c.nama, c.level) for c in summary.children] == [
        ("16.71.01.1001.RW002", "RW 002", "rw"),
        ("16.71.01.1001.RW003", "RW 003", "rw"),
        ("16.71.01.1001.RW010", "RW 010", "rw"),
    ]
    # RW 002 holds only someone born after as_of: listed with zero counts.
    assert [(c.residents, c.wajib_ktp) for c in summary.children] == [(0, 0), (3, 2), (1, 0)]


def test_an_rw_lists_its_rt_units_and_an_rt_has_no_children(palembang: Runtime) -> None:
    with palembang.transaction() as session:
        rw = region_summary(session=session, kode="16.71.01.1001.RW003", as_of=AS_OF)
        rt = region_summary(session=session, kode="16.71.01.1001.rw3.rt5", as_of=AS_OF)
    assert (rw.nama, rw.level, rw.residents, rw.wajib_ktp) == ("RW 003", "rw", 3, 2)
    assert [(c.kode, c.nama, c.residents) for c in rw.children] == [
        ("16.71.01.1001.RW003.RT005", "RT 005", 2),
        ("16.71.01.1001.RW003.RT012", "RT 012", 1),
    ]
    assert (rt.kode, rt.nama, rt.level) == ("16.71.01.1001.RW003.RT005", "RT 005", "rt")
    assert (rt.residents, rt.wajib_ktp, rt.children) == (2, 1, [])


def test_wajib_ktp_grows_on_the_seventeenth_birthday(palembang: Runtime) -> None:
    with palembang.transaction() as session:
        before = region_summary(session=session, kode="16.71.01.1001.RW010", as_of=AS_OF)
        after = region_summary(
            session=session, kode="16.71.01.1001.RW010", as_of=dt.date(2011, 10, 2)
        )
    assert (before.wajib_ktp, after.wajib_ktp) == (0, 1)


@pytest.mark.parametrize(
    "kode",
    [
        "16.72",
        "16.71.99",
        "16.71.01.9999",
        "99",
        "hello",
        "16.71.01.1001.RW004",
        "16.71.01.1001.RW003.RT006",
    ],
)
def test_unknown_codes_raise_region_not_found(palembang: Runtime, kode: str) -> None:
    with pytest.raises(RegionNotFoundError), palembang.transaction() as session:
        region_summary(session=session, kode=kode, as_of=AS_OF)
