"""Accounts, lock-out and the audit log, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.auth import service
from ektp.auth.models import AuditEvent, User
from ektp.regions.service import load_city
from ektp.runtime import Runtime

T0 = dt.datetime(2011, 10, 3, 8, 0, tzinfo=dt.UTC)
PASSWORD = "ampera-1965"


@pytest.fixture
def session(runtime: Runtime) -> Iterator[Session]:
    """Yield a session on a database with Palembang 2016 loaded."""
    with runtime.transaction() as setup:
        load_city(session=setup, city="16.71", edition="2016")
    with runtime.transaction() as session:
        yield session


def _create(session: Session, username: str, role: str, area: str | None) -> User:
    return service.create_user(
        session=session,
        username=username,
        full_name=username.title(),
        role=role,
        area_kode=area,
        password=PASSWORD,
        now=T0,
    )


def test_a_user_is_created_with_a_hashed_password_and_a_checked_area(session: Session) -> None:
    user = _create(session, "Camat.Sukarami", "operator_kecamatan", "167107")
    assert user.username == "camat.sukarami"
    assert user.area_kode == "16.71.07"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


@pytest.mark.parametrize(
    ("role", "area", "reason"),
    [
        ("operator_kecamatan", None, "needs an area"),
        ("petugas_kelurahan", "16.71.07", "needs a kelurahan"),
        ("admin_kota", "16.71.07.1002", "needs a kabupaten_kota"),
        ("operator_kecamatan", "16.72.01", "no loaded region"),
        ("superuser", None, "unknown role"),
    ],
)
def test_a_user_with_a_wrong_role_or_area_is_refused(
    session: Session, role: str, area: str | None, reason: str
) -> None:
    with pytest.raises(service.UserError, match=reason):
        _create(session, "someone", role, area)


def test_a_username_is_taken_once(session: Session) -> None:
    _create(session, "admin", "admin_kota", "16.71")
    with pytest.raises(service.UserError, match="taken"):
        _create(session, "ADMIN", "admin_kota", "16.71")


def test_the_right_password_logs_in_and_a_wrong_one_does_not(session: Session) -> None:
    _create(session, "admin", "admin_kota", "16.71")
    assert service.authenticate(session=session, username="admin", password=PASSWORD, now=T0).user
    wrong = service.authenticate(session=session, username="admin", password="nope", now=T0)
    assert wrong.user is None and not wrong.locked
    nobody = service.authenticate(session=session, username="ghost", password=PASSWORD, now=T0)
    assert nobody.user is None and not nobody.locked


def test_five_failures_lock_the_account_for_fifteen_minutes(session: Session) -> None:
    _create(session, "lurah", "petugas_kelurahan", "16.71.07.1002")
    for attempt in range(4):
        result = service.authenticate(
            session=session,
            username="lurah",
            password="bad",
            now=T0 + dt.timedelta(seconds=attempt),
        )
        assert not result.locked
    fifth = service.authenticate(session=session, username="lurah", password="bad", now=T0)
    assert fifth.locked_until == T0 + dt.timedelta(minutes=15)
    session.commit()
    during = service.authenticate(
        session=session, username="lurah", password=PASSWORD, now=T0 + dt.timedelta(minutes=14)
    )
    assert during.user is None and during.locked
    after = service.authenticate(
        session=session,
        username="lurah",
        password=PASSWORD,
        now=T0 + dt.timedelta(minutes=15, seconds=1),
    )
    assert after.user is not None
    assert after.user.failed_logins == 0


def test_a_success_resets_the_failure_count(session: Session) -> None:
    _create(session, "lurah", "petugas_kelurahan", "16.71.07.1002")
    for _ in range(4):
        service.authenticate(session=session, username="lurah", password="bad", now=T0)
    assert service.authenticate(session=session, username="lurah", password=PASSWORD, now=T0).user
    for _ in range(4):
        service.authenticate(session=session, username="lurah", password="bad", now=T0)
    assert not service.authenticate(session=session, username="lurah", password="bad", now=T0).user
    assert service.authenticate(session=session, username="lurah", password="x", now=T0).locked


def test_audit_events_are_appended_and_found_newest_first(session: Session) -> None:
    for minute, (username, action, subject) in enumerate(
        [
            ("admin", "resident.search", "SITI"),
            ("camat", "resident.view", "1671075705800001"),
            ("admin", "resident.view", "1671075705800001"),
        ]
    ):
        service.record_audit(
            session=session,
            username=username,
            action=action,
            subject=subject,
            detail=None,
            client="127.0.0.1",
            now=T0 + dt.timedelta(minutes=minute),
        )
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == 3
    views = service.search_audit(session=session, action="resident.view")
    assert [event.username for event in views] == ["admin", "camat"]
    by_camat = service.search_audit(session=session, username="camat")
    assert [event.subject for event in by_camat] == ["1671075705800001"]
    later = service.search_audit(session=session, since=T0 + dt.timedelta(minutes=1))
    assert len(later) == 2
    older = service.search_audit(session=session, before_id=views[0].id)
    assert [event.action for event in older] == ["resident.view", "resident.search"]
