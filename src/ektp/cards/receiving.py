"""Receiving a shipment by scanning (or typing) card serials against its manifest, and the
discrepancy report when the receiver closes it.

Each scan answers at once: ``matched`` (the card is now at this office), ``extra`` (not in
this shipment: an unknown serial, or a card registered elsewhere), ``wrong_destination``
(the card travels in another place's shipment: refused) or ``already_received`` (scanned
twice: refused). Refusals leave every card and shipment as they were; extras and
wrong-destination scans are only noted as lines of the shipment's discrepancy report, so
that the report still lists them after the page is closed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ektp.cards import lifecycle, notifications
from ektp.cards.models import Card, Shipment, ShipmentDiscrepancy, ShipmentItem
from ektp.cards.printing import normalise_serial
from ektp.cards.shipping import (
    KOTA_KECAMATAN,
    STATUS_RECEIVED,
    STATUS_RECEIVED_DISCREPANCY,
    STATUS_SENT,
)
from ektp.cards.transitions import chunks, move

MATCHED = "matched"
EXTRA = "extra"
WRONG_DESTINATION = "wrong_destination"
ALREADY_RECEIVED = "already_received"
OUTCOMES = (MATCHED, EXTRA, WRONG_DESTINATION, ALREADY_RECEIVED)

HILANG = "hilang"
LEBIH = "lebih"
SALAH_TUJUAN = "salah_tujuan"
MISSING_SHOWN = 500
"""The running missing list shows this many serials; the count is always exact."""


class ReceivingError(ValueError):
    """Raised when a shipment cannot be received (unknown, already closed, bad serial)."""


@dataclass(frozen=True)
class ScanResult:
    """What one scan did: the outcome, a sentence for the receiver, and the facts behind it."""

    outcome: str
    message: str
    serial: str
    box_no: int | None = None
    belongs_to: str | None = None
    other_shipment: str | None = None
    at: dt.datetime | None = None


@dataclass(frozen=True)
class ReceivingState:
    """Where the receiving of a shipment stands: counts, the missing cards, the noted lines."""

    expected: int
    received: int
    missing_count: int
    missing: list[tuple[int, str]]  # (box, serial), the first MISSING_SHOWN
    lines: list[tuple[str, str, str | None]]  # (serial, kind, detail)


@dataclass(frozen=True)
class DiscrepancyReport:
    """The shipment's report when receiving closed: what came, what did not, what else came."""

    shipment_id: int
    number: str
    status: str
    expected: int
    received: int
    missing: list[tuple[int, str]] = field(default_factory=list)
    extra: list[tuple[str, str | None]] = field(default_factory=list)
    wrong_destination: list[tuple[str, str | None]] = field(default_factory=list)


def open_shipment(session: Session, shipment_id: int) -> Shipment:
    """Return the shipment when it is still being received, else raise ReceivingError."""
    shipment = session.get(Shipment, shipment_id)
    if shipment is None:
        raise ReceivingError(f"shipment_id: no shipment {shipment_id}")
    if shipment.status != STATUS_SENT:
        raise ReceivingError(
            f"shipment {shipment.number} was already received ({shipment.status}); "
            "scans are no longer taken"
        )
    return shipment


def _note(
    session: Session,
    shipment: Shipment,
    serial: str,
    kind: str,
    card_id: int | None,
    detail: str,
    now: dt.datetime,
    by: str,
) -> None:
    noted = session.scalar(
        select(ShipmentDiscrepancy.id).where(
            ShipmentDiscrepancy.shipment_id == shipment.id,
            ShipmentDiscrepancy.serial == serial,
            ShipmentDiscrepancy.kind == kind,
        )
    )
    if noted is None:
        session.add(
            ShipmentDiscrepancy(
                shipment_id=shipment.id,
                serial=serial,
                kind=kind,
                card_id=card_id,
                detail=detail[:200],
                noted_at=now,
                noted_by=by,
            )
        )
        session.flush()


def _not_in_this_shipment(
    session: Session, shipment: Shipment, serial: str, now: dt.datetime, by: str
) -> ScanResult:
    elsewhere = session.execute(
        select(Shipment.number, Shipment.destination, ShipmentItem.card_id)
        .join(ShipmentItem, ShipmentItem.shipment_id == Shipment.id)
        .where(
            ShipmentItem.serial == serial,
            Shipment.status == STATUS_SENT,
            Shipment.id != shipment.id,
        )
        .limit(1)
    ).first()
    if elsewhere is not None:
        number, destination, card_id = str(elsewhere[0]), str(elsewhere[1]), int(elsewhere[2])
        if destination != shipment.destination:
            detail = f"belongs to shipment {number} to {destination}"
            _note(session, shipment, serial, SALAH_TUJUAN, card_id, detail, now, by)
            return ScanResult(
                WRONG_DESTINATION,
                f"card {serial} is not for {shipment.destination}: it {detail}; "
                "set it aside and send it on",
                serial,
                belongs_to=destination,
                other_shipment=number,
            )
        detail = f"belongs to shipment {number} (also to {destination})"
        _note(session, shipment, serial, LEBIH, card_id, detail, now, by)
        return ScanResult(
            EXTRA,
            f"card {serial} is not in this shipment: it {detail}; receive it there",
            serial,
            belongs_to=destination,
            other_shipment=number,
        )
    card = session.execute(
        select(Card.id, Card.state, Card.location).where(Card.serial == serial)
    ).first()
    if card is None:
        detail = "unknown serial"
        _note(session, shipment, serial, LEBIH, None, detail, now, by)
        return ScanResult(EXTRA, f"card {serial} is unknown: no card has this serial", serial)
    where = f" at {card[2]}" if card[2] else ""
    detail = f"registered as {card[1]}{where}"
    _note(session, shipment, serial, LEBIH, int(card[0]), detail, now, by)
    return ScanResult(
        EXTRA, f"card {serial} is not in this shipment: it is {detail}", serial, belongs_to=card[2]
    )


def scan(
    *, session: Session, shipment_id: int, serial: str, now: dt.datetime, by: str
) -> ScanResult:
    """Return what scanning ``serial`` against shipment ``shipment_id`` did (see module)."""
    shipment = open_shipment(session, shipment_id)
    code = normalise_serial(serial)
    if not code or len(code) > 24 or not code.isalnum():
        raise ReceivingError(f"serial: {serial!r} is not a card serial")
    item = session.execute(
        select(ShipmentItem).where(
            ShipmentItem.shipment_id == shipment.id, ShipmentItem.serial == code
        )
    ).scalar_one_or_none()
    if item is None:
        return _not_in_this_shipment(session, shipment, code, now, by)
    if item.received_at is not None:
        return ScanResult(
            ALREADY_RECEIVED,
            f"card {code} was already received (box {item.box_no}, by {item.received_by}); "
            "nothing changed",
            code,
            box_no=item.box_no,
            at=item.received_at,
        )
    at_kecamatan = shipment.leg == KOTA_KECAMATAN
    values: dict[str, object] = {"location": shipment.destination}
    if at_kecamatan:
        values["ready_at"] = now
    # All or nothing: a refused claim takes the card's move back with it.
    with session.begin_nested():
        # The item first, and only if nobody scanned it meanwhile (two receivers at two
        # scanners): the database, not this read, decides who received it.
        claimed = session.execute(
            update(ShipmentItem)
            .where(ShipmentItem.id == item.id, ShipmentItem.received_at.is_(None))
            .values(received_at=now, received_by=by)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            raise ReceivingError(
                f"card {code} was received meanwhile at another scanner; nothing changed"
            )
        move(
            session=session,
            card_ids=[item.card_id],
            to_state=lifecycle.DITERIMA_KECAMATAN if at_kecamatan else lifecycle.DITERIMA_KOTA,
            at=now,
            actor=by,
            ref=f"shipment:{shipment.number}",
            values=values,
        )
        if at_kecamatan:
            notifications.queue_card_ready(session=session, card_ids=[item.card_id], now=now)
    return ScanResult(
        MATCHED, f"card {code} received (box {item.box_no})", code, box_no=item.box_no, at=now
    )


def receiving_state(*, session: Session, shipment_id: int) -> ReceivingState:
    """Return the running state of receiving shipment ``shipment_id``."""
    counts = session.execute(
        select(func.count(), func.count(ShipmentItem.received_at)).where(
            ShipmentItem.shipment_id == shipment_id
        )
    ).one()
    expected, received = int(counts[0]), int(counts[1])
    missing = [
        (int(box), str(serial))
        for box, serial in session.execute(
            select(ShipmentItem.box_no, ShipmentItem.serial)
            .where(ShipmentItem.shipment_id == shipment_id, ShipmentItem.received_at.is_(None))
            .order_by(ShipmentItem.box_no, ShipmentItem.id)
            .limit(MISSING_SHOWN)
        )
    ]
    lines = [
        (str(serial), str(kind), detail)
        for serial, kind, detail in session.execute(
            select(ShipmentDiscrepancy.serial, ShipmentDiscrepancy.kind, ShipmentDiscrepancy.detail)
            .where(ShipmentDiscrepancy.shipment_id == shipment_id)
            .order_by(ShipmentDiscrepancy.id)
        )
    ]
    return ReceivingState(expected, received, expected - received, missing, lines)


def close_receiving(
    *, session: Session, shipment_id: int, now: dt.datetime, by: str
) -> DiscrepancyReport:
    """Return the discrepancy report of shipment ``shipment_id``, closing its receiving: the
    cards never scanned are written down as missing, and those still on their way in this
    shipment move to ``hilang`` (one marked damaged or lost meanwhile keeps its state).

    All or nothing: a second receiver closing at the same moment is refused, nothing written.
    """
    shipment = open_shipment(session, shipment_id)
    missing_rows = [
        (int(card_id), int(box), str(serial))
        for card_id, box, serial in session.execute(
            select(ShipmentItem.card_id, ShipmentItem.box_no, ShipmentItem.serial)
            .where(ShipmentItem.shipment_id == shipment.id, ShipmentItem.received_at.is_(None))
            .order_by(ShipmentItem.box_no, ShipmentItem.id)
        )
    ]
    travelling = _still_travelling(session, shipment, [card_id for card_id, _, _ in missing_rows])
    lines = session.execute(
        select(ShipmentDiscrepancy.serial, ShipmentDiscrepancy.kind, ShipmentDiscrepancy.detail)
        .where(
            ShipmentDiscrepancy.shipment_id == shipment.id,
            ShipmentDiscrepancy.kind.in_((LEBIH, SALAH_TUJUAN)),
        )
        .order_by(ShipmentDiscrepancy.id)
    ).all()
    extra = [(str(serial), detail) for serial, kind, detail in lines if kind == LEBIH]
    wrong = [(str(serial), detail) for serial, kind, detail in lines if kind == SALAH_TUJUAN]
    clean = not missing_rows and not extra and not wrong
    status = STATUS_RECEIVED if clean else STATUS_RECEIVED_DISCREPANCY
    # All or nothing: the shipment's status, the report's lines and the lost cards together.
    with session.begin_nested():
        # The shipment first, and only while it is open: the database decides which of two
        # receivers closing at once closes it.
        closed = session.execute(
            update(Shipment)
            .where(Shipment.id == shipment.id, Shipment.status == STATUS_SENT)
            .values(status=status, received_at=now, received_by=by)
            .execution_options(synchronize_session=False)
        )
        if closed.rowcount != 1:  # type: ignore[attr-defined]
            raise ReceivingError(
                f"shipment {shipment.number} was closed meanwhile by another receiver; "
                "nothing changed"
            )
        if missing_rows:
            session.execute(
                insert(ShipmentDiscrepancy),
                [
                    {
                        "shipment_id": shipment.id,
                        "serial": serial,
                        "kind": HILANG,
                        "card_id": card_id,
                        "detail": f"box {box}",
                        "noted_at": now,
                        "noted_by": by,
                    }
                    for card_id, box, serial in missing_rows
                ],
            )
        move(
            session=session,
            card_ids=travelling,
            to_state=lifecycle.HILANG,
            at=now,
            actor=by,
            detail=f"not in the boxes of {shipment.number} when receiving closed",
            ref=f"shipment:{shipment.number}",
            values={"location": None},
        )
    session.refresh(shipment)
    return DiscrepancyReport(
        shipment_id=shipment.id,
        number=shipment.number,
        status=status,
        expected=shipment.cards,
        received=shipment.cards - len(missing_rows),
        missing=[(box, serial) for _, box, serial in missing_rows],
        extra=extra,
        wrong_destination=wrong,
    )


def _still_travelling(session: Session, shipment: Shipment, card_ids: list[int]) -> list[int]:
    """Return those of ``card_ids`` still on their way in ``shipment`` (not marked damaged
    or lost meanwhile, nor sent on in another shipment)."""
    transit = (
        lifecycle.DIKIRIM_KECAMATAN if shipment.leg == KOTA_KECAMATAN else lifecycle.DIKIRIM_DAERAH
    )
    found: list[int] = []
    for part in chunks(card_ids):
        found.extend(
            int(card_id)
            for card_id in session.scalars(
                select(Card.id).where(
                    Card.id.in_(part), Card.shipment_id == shipment.id, Card.state == transit
                )
            )
        )
    return found


def discrepancy_report(*, session: Session, shipment_id: int) -> DiscrepancyReport | None:
    """Return the stored report of a closed shipment (None while it is still open)."""
    shipment = session.get(Shipment, shipment_id)
    if shipment is None or shipment.status == STATUS_SENT:
        return None
    lines = session.execute(
        select(ShipmentDiscrepancy.serial, ShipmentDiscrepancy.kind, ShipmentDiscrepancy.detail)
        .where(ShipmentDiscrepancy.shipment_id == shipment.id)
        .order_by(ShipmentDiscrepancy.id)
    ).all()
    missing = []
    for serial, kind, detail in lines:
        if kind == HILANG:
            box = str(detail or "").removeprefix("box ")
            missing.append((int(box) if box.isdigit() else 0, str(serial)))
    return DiscrepancyReport(
        shipment_id=shipment.id,
        number=shipment.number,
        status=shipment.status,
        expected=shipment.cards,
        received=shipment.cards - len(missing),
        missing=missing,
        extra=[(str(s), d) for s, k, d in lines if k == LEBIH],
        wrong_destination=[(str(s), d) for s, k, d in lines if k == SALAH_TUJUAN],
    )
