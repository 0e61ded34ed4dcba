"""The public status page /cek-ktp and the handover desk /penyerahan over HTTP (small city)."""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from ektp.cards import lifecycle
from ektp.cards.models import Handover
from ektp.recording.crypto import BiometricCipher
from ektp.runtime import Runtime
from tests.e2e.conftest import (
    IN_ILIR_10,
    IN_SUKAJAYA,
    IN_TALANG_BETUTU,
    audit_events,
    csrf_from,
    log_in,
)
from tests.integration.handover_city import NOW, PNG_PHOTO, advance, record

CIPHER = BiometricCipher(os.urandom(32))
ARRIVED = NOW + dt.timedelta(days=30)


@pytest.fixture
def cards(web_runtime: Runtime, client: TestClient) -> dict[str, int]:
    """Return card ids: 'ready' (Talang Betutu, photo), 'other' (Ilir Timur II, ready),
    'printing' (Sukajaya, in the print queue)."""
    client.app.state.biometric_cipher = CIPHER  # type: ignore[attr-defined]
    with web_runtime.transaction() as session:
        ready = record(session, IN_TALANG_BETUTU.nik, cipher=CIPHER, photo=PNG_PHOTO)
        other = record(session, IN_ILIR_10.nik)
        printing = record(session, IN_SUKAJAYA.nik)
        advance(session, [ready, other], lifecycle.DITERIMA_KECAMATAN, ARRIVED)
        advance(session, [printing], lifecycle.ANTRIAN_CETAK, ARRIVED)
    return {"ready": ready, "other": other, "printing": printing}


def _answer(html: str) -> str:
    match = re.search(r'<section[^>]*id="status-answer".*?</section>', html, re.S)
    assert match is not None, "no answer on the page"
    return match.group(0)


def ask(client: TestClient, nik: str, born: dt.date | str) -> Response:
    token = csrf_from(client.get("/cek-ktp").text)
    born_text = born if isinstance(born, str) else born.isoformat()
    return client.post(
        "/cek-ktp", data={"nik": nik, "tanggal_lahir": born_text, "csrf_token": token}
    )


def test_the_status_page_answers_anyone_in_bahasa_indonesia_with_no_personal_data(
    client: TestClient, cards: dict[str, int]
) -> None:
    page = client.get("/cek-ktp")
    assert page.status_code == 200 and "Cek status KTP-el" in page.text
    response = ask(client, IN_TALANG_BETUTU.nik, IN_TALANG_BETUTU.tanggal_lahir)
    assert response.status_code == 200
    answer = _answer(response.text)
    assert "siap diambil di Kantor Kecamatan Sukarami" in answer
    assert IN_TALANG_BETUTU.nama not in response.text
    assert response.headers["cache-control"] == "no-store"
    english = client.get("/cek-ktp?lang=en")
    assert "Check your e-KTP card" in english.text


def test_a_wrong_nik_and_a_wrong_birth_date_read_the_same(
    client: TestClient, cards: dict[str, int]
) -> None:
    wrong_birth = ask(client, IN_TALANG_BETUTU.nik, dt.date(1980, 5, 18))
    wrong_nik = ask(client, "1671075705809999", IN_TALANG_BETUTU.tanggal_lahir)
    assert _answer(wrong_birth.text) == _answer(wrong_nik.text)
    assert 'data-stage="tidak_ada"' in _answer(wrong_nik.text)


def test_the_status_page_is_rate_limited_per_client(
    client: TestClient, cards: dict[str, int]
) -> None:
    limit = client.app.state.public_limiter.limit  # type: ignore[attr-defined]
    for n in range(limit):
        assert ask(client, IN_TALANG_BETUTU.nik, dt.date(1970, 1, 1 + n)).status_code == 200
    refused = ask(client, IN_TALANG_BETUTU.nik, IN_TALANG_BETUTU.tanggal_lahir)
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "status-answer" not in refused.text


def test_a_status_form_without_its_token_is_refused(client: TestClient) -> None:
    response = client.post(
        "/cek-ktp", data={"nik": IN_TALANG_BETUTU.nik, "tanggal_lahir": "1980-05-17"}
    )
    assert response.status_code == 403
    assert "status-answer" not in response.text


# --- the handover desk ------------------------------------------------------------------


def find(client: TestClient, nik: str) -> Response:
    token = csrf_from(client.get("/penyerahan").text)
    return client.post("/penyerahan/cari", data={"nik": nik, "csrf_token": token})


def test_the_operator_finds_the_card_sees_the_photo_and_hands_it_over_once(
    client: TestClient, web_runtime: Runtime, cards: dict[str, int]
) -> None:
    assert log_in(client, "camat") == 303
    found = find(client, IN_TALANG_BETUTU.nik)
    location = found.headers["location"]
    assert location == f"/penyerahan/kartu/{cards['ready']}"
    page = client.get(location)
    assert page.status_code == 200
    assert IN_TALANG_BETUTU.nama in page.text
    assert 'src="data:image/png;base64,' in page.text
    assert page.headers["cache-control"] == "no-store"
    views = audit_events(web_runtime, "card.handover_view")
    assert [event.subject for event in views] == [IN_TALANG_BETUTU.nik]
    form = {
        "recipient": "pemilik",
        "face_confirmed": "1",
        "acknowledged": "1",
        "csrf_token": csrf_from(page.text),
    }
    done = client.post(location, data=form)
    assert done.status_code == 303
    after = client.get(location)
    assert "Kartu telah diserahkan." in after.text and 'id="handover-form"' not in after.text
    again = client.post(location, data=form)
    assert again.status_code == 409
    assert "already handed over" in again.text
    with web_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Handover)) == 1
    assert len(audit_events(web_runtime, "card.handover")) == 1
    assert len(audit_events(web_runtime, "card.handover_refused")) == 1


def test_a_handover_without_the_face_check_is_refused_naming_it(
    client: TestClient, web_runtime: Runtime, cards: dict[str, int]
) -> None:
    assert log_in(client, "admin") == 303
    url = f"/penyerahan/kartu/{cards['ready']}"
    token = csrf_from(client.get(url).text)
    refused = client.post(
        url, data={"recipient": "pemilik", "acknowledged": "1", "csrf_token": token}
    )
    assert refused.status_code == 422
    assert "confirm that the face matches" in refused.text
    with web_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Handover)) == 0


def test_a_card_never_printed_shows_why_and_cannot_be_handed_over(
    client: TestClient, web_runtime: Runtime, cards: dict[str, int]
) -> None:
    assert log_in(client, "camat") == 303
    url = f"/penyerahan/kartu/{cards['printing']}"
    page = client.get(url)
    assert 'id="handover-not-ready"' in page.text and 'id="handover-form"' not in page.text
    refused = client.post(
        url,
        data={
            "recipient": "pemilik",
            "face_confirmed": "1",
            "acknowledged": "1",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert refused.status_code == 409
    assert "only a card received at the kecamatan" in refused.text
    with web_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Handover)) == 0


def test_an_operator_sees_no_card_of_another_kecamatan(
    client: TestClient, web_runtime: Runtime, cards: dict[str, int]
) -> None:
    assert log_in(client, "camat") == 303
    page = client.get(f"/penyerahan/kartu/{cards['other']}")
    assert page.status_code == 404 and IN_ILIR_10.nama not in page.text
    searched = find(client, IN_ILIR_10.nik)
    assert searched.status_code == 404
    assert IN_ILIR_10.nama not in searched.text
    token = csrf_from(client.get("/penyerahan").text)
    post = client.post(
        f"/penyerahan/kartu/{cards['other']}",
        data={
            "recipient": "pemilik",
            "face_confirmed": "1",
            "acknowledged": "1",
            "csrf_token": token,
        },
    )
    assert post.status_code == 404
    with web_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Handover)) == 0
    assert audit_events(web_runtime, "card.handover_view") == []


@pytest.mark.parametrize("username", ["lurah", "pusat", "pengamat"])
def test_other_roles_are_refused_the_handover_desk(
    client: TestClient, cards: dict[str, int], username: str
) -> None:
    assert log_in(client, username) == 303
    assert client.get("/penyerahan").status_code == 403
    assert client.get(f"/penyerahan/kartu/{cards['ready']}").status_code == 403
