"""All or nothing, also for a caller that catches the refusal and commits (as the web pages
do, to keep their audit events and flash messages), on SQLite and PostgreSQL: a move, a
print run, a shipment, a close of receiving and a batch's acceptance either happen whole or
leave nothing behind; once-only steps are decided by the database, not by an earlier read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ektp.cards import batches, lifecycle, printing, receiving, recorded_city, shipping, transitions
from ektp.cards.models import (
    Batch,
    BatchReceipt,
    Card,
    CardEvent,
    PrintRun,
    Shipment,
    ShipmentDiscrepancy,
    ShipmentItem,
)
from ektp.cards.transitions import ConcurrentChange, TransitionRefused
from ektp.dedup.gate import NOT_CHECKED, GateDecision, GateRecord
from ektp.recording.crypto import BiometricCipher
from ektp.runtime import Runtime
from tests.integration.card_rows import NOW, SUKARAMI, TALANG_BETUTU, add_cards, card_city
from tests.integration.pipeline_cards import counters, grouped

LATER = NOW + dt.timedelta(days=2)
CIPHER = BiometricCipher(b"a" * 32)
REFUSALS = (
    TransitionRefused,
    ConcurrentChange,
    printing.PrintError,
    shipping.ShippingError,
    receiving.ReceivingError,
    batches.BatchError,
)


@pytest.fixture
def city(runtime: Runtime) -> Runtime:
    """Return the runtime of a database holding Palembang's regions."""
    with runtime.transaction() as session:
        card_city(session)
    return runtime


def snapshot(session: Session) -> dict[str, Any]:
    """Return every row the card services write."""

    def rows(*columns: Any) -> list[Any]:
        return sorted(tuple(row) for row in session.execute(select(*columns)).all())

    return {
        "cards": rows(Card.id, Card.state, Card.location, Card.serial, Card.shipment_id),
        "events": session.scalar(select(func.count()).select_from(CardEvent)),
        "runs": rows(PrintRun.id, PrintRun.status),
        "shipments": rows(Shipment.id, Shipment.status),
        "items": rows(ShipmentItem.id, ShipmentItem.received_at),
        "lines": rows(ShipmentDiscrepancy.serial, ShipmentDiscrepancy.kind),
        "batches": rows(Batch.batch_uid, Batch.status),
        "counters": counters(session),
    }


def refused_and_committed(runtime: Runtime, call: Callable[[Session], object]) -> Exception:
    """Return the refusal ``call`` raised, after committing the transaction anyway (the way
    a page keeps its audit event and shows the refusal)."""
    with runtime.transaction() as session:
        try:
            call(session)
        except REFUSALS as error:
            return error
    raise AssertionError("the call was not refused")


def test_a_move_refused_midway_leaves_nothing_even_when_the_caller_commits(
    city: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    with city.transaction() as session:
        ids = add_cards(session, TALANG_BETUTU, 4, lifecycle.DITERIMA_KOTA)
        before = snapshot(session)
    original = transitions.states_of

    def stale(*, session: Session, card_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
        found = original(session=session, card_ids=card_ids)
        # Another desk marks the last card damaged between this read and the UPDATE
        # (without its counters: only the three other cards are compared below).
        session.execute(update(Card).where(Card.id == ids[3]).values(state=lifecycle.RUSAK))
        return found

    monkeypatch.setattr(transitions, "states_of", stale)
    error = refused_and_committed(
        city,
        lambda session: transitions.move(
            session=session,
            card_ids=ids,
            to_state=lifecycle.DIKIRIM_KECAMATAN,
            at=LATER,
            actor="admin",
        ),
    )
    assert isinstance(error, ConcurrentChange)
    with city.transaction() as session:
        after = snapshot(session)
    assert after["cards"][:3] == before["cards"][:3]
    assert after["events"] == before["events"]
    assert after["counters"] == before["counters"]


def test_a_print_run_whose_failed_cards_moved_meanwhile_leaves_no_run_and_no_printed_card(
    city: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    with city.transaction() as session:
        add_cards(session, TALANG_BETUTU, 5, lifecycle.ANTRIAN_CETAK)
        before = snapshot(session)
    real_move = printing.move
    calls: list[str] = []

    def second_move_finds_a_change(**kwargs: Any) -> int:
        calls.append(kwargs["to_state"])
        if kwargs["to_state"] == lifecycle.GAGAL_CETAK:
            raise ConcurrentChange("1 card(s) changed state meanwhile; try again")
        return real_move(**kwargs)

    monkeypatch.setattr(printing, "move", second_move_finds_a_change)
    error = refused_and_committed(
        city,
        lambda session: printing.start_print_run(
            session=session, kode_kota="16.71", size=5, now=LATER, by="pusat", failures=2
        ),
    )
    assert isinstance(error, ConcurrentChange)
    assert calls == [lifecycle.DICETAK, lifecycle.GAGAL_CETAK]
    with city.transaction() as session:
        assert snapshot(session) == before


def test_a_shipment_whose_cards_moved_meanwhile_leaves_no_shipment(
    city: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    with city.transaction() as session:
        add_cards(session, TALANG_BETUTU, 3, lifecycle.DITERIMA_KOTA)
        before = snapshot(session)

    def changed(**kwargs: Any) -> int:
        raise ConcurrentChange("1 card(s) changed state meanwhile; try again")

    monkeypatch.setattr(shipping, "move", changed)
    refused_and_committed(
        city,
        lambda session: shipping.create_shipment(
            session=session,
            leg=shipping.KOTA_KECAMATAN,
            destination=SUKARAMI,
            now=LATER,
            by="admin",
        ),
    )
    with city.transaction() as session:
        assert snapshot(session) == before


def _shipment_of_three(runtime: Runtime) -> tuple[int, list[int], list[str]]:
    with runtime.transaction() as session:
        ids = add_cards(session, TALANG_BETUTU, 3, lifecycle.DITERIMA_KOTA)
        shipment = shipping.create_shipment(
            session=session,
            leg=shipping.KOTA_KECAMATAN,
            destination=SUKARAMI,
            now=NOW,
            by="admin",
        )
        serials = [
            s for _, s, _ in shipping.manifest_rows(session=session, shipment_id=shipment.id)
        ]
        return shipment.id, ids, serials


def test_closing_a_shipment_whose_missing_card_was_marked_damaged_meanwhile_closes_whole(
    city: Runtime,
) -> None:
    shipment_id, _, serials = _shipment_of_three(city)
    with city.transaction() as session:
        receiving.scan(
            session=session, shipment_id=shipment_id, serial=serials[0], now=LATER, by="c"
        )
        damaged = int(session.scalar(select(Card.id).where(Card.serial == serials[1])) or 0)
        # The courier reported one card broken before the boxes were opened.
        transitions.move(
            session=session, card_ids=[damaged], to_state=lifecycle.RUSAK, at=LATER, actor="c"
        )
    with city.transaction() as session:
        report = receiving.close_receiving(
            session=session, shipment_id=shipment_id, now=LATER, by="camat"
        )
    assert report.status == shipping.STATUS_RECEIVED_DISCREPANCY
    assert sorted(serial for _, serial in report.missing) == sorted(serials[1:])
    with city.transaction() as session:
        states = dict(session.execute(select(Card.serial, Card.state)).all())
        assert states[serials[1]] == lifecycle.RUSAK
        assert states[serials[2]] == lifecycle.HILANG
        assert counters(session) == grouped(session)
        stored = receiving.discrepancy_report(session=session, shipment_id=shipment_id)
        assert stored is not None and len(stored.missing) == 2


def test_a_second_receiver_closing_at_the_same_moment_is_refused_and_writes_nothing(
    city: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipment_id, _, _ = _shipment_of_three(city)
    with city.transaction() as session:
        before = snapshot(session)
    original = receiving.open_shipment

    def closed_by_another(session: Session, shipment_id: int) -> Shipment:
        shipment = original(session, shipment_id)
        # The other receiver's close commits between this read and this close's writes.
        session.execute(
            update(Shipment)
            .where(Shipment.id == shipment_id)
            .values(status=shipping.STATUS_RECEIVED)
            .execution_options(synchronize_session=False)
        )
        return shipment

    monkeypatch.setattr(receiving, "open_shipment", closed_by_another)
    error = refused_and_committed(
        city,
        lambda session: receiving.close_receiving(
            session=session, shipment_id=shipment_id, now=LATER, by="camat"
        ),
    )
    assert "closed meanwhile" in str(error)
    with city.transaction() as session:
        after = snapshot(session)
    assert after["cards"] == before["cards"] and after["lines"] == before["lines"]
    assert after["events"] == before["events"] and after["counters"] == before["counters"]


# --- batches --------------------------------------------------------------------------------


@pytest.fixture
def sent(runtime: Runtime) -> tuple[Runtime, str, bytes]:
    """Return the runtime, the uid and the file of a batch of four cards of Sukarami."""
    day = NOW.date()
    with runtime.transaction() as session:
        recorded_city.build(
            session=session,
            kecamatan=[SUKARAMI],
            per_kecamatan=4,
            tanggal=day,
            at=NOW,
            modalities=("photo",),
            template_bytes=16,
        )
        batch, data = batches.send_batch(
            session=session, kode_kecamatan=SUKARAMI, tanggal=day, now=NOW, by="op", cipher=CIPHER
        )
        return runtime, batch.batch_uid, data


class AcceptedElsewhereGate:
    """A gate during whose decision another centre process accepts the same batch."""

    def __init__(self, session: Session, uid: str) -> None:
        self.session = session
        self.uid = uid

    def decide(self, records: Sequence[GateRecord]) -> list[GateDecision]:
        """Return passing decisions, after the other process's acceptance."""
        self.session.execute(
            update(Batch)
            .where(Batch.batch_uid == self.uid)
            .values(status=batches.ACCEPTED)
            .execution_options(synchronize_session=False)
        )
        return [GateDecision(record.card_id, NOT_CHECKED) for record in records]


def test_a_batch_accepted_meanwhile_by_another_receipt_is_not_accepted_twice(
    sent: tuple[Runtime, str, bytes],
) -> None:
    runtime, uid, data = sent
    with runtime.transaction() as session:
        before = snapshot(session)
    with runtime.transaction() as session:
        result = batches.receive_batch(
            session=session,
            data=data,
            now=LATER,
            by="pusat",
            gate=AcceptedElsewhereGate(session, uid),
        )
    assert result.duplicate and "meanwhile" in result.reason
    with runtime.transaction() as session:
        after = snapshot(session)
        receipt = session.scalars(select(BatchReceipt).order_by(BatchReceipt.id.desc())).first()
    # Only the other process's status change; this receipt moved no card.
    assert after["cards"] == before["cards"] and after["events"] == before["events"]
    assert after["batches"] == [(uid, batches.ACCEPTED)]
    assert receipt is not None and receipt.duplicate and receipt.reason == result.reason


class ForgetfulGate:
    """A gate that decides all records but the last (a bug in a later matcher)."""

    def decide(self, records: Sequence[GateRecord]) -> list[GateDecision]:
        """Return a decision for every record except the last."""
        return [GateDecision(record.card_id, NOT_CHECKED) for record in records[:-1]]


def test_a_gate_that_leaves_a_card_undecided_accepts_nothing(
    sent: tuple[Runtime, str, bytes],
) -> None:
    runtime, _, data = sent
    with runtime.transaction() as session:
        before = snapshot(session)
    error = refused_and_committed(
        runtime,
        lambda session: batches.receive_batch(
            session=session, data=data, now=LATER, by="pusat", gate=ForgetfulGate()
        ),
    )
    assert "decided 3 cards" in str(error) and "holds 4" in str(error)
    with runtime.transaction() as session:
        assert snapshot(session) == before
