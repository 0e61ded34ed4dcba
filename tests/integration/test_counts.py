"""The count summary, the live counts and ``is_wajib_ktp`` agree on every date, on both backends."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest
from sqlalchemy import func, select

from ektp.regions.service import load_city
from ektp.residents.counts import (
    counts_are_stale,
    counts_by_kelurahan,
    counts_by_unit,
    refresh_counts,
)
from ektp.residents.eligibility import STATUS_KAWIN, is_wajib_ktp, latest_birth_date_for_age
from ektp.residents.models import ResidentCount
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime

NOW = dt.datetime(2012, 3, 1, 8, tzinfo=dt.UTC)
KELURAHAN = ("16.71.01.1001", "16.71.01.1002", "16.71.07.1002")
EMPTY_KELURAHAN = "16.71.02.1001"
AS_OF_DATES = (
    dt.date(2011, 10, 1),
    dt.date(2012, 2, 29),
    dt.date(2012, 3, 1),
    dt.date(2011, 1, 1),
    dt.date(2011, 12, 31),
    dt.date(2013, 2, 28),
    dt.date(2016, 2, 29),
    # Either side of mid-year: the live count switches from the start to the end of the year.
    dt.date(2011, 7, 2),
    dt.date(2011, 7, 3),
    dt.date(2012, 12, 31),
)


def _tricky_birth_dates() -> list[dt.date]:
    dates = [
        dt.date(1992, 2, 29),
        dt.date(1995, 2, 28),
        dt.date(1995, 3, 1),
        dt.date(1996, 2, 29),
        dt.date(1999, 2, 28),
        dt.date(1999, 3, 1),
        dt.date(2012, 2, 29),
        dt.date(2014, 6, 1),
    ]
    for as_of in AS_OF_DATES:
        cutoff = latest_birth_date_for_age(as_of)
        dates += [cutoff, cutoff + dt.timedelta(days=1), as_of, as_of + dt.timedelta(days=1)]
        dates += [dt.date(as_of.year, 1, 1), dt.date(cutoff.year, 1, 1)]
    return dates


def _population(seed: int, size: int) -> list[ResidentRecord]:
    rng = random.Random(seed)
    start, end = dt.date(1935, 1, 1).toordinal(), dt.date(2016, 12, 31).toordinal()
    births: list[tuple[dt.date, str | None]] = [
        (dt.date.fromordinal(rng.randint(start, end)), None) for _ in range(size)
    ]
    for born in _tricky_birth_dates():
        births += [(born, "BELUM KAWIN"), (born, "KAWIN")]
    records = []
    for serial, (born, fixed_status) in enumerate(births, start=1):
        status = fixed_status or rng.choice((*STATUS_KAWIN, "BELUM KAWIN", "BELUM KAWIN"))
        records.append(
            ResidentRecord(
                nik=f"1671{serial:012d}",
                no_kk=f"1671{serial:012d}",
                nama=f"WARGA {serial}",
                jenis_kelamin=rng.choice("LP"),
                tempat_lahir=None,
                tanggal_lahir=born,
                status_kawin=status,
                agama=None,
                pekerjaan=None,
                alamat=None,
                kode_kelurahan=rng.choice(KELURAHAN),
                rw=rng.randint(1, 3),
                rt=rng.randint(1, 4),
                nik_warning=None,
            )
        )
    return records


def _brute_force(
    records: list[ResidentRecord], as_of: dt.date, key: tuple[str, ...] = ("kode_kelurahan",)
) -> dict[tuple[object, ...], tuple[int, int]]:
    residents: Counter[tuple[object, ...]] = Counter()
    wajib: Counter[tuple[object, ...]] = Counter()
    for record in records:
        if record.tanggal_lahir > as_of:
            continue
        group = tuple(getattr(record, name) for name in key)
        residents[group] += 1
        wajib[group] += is_wajib_ktp(record.tanggal_lahir, record.status_kawin, as_of)
    return {group: (residents[group], wajib[group]) for group in residents}


@pytest.fixture
def population(runtime: Runtime) -> list[ResidentRecord]:
    """Return the residents written (stale summary) into Palembang 2016 on ``runtime``."""
    records = _population(seed=2011, size=400)
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
        write_batch(session=session, records=records, now=NOW)
    return records


@pytest.mark.parametrize("as_of", AS_OF_DATES, ids=str)
def test_summary_live_and_python_counts_agree(
    runtime: Runtime, population: list[ResidentRecord], as_of: dt.date
) -> None:
    asked = [*KELURAHAN, EMPTY_KELURAHAN]
    expected = {kode: _brute_force(population, as_of).get((kode,), (0, 0)) for kode in asked}
    with runtime.transaction() as session:
        assert counts_are_stale(session=session)
        live = counts_by_kelurahan(session=session, kelurahan=asked, as_of=as_of)
        refresh_counts(session=session)
    with runtime.transaction() as session:
        assert not counts_are_stale(session=session)
        summary = counts_by_kelurahan(session=session, kelurahan=asked, as_of=as_of)
    assert live == expected
    assert summary == expected
    assert expected["16.71.01.1001"][1] > 0  # the comparison is not between empty dicts


@pytest.mark.parametrize("as_of", AS_OF_DATES[:3], ids=str)
def test_rw_and_rt_counts_agree_with_python(
    runtime: Runtime, population: list[ResidentRecord], as_of: dt.date
) -> None:
    kelurahan = KELURAHAN[0]
    mine = [r for r in population if r.kode_kelurahan == kelurahan]
    by_rw = {rw: n for (rw,), n in _brute_force(mine, as_of, ("rw",)).items()}
    in_rw_2 = [r for r in mine if r.rw == 2]
    by_rt = {rt: n for (rt,), n in _brute_force(in_rw_2, as_of, ("rt",)).items()}
    with runtime.transaction() as session:
        assert counts_by_unit(session=session, kode_kelurahan=kelurahan, as_of=as_of) == by_rw
        assert counts_by_unit(session=session, kode_kelurahan=kelurahan, as_of=as_of, rw=2) == by_rt


def test_refresh_stores_one_row_per_kelurahan_birth_year_and_marital_history(
    runtime: Runtime, population: list[ResidentRecord]
) -> None:
    expected = Counter(
        (r.kode_kelurahan, r.tanggal_lahir.year, r.status_kawin != "BELUM KAWIN")
        for r in population
    )
    with runtime.transaction() as session:
        refresh_counts(session=session)
        refresh_counts(session=session)  # rebuilding twice must not double anything
        stored = session.execute(
            select(
                ResidentCount.kode_kelurahan,
                ResidentCount.birth_year,
                ResidentCount.ever_married,
                ResidentCount.residents,
            )
        ).all()
        total = session.execute(select(func.sum(ResidentCount.residents))).scalar_one()
    assert {(k, y, bool(m)): n for k, y, m, n in stored} == dict(expected)
    assert total == len(population)


def test_a_write_after_a_refresh_is_counted_before_the_next_refresh(
    runtime: Runtime, population: list[ResidentRecord]
) -> None:
    as_of = dt.date(2011, 10, 1)
    with runtime.transaction() as session:
        refresh_counts(session=session)
        before = counts_by_kelurahan(session=session, kelurahan=[EMPTY_KELURAHAN], as_of=as_of)
    newcomer = population[0]._replace(
        nik="1671999999999999",
        kode_kelurahan=EMPTY_KELURAHAN,
        tanggal_lahir=dt.date(1980, 1, 1),
        status_kawin="BELUM KAWIN",
    )
    with runtime.transaction() as session:
        write_batch(session=session, records=[newcomer], now=NOW)
    with runtime.transaction() as session:
        assert counts_are_stale(session=session)
        after = counts_by_kelurahan(session=session, kelurahan=[EMPTY_KELURAHAN], as_of=as_of)
    assert before == {EMPTY_KELURAHAN: (0, 0)}
    assert after == {EMPTY_KELURAHAN: (1, 1)}


def test_no_kelurahan_asked_gives_an_empty_answer(runtime: Runtime) -> None:
    with runtime.transaction() as session:
        assert counts_by_kelurahan(session=session, kelurahan=[], as_of=dt.date(2011, 1, 1)) == {}
