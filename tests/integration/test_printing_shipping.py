"""Printing, shipping and receiving cards on SQLite and PostgreSQL: unique serials, boxes
and manifests, scans that match, are extra, belong elsewhere or come twice, the discrepancy
report, and refusals that change nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle, manifests, printing, receiving, shipping
from ektp.cards.models import (
    Card,
    CardEvent,
    CardStageCount,
    Notification,
    PrintRun,
    Shipment,
    ShipmentDiscrepancy,
    ShipmentItem,
)
from ektp.cards.transitions import TransitionRefused, move
from ektp.runtime import Runtime
from tests.integration.card_rows import (
    ILIR_10,
    IT2,
    NOW,
    SUKARAMI,
    TALANG_BETUTU,
    add_cards,
    card_city,
)

LATER = NOW + dt.timedelta(days=3)


@pytest.fixture
def city(runtime: Runtime) -> Runtime:
    """Return the runtime of a database holding Palembang's regions."""
    with runtime.transaction() as session:
        card_city(session)
    return runtime


def _states(session: Session, card_ids: list[int]) -> dict[int, str]:
    rows = session.execute(select(Card.id, Card.state).where(Card.id.in_(card_ids)))
    return {int(card_id): str(state) for card_id, state in rows}


def _snapshot(runtime: Runtime) -> dict[str, Any]:
    with runtime.transaction() as session:
        return {
            "cards": session.execute(
                select(Card.id, Card.state, Card.location, Card.serial, Card.shipment_id).order_by(
                    Card.id
                )
            ).all(),
            "items": session.execute(
                select(ShipmentItem.id, ShipmentItem.received_at).order_by(ShipmentItem.id)
            ).all(),
            "shipments": session.execute(
                select(Shipment.id, Shipment.status).order_by(Shipment.id)
            ).all(),
            "events": session.scalar(select(func.count()).select_from(CardEvent)),
            "counts": session.execute(
                select(
                    CardStageCount.kode_kecamatan, CardStageCount.state, CardStageCount.cards
                ).order_by(CardStageCount.kode_kecamatan, CardStageCount.state)
            ).all(),
        }


def _shipped_to_kecamatan(runtime: Runtime, kelurahan: str, count: int) -> tuple[int, list[int]]:
    with runtime.transaction() as session:
        ids = add_cards(session, kelurahan, count, lifecycle.DITERIMA_KOTA)
        shipment = shipping.create_shipment(
            session=session,
            leg=shipping.KOTA_KECAMATAN,
            destination=kelurahan.rsplit(".", 1)[0],
            now=NOW,
            by="admin",
            box_size=2,
        )
        return shipment.id, ids


def _serials(runtime: Runtime, card_ids: list[int]) -> list[str]:
    with runtime.transaction() as session:
        rows = session.execute(select(Card.id, Card.serial).where(Card.id.in_(card_ids)))
        found = {int(card_id): serial for card_id, serial in rows}
    return [str(found[card_id]) for card_id in card_ids]


def test_a_print_run_takes_the_oldest_queued_cards_and_gives_each_a_unique_serial(
    city: Runtime,
) -> None:
    with city.transaction() as session:
        old = add_cards(session, TALANG_BETUTU, 6, lifecycle.ANTRIAN_CETAK, since=NOW)
        young = add_cards(
            session, ILIR_10, 3, lifecycle.ANTRIAN_CETAK, since=NOW + dt.timedelta(days=1)
        )
    with city.transaction() as session:
        run = printing.start_print_run(
            session=session, kode_kota="16.71", size=7, now=LATER, by="pusat", failures=1
        )
        run_id = run.id
    with city.transaction() as session:
        stored = session.get(PrintRun, run_id)
        assert stored is not None
        assert (stored.size, stored.printed, stored.failed, stored.status) == (7, 6, 1, "selesai")
        states = _states(session, old + young)
        assert [states[i] for i in old] == [lifecycle.DICETAK] * 6
        # Ordered by age: the first of the younger cards is the run's last and was spoiled.
        assert states[young[0]] == lifecycle.GAGAL_CETAK
        assert [states[i] for i in young[1:]] == [lifecycle.ANTRIAN_CETAK] * 2
        serials = session.scalars(select(Card.serial).where(Card.print_run_id == run_id)).all()
        printed = [s for s in serials if s is not None]
        assert len(printed) == 6 and len(set(printed)) == 6
        assert all(s.isdigit() and len(s) == 15 for s in printed)
        chips = session.scalars(select(Card.chip_id).where(Card.state == lifecycle.DICETAK)).all()
        assert len(set(chips)) == 6
    with city.transaction() as session:
        second = printing.start_print_run(
            session=session, kode_kota="16.71", size=10, now=LATER, by="pusat"
        )
        assert second.printed == 2
        all_serials = session.scalars(select(Card.serial).where(Card.serial.is_not(None))).all()
        assert len(all_serials) == len(set(all_serials)) == 8
        counts = {
            str(state): int(n)
            for state, n in session.execute(
                select(CardStageCount.state, func.sum(CardStageCount.cards)).group_by(
                    CardStageCount.state
                )
            )
        }
        assert counts[lifecycle.DICETAK] == 8 and counts[lifecycle.ANTRIAN_CETAK] == 0


def test_a_failed_print_goes_back_to_the_queue_as_a_reprint(city: Runtime) -> None:
    with city.transaction() as session:
        ids = add_cards(session, TALANG_BETUTU, 3, lifecycle.ANTRIAN_CETAK)
    with city.transaction() as session:
        printing.start_print_run(
            session=session, kode_kota="16.71", size=3, now=LATER, by="pusat", failures=[ids[1]]
        )
    with city.transaction() as session, pytest.raises(printing.PrintError, match="only gagal"):
        printing.requeue_failed(session=session, card_ids=[ids[0]], now=LATER, by="pusat")
    with city.transaction() as session:
        assert (
            printing.requeue_failed(session=session, card_ids=[ids[1]], now=LATER, by="pusat") == 1
        )
    with city.transaction() as session:
        card = session.get(Card, ids[1])
        assert card is not None and (card.state, card.reprints) == (lifecycle.ANTRIAN_CETAK, 1)
        assert printing.queue_by_city(session=session) == [printing.QueueLine("16.71", 1)]


def test_a_print_run_refuses_a_bad_size_or_an_empty_queue(city: Runtime) -> None:
    with city.transaction() as session:
        with pytest.raises(printing.PrintError, match="size"):
            printing.start_print_run(session=session, kode_kota="16.71", size=0, now=NOW, by="p")
        with pytest.raises(printing.PrintError, match=r"no card of 16\.71"):
            printing.start_print_run(session=session, kode_kota="16.71", size=5, now=NOW, by="p")
        with pytest.raises(printing.PrintError, match="kode_kota"):
            printing.start_print_run(session=session, kode_kota="1671", size=5, now=NOW, by="p")


def test_shipping_from_the_centre_boxes_the_printed_cards_and_numbers_the_shipment(
    city: Runtime,
) -> None:
    with city.transaction() as session:
        ids = add_cards(session, TALANG_BETUTU, 5, lifecycle.DICETAK) + add_cards(
            session, ILIR_10, 2, lifecycle.DICETAK
        )
        add_cards(session, ILIR_10, 2, lifecycle.ANTRIAN_CETAK)
    with city.transaction() as session:
        first = shipping.create_shipment(
            session=session,
            leg=shipping.PUSAT_KOTA,
            destination="16.71",
            now=LATER,
            by="pusat",
            box_size=3,
        )
        assert first.number == f"KRM-{LATER + dt.timedelta(hours=7):%Y%m%d}-0001"
        assert (first.boxes, first.cards, first.origin) == (3, 7, "pusat")
        assert set(_states(session, ids).values()) == {lifecycle.DIKIRIM_DAERAH}
        manifest = manifests.manifest_of(session=session, shipment=first)
        # Boxed by kecamatan: Ilir Timur II (16.71.06) before Sukarami (16.71.07).
        assert [len(cards) for _, cards in manifest.boxes] == [3, 3, 1]
        assert manifest.boxes[0][1][0][1] == IT2
        text = manifests.manifest_csv(manifest)
        assert text.splitlines()[0].startswith("nomor_pengiriman,asal,tujuan,kotak")
        assert len(text.splitlines()) == 8
        assert "WARGA" not in text and "1705" not in text
        in_transit = shipping.in_transit(session=session, area="16.71")
        assert [s.number for s in in_transit] == [first.number]
        assert shipping.in_transit(session=session, area=SUKARAMI) == []
    with city.transaction() as session, pytest.raises(shipping.ShippingError, match="no card"):
        shipping.create_shipment(
            session=session, leg=shipping.PUSAT_KOTA, destination="16.71", now=LATER, by="p"
        )
    with city.transaction() as session:
        add_cards(session, TALANG_BETUTU, 1, lifecycle.DICETAK)
        second = shipping.create_shipment(
            session=session, leg=shipping.PUSAT_KOTA, destination="16.71", now=LATER, by="p"
        )
        assert second.number.endswith("-0002")


def test_the_manifest_pdf_has_a_page_per_box(city: Runtime) -> None:
    shipment_id, _ = _shipped_to_kecamatan(city, TALANG_BETUTU, 3)
    with city.transaction() as session:
        shipment = session.get(Shipment, shipment_id)
        assert shipment is not None
        manifest = manifests.manifest_of(session=session, shipment=shipment)
    html = manifests.manifest_html(manifest)
    assert html.count('class="box"') == 2 and "WARGA" not in html
    pdf = manifests.manifest_pdf(manifest)
    assert pdf.startswith(b"%PDF")


def test_receiving_at_the_kecamatan_matches_notes_extras_and_reports_the_missing(
    city: Runtime,
) -> None:
    shipment_id, ids = _shipped_to_kecamatan(city, TALANG_BETUTU, 4)
    serials = _serials(city, ids)
    with city.transaction() as session:
        unknown = receiving.scan(
            session=session, shipment_id=shipment_id, serial="123456789012345", now=LATER, by="c"
        )
        assert unknown.outcome == receiving.EXTRA and "unknown" in unknown.message
        for serial in serials[:3]:
            result = receiving.scan(
                session=session, shipment_id=shipment_id, serial=f" {serial} ", now=LATER, by="c"
            )
            assert result.outcome == receiving.MATCHED, result.message
        state = receiving.receiving_state(session=session, shipment_id=shipment_id)
        assert (state.expected, state.received, state.missing_count) == (4, 3, 1)
        assert state.missing == [(2, serials[3])]
        assert (
            session.scalar(
                select(func.count()).select_from(Notification).where(Notification.card_id.in_(ids))
            )
            == 3
        )
    with city.transaction() as session:
        report = receiving.close_receiving(
            session=session, shipment_id=shipment_id, now=LATER, by="camat"
        )
        assert report.status == shipping.STATUS_RECEIVED_DISCREPANCY
        assert report.missing == [(2, serials[3])]
        assert report.extra == [("123456789012345", "unknown serial")]
        states = _states(session, ids)
        assert [states[i] for i in ids] == [lifecycle.DITERIMA_KECAMATAN] * 3 + [lifecycle.HILANG]
        card = session.get(Card, ids[0])
        assert card is not None and card.location == SUKARAMI and card.ready_at is not None
        kinds = session.scalars(
            select(ShipmentDiscrepancy.kind).where(ShipmentDiscrepancy.shipment_id == shipment_id)
        ).all()
        assert sorted(kinds) == ["hilang", "lebih"]
        stored = receiving.discrepancy_report(session=session, shipment_id=shipment_id)
        assert stored is not None and stored.missing == report.missing
    with city.transaction() as session, pytest.raises(receiving.ReceivingError, match="already"):
        receiving.scan(
            session=session, shipment_id=shipment_id, serial=serials[3], now=LATER, by="c"
        )


def test_a_shipment_received_in_full_is_closed_without_discrepancy(city: Runtime) -> None:
    with city.transaction() as session:
        add_cards(session, ILIR_10, 2, lifecycle.DICETAK)
        central = shipping.create_shipment(
            session=session, leg=shipping.PUSAT_KOTA, destination="16.71", now=NOW, by="pusat"
        )
        central_id = central.id
        serials = [s for _, s, _ in shipping.manifest_rows(session=session, shipment_id=central_id)]
    with city.transaction() as session:
        for serial in serials:
            assert (
                receiving.scan(
                    session=session, shipment_id=central_id, serial=serial, now=LATER, by="admin"
                ).outcome
                == receiving.MATCHED
            )
        report = receiving.close_receiving(
            session=session, shipment_id=central_id, now=LATER, by="admin"
        )
        assert report.status == shipping.STATUS_RECEIVED and report.received == 2
        located = session.scalars(select(Card.location).where(Card.serial.in_(serials))).all()
        assert located == ["16.71", "16.71"]
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_serial_scanned_twice_is_refused_and_changes_nothing(city: Runtime) -> None:
    shipment_id, ids = _shipped_to_kecamatan(city, TALANG_BETUTU, 2)
    serial = _serials(city, ids)[0]
    with city.transaction() as session:
        receiving.scan(session=session, shipment_id=shipment_id, serial=serial, now=NOW, by="c")
    before = _snapshot(city)
    with city.transaction() as session:
        again = receiving.scan(
            session=session, shipment_id=shipment_id, serial=serial, now=LATER, by="c2"
        )
    assert again.outcome == receiving.ALREADY_RECEIVED
    assert "already received" in again.message and again.box_no == 1
    assert _snapshot(city) == before


def test_a_card_scanned_at_the_wrong_kecamatan_is_refused_and_its_card_stays(
    city: Runtime,
) -> None:
    own_id, _ = _shipped_to_kecamatan(city, TALANG_BETUTU, 2)
    _, other_ids = _shipped_to_kecamatan(city, ILIR_10, 2)
    stray = _serials(city, other_ids)[0]
    before = _snapshot(city)
    with city.transaction() as session:
        result = receiving.scan(
            session=session, shipment_id=own_id, serial=stray, now=LATER, by="camat"
        )
    assert result.outcome == receiving.WRONG_DESTINATION
    assert result.belongs_to == IT2 and IT2 in result.message
    assert result.other_shipment is not None and result.other_shipment in result.message
    after = _snapshot(city)
    assert after == before
    with city.transaction() as session:
        line = session.execute(
            select(ShipmentDiscrepancy.kind, ShipmentDiscrepancy.serial).where(
                ShipmentDiscrepancy.shipment_id == own_id
            )
        ).one()
        assert tuple(line) == ("salah_tujuan", stray)
        report = receiving.close_receiving(
            session=session, shipment_id=own_id, now=LATER, by="camat"
        )
        assert [serial for serial, _ in report.wrong_destination] == [stray]
        assert _states(session, other_ids) == {i: lifecycle.DIKIRIM_KECAMATAN for i in other_ids}


def test_an_illegal_transition_is_refused_and_changes_nothing(city: Runtime) -> None:
    with city.transaction() as session:
        queued = add_cards(session, TALANG_BETUTU, 2, lifecycle.ANTRIAN_CETAK)
        printed = add_cards(session, TALANG_BETUTU, 1, lifecycle.DICETAK)
    before = _snapshot(city)
    with city.transaction() as session, pytest.raises(TransitionRefused, match="handed over"):
        move(
            session=session,
            card_ids=[printed[0], queued[0]],
            to_state=lifecycle.DISERAHKAN,
            at=LATER,
            actor="camat",
        )
    with city.transaction() as session, pytest.raises(shipping.ShippingError, match="cannot be"):
        shipping.create_shipment(
            session=session,
            leg=shipping.PUSAT_KOTA,
            destination="16.71",
            now=LATER,
            by="pusat",
            card_ids=[printed[0], queued[1]],
        )
    with city.transaction() as session, pytest.raises(shipping.ShippingError, match="belongs"):
        shipping.create_shipment(
            session=session,
            leg=shipping.KOTA_KECAMATAN,
            destination=IT2,
            now=LATER,
            by="admin",
            card_ids=printed,
        )
    assert _snapshot(city) == before
