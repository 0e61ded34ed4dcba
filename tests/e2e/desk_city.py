"""The small web city with a campaign planned, for the desk and device API tests.

``build_planned`` adds the small campaign (sites in Sukarami and Ilir Timur II) and its plan
to a copy of the web city; ``call_to_set`` checks invited residents in at the door and calls
them to a set with the queue's own use cases, as the operators would.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from sqlalchemy import select

from ektp.auth import service as auth_service
from ektp.auth import tokens
from ektp.recording import checkin
from ektp.recording.models import QueueTicket
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.scheduling.models import Invitation
from ektp.settings import Settings
from tests.e2e.conftest import NOW, PASSWORD
from tests.integration.schedule_city import SMALL_CAMPAIGN

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
MONDAY = dt.date(2011, 10, 3)
MORNING = dt.datetime.combine(MONDAY, dt.time(8, 30), tzinfo=WIB).astimezone(dt.UTC)
SUKARAMI = "16.71.07"
IT2 = "16.71.06"
PLAN_TIME = NOW - dt.timedelta(days=7)


def build_planned(web_template: Path, directory: Path) -> Path:
    """Return a copy of the web city with the small campaign planned and an IT2 operator."""
    path = directory / "desk-city.sqlite3"
    shutil.copyfile(web_template, path)
    scenario = directory / "kampanye.toml"
    scenario.write_text(SMALL_CAMPAIGN, encoding="utf-8")
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key="test"))
    try:
        with runtime.transaction() as session:
            scheduling.create_campaign(session=session, scenario=str(scenario), now=PLAN_TIME)
            scheduling.plan(session=session, now=PLAN_TIME)
            auth_service.create_user(
                session=session,
                username="camat-it2",
                full_name="Camat Ilir Timur II",
                role="operator_kecamatan",
                area_kode=IT2,
                password=PASSWORD,
                now=NOW,
            )
    finally:
        runtime.dispose()
    return path


def copy_of(planned: Path, directory: Path) -> Runtime:
    """Return a runtime on this test's own copy of the planned city."""
    path = directory / "ektp.sqlite3"
    shutil.copyfile(planned, path)
    return Runtime(
        Settings(
            database_url=f"sqlite:///{path}",
            secret_key="desk-test-secret",
            biometric_key_file=directory / "biometric.key",
        )
    )


def check_in_invited(runtime: Runtime, site_code: str) -> list[int]:
    """Return the tickets of everyone invited at the site on Monday, checked in at the door
    (checking in again returns the same ticket).
    """
    with runtime.transaction() as session:
        rows = session.execute(
            select(Resident.nik, Invitation.attendance_code)
            .join(Invitation, Invitation.resident_id == Resident.id)
            .where(Invitation.site_code == site_code, Invitation.tanggal == MONDAY)
            .order_by(Invitation.session.desc(), Invitation.id)
        ).all()
        assert rows, f"nobody is invited at {site_code} on Monday"
        return [
            checkin.check_in(
                session=session,
                site_code=site_code,
                now=MORNING,
                by="pintu",
                nik=nik,
                attendance_code=code,
            ).ticket_id
            for nik, code in rows
        ]


def call_to_set(runtime: Runtime, site_code: str, set_no: int) -> QueueTicket:
    """Return the next waiting ticket, called to ``set_no`` (everyone invited checked in)."""
    check_in_invited(runtime, site_code)
    with runtime.transaction() as session:
        ticket = checkin.call_next(
            session=session, site_code=site_code, set_no=set_no, now=MORNING, by="camat"
        )
        assert ticket is not None
        return ticket


def token_for(runtime: Runtime, username: str, name: str = "set") -> str:
    """Return a new API token of ``username``."""
    with runtime.transaction() as session:
        user = auth_service.get_user(session=session, username=username)
        assert user is not None
        return tokens.create_token(session=session, user=user, name=name, now=NOW)
