"""The handover desk over HTTP (small city): a desk learns nothing of other areas' residents,
every search is audited, a card lies where it is handed over, and a card's state reads with
the same words as on the pipeline page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from ektp.auth import service as auth_service
from ektp.cards import lifecycle
from ektp.cards.models import Card, Handover
from ektp.cards.transitions import move
from ektp.runtime import Runtime
from ektp.web import i18n
from tests.e2e.conftest import NOW, PASSWORD, RESIDENTS, audit_events, csrf_from, log_in
from tests.integration.handover_city import advance, record

ARRIVED = NOW + dt.timedelta(days=30)
RETURNED = ARRIVED + dt.timedelta(days=91)
READY, NO_CARD, RETURNED_OWNER, AT_CITY = RESIDENTS[0], RESIDENTS[2], RESIDENTS[3], RESIDENTS[5]
UNKNOWN_NIK = "1671079999990001"


@pytest.fixture
def cards(web_runtime: Runtime) -> dict[str, int]:
    """Return card ids, all of Sukarami: 'ready' (at the kecamatan), 'returned' (back at the
    city office, not collected), 'at_city' (received at the city office). NO_CARD has none.
    Adds 'camat_it2', the operator of Ilir Timur II."""
    with web_runtime.transaction() as session:
        ready = record(session, READY.nik)
        returned = record(session, RETURNED_OWNER.nik)
        at_city = record(session, AT_CITY.nik)
        advance(session, [ready, returned], lifecycle.DITERIMA_KECAMATAN, ARRIVED)
        advance(session, [at_city], lifecycle.DITERIMA_KOTA, ARRIVED)
        move(
            session=session,
            card_ids=[returned],
            to_state=lifecycle.DIKEMBALIKAN_KOTA,
            at=RETURNED,
            actor="system",
            values={"location": "16.71"},
        )
        auth_service.create_user(
            session=session,
            username="camat_it2",
            full_name="Pengguna camat IT2",
            role="operator_kecamatan",
            area_kode="16.71.06",
            password=PASSWORD,
            now=NOW,
        )
    return {"ready": ready, "returned": returned, "at_city": at_city}


def find(client: TestClient, nik: str) -> Response:
    token = csrf_from(client.get("/penyerahan").text)
    return client.post("/penyerahan/cari", data={"nik": nik, "csrf_token": token})


def _problem(html: str) -> str:
    match = re.search(r'<p class="error" role="alert" id="handover-problem">(.*?)</p>', html, re.S)
    assert match is not None, "no problem on the page"
    return match.group(1)


def test_another_kecamatans_desk_reads_every_miss_the_same_and_each_search_is_audited(
    client: TestClient, web_runtime: Runtime, cards: dict[str, int]
) -> None:
    assert log_in(client, "camat_it2") == 303
    answers = [find(client, nik) for nik in (UNKNOWN_NIK, READY.nik, NO_CARD.nik)]
    assert [answer.status_code for answer in answers] == [404, 404, 404]
    problems = {_problem(answer.text) for answer in answers}
    assert problems == {i18n.translate("id", "handover.not_in_area")}
    for answer in answers:
        assert READY.nama not in answer.text and NO_CARD.nama not in answer.text
    searches = audit_events(web_runtime, "card.handover_search")
    assert [(event.username, event.subject) for event in searches] == [
        ("camat_it2", UNKNOWN_NIK),
        ("camat_it2", READY.nik),
        ("camat_it2", NO_CARD.nik),
    ]
    assert audit_events(web_runtime, "card.handover_view") == []


def test_the_own_desk_is_told_a_resident_has_no_card_yet(
    client: TestClient, web_runtime: Runtime, cards: dict[str, int]
) -> None:
    assert log_in(client, "camat") == 303
    answer = find(client, NO_CARD.nik)
    assert answer.status_code == 422 and "no card yet" in answer.text
    assert find(client, READY.nik).headers["location"] == f"/penyerahan/kartu/{cards['ready']}"
    searches = audit_events(web_runtime, "card.handover_search")
    assert [event.subject for event in searches] == [NO_CARD.nik, READY.nik]


def test_a_card_returned_to_the_city_office_is_handed_over_there_not_at_the_kecamatan(
    client: TestClient, web_runtime: Runtime, cards: dict[str, int]
) -> None:
    url = f"/penyerahan/kartu/{cards['returned']}"
    form = {"recipient": "pemilik", "face_confirmed": "1", "acknowledged": "1"}
    assert log_in(client, "camat") == 303
    page = client.get(url)
    assert 'id="handover-not-ready"' in page.text and 'id="handover-form"' not in page.text
    assert "Dikembalikan ke kota" in page.text
    refused = client.post(url, data={**form, "csrf_token": csrf_from(page.text)})
    assert refused.status_code == 409 and "not at this desk" in refused.text
    with web_runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Handover)) == 0
    client.cookies.clear()
    assert log_in(client, "admin") == 303
    page = client.get(url)
    assert 'id="handover-form"' in page.text
    done = client.post(url, data={**form, "csrf_token": csrf_from(page.text)})
    assert done.status_code == 303
    with web_runtime.transaction() as session:
        card = session.get(Card, cards["returned"])
        assert card is not None and card.state == lifecycle.DISERAHKAN


def test_the_desk_names_a_cards_state_with_the_pipelines_words(
    client: TestClient, cards: dict[str, int]
) -> None:
    assert log_in(client, "camat") == 303
    page = client.get(f"/penyerahan/kartu/{cards['at_city']}")
    state = re.search(r'<span class="badge" id="handover-state"[^>]*>(.*?)</span>', page.text)
    assert state is not None
    assert state.group(1) == i18n.translate("id", f"card_state.{lifecycle.DITERIMA_KOTA}")
    english = client.get(f"/penyerahan/kartu/{cards['at_city']}?lang=en")
    assert i18n.translate("en", f"card_state.{lifecycle.DITERIMA_KOTA}") in english.text
