"""The check-in queue over HTTP: the JSON API and the pages, who may use them, what they show.

On the planned small city of ``queue_city``. The server's clock is set per test through the
``clock`` dependency.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ektp.recording.models import QueueTicket
from ektp.recording.queue_api import ACTION_CHECKIN, clock
from ektp.runtime import Runtime
from tests.e2e.conftest import IN_ILIR_10, audit_events, csrf_from, log_in
from tests.e2e.queue_city import OTHER_SITE, SITE, build_queue_city, copy_url
from tests.integration.queue_day import MONDAY, TUESDAY, at, turns


@pytest.fixture(scope="session")
def queue_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return an SQLite file with the small city, its users and the planned campaign."""
    return build_queue_city(sqlite_template, tmp_path_factory.mktemp("queue"))


@pytest.fixture
def web_database_url(queue_template: Path, tmp_path: Path) -> str:
    """Return the URL of this test's copy of the planned small city (used by ``client``)."""
    return copy_url(queue_template, tmp_path)


@pytest.fixture
def set_clock(client: TestClient) -> Callable[[dt.datetime], None]:
    """Return a function that sets the server's present moment (Monday 09:00 to begin)."""

    def set_to(moment: dt.datetime) -> None:
        client.app.dependency_overrides[clock] = lambda: moment  # type: ignore[attr-defined]

    set_to(at(9))
    return set_to


def _letter(runtime: Runtime, index: int = 0, name: str = "pagi") -> tuple[str, str, str]:
    """Return (QR payload, NIK, code) of a Sukarami turn on Monday."""
    invitation, nik = turns(runtime, MONDAY, name, site=SITE)[index]
    return f"EKTP:{invitation.id}:{invitation.attendance_code}", nik, invitation.attendance_code


def _tickets(runtime: Runtime) -> int:
    with runtime.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(QueueTicket)) or 0)


def _later_niks(runtime: Runtime) -> list[str]:
    return [nik for _, nik in turns(runtime, TUESDAY, "pagi", site=SITE)]


def test_an_operator_checks_a_resident_in_and_a_second_scan_returns_the_same_ticket(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    qr, nik, code = _letter(web_runtime)
    log_in(client, "camat")
    first = client.post("/api/v1/recording/checkin", json={"site": SITE, "qr": qr})
    again = client.post(
        "/api/v1/recording/checkin", json={"site": SITE, "nik": nik, "attendance_code": code}
    )
    assert first.status_code == again.status_code == 200, first.text
    body = first.json()
    assert (body["number"], body["display"], body["kind"]) == (1, "001", "invited")
    assert (body["session_name"], body["tanggal"], body["already"]) == ("pagi", "2011-10-03", False)
    assert again.json()["ticket_id"] == body["ticket_id"] and again.json()["already"]
    assert first.headers["Cache-Control"] == "no-store"
    assert _tickets(web_runtime) == 1
    assert [e.subject for e in audit_events(web_runtime, ACTION_CHECKIN)] == [nik, nik]


@pytest.mark.parametrize(
    ("body", "status", "reason"),
    [
        ({"nik": "{nik}", "attendance_code": "ZZZZZZ"}, 422, "wrong_code"),
        ({"qr": "EKTP:{id}:ZZZZZZ"}, 422, "wrong_code"),
        ({"nik": IN_ILIR_10.nik}, 422, "other_site"),
        ({"nik": "1671079999999999"}, 404, "unknown"),
        ({"qr": "not a letter"}, 422, "bad_qr"),
    ],
)
def test_a_refused_check_in_says_why_and_changes_nothing(
    client: TestClient,
    web_runtime: Runtime,
    set_clock: Callable[[dt.datetime], None],
    body: dict[str, str],
    status: int,
    reason: str,
) -> None:
    qr, nik, _ = _letter(web_runtime)
    invitation_id = qr.split(":")[1]
    filled = {key: value.format(nik=nik, id=invitation_id) for key, value in body.items()}
    log_in(client, "camat")
    answer = client.post("/api/v1/recording/checkin", json={"site": SITE, **filled})
    assert answer.status_code == status, answer.text
    assert answer.json()["reason"] == reason
    assert answer.json()["detail"]
    assert _tickets(web_runtime) == 0
    assert audit_events(web_runtime, ACTION_CHECKIN) == []


def test_walk_ins_beyond_the_reserve_are_told_the_next_session_with_room(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    set_clock(at(16, 5))
    log_in(client, "camat")
    niks = _later_niks(web_runtime)[:4]
    answers = [
        client.post("/api/v1/recording/checkin", json={"site": SITE, "nik": nik}) for nik in niks
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 409]
    assert {a.json()["kind"] for a in answers[:3]} == {"walk_in"}
    assert answers[3].json()["next_free"] == {"date": "2011-10-04", "session": "malam"}
    assert _tickets(web_runtime) == 3


def test_numbers_are_called_to_sets_and_the_queue_shows_no_names(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    log_in(client, "camat")
    for index in range(2):
        qr, _, _ = _letter(web_runtime, index)
        assert client.post("/api/v1/recording/checkin", json={"site": SITE, "qr": qr}).is_success
    set_clock(at(9, 10))
    called = client.post("/api/v1/recording/call-next", json={"site": SITE, "set_no": 2})
    assert called.status_code == 200, called.text
    assert called.json()["ticket"]["number"] == 1
    assert called.json()["ticket"]["set_no"] == 2
    queue = client.get("/api/v1/recording/queue", params={"site": SITE})
    assert queue.status_code == 200, queue.text
    state = queue.json()
    assert [s["display"] for s in state["sets"]] == [None, "001", None]
    assert [w["display"] for w in state["waiting"]] == ["002"]
    assert state["estimated_wait_minutes"] == 20  # one ahead, 60 min each, three sets
    with web_runtime.transaction() as session:
        from ektp.residents.models import Resident

        names = list(session.execute(select(Resident.nama)).scalars())
    assert not any(name in queue.text for name in names)
    client.post("/api/v1/recording/call-next", json={"site": SITE, "set_no": 1})
    empty = client.post("/api/v1/recording/call-next", json={"site": SITE, "set_no": 3})
    assert empty.status_code == 200 and empty.json() == {"ticket": None}


def test_a_double_clicked_call_calls_one_number(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    log_in(client, "camat")
    for index in range(2):
        qr, _, _ = _letter(web_runtime, index)
        client.post("/api/v1/recording/checkin", json={"site": SITE, "qr": qr})
    page = client.get(f"/antrean/{SITE}")
    assert 'name="after" value="0"' in page.text
    form = {"set_no": 1, "after": 0, "csrf_token": csrf_from(page.text)}
    first = client.post(f"/antrean/{SITE}/panggil", data=form, follow_redirects=True)
    second = client.post(f"/antrean/{SITE}/panggil", data=form, follow_redirects=True)
    assert "Nomor 001 dipanggil ke loket 1." in first.text
    assert "Nomor 001 dipanggil ke loket 1." in second.text
    state = client.get("/api/v1/recording/queue", params={"site": SITE}).json()
    assert ([w["display"] for w in state["waiting"]], state["served"]) == (["002"], 1)
    body = {"site": SITE, "set_no": 1, "after": 0}
    repeat = client.post("/api/v1/recording/call-next", json=body)
    assert repeat.json()["ticket"]["number"] == 1


def test_a_set_marked_broken_is_called_no_more_until_repaired(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    log_in(client, "camat")
    qr, _, _ = _letter(web_runtime)
    client.post("/api/v1/recording/checkin", json={"site": SITE, "qr": qr})
    broken = client.post(f"/api/v1/recording/sets/{SITE}/3", json={"status": "broken"})
    assert broken.status_code == 200, broken.text
    assert (broken.json()["changed"], broken.json()["sets_working"]) == (True, 2)
    refused = client.post("/api/v1/recording/call-next", json={"site": SITE, "set_no": 3})
    assert refused.status_code == 409 and "broken" in refused.json()["detail"]
    assert (
        client.post(f"/api/v1/recording/sets/{SITE}/9", json={"status": "broken"}).status_code
        == 404
    )
    assert (
        client.post(f"/api/v1/recording/sets/{SITE}/3", json={"status": "gone"}).status_code == 422
    )
    repaired = client.post(f"/api/v1/recording/sets/{SITE}/3", json={"status": "working"})
    assert repaired.json()["sets_working"] == 3
    assert client.post("/api/v1/recording/call-next", json={"site": SITE, "set_no": 3}).is_success
    assert len(audit_events(web_runtime, "equipment.status")) == 2


@pytest.mark.parametrize(
    ("username", "checkin", "queue"),
    [
        ("admin", 200, 200),
        ("camat", 200, 200),
        ("lurah", 403, 403),
        ("pusat", 403, 403),
        ("pengamat", 403, 200),
    ],
)
def test_only_the_kecamatans_operator_and_the_city_admin_run_the_queue(
    client: TestClient,
    web_runtime: Runtime,
    set_clock: Callable[[dt.datetime], None],
    username: str,
    checkin: int,
    queue: int,
) -> None:
    qr, _, _ = _letter(web_runtime)
    log_in(client, username)
    answer = client.post("/api/v1/recording/checkin", json={"site": SITE, "qr": qr})
    assert answer.status_code == checkin
    assert client.get("/api/v1/recording/queue", params={"site": SITE}).status_code == queue


def test_another_kecamatans_site_does_not_exist_for_an_operator(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    log_in(client, "camat")
    for answer in (
        client.post("/api/v1/recording/checkin", json={"site": OTHER_SITE, "nik": IN_ILIR_10.nik}),
        client.post("/api/v1/recording/call-next", json={"site": OTHER_SITE, "set_no": 1}),
        client.get("/api/v1/recording/queue", params={"site": OTHER_SITE}),
        client.post(f"/api/v1/recording/sets/{OTHER_SITE}/1", json={"status": "broken"}),
        client.get(f"/antrean/{OTHER_SITE}"),
        client.get(f"/antrean/{OTHER_SITE}/layar"),
    ):
        assert answer.status_code == 404
    assert _tickets(web_runtime) == 0


def test_without_a_login_the_api_says_401_and_pages_go_to_the_login(client: TestClient) -> None:
    assert client.post("/api/v1/recording/checkin", json={"site": SITE}).status_code == 401
    assert client.get("/api/v1/recording/queue", params={"site": SITE}).status_code == 401
    page = client.get(f"/antrean/{SITE}/layar")
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_the_check_in_page_shows_the_number_in_large_type_or_the_refusal(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    _, nik, code = _letter(web_runtime)
    log_in(client, "camat")
    form = client.get(f"/antrean/{SITE}/checkin")
    assert form.status_code == 200
    token = csrf_from(form.text)
    wrong = client.post(
        f"/antrean/{SITE}/checkin",
        data={"nik": nik, "attendance_code": "ZZZZZZ", "csrf_token": token},
    )
    assert wrong.status_code == 422
    assert "Kode kehadiran tidak cocok dengan surat penduduk ini." in wrong.text
    assert "does not match" in wrong.text
    done = client.post(
        f"/antrean/{SITE}/checkin", data={"nik": nik, "attendance_code": code, "csrf_token": token}
    )
    assert done.status_code == 200
    assert re.search(r'class="ticket-number"[^>]*>001<', done.text)
    assert done.headers["Cache-Control"] == "no-store"
    expired = client.post(f"/antrean/{SITE}/checkin", data={"nik": nik, "csrf_token": "x"})
    assert expired.status_code == 403


def test_the_operator_page_calls_the_next_number_and_switches_sets(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    qr, _, _ = _letter(web_runtime)
    log_in(client, "camat")
    client.post("/api/v1/recording/checkin", json={"site": SITE, "qr": qr})
    page = client.get("/antrean", follow_redirects=True)
    assert page.status_code == 200 and "Panggil berikutnya ke loket 1" in page.text
    token = csrf_from(page.text)
    called = client.post(
        f"/antrean/{SITE}/panggil", data={"set_no": 1, "csrf_token": token}, follow_redirects=True
    )
    assert "Nomor 001 dipanggil ke loket 1." in called.text
    switched = client.post(
        f"/antrean/{SITE}/set/2",
        data={"status": "broken", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Loket 2 rusak" in switched.text
    assert "Tandai loket 2 sudah diperbaiki" in switched.text
    board = client.get(f"/antrean/{SITE}/papan-operator")
    assert board.status_code == 200 and "<html" not in board.text


def test_the_display_shows_each_sets_number_and_refreshes_itself_every_5_seconds(
    client: TestClient, web_runtime: Runtime, set_clock: Callable[[dt.datetime], None]
) -> None:
    qr, _, _ = _letter(web_runtime)
    log_in(client, "camat")
    client.post("/api/v1/recording/checkin", json={"site": SITE, "qr": qr})
    client.post("/api/v1/recording/call-next", json={"site": SITE, "set_no": 1})
    page = client.get(f"/antrean/{SITE}/layar")
    assert page.status_code == 200
    assert f'hx-get="/antrean/{SITE}/layar/papan"' in page.text
    assert 'hx-trigger="every 5s"' in page.text
    board = client.get(f"/antrean/{SITE}/layar/papan")
    assert re.search(r'id="call-set-1".*?class="call-number">001<', board.text, re.S)
    client.cookies.clear()
    log_in(client, "pengamat")
    assert client.get(f"/antrean/{SITE}/layar/papan").status_code == 200
    assert client.get(f"/antrean/{SITE}").status_code == 403
