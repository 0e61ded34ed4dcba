"""Generating a synthetic city into the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from ektp.regions.models import RukunTetangga
from ektp.regions.service import load_city
from ektp.residents.counts import counts_are_stale
from ektp.residents.eligibility import NEVER_MARRIED, latest_birth_date_for_age
from ektp.residents.errors import GenerateError
from ektp.residents.models import Resident
from ektp.residents.synthetic import run_generate
from ektp.runtime import Runtime

REFERENCE = dt.date(2011, 10, 1)
SCALE = 0.002  # 2,400 wajib KTP, about 3,600 residents


def _generate(
    runtime: Runtime, *, city: str = "16.71", scenario: str = "palembang-2011"
) -> dict[str, Any]:
    report = run_generate(
        runtime=runtime,
        city=city,
        edition="2016",
        scenario=scenario,
        scale=SCALE if scenario == "palembang-2011" else 1.0,
        seed=7,
        out=None,
    )
    return report.as_dict()


def _wajib(runtime: Runtime, prefix: str) -> int:
    cutoff = latest_birth_date_for_age(REFERENCE)
    with runtime.transaction() as session:
        return session.execute(
            select(func.count())
            .select_from(Resident)
            .where(Resident.kode_kelurahan.startswith(prefix))
            .where((Resident.tanggal_lahir <= cutoff) | (Resident.status_kawin != NEVER_MARRIED))
        ).scalar_one()


def test_generating_palembang_stores_the_exact_wajib_ktp_and_refreshes_counts(
    runtime: Runtime,
) -> None:
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
    report = _generate(runtime)
    assert report["wajib_ktp"] == 2400 and report["out"] is None
    assert report["rejects"] == 0  # invalid rows never reach the database
    with runtime.transaction() as session:
        residents = session.execute(select(func.count()).select_from(Resident)).scalar_one()
        warned = session.execute(
            select(func.count()).select_from(Resident).where(Resident.nik_warning.is_not(None))
        ).scalar_one()
        households = session.execute(select(func.count(func.distinct(Resident.no_kk)))).scalar_one()
        units = session.execute(select(func.count()).select_from(RukunTetangga)).scalar_one()
        assert not counts_are_stale(session=session)
        summed = session.execute(text("SELECT sum(residents) FROM resident_counts")).scalar_one()
    assert residents == report["residents"] == report["rows"] == summed
    assert warned == report["warnings"] == report["defects"] > 0
    assert households == report["households"]
    assert units > 16
    assert _wajib(runtime, "16.71.") == 2400
    assert _wajib(runtime, "16.71.06.") == round(SCALE * 138_000)


def test_generating_again_with_the_same_seed_updates_the_same_residents(
    runtime: Runtime,
) -> None:
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
    first = _generate(runtime)
    _generate(runtime)
    with runtime.transaction() as session:
        residents = session.execute(select(func.count()).select_from(Resident)).scalar_one()
    assert residents == first["residents"]


def test_generating_into_a_database_without_the_regions_says_how_to_load_them(
    runtime: Runtime,
) -> None:
    with pytest.raises(GenerateError, match=r"ektp regions load --city 16\.71 --edition 2016"):
        _generate(runtime)


def test_another_city_from_a_scenario_file_is_split_by_kelurahan_count(
    runtime: Runtime, tmp_path: Path
) -> None:
    scenario = tmp_path / "bandung.toml"
    scenario.write_text(
        "[population]\nreference_date = 2011-10-01\nwajib_ktp_total = 400\n"
        "[population.defects]\nnik_sex_mismatch = 0.01\nduplicate_nik = 0.01\n",
        encoding="utf-8",
    )
    with runtime.transaction() as session:
        load_city(session=session, city="32.73", edition="2016")
    report = _generate(runtime, city="32.73", scenario=str(scenario))
    assert report["split"] == "kelurahan-count"
    assert report["warnings"] > 0 and report["rejects"] == 0
    assert _wajib(runtime, "32.73.") == 400
