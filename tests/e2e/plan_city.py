"""A planned small city for the plan pages' tests (HTTP and browser).

The city is generated (palembang-2011 at a small scale), the campaign created from the
shipped scenario and planned, as a Dinas would; Seberang Ulu I loses both its sets until
January so that one kecamatan misses the deadline, and Sukarami closes its first sessions so
that residents miss turns and reach the follow-up list. Built once per test session, copied
for each test.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select

from ektp.auth import service as auth_service
from ektp.regions.service import load_city
from ektp.residents.models import Resident
from ektp.residents.synthetic import run_generate
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.scheduling.models import FollowUp, Invitation, RtTurn
from ektp.settings import Settings
from ektp.sites import service as sites_service
from tests.e2e.conftest import PASSWORD

SCALE = 0.02
NOW = dt.datetime(2011, 10, 1, 1, tzinfo=dt.UTC)
FIRST_DAY = dt.date(2011, 10, 3)
SUKARAMI = "16.71.07"
ILIR_TIMUR_II = "16.71.06"
SEBERANG_ULU_I = "16.71.02"
# Three weeks of evenings: a household re-invited from the next day on misses its third
# turn in the second week, once the first morning's absent have filled the reserves.
CLOSED_EVENINGS = tuple(
    dt.date(2011, 10, day) for day in range(3, 22) if dt.date(2011, 10, day).weekday() < 5
)
ATTENDED_ON_FIRST_MORNING = 40


@dataclass(frozen=True)
class PlanCity:
    """The built database and the kelurahan its users work in."""

    path: Path
    kelurahan: str  # the Sukarami kelurahan with the most residents to follow up
    other_kelurahan: str  # another Sukarami kelurahan


def _users(kelurahan: str, other_kelurahan: str) -> dict[str, tuple[str, str | None]]:
    return {
        "admin": ("admin_kota", "16.71"),
        "pengamat": ("pengamat", None),
        "pusat": ("petugas_pusat", None),
        "camat": ("operator_kecamatan", SUKARAMI),
        "camat_lain": ("operator_kecamatan", ILIR_TIMUR_II),
        "lurah": ("petugas_kelurahan", kelurahan),
        "lurah_lain": ("petugas_kelurahan", other_kelurahan),
    }


def _close_first_sessions(runtime: Runtime) -> None:
    """Mark some of the first morning attended, close it, then close the evenings after it.

    The absent are re-invited into the next evenings' reserve; missing three times sends a
    household to the follow-up list.
    """
    with runtime.transaction() as session:
        first_morning = session.execute(
            select(Invitation.id, Invitation.attendance_code)
            .where(
                Invitation.site_code == SUKARAMI,
                Invitation.tanggal == FIRST_DAY,
                Invitation.session == "pagi",
            )
            .order_by(Invitation.id)
            .limit(ATTENDED_ON_FIRST_MORNING)
        ).all()
        for invitation_id, code in first_morning:
            scheduling.mark_attended(
                session=session, invitation_id=invitation_id, attendance_code=code, now=NOW, by="t"
            )
        closing = [(FIRST_DAY, "pagi"), *((day, "malam") for day in CLOSED_EVENINGS)]
        for day, name in closing:
            scheduling.close_session(
                session=session, site_code=SUKARAMI, tanggal=day, session_name=name, now=NOW
            )


def _kelurahan_to_follow_up(runtime: Runtime) -> tuple[str, str]:
    """Return the Sukarami kelurahan with the most follow-ups, and another one."""
    with runtime.transaction() as session:
        visits = session.execute(
            select(Resident.kode_kelurahan, func.count())
            .join(FollowUp, FollowUp.resident_id == Resident.id)
            .group_by(Resident.kode_kelurahan)
            .order_by(func.count().desc(), Resident.kode_kelurahan)
        ).all()
        others = session.execute(
            select(RtTurn.kode_kelurahan).where(RtTurn.site_code == SUKARAMI).distinct()
        ).scalars()
        assert visits, "closing the sessions sent nobody to the follow-up list"
        kelurahan = str(visits[0][0])
        return kelurahan, min(other for other in others if other != kelurahan)


def build_plan_city(path: Path) -> PlanCity:
    """Fill the migrated SQLite file at ``path`` with a planned campaign and its users."""
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key="test"))
    try:
        with runtime.transaction() as session:
            load_city(session=session, city="16.71", edition="2016")
        run_generate(
            runtime=runtime,
            city="16.71",
            edition="2016",
            scenario="palembang-2011",
            scale=SCALE,
            seed=7,
            out=None,
        )
        with runtime.transaction() as session:
            scheduling.create_campaign(session=session, scenario="palembang-2011", now=NOW)
            for day, change, reason in (
                (dt.date(2011, 10, 4), -2, "broken"),
                (dt.date(2012, 1, 2), 2, "repaired"),
            ):
                sites_service.change_sets(
                    session=session,
                    site_code=SEBERANG_ULU_I,
                    tanggal=day,
                    change=change,
                    reason=reason,
                    now=NOW,
                )
            scheduling.plan(session=session, now=NOW, by="dinas")
        _close_first_sessions(runtime)
        kelurahan, other_kelurahan = _kelurahan_to_follow_up(runtime)
        with runtime.transaction() as session:
            for username, (role, area) in _users(kelurahan, other_kelurahan).items():
                auth_service.create_user(
                    session=session,
                    username=username,
                    full_name=f"Pengguna {username}",
                    role=role,
                    area_kode=area,
                    password=PASSWORD,
                    now=NOW,
                )
        return PlanCity(path=path, kelurahan=kelurahan, other_kelurahan=other_kelurahan)
    finally:
        runtime.dispose()


_BUILT: dict[Path, PlanCity] = {}


def planned_city(sqlite_template: Path, directory: Path) -> PlanCity:
    """Return the planned city, built in ``directory`` from the migrated ``sqlite_template``
    on the first call of the test session and reused after.
    """
    if sqlite_template not in _BUILT:
        path = directory / "plan.sqlite3"
        shutil.copyfile(sqlite_template, path)
        _BUILT[sqlite_template] = build_plan_city(path)
    return _BUILT[sqlite_template]


@contextmanager
def runtime_on_copy(city: PlanCity, directory: Path) -> Iterator[Runtime]:
    """Yield a Runtime on a copy of the planned city in ``directory`` (tests may write)."""
    path = directory / "ektp.sqlite3"
    shutil.copyfile(city.path, path)
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key="web-test-secret"))
    try:
        yield runtime
    finally:
        runtime.dispose()
