"""The residents' card status lookup on SQLite and PostgreSQL: the truth and nothing more,
the same answer for a wrong NIK and a wrong birth date, every lookup audited with the NIK
masked, and a brute-force loop held by the rate limit (429) without leaking anything."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ektp.app import create_app
from ektp.auth.models import AuditEvent
from ektp.cards import lifecycle, status
from ektp.cards.handover import hand_over
from ektp.cards.lookup import ACTION_LOOKUP, lookup_status, mask_nik
from ektp.runtime import Runtime
from tests.integration.handover_city import NOW, PEOPLE, advance, load_people, record

ARRIVED = NOW + dt.timedelta(days=40)
OWNER, PRINTING, NO_CARD, ELSEWHERE = PEOPLE[0], PEOPLE[1], PEOPLE[2], PEOPLE[3]


@pytest.fixture
def cards(runtime: Runtime) -> Runtime:
    """Return the runtime with OWNER's card ready at Sukarami, PRINTING's at the centre,
    ELSEWHERE's handed over, and NO_CARD never recorded."""
    with runtime.transaction() as session:
        load_people(session)
        ready = record(session, OWNER.nik)
        printing = record(session, PRINTING.nik)
        handed = record(session, ELSEWHERE.nik)
        advance(session, [ready, handed], lifecycle.DITERIMA_KECAMATAN, ARRIVED)
        advance(session, [printing], lifecycle.DICETAK, ARRIVED)
        hand_over(
            session=session,
            card_id=handed,
            recipient="pemilik",
            face_confirmed=True,
            acknowledged=True,
            operator="it2",
            operator_name="Petugas IT II",
            now=ARRIVED + dt.timedelta(days=2),
        )
    return runtime


def look(runtime: Runtime, nik: str, born: dt.date) -> status.PublicStatus:
    with runtime.transaction() as session:
        return lookup_status(
            session=session, nik=nik, tanggal_lahir=born, client="10.0.0.9", now=ARRIVED
        )


def test_a_resident_sees_where_the_card_is_and_nothing_more(cards: Runtime) -> None:
    ready = look(cards, OWNER.nik, OWNER.tanggal_lahir)
    assert ready.stage == status.SIAP_DIAMBIL
    assert ready.place == "Kantor Kecamatan Sukarami"
    assert ready.date == dt.date(2011, 11, 12)
    printing = look(cards, PRINTING.nik, PRINTING.tanggal_lahir)
    assert (printing.stage, printing.date) == (status.DI_PUSAT, NOW.date())
    handed = look(cards, ELSEWHERE.nik, ELSEWHERE.tanggal_lahir)
    assert (handed.stage, handed.date) == (status.DISERAHKAN, dt.date(2011, 11, 14))
    for answer, person in ((ready, OWNER), (printing, PRINTING), (handed, ELSEWHERE)):
        text = json.dumps(answer.as_json())
        for private in (person.nama, person.nik, person.alamat or "", "S0000"):
            assert private not in text


def test_a_wrong_nik_a_wrong_birth_date_and_no_card_give_the_identical_answer(
    cards: Runtime,
) -> None:
    wrong_nik = look(cards, "1671071705809999", OWNER.tanggal_lahir)
    wrong_birth = look(cards, OWNER.nik, OWNER.tanggal_lahir + dt.timedelta(days=1))
    never_recorded = look(cards, NO_CARD.nik, NO_CARD.tanggal_lahir)
    malformed = look(cards, "not-a-nik", OWNER.tanggal_lahir)
    assert wrong_nik == wrong_birth == never_recorded == malformed == status.NO_CARD
    assert json.dumps(wrong_nik.as_json()) == json.dumps(wrong_birth.as_json())


def test_every_lookup_is_audited_with_the_nik_masked(cards: Runtime) -> None:
    look(cards, OWNER.nik, OWNER.tanggal_lahir)
    look(cards, OWNER.nik, dt.date(1999, 1, 1))
    with cards.transaction() as session:
        events = (
            session.execute(
                select(AuditEvent).where(AuditEvent.action == ACTION_LOOKUP).order_by(AuditEvent.id)
            )
            .scalars()
            .all()
        )
    assert [e.subject for e in events] == [mask_nik(OWNER.nik)] * 2
    assert OWNER.nik not in mask_nik(OWNER.nik) and mask_nik(OWNER.nik).endswith(OWNER.nik[-4:])
    # Masked as the pipeline's lists mask it: the kecamatan and the birth date hidden.
    assert mask_nik(OWNER.nik) == f"{OWNER.nik[:4]}xxxxxxxx{OWNER.nik[-4:]}"
    assert [json.loads(e.detail or "{}")["found"] for e in events] == [True, False]
    assert all(e.client == "10.0.0.9" and e.username is None for e in events)


def post(client: TestClient, nik: str, born: dt.date) -> Any:
    return client.post("/api/v1/status", json={"nik": nik, "tanggal_lahir": born.isoformat()})


def test_the_api_answers_without_login_and_the_same_shape_for_every_miss(cards: Runtime) -> None:
    with TestClient(create_app(cards.settings, runtime=cards)) as client:
        found = post(client, OWNER.nik, OWNER.tanggal_lahir)
        wrong_nik = post(client, "1671071705809999", OWNER.tanggal_lahir)
        wrong_birth = post(client, OWNER.nik, dt.date(1980, 5, 18))
    assert found.status_code == wrong_nik.status_code == wrong_birth.status_code == 200
    assert found.json()["stage"] == "siap_diambil"
    assert set(found.json()) == set(wrong_nik.json()) == {"stage", "message", "date", "place"}
    assert wrong_nik.content == wrong_birth.content
    assert found.headers["cache-control"] == "no-store"


def test_a_brute_force_loop_is_held_by_the_rate_limit_and_learns_nothing(cards: Runtime) -> None:
    app = create_app(cards.settings, runtime=cards)
    limit = app.state.public_limiter.limit
    with TestClient(app) as client:
        answers = [
            post(client, OWNER.nik, dt.date(1980, 1, 1) + dt.timedelta(days=n))
            for n in range(limit + 15)
        ]
        # The right birth date, once the limit is reached: still refused.
        late = post(client, OWNER.nik, OWNER.tanggal_lahir)
    allowed, refused = answers[:limit], [*answers[limit:], late]
    assert all(a.status_code == 200 for a in allowed)
    assert len({a.content for a in allowed}) == 1  # all the same "no card" answer
    assert all(r.status_code == 429 and int(r.headers["Retry-After"]) > 0 for r in refused)
    for response in refused:
        assert set(response.json()) == {"detail"}
        assert OWNER.nama not in response.text and "siap" not in response.text
    with cards.transaction() as session:
        audited = session.execute(
            select(AuditEvent.id).where(AuditEvent.action == ACTION_LOOKUP)
        ).all()
    assert len(audited) == limit  # refused attempts never reach the registry
