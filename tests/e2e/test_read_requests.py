"""Page views on SQLite read a snapshot: they neither wait for nor hold the write lock, and
their audit rows are still written (in a short write transaction of their own)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time

from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from ektp.runtime import Runtime
from tests.e2e.conftest import IN_TALANG_BETUTU, audit_events, log_in


def _database_file(runtime: Runtime) -> str:
    database = make_url(runtime.settings.database_url).database
    assert database
    return database


def test_a_page_view_answers_while_another_process_holds_the_write_lock(
    client: TestClient, web_runtime: Runtime
) -> None:
    assert log_in(client, "admin") == 303
    writer = sqlite3.connect(_database_file(web_runtime), isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # as an import or a long plan would
        started = time.monotonic()
        answer = client.get("/wilayah/16.71")
        waited = time.monotonic() - started
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert answer.status_code == 200
    # Before: BEGIN IMMEDIATE on every request made this wait out the 30 s busy timeout.
    assert waited < 5


def test_a_person_view_is_audited_though_the_page_only_reads(
    client: TestClient, web_runtime: Runtime
) -> None:
    assert log_in(client, "admin") == 303
    before = len(audit_events(web_runtime))
    answer = client.get(f"/penduduk/{IN_TALANG_BETUTU.nik}")
    assert answer.status_code == 200
    after = audit_events(web_runtime)
    assert len(after) == before + 1
    assert after[-1].username == "admin"


def test_a_token_used_by_a_reading_request_is_touched_even_after_another_write(
    web_runtime: Runtime,
) -> None:
    from sqlalchemy import select

    from ektp.auth import tokens
    from ektp.auth.models import ApiToken, User
    from ektp.auth.service import AUDIT_WRITER

    moment = dt.datetime(2011, 10, 3, 9, tzinfo=dt.UTC)
    with web_runtime.transaction() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        token = tokens.create_token(session=session, user=admin, name="screen", now=moment)
    reader = web_runtime.read_session_factory()
    reader.info[AUDIT_WRITER] = web_runtime.session_factory
    try:
        reader.execute(select(User.id)).all()  # the request's snapshot begins here
        with web_runtime.transaction() as other:  # another request writes meanwhile
            other.execute(select(User.id)).all()
            tokens.create_token(session=other, user=admin, name="door", now=moment)
        # Upgrading the stale snapshot to a write would fail at once with "database is
        # locked"; the touch goes through a write transaction of its own instead.
        user = tokens.user_for_token(session=reader, token=token, now=moment)
        reader.commit()
    finally:
        reader.close()
    assert user is not None and user.username == "admin"
    with web_runtime.transaction() as session:
        used = session.execute(
            select(ApiToken.last_used_at).where(ApiToken.name == "screen")
        ).scalar_one()
    assert used is not None
