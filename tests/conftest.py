"""Shared fixtures: a migrated database on each backend, fresh for every test.

Storage tests take the ``runtime`` fixture and so run twice: on an SQLite file and on a real
PostgreSQL server (``EKTP_TEST_POSTGRES_URL``, default the local trust-auth server). Each
PostgreSQL test gets its own schema in that database, dropped afterwards. Without a reachable
server the PostgreSQL half is skipped with the reason, unless ``EKTP_TEST_REQUIRE_POSTGRES=1``
(set by ``.ci/run``), which turns the skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from ektp.runtime import Runtime
from ektp.settings import Settings
from ektp.storage.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "EKTP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_POSTGRES = os.environ.get("EKTP_TEST_REQUIRE_POSTGRES") == "1"


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as error:  # any failure to connect means: no server for this run
        return f"no PostgreSQL server at {POSTGRES_URL}: {error.__class__.__name__}"
    return None


@pytest.fixture(scope="session")
def postgres_available() -> str | None:
    """Return None when the PostgreSQL server answers, else the reason it does not."""
    return _postgres_problem()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an SQLite file migrated once; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key="test"))
    upgrade(runtime.engine)
    runtime.dispose()
    return path


def _sqlite_url(template: Path, directory: Path) -> str:
    path = directory / "ektp.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_available: str | None,
) -> Iterator[str]:
    """Yield the URL of an empty, migrated database on each backend in turn."""
    if request.param == "sqlite":
        yield _sqlite_url(sqlite_template, tmp_path)
        return
    if postgres_available is not None:
        if REQUIRE_POSTGRES:
            pytest.fail(postgres_available)
        pytest.skip(postgres_available)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(POSTGRES_URL).set(
        drivername="postgresql+psycopg", query={"options": f"-csearch_path={schema}"}
    )
    url_text = url.render_as_string(hide_password=False)
    runtime = Runtime(Settings(database_url=url_text, secret_key="test"))
    upgrade(runtime.engine)
    runtime.dispose()
    try:
        yield url_text
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def runtime(database_url: str) -> Iterator[Runtime]:
    """Yield a Runtime on a fresh migrated database (SQLite, then PostgreSQL)."""
    runtime = Runtime(Settings(database_url=database_url, secret_key="test-secret"))
    try:
        yield runtime
    finally:
        runtime.dispose()
