"""The schema migrates on both backends and the engine is configured as promised."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from ektp.runtime import Runtime
from ektp.storage.migrate import current_revision, upgrade


def test_migrations_create_every_table_and_reach_head(runtime: Runtime) -> None:
    tables = set(inspect(runtime.engine).get_table_names())
    assert {"regions", "rukun_tetangga", "residents", "users", "audit_events"} <= tables
    assert current_revision(runtime.engine) is not None


def test_upgrading_twice_is_harmless(runtime: Runtime) -> None:
    before = current_revision(runtime.engine)
    upgrade(runtime.engine)
    assert current_revision(runtime.engine) == before


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(runtime: Runtime) -> None:
    if runtime.engine.dialect.name != "sqlite":
        pytest.skip("WAL and the foreign_keys pragma are SQLite settings")
    with runtime.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_a_resident_in_an_unknown_kelurahan_is_refused_by_the_database(runtime: Runtime) -> None:
    import datetime as dt

    from sqlalchemy.exc import IntegrityError

    from ektp.residents.records import ResidentRecord
    from ektp.residents.writer import write_batch

    record = ResidentRecord(
        "1671074101900001",
        "1671070101100001",
        "SITI",
        "P",
        None,
        dt.date(1990, 1, 1),
        "KAWIN",
        None,
        None,
        None,
        "16.71.07.9999",
        1,
        1,
        None,
    )
    with pytest.raises(IntegrityError), runtime.transaction() as session:
        write_batch(session=session, records=[record], now=dt.datetime.now(dt.UTC))
