"""Every route of the application against every role: who is let in, who is sent to log in,
who is refused (403) and for whom the thing does not exist (404, another area).

The routes are read from ``create_app(...)``, so a new route fails ``test_every_route_is_in
_the_matrix`` until it is given a line in ``MATRIX``. Each line names the request made for
that route (on the operator's own kecamatan, Sukarami) and the expected class per role:

    A  allowed: the route answered as it would to its users (2xx, 3xx elsewhere than the
       login, or a 4xx about the request itself: 400, 409, 422)
    L  log in first: 401 for the API, a redirect to /login for pages
    F  forbidden: 403, the role may never do this
    N  not found: 404, not in the user's area
    P  public: anyone, logged in or not (any answer below 500)

A second part proves that an operator of one kecamatan can neither read nor change another
kecamatan's people: resident, queue ticket, recording, invitation; each attempt is refused
and the database is unchanged.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from starlette.routing import Mount

from ektp.app import SESSION_COOKIE, create_app
from ektp.auth import service as auth_service
from ektp.recording import checkin, desk, queue_api
from ektp.recording.models import Capture, QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service as scheduling
from ektp.scheduling.models import Invitation
from ektp.settings import Settings
from tests.e2e import matrix_parts
from tests.e2e.conftest import (
    IN_ILIR_10,
    IN_TALANG_BETUTU,
    PASSWORD,
    RESIDENTS,
    TALANG_BETUTU,
    csrf_from,
    log_in,
)
from tests.e2e.matrix_base import (
    IT2,
    LIVE,
    MONDAY,
    MORNING,
    OTHER_OPERATOR,
    ROLES,
    SECRET,
    SUKARAMI,
    Call,
    Ids,
)

PARTS = matrix_parts.load()


def _checked_in_and_started(session: Any, site: str, nik: str, code: str, inv: int) -> int:
    checkin.check_in(session=session, site_code=site, now=MORNING, by="t", qr=f"EKTP:{inv}:{code}")
    ticket = checkin.call_next(session=session, site_code=site, set_no=1, now=MORNING, by="t")
    assert ticket is not None
    desk.start_recording(session=session, ticket_id=ticket.id, set_no=1, now=MORNING, by="t")
    return ticket.id


def _turn(session: Any, nik: str) -> tuple[int, str]:
    row = session.execute(
        select(Invitation.id, Invitation.attendance_code)
        .join(Resident, Resident.id == Invitation.resident_id)
        .where(Resident.nik == nik, Invitation.status.in_(LIVE))
    ).one()
    return int(row[0]), str(row[1])


def build_city(path: Path) -> Ids:
    """Plan the shipped campaign on the small city; start one recording in Sukarami and one in
    Ilir Timur II (both on Monday morning, set 1); add the other kecamatan's operator."""
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key=SECRET))
    try:
        with runtime.transaction() as session:
            auth_service.create_user(
                session=session,
                username=OTHER_OPERATOR,
                full_name="Operator IT II",
                role="operator_kecamatan",
                area_kode=IT2,
                password=PASSWORD,
            )
            campaign = scheduling.create_campaign(
                session=session, scenario="palembang-2011", now=MORNING
            )
            scheduling.plan(session=session, now=MORNING, today=campaign.start)
        with runtime.transaction() as session:
            own = _turn(session, IN_TALANG_BETUTU.nik)
            other = _turn(session, IN_ILIR_10.nik)
            ticket = _checked_in_and_started(
                session, SUKARAMI, IN_TALANG_BETUTU.nik, *reversed(own)
            )
            other_ticket = _checked_in_and_started(session, IT2, IN_ILIR_10.nik, *reversed(other))
            second = _turn(session, RESIDENTS[2].nik)
            recordings = dict(session.execute(select(Recording.ticket_id, Recording.id)).all())
        extra: dict[str, Any] = {}
        for part in PARTS:
            with runtime.transaction() as session:
                base_ids = Ids(
                    ticket=ticket,
                    recording=recordings[ticket],
                    invitation=second[0],
                    code=second[1],
                    walk_in_nik=RESIDENTS[3].nik,
                    other_ticket=other_ticket,
                    other_recording=recordings[other_ticket],
                    other_invitation=other[0],
                    other_code=other[1],
                )
                extra[matrix_parts.short_name(part)] = part.build(session, base_ids)
        return Ids(
            extra=extra,
            ticket=ticket,
            recording=recordings[ticket],
            invitation=second[0],
            code=second[1],
            walk_in_nik=RESIDENTS[3].nik,
            other_ticket=other_ticket,
            other_recording=recordings[other_ticket],
            other_invitation=other[0],
            other_code=other[1],
        )
    finally:
        runtime.dispose()


@dataclass(frozen=True)
class City:
    path: Path
    ids: Ids
    cookies: dict[str, str]
    csrf: dict[str, str]


@pytest.fixture(scope="module")
def city(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> City:
    """Return the planned city and every role's session cookie and CSRF token, built once."""
    path = tmp_path_factory.mktemp("matrix") / "city.sqlite3"
    shutil.copyfile(web_template, path)
    ids = build_city(path)
    cookies: dict[str, str] = {}
    csrf: dict[str, str] = {}
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key=SECRET))
    try:
        with TestClient(
            create_app(runtime.settings, runtime=runtime), follow_redirects=False
        ) as client:
            for username in (*ROLES[:-1], OTHER_OPERATOR):
                client.cookies.clear()
                assert log_in(client, username) == 303, username
                csrf[username] = csrf_from(client.get("/").text)
                cookies[username] = str(client.cookies.get(SESSION_COOKIE))
    finally:
        runtime.dispose()
    return City(path=path, ids=ids, cookies=cookies, csrf=csrf)


class Copies:
    """One application whose database is a fresh copy of the city for every request made."""

    def __init__(self, city: City, directory: Path) -> None:
        self.city = city
        self.directory = directory
        self.count = 0
        self.runtime: Runtime | None = None
        self.app = create_app(Settings(database_url="sqlite:///:memory:", secret_key=SECRET))
        self.app.dependency_overrides[queue_api.clock] = lambda: MORNING

    def fresh(self) -> Runtime:
        """Point the application at a new copy of the city and return its runtime."""
        self.close()
        self.count += 1
        path = self.directory / f"copy-{self.count}.sqlite3"
        shutil.copyfile(self.city.path, path)
        self.runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key=SECRET))
        self.app.state.runtime = self.runtime
        return self.runtime

    def close(self) -> None:
        """Dispose of the current copy's engine."""
        if self.runtime is not None:
            self.runtime.dispose()
            self.runtime = None


@pytest.fixture
def copies(city: City, tmp_path: Path) -> Iterator[tuple[TestClient, Copies]]:
    """Yield a client and the copies it works on; the clock is Monday 09:00 in Palembang."""
    made = Copies(city, tmp_path)
    made.fresh()
    try:
        with TestClient(made.app, follow_redirects=False) as client:
            yield client, made
    finally:
        made.close()


def send(client: TestClient, city: City, username: str | None, call: Call) -> Any:
    """Send ``call`` as ``username`` (None: logged out), with its session's CSRF token."""
    client.cookies.clear()
    form = None
    if username is not None:
        client.cookies.set(SESSION_COOKIE, city.cookies[username])
    if call.form is not None:
        form = {**call.form, "csrf_token": city.csrf.get(username or "", "none")}
    return client.request(call.method, call.url, json=call.json, data=form, headers=call.headers)


def classify(response: Any) -> str:
    """Return the class of an answer: A, L, F, N (or E for a server error)."""
    status = response.status_code
    if status >= 500:
        return "E"
    if status == 401 or (status in (302, 303, 307) and "/login" in response.headers["location"]):
        return "L"
    return {403: "F", 404: "N"}.get(status, "A")


def calls(ids: Ids) -> dict[str, Call]:
    """Return the request made for each route, keyed by ``METHOD /path/{template}``."""
    template_b64 = base64.b64encode(b"t" * 64).decode()
    kel, nik, day = TALANG_BETUTU, IN_TALANG_BETUTU.nik, MONDAY.isoformat()
    rec, site = ids.recording, SUKARAMI
    return {
        "GET /api/v1/openapi.json": Call("GET", "/api/v1/openapi.json"),
        "GET /docs": Call("GET", "/docs"),
        "GET /docs/oauth2-redirect": Call("GET", "/docs/oauth2-redirect"),
        "POST /api/v1/auth/login": Call(
            "POST", "/api/v1/auth/login", json={"username": "nobody", "password": "wrong"}
        ),
        "POST /api/v1/auth/logout": Call("POST", "/api/v1/auth/logout"),
        "GET /api/v1/auth/me": Call("GET", "/api/v1/auth/me"),
        "GET /api/v1/regions/{kode}": Call("GET", f"/api/v1/regions/{site}"),
        "GET /api/v1/residents": Call("GET", "/api/v1/residents?q=SITI"),
        "GET /api/v1/residents/{nik}": Call("GET", f"/api/v1/residents/{nik}"),
        "GET /api/v1/schedule/campaign": Call("GET", "/api/v1/schedule/campaign"),
        "GET /api/v1/schedule/report": Call("GET", "/api/v1/schedule/report"),
        "GET /api/v1/schedule/daily-load": Call("GET", "/api/v1/schedule/daily-load"),
        "POST /api/v1/schedule/plan": Call("POST", "/api/v1/schedule/plan", json={}),
        "POST /api/v1/schedule/replan": Call(
            "POST", "/api/v1/schedule/replan", json={"day": "2011-10-03"}
        ),
        "GET /api/v1/schedule/kecamatan/{kode}/sites": Call(
            "GET", f"/api/v1/schedule/kecamatan/{site}/sites"
        ),
        "GET /api/v1/schedule/sites/{site_code}/sessions": Call(
            "GET", f"/api/v1/schedule/sites/{site}/sessions?from_day={day}"
        ),
        "POST /api/v1/schedule/sites/{site_code}/sets": Call(
            "POST",
            f"/api/v1/schedule/sites/{site}/sets",
            json={"date": "2011-10-17", "change": 1, "reason": "added"},
        ),
        "POST /api/v1/schedule/sites/{site_code}/sessions/{tanggal}/{session_name}/close": Call(
            "POST", f"/api/v1/schedule/sites/{site}/sessions/2011-10-04/pagi/close"
        ),
        "GET /api/v1/schedule/kelurahan/{kode}/rts": Call(
            "GET", f"/api/v1/schedule/kelurahan/{kel}/rts"
        ),
        "GET /api/v1/schedule/kelurahan/{kode}/follow-up": Call(
            "GET", f"/api/v1/schedule/kelurahan/{kel}/follow-up"
        ),
        "POST /api/v1/schedule/invitations/{invitation_id}/move": Call(
            "POST",
            f"/api/v1/schedule/invitations/{ids.invitation}/move",
            json={"to_date": "2011-10-20", "to_session": "siang"},
        ),
        "POST /api/v1/schedule/invitations/{invitation_id}/attended": Call(
            "POST",
            f"/api/v1/schedule/invitations/{ids.invitation}/attended",
            json={"attendance_code": "WRONG1"},
        ),
        "POST /api/v1/turns/move": Call(
            "POST",
            "/api/v1/turns/move",
            json={
                "nik": nik,
                "tanggal_lahir": "1980-05-17",
                "attendance_code": "WRONG1",
                "to_date": "2011-10-20",
                "to_session": "siang",
            },
        ),
        "GET /login": Call("GET", "/login"),
        "POST /login": Call("POST", "/login", form={"username": "nobody", "password": "x"}),
        "POST /logout": Call("POST", "/logout", form={}),
        "GET /audit": Call("GET", "/audit"),
        "GET /": Call("GET", "/"),
        "GET /wilayah/{kode}": Call("GET", f"/wilayah/{site}"),
        "GET /penduduk": Call("GET", "/penduduk?q=SITI"),
        "GET /penduduk/{nik}": Call("GET", f"/penduduk/{nik}"),
        "POST /rencana/kelurahan/{kode}/surat.pdf": Call(
            "POST", f"/rencana/kelurahan/{kel}/surat.pdf", form={"rw": "3", "rt": "5"}
        ),
        "GET /rencana/kelurahan/{kode}/daftar-antar.{kind}": Call(
            "GET", f"/rencana/kelurahan/{kel}/daftar-antar.csv"
        ),
        "GET /rencana": Call("GET", "/rencana"),
        "POST /rencana/jalankan": Call("POST", "/rencana/jalankan", form={}),
        "GET /rencana/kecamatan/{kode}": Call("GET", f"/rencana/kecamatan/{site}"),
        "GET /rencana/kelurahan/{kode}": Call("GET", f"/rencana/kelurahan/{kel}"),
        "GET /rencana/kelurahan/{kode}/tindak-lanjut": Call(
            "GET", f"/rencana/kelurahan/{kel}/tindak-lanjut"
        ),
        "GET /laporan/harian": Call("GET", "/laporan/harian"),
        "GET /laporan/harian.csv": Call("GET", "/laporan/harian.csv"),
        "POST /laporan/tutup": Call(
            "POST", "/laporan/tutup", form={"site_code": site, "tanggal": day}
        ),
        "POST /api/v1/recording/checkin": Call(
            "POST", "/api/v1/recording/checkin", json={"site": site, "nik": ids.walk_in_nik}
        ),
        "POST /api/v1/recording/call-next": Call(
            "POST", "/api/v1/recording/call-next", json={"site": site, "set_no": 2}
        ),
        "GET /api/v1/recording/queue": Call("GET", f"/api/v1/recording/queue?site={site}"),
        "POST /api/v1/recording/sets/{site}/{set_no}": Call(
            "POST", f"/api/v1/recording/sets/{site}/2", json={"status": "working"}
        ),
        "GET /antrean": Call("GET", "/antrean"),
        "GET /antrean/{site_code}": Call("GET", f"/antrean/{site}"),
        "GET /antrean/{site_code}/papan-operator": Call("GET", f"/antrean/{site}/papan-operator"),
        "POST /antrean/{site_code}/panggil": Call(
            "POST", f"/antrean/{site}/panggil", form={"set_no": "2"}
        ),
        "POST /antrean/{site_code}/set/{set_no}": Call(
            "POST", f"/antrean/{site}/set/2", form={"status": "working"}
        ),
        "GET /antrean/{site_code}/checkin": Call("GET", f"/antrean/{site}/checkin"),
        "POST /antrean/{site_code}/checkin": Call(
            "POST", f"/antrean/{site}/checkin", form={"nik": ids.walk_in_nik}
        ),
        "GET /antrean/{site_code}/layar": Call("GET", f"/antrean/{site}/layar"),
        "GET /antrean/{site_code}/layar/papan": Call("GET", f"/antrean/{site}/layar/papan"),
        "GET /api/v1/recording/desk": Call(
            "GET", f"/api/v1/recording/desk?site_code={site}&set_no=1"
        ),
        "POST /api/v1/recording/next": Call(
            "POST", "/api/v1/recording/next", json={"site_code": site, "set_no": 2}
        ),
        "POST /api/v1/recording/start": Call(
            "POST", "/api/v1/recording/start", json={"ticket_id": ids.ticket, "set_no": 1}
        ),
        "GET /api/v1/recording/{recording_id}": Call("GET", f"/api/v1/recording/{rec}"),
        "POST /api/v1/recording/{recording_id}/captures": Call(
            "POST",
            f"/api/v1/recording/{rec}/captures",
            json={"modality": "photo", "quality": 90, "template_b64": template_b64},
            headers={"Idempotency-Key": "matrix-capture-1"},
        ),
        "POST /api/v1/recording/{recording_id}/exceptions": Call(
            "POST",
            f"/api/v1/recording/{rec}/exceptions",
            json={"modality": "l_little", "reason": "jari tidak ada"},
        ),
        "POST /api/v1/recording/{recording_id}/complete": Call(
            "POST", f"/api/v1/recording/{rec}/complete"
        ),
        "POST /api/v1/recording/{recording_id}/fail": Call(
            "POST", f"/api/v1/recording/{rec}/fail", json={"reason": "alat rusak"}
        ),
        "POST /perekaman/{site_code}/{set_no}/panggil": Call(
            "POST", f"/perekaman/{site}/2/panggil", form={}
        ),
        "POST /perekaman/{site_code}/{set_no}/mulai": Call(
            "POST", f"/perekaman/{site}/1/mulai", form={}
        ),
        "POST /perekaman/{site_code}/{set_no}/koreksi": Call(
            "POST", f"/perekaman/{site}/1/koreksi", form={"field": "pekerjaan", "new_value": "GURU"}
        ),
        "POST /perekaman/{site_code}/{set_no}/pengecualian": Call(
            "POST",
            f"/perekaman/{site}/1/pengecualian",
            form={"modality": "l_little", "reason": "jari tidak ada"},
        ),
        "POST /perekaman/{site_code}/{set_no}/selesai": Call(
            "POST", f"/perekaman/{site}/1/selesai", form={"recording_id": str(rec)}
        ),
        "POST /perekaman/{site_code}/{set_no}/gagal": Call(
            "POST",
            f"/perekaman/{site}/1/gagal",
            form={"recording_id": str(rec), "reason": "alat rusak"},
        ),
        "GET /perekaman": Call("GET", "/perekaman"),
        "GET /perekaman/{site_code}/{set_no}": Call("GET", f"/perekaman/{site}/1"),
        "GET /perekaman/{site_code}/{set_no}/langkah": Call("GET", f"/perekaman/{site}/1/langkah"),
        "GET /static": Call("GET", "/static/app.css"),
        **{route: call for part in PARTS for route, call in part.calls(ids).items()},
    }


# fmt: off
MATRIX: dict[str, str] = {
    # One letter per role, in the order of ROLES: admin camat lurah pusat pengamat anonim.
    "GET /api/v1/openapi.json":                                       "P P P P P P",
    "GET /docs":                                                      "P P P P P P",
    "GET /docs/oauth2-redirect":                                      "P P P P P P",
    "GET /static":                                                    "P P P P P P",
    "GET /login":                                                     "P P P P P P",
    "POST /login":                                                    "P P P P P P",
    "POST /logout":                                                   "P P P P P P",
    "POST /api/v1/auth/login":                                        "P P P P P P",
    "POST /api/v1/auth/logout":                                       "P P P P P P",
    "POST /api/v1/turns/move":                                        "P P P P P P",
    # Counts of the region browser: every role; no personal data.
    "GET /":                                                          "A A A A A L",
    "GET /api/v1/auth/me":                                            "A A A A A L",
    "GET /api/v1/regions/{kode}":                                     "A A A A A L",
    "GET /wilayah/{kode}":                                            "A A A A A L",
    # The registry and its audit.
    "GET /api/v1/residents":                                          "A A A F F L",
    "GET /api/v1/residents/{nik}":                                    "A A A F F L",
    "GET /penduduk":                                                  "A A A F F L",
    "GET /penduduk/{nik}":                                            "A A A F F L",
    "GET /audit":                                                     "A F F F F L",
    # The campaign plan: figures for the observer; runs for the Dinas; turns in the area.
    "GET /api/v1/schedule/campaign":                                  "A A A F A L",
    "GET /api/v1/schedule/report":                                    "A A A F A L",
    "GET /api/v1/schedule/daily-load":                                "A A A F A L",
    "POST /api/v1/schedule/plan":                                     "A F F F F L",
    "POST /api/v1/schedule/replan":                                   "A F F F F L",
    "GET /api/v1/schedule/kecamatan/{kode}/sites":                    "A A A F F L",
    "GET /api/v1/schedule/sites/{site_code}/sessions":                "A A A F F L",
    "POST /api/v1/schedule/sites/{site_code}/sets":                   "A A F F F L",
    "POST /api/v1/schedule/sites/{site_code}/sessions/{tanggal}/{session_name}/close":
                                                                      "A A F F F L",
    "GET /api/v1/schedule/kelurahan/{kode}/rts":                      "A A A F F L",
    "GET /api/v1/schedule/kelurahan/{kode}/follow-up":                "A A A F F L",
    "POST /api/v1/schedule/invitations/{invitation_id}/move":         "A A F F F L",
    "POST /api/v1/schedule/invitations/{invitation_id}/attended":     "A A F F F L",
    "GET /rencana":                                                   "A A A F A L",
    "POST /rencana/jalankan":                                         "A F F F F L",
    "GET /rencana/kecamatan/{kode}":                                  "A A F F F L",
    "GET /rencana/kelurahan/{kode}":                                  "A A A F F L",
    "GET /rencana/kelurahan/{kode}/tindak-lanjut":                    "A A A F F L",
    "POST /rencana/kelurahan/{kode}/surat.pdf":                       "A A A F F L",
    "GET /rencana/kelurahan/{kode}/daftar-antar.{kind}":              "A A A F F L",
    # The daily report (counts only) and closing a day.
    "GET /laporan/harian":                                            "A A F F A L",
    "GET /laporan/harian.csv":                                        "A A F F A L",
    "POST /laporan/tutup":                                            "A A F F F L",
    # The door and the queue; the waiting-room screens hold numbers only.
    "POST /api/v1/recording/checkin":                                 "A A F F F L",
    "POST /api/v1/recording/call-next":                               "A A F F F L",
    "GET /api/v1/recording/queue":                                    "A A F F A L",
    "POST /api/v1/recording/sets/{site}/{set_no}":                    "A A F F F L",
    "GET /antrean":                                                   "A A F F F L",
    "GET /antrean/{site_code}":                                       "A A F F F L",
    "GET /antrean/{site_code}/papan-operator":                        "A A F F F L",
    "POST /antrean/{site_code}/panggil":                              "A A F F F L",
    "POST /antrean/{site_code}/set/{set_no}":                         "A A F F F L",
    "GET /antrean/{site_code}/checkin":                               "A A F F F L",
    "POST /antrean/{site_code}/checkin":                              "A A F F F L",
    "GET /antrean/{site_code}/layar":                                 "A A F F A L",
    "GET /antrean/{site_code}/layar/papan":                           "A A F F A L",
    # The perekaman desk and the device API.
    "GET /api/v1/recording/desk":                                     "A A F F F L",
    "POST /api/v1/recording/next":                                    "A A F F F L",
    "POST /api/v1/recording/start":                                   "A A F F F L",
    "GET /api/v1/recording/{recording_id}":                           "A A F F F L",
    "POST /api/v1/recording/{recording_id}/captures":                 "A A F F F L",
    "POST /api/v1/recording/{recording_id}/exceptions":               "A A F F F L",
    "POST /api/v1/recording/{recording_id}/complete":                 "A A F F F L",
    "POST /api/v1/recording/{recording_id}/fail":                     "A A F F F L",
    "GET /perekaman":                                                 "A A F F F L",
    "GET /perekaman/{site_code}/{set_no}":                            "A A F F F L",
    "GET /perekaman/{site_code}/{set_no}/langkah":                    "A A F F F L",
    "POST /perekaman/{site_code}/{set_no}/panggil":                   "A A F F F L",
    "POST /perekaman/{site_code}/{set_no}/mulai":                     "A A F F F L",
    "POST /perekaman/{site_code}/{set_no}/koreksi":                   "A A F F F L",
    "POST /perekaman/{site_code}/{set_no}/pengecualian":              "A A F F F L",
    "POST /perekaman/{site_code}/{set_no}/selesai":                   "A A F F F L",
    "POST /perekaman/{site_code}/{set_no}/gagal":                     "A A F F F L",
}
# fmt: on
for _part in PARTS:
    MATRIX.update(_part.LINES)


def app_routes() -> list[str]:
    """Return ``METHOD /path`` of every route of the application (mounts: ``GET /path``)."""
    app = create_app(Settings(database_url="sqlite:///:memory:", secret_key=SECRET))
    keys = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        path = getattr(context, "path", None) or getattr(route, "path", "")
        if isinstance(route, Mount):
            keys.append(f"GET {path}")
            continue
        methods = sorted(set(getattr(route, "methods", None) or ()) - {"HEAD"})
        keys.extend(f"{method} {path}" for method in methods)
    return keys


def test_every_route_is_in_the_matrix() -> None:
    routes = set(app_routes())
    unclassified = sorted(routes - set(MATRIX))
    assert not unclassified, f"add these routes to MATRIX (and calls()): {unclassified}"
    assert sorted(set(MATRIX) - routes) == [], "MATRIX names routes the app no longer has"
    dummy = Ids(1, 1, 1, "X", "1", 2, 2, 2, "Y")
    assert set(calls(dummy)) == set(MATRIX)
    assert all(len(line.split()) == len(ROLES) for line in MATRIX.values())


@pytest.mark.parametrize("route", sorted(MATRIX))
def test_each_role_gets_the_answer_the_matrix_expects(
    route: str, city: City, copies: tuple[TestClient, Copies]
) -> None:
    client, made = copies
    call = calls(city.ids)[route]
    observed = {}
    for role, expected in zip(ROLES, MATRIX[route].split(), strict=True):
        made.fresh()
        response = send(client, city, None if role == "anonim" else role, call)
        got = classify(response)
        observed[role] = f"{got}({response.status_code})"
        if expected == "P":
            assert got != "E", (route, role, response.status_code)
    expected_line = {r: e for r, e in zip(ROLES, MATRIX[route].split(), strict=True)}
    mismatched = {
        role: (expected_line[role], observed[role])
        for role in ROLES
        if expected_line[role] != "P" and observed[role][0] != expected_line[role]
    }
    assert not mismatched, f"{route}: expected vs observed {mismatched}"


# --- one kecamatan's operator against another kecamatan's people --------------------------


def snapshot(runtime: Runtime) -> dict[str, list[tuple[Any, ...]]]:
    """Return every row a desk, queue or schedule action could change (not the audit log,
    where refusals are written)."""
    with runtime.transaction() as session:
        return {
            "tickets": list(
                session.execute(
                    select(QueueTicket.id, QueueTicket.status, QueueTicket.set_no).order_by(
                        QueueTicket.id
                    )
                ).all()
            ),
            "recordings": list(
                session.execute(
                    select(Recording.id, Recording.status, Recording.exceptions).order_by(
                        Recording.id
                    )
                ).all()
            ),
            "captures": [(session.scalar(select(func.count()).select_from(Capture)),)],
            "invitations": list(
                session.execute(
                    select(
                        Invitation.id, Invitation.status, Invitation.tanggal, Invitation.session
                    ).order_by(Invitation.id)
                ).all()
            ),
        }


def other_area_calls(ids: Ids, own_site: str, other_site: str) -> list[Call]:
    """Return requests of an operator of ``own_site`` that name the other kecamatan's site,
    resident, ticket, recording or invitation."""
    template_b64 = base64.b64encode(b"t" * 64).decode()
    rec = ids.other_recording
    nik = IN_ILIR_10.nik if other_site == IT2 else IN_TALANG_BETUTU.nik
    return [
        Call("GET", f"/api/v1/residents/{nik}"),
        Call("GET", f"/penduduk/{nik}"),
        Call("GET", f"/api/v1/recording/{rec}"),
        Call(
            "POST",
            f"/api/v1/recording/{rec}/captures",
            json={"modality": "photo", "quality": 90, "template_b64": template_b64},
            headers={"Idempotency-Key": "other-area-1"},
        ),
        Call(
            "POST",
            f"/api/v1/recording/{rec}/exceptions",
            json={"modality": "l_little", "reason": "jari tidak ada"},
        ),
        Call("POST", f"/api/v1/recording/{rec}/complete"),
        Call("POST", f"/api/v1/recording/{rec}/fail", json={"reason": "alat rusak"}),
        Call("POST", "/api/v1/recording/start", json={"ticket_id": ids.other_ticket, "set_no": 1}),
        Call("GET", f"/api/v1/recording/desk?site_code={other_site}&set_no=1"),
        Call("POST", "/api/v1/recording/next", json={"site_code": other_site, "set_no": 2}),
        Call(
            "POST", "/api/v1/recording/checkin", json={"site": other_site, "nik": ids.walk_in_nik}
        ),
        Call(
            "POST",
            "/api/v1/recording/checkin",
            json={"site": own_site, "qr": f"EKTP:{ids.other_invitation}:{ids.other_code}"},
        ),
        Call("POST", "/api/v1/recording/call-next", json={"site": other_site, "set_no": 2}),
        Call("GET", f"/api/v1/recording/queue?site={other_site}"),
        Call("POST", f"/api/v1/recording/sets/{other_site}/2", json={"status": "broken"}),
        Call(
            "POST",
            f"/api/v1/schedule/invitations/{ids.other_invitation}/move",
            json={"to_date": "2011-10-20", "to_session": "siang"},
        ),
        Call(
            "POST",
            f"/api/v1/schedule/invitations/{ids.other_invitation}/attended",
            json={"attendance_code": ids.other_code},
        ),
        Call("POST", f"/api/v1/schedule/sites/{other_site}/sessions/2011-10-03/pagi/close"),
        Call("GET", f"/antrean/{other_site}"),
        Call("POST", f"/antrean/{other_site}/panggil", form={"set_no": "2"}),
        Call("POST", f"/antrean/{other_site}/checkin", form={"nik": ids.walk_in_nik}),
        Call("GET", f"/perekaman/{other_site}/1"),
        Call("POST", f"/perekaman/{other_site}/1/selesai", form={"recording_id": str(rec)}),
        Call(
            "POST",
            f"/perekaman/{other_site}/1/gagal",
            form={"recording_id": str(rec), "reason": "alat rusak"},
        ),
        Call("POST", f"/perekaman/{own_site}/1/selesai", form={"recording_id": str(rec)}),
        Call(
            "POST",
            f"/perekaman/{own_site}/1/gagal",
            form={"recording_id": str(rec), "reason": "alat rusak"},
        ),
        Call("POST", "/laporan/tutup", form={"site_code": other_site, "tanggal": "2011-10-03"}),
        Call("GET", f"/rencana/kecamatan/{other_site}"),
    ]


def test_an_operator_reads_and_changes_nobody_of_another_kecamatan(
    city: City, copies: tuple[TestClient, Copies]
) -> None:
    client, made = copies
    runtime = made.fresh()
    before = snapshot(runtime)
    outside = IN_ILIR_10
    for call in other_area_calls(city.ids, SUKARAMI, IT2):
        response = send(client, city, "camat", call)
        refused = response.status_code in (403, 404)
        # Checking in another kecamatan's resident at one's own door: refused as such (422).
        wrong_door = call.json is not None and str(call.json.get("qr", "")).startswith("EKTP:")
        assert refused or (wrong_door and response.status_code == 422), (
            call.method,
            call.url,
            response.status_code,
        )
        # (A refused page links to itself in the other language, so its URL holds the NIK.)
        assert outside.nama not in response.text, call.url
        if call.url.startswith("/api/"):
            assert outside.nik not in response.text, call.url
    assert snapshot(runtime) == before


def test_the_other_way_round_too(city: City, copies: tuple[TestClient, Copies]) -> None:
    client, made = copies
    runtime = made.fresh()
    before = snapshot(runtime)
    swapped = Ids(
        ticket=city.ids.other_ticket,
        recording=city.ids.other_recording,
        invitation=city.ids.other_invitation,
        code=city.ids.other_code,
        walk_in_nik=city.ids.walk_in_nik,
        other_ticket=city.ids.ticket,
        other_recording=city.ids.recording,
        other_invitation=city.ids.invitation,
        other_code=city.ids.code,
    )
    for call in other_area_calls(swapped, IT2, SUKARAMI):
        response = send(client, city, OTHER_OPERATOR, call)
        wrong_door = call.json is not None and str(call.json.get("qr", "")).startswith("EKTP:")
        assert response.status_code in (403, 404) or (wrong_door and response.status_code == 422), (
            call.method,
            call.url,
            response.status_code,
        )
        assert IN_TALANG_BETUTU.nama not in response.text, call.url
    assert snapshot(runtime) == before


def test_the_same_calls_on_ones_own_kecamatan_are_let_through(
    city: City, copies: tuple[TestClient, Copies]
) -> None:
    # The refusals above are about the area, not the requests: the operator of Ilir Timur II
    # reads its own recording and resident.
    client, made = copies
    made.fresh()
    own = send(
        client, city, OTHER_OPERATOR, Call("GET", f"/api/v1/recording/{city.ids.other_recording}")
    )
    assert own.status_code == 200 and own.json()["resident"]["nik"] == IN_ILIR_10.nik
    page = send(client, city, OTHER_OPERATOR, Call("GET", f"/penduduk/{IN_ILIR_10.nik}"))
    assert page.status_code == 200 and IN_ILIR_10.nama in page.text
