"""The desk pages over HTTP: who may open them, the audited view of the biodata, corrections
as change requests, the forms' CSRF check, and the steps fragment that htmx polls.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from ektp.recording.models import ChangeRequest, QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from tests.e2e.conftest import audit_events, csrf_from, log_in
from tests.e2e.desk_city import SUKARAMI, build_planned, call_to_set, copy_of

DESK = f"/perekaman/{SUKARAMI}/1"


@pytest.fixture(scope="module")
def planned(web_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the planned small city, built once for the module."""
    return build_planned(web_template, tmp_path_factory.mktemp("desk-pages"))


@pytest.fixture
def web_runtime(planned: Path, tmp_path: Path) -> Iterator[Runtime]:
    """Yield a runtime on this test's copy of the planned city."""
    runtime = copy_of(planned, tmp_path)
    try:
        yield runtime
    finally:
        runtime.dispose()


@pytest.fixture
def camat(client: TestClient) -> TestClient:
    """Return the client logged in as Sukarami's operator."""
    assert log_in(client, "camat") == 303
    return client


@pytest.fixture
def called(web_runtime: Runtime) -> tuple[int, str, str]:
    """Return (ticket id, NIK, name) of the resident called to set 1 of Sukarami."""
    ticket = call_to_set(web_runtime, SUKARAMI, 1)
    with web_runtime.transaction() as session:
        resident = session.get(Resident, ticket.resident_id)
        assert resident is not None
        return ticket.id, resident.nik, resident.nama


def _recording(runtime: Runtime) -> Recording | None:
    with runtime.transaction() as session:
        return session.execute(select(Recording)).scalar_one_or_none()


@pytest.mark.parametrize("username", ["lurah", "pusat", "pengamat"])
def test_roles_without_a_desk_get_403(
    client: TestClient, called: tuple[int, str, str], username: str
) -> None:
    assert log_in(client, username) == 303
    assert client.get("/perekaman").status_code == 403
    assert client.get(DESK).status_code == 403


def test_an_operator_of_another_kecamatan_finds_no_desk_here(
    client: TestClient, web_runtime: Runtime, called: tuple[int, str, str]
) -> None:
    assert log_in(client, "camat-it2") == 303
    answer = client.get(DESK)
    assert answer.status_code == 404 and called[2] not in answer.text
    assert audit_events(web_runtime, "resident.view") == []


def test_the_desk_list_links_each_set_of_the_operator_s_sites(camat: TestClient) -> None:
    page = camat.get("/perekaman").text
    assert f'href="{DESK}"' in page and f'href="/perekaman/{SUKARAMI}/3"' in page
    assert "/perekaman/16.71.06/" not in page


def test_the_desk_shows_the_called_resident_and_audits_the_view(
    camat: TestClient, web_runtime: Runtime, called: tuple[int, str, str]
) -> None:
    _, nik, nama = called
    page = camat.get(DESK)
    assert page.status_code == 200 and nama in page.text and nik in page.text
    assert page.headers["Cache-Control"] == "no-store"
    views = audit_events(web_runtime, "resident.view")
    assert [(event.username, event.subject) for event in views] == [("camat", nik)]
    assert f'"desk": "{SUKARAMI}"' in (views[0].detail or "")
    assert "Belum ada nomor" in camat.get(f"/perekaman/{SUKARAMI}/2").text


def test_a_correction_is_recorded_as_a_change_request_and_the_registry_is_untouched(
    camat: TestClient, web_runtime: Runtime, called: tuple[int, str, str]
) -> None:
    token = csrf_from(camat.get(DESK).text)
    answer = camat.post(
        f"{DESK}/koreksi",
        data={"field": "pekerjaan", "new_value": "GURU", "csrf_token": token},
    )
    assert answer.status_code == 303
    with web_runtime.transaction() as session:
        change = session.execute(select(ChangeRequest)).scalar_one()
        resident = session.get(Resident, change.resident_id)
        assert resident is not None and resident.nik == called[1]
        assert (change.field, change.old_value, change.new_value) == (
            "pekerjaan",
            "WIRASWASTA",
            "GURU",
        )
        assert resident.pekerjaan == "WIRASWASTA"
    page = camat.get(DESK).text
    assert "Permintaan perbaikan dicatat" in page and "GURU" in page
    assert len(audit_events(web_runtime, "change_request.create")) == 1


def test_a_form_without_the_session_s_csrf_token_changes_nothing(
    camat: TestClient, web_runtime: Runtime, called: tuple[int, str, str]
) -> None:
    assert camat.post(f"{DESK}/mulai", data={"csrf_token": "forged"}).status_code == 403
    assert (
        camat.post(f"{DESK}/koreksi", data={"field": "nama", "new_value": "X"}).status_code == 403
    )
    assert _recording(web_runtime) is None
    with web_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ChangeRequest)) == 0


def test_the_operator_starts_notes_an_exception_and_fails_a_recording(
    camat: TestClient, web_runtime: Runtime, called: tuple[int, str, str]
) -> None:
    token = csrf_from(camat.get(DESK).text)
    assert camat.post(f"{DESK}/mulai", data={"csrf_token": token}).status_code == 303
    recording = _recording(web_runtime)
    assert recording is not None and recording.status == "in_progress"
    page = camat.get(DESK).text
    assert 'data-modality="l_little"' in page and 'name="reason"' in page
    noted = camat.post(
        f"{DESK}/pengecualian",
        data={"modality": "l_little", "reason": "jari hilang", "csrf_token": token},
    )
    assert noted.status_code == 303
    assert "jari hilang" in camat.get(DESK).text
    failed = camat.post(
        f"{DESK}/gagal",
        data={"recording_id": recording.id, "reason": "kamera rusak", "csrf_token": token},
    )
    assert failed.status_code == 303
    assert "Perekaman gagal: kamera rusak" in camat.get(DESK).text
    with web_runtime.transaction() as session:
        ticket = session.get(QueueTicket, called[0])
        assert ticket is not None and ticket.status == "failed"


def test_an_incomplete_recording_is_not_completed_from_the_page(
    camat: TestClient, web_runtime: Runtime, called: tuple[int, str, str]
) -> None:
    token = csrf_from(camat.get(DESK).text)
    camat.post(f"{DESK}/mulai", data={"csrf_token": token})
    recording = _recording(web_runtime)
    assert recording is not None
    camat.post(f"{DESK}/selesai", data={"recording_id": recording.id, "csrf_token": token})
    assert "neither accepted nor excepted" in camat.get(DESK).text
    again = _recording(web_runtime)
    assert again is not None and again.status == "in_progress"


def test_the_polled_steps_answer_nothing_until_they_change_and_reload_for_a_new_resident(
    camat: TestClient, called: tuple[int, str, str]
) -> None:
    page = camat.get(DESK).text
    start = page.index("/langkah?") + len("/langkah?")
    query = page[start : page.index('"', start)].replace("&amp;", "&")
    unchanged = camat.get(f"{DESK}/langkah?{query}")
    assert unchanged.status_code == 204
    stale = camat.get(f"{DESK}/langkah?state=none&steps=x")
    assert stale.headers.get("HX-Refresh") == "true"
