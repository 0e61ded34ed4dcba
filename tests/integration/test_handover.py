"""Handing cards over and the "card ready" outbox, on SQLite and PostgreSQL: a card handed
over once (a second attempt, also at the same moment, refused with nothing changed), a card
never printed refused with the lifecycle's reason, the form's rules, the histogram, the photo.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle, notifications
from ektp.cards.handover import (
    NOT_FOUND,
    HandoverRefused,
    find_card,
    hand_over,
    recorded_photo,
)
from ektp.cards.models import (
    Card,
    CardEvent,
    CardHandoverDays,
    CardStageCount,
    Handover,
    Notification,
)
from ektp.cards.transitions import move
from ektp.recording.crypto import BiometricCipher
from ektp.runtime import Runtime
from tests.integration.desk_day import at_once
from tests.integration.handover_city import (
    NOW,
    PEOPLE,
    PNG_PHOTO,
    SUKARAMI,
    advance,
    load_people,
    record,
)

CIPHER = BiometricCipher(os.urandom(32))
ARRIVED = NOW + dt.timedelta(days=40)
HANDED = NOW + dt.timedelta(days=45)
OWNER = {"recipient": "pemilik", "face_confirmed": True, "acknowledged": True}


@pytest.fixture
def desk(runtime: Runtime) -> tuple[Runtime, dict[str, int]]:
    """Return the runtime and card ids: 'ready' (at the kecamatan, with a photo), 'printing'
    (in the print queue), 'other' (ready, Ilir Timur II)."""
    with runtime.transaction() as session:
        load_people(session)
        ready = record(session, PEOPLE[0].nik, cipher=CIPHER, photo=PNG_PHOTO)
        printing = record(session, PEOPLE[1].nik)
        other = record(session, PEOPLE[3].nik)
        advance(session, [ready, other], lifecycle.DITERIMA_KECAMATAN, ARRIVED)
        advance(session, [printing], lifecycle.ANTRIAN_CETAK, ARRIVED)
    return runtime, {"ready": ready, "printing": printing, "other": other}


def snapshot(runtime: Runtime) -> dict[str, Any]:
    """Return every row a handover could change."""
    with runtime.transaction() as session:
        return {
            "cards": session.execute(
                select(Card.id, Card.state, Card.state_since, Card.handed_at).order_by(Card.id)
            ).all(),
            "events": session.scalar(select(func.count()).select_from(CardEvent)),
            "handovers": session.execute(select(Handover.id, Handover.card_id)).all(),
            "days": session.execute(select(CardHandoverDays.days, CardHandoverDays.cards)).all(),
            "counts": sorted(
                session.execute(
                    select(
                        CardStageCount.kode_kecamatan, CardStageCount.state, CardStageCount.cards
                    )
                ).all()
            ),
        }


def give(runtime: Runtime, card_id: int, **form: Any) -> Any:
    with runtime.transaction() as session:
        return hand_over(
            session=session,
            card_id=card_id,
            operator="camat",
            operator_name="Pengguna camat",
            now=HANDED,
            **{**OWNER, **form},
        )


def test_a_ready_card_is_handed_to_its_owner_with_event_counters_and_histogram(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    done = give(runtime, ids["ready"])
    assert done.days == 45
    with runtime.transaction() as session:
        card = session.get(Card, ids["ready"])
        assert card is not None
        assert card.state == lifecycle.DISERAHKAN
        assert card.handed_at is not None
        event = (
            session.execute(
                select(CardEvent).where(CardEvent.card_id == card.id).order_by(CardEvent.id.desc())
            )
            .scalars()
            .first()
        )
        assert event is not None
        assert (event.event, event.actor, event.ref) == (
            "handed_over",
            "camat",
            f"handover:{done.handover_id}",
        )
        assert session.execute(
            select(CardHandoverDays.kode_kecamatan, CardHandoverDays.days, CardHandoverDays.cards)
        ).all() == [(SUKARAMI, 45, 1)]
        counts = dict(
            session.execute(
                select(CardStageCount.state, CardStageCount.cards).where(
                    CardStageCount.kode_kecamatan == SUKARAMI
                )
            ).all()
        )
        assert counts[lifecycle.DISERAHKAN] == 1
        assert counts[lifecycle.DITERIMA_KECAMATAN] == 0


def test_a_handover_attempted_twice_is_refused_and_changes_nothing(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    give(runtime, ids["ready"])
    before = snapshot(runtime)
    with pytest.raises(HandoverRefused, match=r"already handed over .* Pengguna camat"):
        give(
            runtime,
            ids["ready"],
            recipient="wakil",
            representative_name="ISTRI",
            representative_nik="1671074117800009",
            representative_relation="istri",
        )
    assert snapshot(runtime) == before


def test_handing_over_a_card_never_printed_is_refused_with_the_lifecycles_reason(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    before = snapshot(runtime)
    with pytest.raises(HandoverRefused, match="only a card received at the kecamatan"):
        give(runtime, ids["printing"])
    assert snapshot(runtime) == before


def test_two_desks_handing_over_one_card_at_once_hand_it_over_once(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk

    def work(session: Session) -> object:
        return hand_over(
            session=session,
            card_id=ids["ready"],
            operator="camat",
            operator_name="Pengguna camat",
            now=HANDED,
            **OWNER,
        ).handover_id

    outcomes = at_once(runtime, work)
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    # The loser is refused (or, on SQLite, finds the database locked): never a second row.
    with runtime.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Handover)) == 1
        assert session.scalar(select(func.sum(CardHandoverDays.cards))) == 1
        assert (
            session.scalar(
                select(func.count())
                .select_from(CardEvent)
                .where(CardEvent.to_state == lifecycle.DISERAHKAN)
            )
            == 1
        )


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"face_confirmed": False}, "face_confirmed"),
        ({"acknowledged": False}, "acknowledged"),
        ({"recipient": "tetangga"}, "recipient"),
        ({"recipient": "wakil"}, "representative_name"),
        (
            {"recipient": "wakil", "representative_name": "ISTRI", "representative_nik": "123"},
            "representative_nik",
        ),
        (
            {
                "recipient": "wakil",
                "representative_name": "ISTRI",
                "representative_nik": "1671074117800009",
            },
            "representative_relation",
        ),
        ({"acknowledged": False, "signature_png": b"GIF89a..."}, "signature"),
    ],
)
def test_an_incomplete_handover_form_is_refused_naming_the_field(
    desk: tuple[Runtime, dict[str, int]], form: dict[str, Any], field: str
) -> None:
    runtime, ids = desk
    before = snapshot(runtime)
    with pytest.raises(HandoverRefused) as refused:
        give(runtime, ids["ready"], **form)
    assert refused.value.field == field
    assert snapshot(runtime) == before


def test_a_representative_with_a_signature_is_recorded(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    signature = b"\x89PNG\r\n\x1a\n" + b"ink" * 10
    give(
        runtime,
        ids["ready"],
        recipient="wakil",
        acknowledged=False,
        signature_png=signature,
        representative_name=" SITI ",
        representative_nik="1671074117800009",
        representative_relation="istri",
    )
    with runtime.transaction() as session:
        row = session.execute(select(Handover)).scalar_one()
        assert (row.recipient, row.representative_name, row.representative_relation) == (
            "wakil",
            "SITI",
            "istri",
        )
        assert row.signature_png == signature and row.acknowledged is False


def test_the_card_is_found_by_nik_or_by_the_letter_qr_and_bad_input_is_explained(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    with runtime.transaction() as session:
        found = find_card(session=session, nik=PEOPLE[0].nik)
        assert (found.card_id, found.nama, found.refusal) == (ids["ready"], "ANDI SAPUTRA", None)
        assert find_card(session=session, nik=PEOPLE[1].nik).refusal is not None
        for kwargs, message in (
            ({"nik": "12"}, "16-digit NIK"),
            ({"nik": "1671079999999999"}, "not in the registry"),
            ({"nik": PEOPLE[2].nik}, "no card yet"),
            ({"qr": "HELLO"}, "not an e-KTP letter code"),
            ({"qr": "EKTP:999999:ABCDEF"}, "matches no call-up letter"),
        ):
            with pytest.raises(HandoverRefused, match=message):
                find_card(session=session, **kwargs)


def test_a_desk_learns_nothing_of_residents_outside_its_area(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    ilir_timur_ii = PEOPLE[3].kode_kelurahan[:8]
    with runtime.transaction() as session:
        answers = []
        # Unknown NIK; a resident of Sukarami with a card; one without a card yet.
        for nik in ("1671079999999999", PEOPLE[0].nik, PEOPLE[2].nik):
            with pytest.raises(HandoverRefused) as refused:
                find_card(session=session, nik=nik, area=ilir_timur_ii)
            answers.append((str(refused.value), refused.value.field, refused.value.not_found))
        assert answers == [(NOT_FOUND, "nik", True)] * 3
        # Inside the area the desk is told what it needs.
        assert (
            find_card(session=session, nik=PEOPLE[3].nik, area=ilir_timur_ii).card_id
            == (ids["other"])
        )
        with pytest.raises(HandoverRefused, match="no card yet") as refused:
            find_card(session=session, nik=PEOPLE[2].nik, area=SUKARAMI)
        assert not refused.value.not_found


def test_a_card_returned_to_the_city_office_is_handed_over_there_not_at_the_kecamatan(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    with runtime.transaction() as session:
        move(
            session=session,
            card_ids=[ids["ready"]],
            to_state=lifecycle.DIKEMBALIKAN_KOTA,
            at=HANDED,
            actor="system",
            values={"location": "16.71"},
        )
        card = find_card(session=session, nik=PEOPLE[0].nik, area=SUKARAMI)
        assert card.refusal is None
        assert card.refusal_at(SUKARAMI) is not None and card.refusal_at("16.71") is None
    before = snapshot(runtime)
    with pytest.raises(HandoverRefused, match=r"is at 16\.71, not at this desk"):
        give(runtime, ids["ready"], desk_area=SUKARAMI)
    assert snapshot(runtime) == before
    done = give(runtime, ids["ready"], desk_area="16.71")
    assert done.card_id == ids["ready"]
    # A card ready at its kecamatan is handed over at that kecamatan's desk.
    assert give(runtime, ids["other"], desk_area=PEOPLE[3].kode_kelurahan[:8]).days == 45


def test_only_the_accepted_face_photo_is_opened(desk: tuple[Runtime, dict[str, int]]) -> None:
    runtime, ids = desk
    with runtime.transaction() as session:
        ready = session.get(Card, ids["ready"])
        other = session.get(Card, ids["other"])
        assert ready is not None and other is not None
        assert (
            recorded_photo(session=session, recording_id=ready.recording_id, cipher=CIPHER)
            == PNG_PHOTO
        )
        assert (
            recorded_photo(session=session, recording_id=other.recording_id, cipher=CIPHER) is None
        )


# --- the outbox -------------------------------------------------------------------------


def test_cards_ready_put_one_message_each_in_the_outbox_without_the_nik(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    with runtime.transaction() as session:
        cards = [ids["ready"], ids["other"]]
        assert notifications.queue_card_ready(session=session, card_ids=cards, now=ARRIVED) == 2
        # Again (a receipt scanned twice): nothing new while one is waiting.
        assert notifications.queue_card_ready(session=session, card_ids=cards, now=ARRIVED) == 0
        rows = session.execute(select(Notification).order_by(Notification.card_id)).scalars().all()
    assert [row.status for row in rows] == ["menunggu", "menunggu"]
    assert "Kantor Kecamatan Sukarami" in rows[0].message
    assert "08.00" in rows[0].message
    for row, person in zip(rows, (PEOPLE[0], PEOPLE[3]), strict=True):
        assert person.nik not in row.message and person.nama not in row.message


def test_the_disabled_sender_leaves_messages_waiting_and_the_log_sender_sends_them(
    desk: tuple[Runtime, dict[str, int]], caplog: pytest.LogCaptureFixture
) -> None:
    runtime, ids = desk
    with runtime.transaction() as session:
        notifications.queue_card_ready(session=session, card_ids=[ids["ready"]], now=ARRIVED)
    with runtime.transaction() as session:
        report = notifications.send_pending(
            session=session, sender=notifications.DisabledSender(), now=ARRIVED
        )
    assert (report.sent, report.waiting) == (0, 1)
    sender = notifications.LogSender()
    with caplog.at_level(logging.INFO), runtime.transaction() as session:
        report = notifications.send_pending(session=session, sender=sender, now=HANDED)
    assert report.sent == 1 and len(sender.sent) == 1
    assert PEOPLE[0].nik not in caplog.text
    with runtime.transaction() as session:
        row = session.execute(select(Notification)).scalar_one()
        assert (row.status, row.attempts) == ("terkirim", 1)


class FlakySender:
    enabled = True

    def send(self, item: notifications.Outgoing) -> bool:
        raise ConnectionError("gateway down")


def test_a_message_that_cannot_be_sent_is_retried_then_marked_failed(
    desk: tuple[Runtime, dict[str, int]],
) -> None:
    runtime, ids = desk
    with runtime.transaction() as session:
        notifications.queue_card_ready(session=session, card_ids=[ids["ready"]], now=ARRIVED)
    statuses = []
    for _ in range(notifications.MAX_ATTEMPTS):
        with runtime.transaction() as session:
            notifications.send_pending(session=session, sender=FlakySender(), now=HANDED)
            statuses.append(session.execute(select(Notification.status)).scalar_one())
    assert statuses == ["menunggu", "menunggu", "gagal"]
