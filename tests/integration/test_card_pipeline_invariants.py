"""Every card service, one after the other, on SQLite and PostgreSQL; after each one the
pipeline's bookkeeping must hold: the stage counters equal a GROUP BY over the cards, every
card's events form one unbroken chain ending in its state, a card at the kecamatan has its
``ready_at``, a handed-over card its ``handed_at`` and a line in ``card_handover_days``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from collections.abc import Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.cards import (
    batches,
    handover,
    lifecycle,
    printing,
    receiving,
    recorded_city,
    shipping,
    uncollected,
)
from ektp.cards.models import Card, CardEvent, CardHandoverDays
from ektp.dedup.gate import DUPLICATE, NOT_CHECKED, GateDecision, GateRecord
from ektp.recording.crypto import BiometricCipher
from ektp.runtime import Runtime
from tests.integration.pipeline_cards import counters, grouped

DAY = dt.date(2011, 10, 3)
START = dt.datetime(2011, 10, 3, 9, tzinfo=dt.UTC)
IT2 = "16.71.06"
SUKARAMI = "16.71.07"
KOTA = "16.71"
CIPHER = BiometricCipher(b"p" * 32)


class OneDuplicateGate:
    """Holds the first record of each batch as a duplicate, lets the others pass."""

    def decide(self, records: Sequence[GateRecord]) -> list[GateDecision]:
        """Return a duplicate decision for the first record, not_checked for the rest."""
        return [
            GateDecision(record.card_id, DUPLICATE if n == 0 else NOT_CHECKED)
            for n, record in enumerate(records)
        ]


def check(session: Session, step: str) -> None:
    """Assert the pipeline's bookkeeping after ``step``."""
    assert counters(session) == grouped(session), step
    chains: dict[int, list[tuple[str | None, str]]] = {}
    for card_id, source, target in session.execute(
        select(CardEvent.card_id, CardEvent.from_state, CardEvent.to_state).order_by(
            CardEvent.card_id, CardEvent.id
        )
    ):
        chains.setdefault(int(card_id), []).append((source, str(target)))
    for card_id, state, ready_at, handed_at in session.execute(
        select(Card.id, Card.state, Card.ready_at, Card.handed_at)
    ):
        chain = chains[int(card_id)]
        assert chain[0][0] is None, (step, card_id, chain)
        for (_, reached), (left, _) in itertools.pairwise(chain):
            assert reached == left, (step, card_id, chain)
        assert chain[-1][1] == state, (step, card_id, chain)
        if state == lifecycle.DITERIMA_KECAMATAN:
            assert ready_at is not None, (step, card_id)
        if state == lifecycle.DISERAHKAN:
            assert handed_at is not None, (step, card_id)
    handed = Counter(
        str(kecamatan)
        for kecamatan in session.scalars(
            select(Card.kode_kecamatan).where(Card.state == lifecycle.DISERAHKAN)
        )
    )
    days = dict(
        session.execute(
            select(CardHandoverDays.kode_kecamatan, func.sum(CardHandoverDays.cards)).group_by(
                CardHandoverDays.kode_kecamatan
            )
        ).all()
    )
    assert {k: int(v) for k, v in days.items()} == dict(handed), step


def ids_in(session: Session, state: str) -> list[int]:
    return [int(i) for i in session.scalars(select(Card.id).where(Card.state == state))]


def receive_all_but(
    session: Session, shipment_id: int, at: dt.datetime, *, keep: int = 0
) -> receiving.DiscrepancyReport:
    """Scan every serial of the shipment except the last ``keep``, then close it."""
    rows = shipping.manifest_rows(session=session, shipment_id=shipment_id)
    for _, serial, _ in rows[: len(rows) - keep]:
        outcome = receiving.scan(
            session=session, shipment_id=shipment_id, serial=serial, now=at, by="penerima"
        )
        assert outcome.outcome == receiving.MATCHED
    return receiving.close_receiving(session=session, shipment_id=shipment_id, now=at, by="c")


@pytest.fixture
def city(runtime: Runtime) -> Runtime:
    """Return the runtime of a city with five recorded cards in each of two kecamatan."""
    with runtime.transaction() as session:
        recorded_city.build(
            session=session,
            kecamatan=[IT2, SUKARAMI],
            per_kecamatan=5,
            tanggal=DAY,
            at=START,
            modalities=("photo",),
            template_bytes=16,
        )
        check(session, "recorded")
    return runtime


def test_every_service_keeps_counters_events_and_dates_right(city: Runtime) -> None:
    at = START

    def later(hours: int) -> dt.datetime:
        nonlocal at
        at += dt.timedelta(hours=hours)
        return at

    # Batches: one sent and withdrawn, then both kecamatan sent and accepted.
    with city.transaction() as session:
        batch, _ = batches.send_batch(
            session=session, kode_kecamatan=IT2, tanggal=DAY, now=later(1), by="op", cipher=CIPHER
        )
        check(session, "send")
        batches.withdraw_batch(session=session, batch_uid=batch.batch_uid, now=later(1), by="op")
        check(session, "withdraw")
        files = [
            batches.send_batch(
                session=session,
                kode_kecamatan=kec,
                tanggal=DAY,
                now=later(1),
                by="op",
                cipher=CIPHER,
            )[1]
            for kec in (IT2, SUKARAMI)
        ]
        check(session, "send again")
    with city.transaction() as session:
        for data in files:
            result = batches.receive_batch(
                session=session, data=data, now=later(1), by="pusat", gate=OneDuplicateGate()
            )
            assert result.accepted and not result.duplicate, result.reason
        check(session, "accept")
        assert len(ids_in(session, lifecycle.DUPLIKAT)) == 2
    # Printing: one spoiled card, reprinted.
    with city.transaction() as session:
        run = printing.start_print_run(
            session=session, kode_kota=KOTA, size=100, now=later(24), by="pusat", failures=1
        )
        assert (run.printed, run.failed) == (7, 1)
        check(session, "print")
        printing.requeue_failed(
            session=session, card_ids=ids_in(session, lifecycle.GAGAL_CETAK), now=later(1), by="p"
        )
        check(session, "requeue")
        printing.start_print_run(session=session, kode_kota=KOTA, size=100, now=later(1), by="p")
        check(session, "reprint")
    # Centre → city: one card never arrives, is reprinted and sent again.
    with city.transaction() as session:
        to_city = shipping.create_shipment(
            session=session, leg=shipping.PUSAT_KOTA, destination=KOTA, now=later(24), by="pusat"
        )
        check(session, "ship to the city")
        report = receive_all_but(session, to_city.id, later(48), keep=1)
        assert len(report.missing) == 1
        check(session, "received at the city")
        printing.requeue_failed(
            session=session, card_ids=ids_in(session, lifecycle.HILANG), now=later(1), by="p"
        )
        printing.start_print_run(session=session, kode_kota=KOTA, size=10, now=later(1), by="p")
        again = shipping.create_shipment(
            session=session, leg=shipping.PUSAT_KOTA, destination=KOTA, now=later(1), by="pusat"
        )
        receive_all_but(session, again.id, later(24))
        check(session, "reprinted and received at the city")
    # City → kecamatan: every card arrives and waits, ready for pickup.
    with city.transaction() as session:
        for kec in (IT2, SUKARAMI):
            shipment = shipping.create_shipment(
                session=session,
                leg=shipping.KOTA_KECAMATAN,
                destination=kec,
                now=later(1),
                by="admin",
            )
            receive_all_but(session, shipment.id, later(24))
        check(session, "received at the kecamatan")
        ready = ids_in(session, lifecycle.DITERIMA_KECAMATAN)
        assert len(ready) == 8
    # Two handovers, then the rest is not collected in time and comes back.
    with city.transaction() as session:
        for card_id in ready[:2]:
            handover.hand_over(
                session=session,
                card_id=card_id,
                recipient="pemilik",
                face_confirmed=True,
                acknowledged=True,
                operator="camat",
                operator_name="Pengguna camat",
                now=later(1),
            )
        check(session, "handover")
        moved = uncollected.return_uncollected(session=session, now=later(24 * 100), after_days=90)
        assert moved == 6
        check(session, "returned uncollected")
    # Sent out again: a new ready_at, and the card is handed over at its kecamatan.
    with city.transaction() as session:
        shipment = shipping.create_shipment(
            session=session,
            leg=shipping.KOTA_KECAMATAN,
            destination=SUKARAMI,
            now=later(1),
            by="admin",
        )
        arrived = later(24)
        receive_all_but(session, shipment.id, arrived)
        check(session, "sent out again")
        back = [
            int(i)
            for i in session.scalars(
                select(Card.id).where(
                    Card.state == lifecycle.DITERIMA_KECAMATAN, Card.kode_kecamatan == SUKARAMI
                )
            )
        ]
        assert back
        ready_again = session.scalars(select(Card.ready_at).where(Card.id.in_(back))).all()
        assert all(
            moment is not None and moment.replace(tzinfo=dt.UTC) == arrived.replace(tzinfo=dt.UTC)
            for moment in ready_again
        )
        handover.hand_over(
            session=session,
            card_id=back[0],
            recipient="pemilik",
            face_confirmed=True,
            acknowledged=True,
            operator="camat",
            operator_name="Pengguna camat",
            now=later(1),
            desk_area=SUKARAMI,
        )
        check(session, "handed over after coming back")
