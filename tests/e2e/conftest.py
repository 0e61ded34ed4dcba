"""A small Palembang for the web tests: regions, residents in three kelurahan, one user per role.

The database is built once per session and copied for each test, so that tests may write
(audit events, failed logins) without seeing each other.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ektp.app import create_app
from ektp.auth import service as auth_service
from ektp.auth.models import AuditEvent
from ektp.regions.service import load_city
from ektp.residents.records import ResidentRecord
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime
from ektp.settings import Settings

PASSWORD = "palembang-2011"
NOW = dt.datetime(2011, 10, 1, 8, tzinfo=dt.UTC)
TALANG_BETUTU = "16.71.07.1002"
SUKAJAYA = "16.71.07.1004"
ILIR_10 = "16.71.06.1001"

# username -> (role, area)
USERS = {
    "admin": ("admin_kota", "16.71"),
    "camat": ("operator_kecamatan", "16.71.07"),
    "lurah": ("petugas_kelurahan", TALANG_BETUTU),
    "pusat": ("petugas_pusat", None),
    "pengamat": ("pengamat", None),
}


def make_resident(
    serial: int,
    nama: str,
    kelurahan: str,
    *,
    sex: str = "L",
    born: dt.date = dt.date(1980, 5, 17),
    status: str = "KAWIN",
    rw: int = 1,
    rt: int = 1,
) -> ResidentRecord:
    """Return a resident whose NIK follows the rules (kecamatan, birth date, women + 40)."""
    kecamatan = kelurahan[:8].replace(".", "")
    day = born.day + (40 if sex == "P" else 0)
    return ResidentRecord(
        nik=f"{kecamatan}{day:02d}{born:%m%y}{serial:04d}",
        no_kk=f"{kecamatan}0101110{serial:03d}",
        nama=nama,
        jenis_kelamin=sex,
        tempat_lahir="PALEMBANG",
        tanggal_lahir=born,
        status_kawin=status,
        agama="ISLAM",
        pekerjaan="WIRASWASTA",
        alamat=f"JL. MERDEKA NO. {serial}",
        kode_kelurahan=kelurahan,
        rw=rw,
        rt=rt,
        nik_warning=None,
    )


RESIDENTS = [
    make_resident(1, "SITI AMINAH", TALANG_BETUTU, sex="P", rw=3, rt=5),
    make_resident(2, "SITI AMALIA", ILIR_10, sex="P"),
    make_resident(3, "SITI BADRIAH", TALANG_BETUTU, sex="P", rw=3, rt=5),
    make_resident(4, "NUR SITI AMBARWATI", TALANG_BETUTU, sex="P", rw=2, rt=1),
    make_resident(5, "SITI AMIRAH", SUKAJAYA, sex="P", rw=4, rt=2),
    make_resident(6, "AHMAD FAUZI", TALANG_BETUTU, rw=3, rt=6, born=dt.date(2000, 1, 2)),
    make_resident(
        7,
        "RIZKY PRATAMA",
        TALANG_BETUTU,
        rw=1,
        rt=1,
        born=dt.date(1999, 3, 4),
        status="BELUM KAWIN",
    ),
    *[
        make_resident(100 + n, f"BUDI {n:02d}", TALANG_BETUTU, rw=1 + n % 3, rt=1 + n % 2)
        for n in range(30)
    ],
]
IN_TALANG_BETUTU = RESIDENTS[0]
IN_ILIR_10 = RESIDENTS[1]
IN_SUKAJAYA = RESIDENTS[4]


def build_database(path: Path) -> None:
    """Fill the migrated SQLite file at ``path`` with the small city and its users."""
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key="test"))
    try:
        with runtime.transaction() as session:
            load_city(session=session, city="16.71", edition="2016")
            write_batch(session=session, records=RESIDENTS, now=NOW)
            for username, (role, area) in USERS.items():
                auth_service.create_user(
                    session=session,
                    username=username,
                    full_name=f"Pengguna {username}",
                    role=role,
                    area_kode=area,
                    password=PASSWORD,
                    now=NOW,
                )
    finally:
        runtime.dispose()


@pytest.fixture(scope="session")
def web_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an SQLite file with the small city, built once."""
    path = tmp_path_factory.mktemp("web") / "web.sqlite3"
    shutil.copyfile(sqlite_template, path)
    build_database(path)
    return path


@pytest.fixture
def web_database_url(web_template: Path, tmp_path: Path) -> str:
    """Return the URL of this test's own copy of the small city."""
    path = tmp_path / "ektp.sqlite3"
    shutil.copyfile(web_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def web_runtime(web_database_url: str) -> Iterator[Runtime]:
    """Yield a Runtime on this test's copy of the small city."""
    runtime = Runtime(Settings(database_url=web_database_url, secret_key="web-test-secret"))
    try:
        yield runtime
    finally:
        runtime.dispose()


@pytest.fixture
def client(web_runtime: Runtime) -> Iterator[TestClient]:
    """Yield an HTTP client of the application on the small city, logged in as nobody."""
    app = create_app(web_runtime.settings, runtime=web_runtime)
    with TestClient(app, follow_redirects=False) as test_client:
        yield test_client


_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """Return the CSRF token of the first form in a page."""
    match = _CSRF.search(html)
    assert match is not None, "no CSRF token on the page"
    return match.group(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> int:
    """Log in through the login form; return the status of the form's answer."""
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
    )
    return response.status_code


def audit_events(runtime: Runtime, action: str | None = None) -> list[AuditEvent]:
    """Return the audit events stored so far, oldest first; only ``action``'s when given."""
    with runtime.transaction() as session:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action is not None:
            query = query.where(AuditEvent.action == action)
        return list(session.execute(query).scalars())


@pytest.fixture
def live_server(web_runtime: Runtime) -> Iterator[str]:
    """Yield the base URL of a real uvicorn server on a free 127.0.0.1 port (small city)."""
    import socket
    import threading
    import time

    import uvicorn

    app = create_app(web_runtime.settings, runtime=web_runtime)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
