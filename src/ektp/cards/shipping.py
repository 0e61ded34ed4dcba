"""Shipments of printed cards in numbered boxes: centre → city office (``pusat_kota``) and
city office → kecamatan (``kota_kecamatan``).

A shipment's number reads ``KRM-YYYYMMDD-NNNN``: the local date it left and its place among
that day's shipments. Cards are boxed in the order of kecamatan and serial, so that the city
office unpacking a central shipment finds each kecamatan's cards together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, insert, select
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.cards import lifecycle
from ektp.cards.models import Card, CardStageCount, Shipment, ShipmentItem
from ektp.cards.printing import LOCATION_PUSAT, kota_of
from ektp.cards.transitions import chunks, move
from ektp.scheduling.letters import local_date

PUSAT_KOTA = "pusat_kota"
KOTA_KECAMATAN = "kota_kecamatan"
LEGS = (PUSAT_KOTA, KOTA_KECAMATAN)
DEFAULT_BOX_SIZE = 250
MAX_BOX_SIZE = 2000
MAX_BOXES = 32_000
"""Box numbers are small integers."""
STATUS_SENT = "dikirim"
STATUS_RECEIVED = "diterima"
STATUS_RECEIVED_DISCREPANCY = "diterima_selisih"

# Per leg: the states the cards leave from and the state they travel in.
_SOURCES = {
    PUSAT_KOTA: (lifecycle.DICETAK,),
    KOTA_KECAMATAN: (lifecycle.DITERIMA_KOTA, lifecycle.DIKEMBALIKAN_KOTA),
}
_IN_TRANSIT = {PUSAT_KOTA: lifecycle.DIKIRIM_DAERAH, KOTA_KECAMATAN: lifecycle.DIKIRIM_KECAMATAN}


class ShippingError(ValueError):
    """Raised for a shipment that cannot be made; the message names the field and reason."""


@dataclass(frozen=True)
class ShipmentSummary:
    """A shipment as lists show it."""

    id: int
    number: str
    leg: str
    origin: str
    destination: str
    boxes: int
    cards: int
    status: str
    sent_at: dt.datetime
    sent_by: str
    received_at: dt.datetime | None


def summary_of(shipment: Shipment) -> ShipmentSummary:
    """Return the list view of ``shipment``."""
    return ShipmentSummary(
        id=shipment.id,
        number=shipment.number,
        leg=shipment.leg,
        origin=shipment.origin,
        destination=shipment.destination,
        boxes=shipment.boxes,
        cards=shipment.cards,
        status=shipment.status,
        sent_at=shipment.sent_at,
        sent_by=shipment.sent_by,
        received_at=shipment.received_at,
    )


def _check_destination(leg: str, destination: str) -> None:
    parts = destination.split(".")
    if leg == PUSAT_KOTA and (len(parts) != 2 or not all(p.isdigit() for p in parts)):
        raise ShippingError(f"destination: {destination!r} is not a city code like 16.71")
    if leg == KOTA_KECAMATAN and (len(parts) != 3 or not all(p.isdigit() for p in parts)):
        raise ShippingError(f"destination: {destination!r} is not a kecamatan code like 16.71.07")


def _eligible(session: Session, leg: str, destination: str) -> list[tuple[int, str]]:
    area: ColumnElement[bool] = Card.kode_kecamatan.like(f"{destination}.%")
    if leg == KOTA_KECAMATAN:
        area = Card.kode_kecamatan == destination
    rows = session.execute(
        select(Card.id, Card.serial)
        .where(Card.state.in_(_SOURCES[leg]), area)
        .order_by(Card.kode_kecamatan, Card.serial, Card.id)
    )
    return [(int(card_id), str(serial)) for card_id, serial in rows]


def _chosen(
    session: Session, leg: str, destination: str, card_ids: Sequence[int]
) -> list[tuple[int, str]]:
    wanted = list(dict.fromkeys(card_ids))
    rows: dict[int, tuple[str, str, str | None]] = {}
    # In slices: the API takes up to 200,000 ids, far over SQLite's bound-parameter limit.
    for part in chunks(wanted):
        rows.update(
            (int(card_id), (str(state), str(kecamatan), serial))
            for card_id, state, kecamatan, serial in session.execute(
                select(Card.id, Card.state, Card.kode_kecamatan, Card.serial).where(
                    Card.id.in_(part)
                )
            )
        )
    chosen: list[tuple[int, str, str]] = []
    for card_id in wanted:
        if card_id not in rows:
            raise ShippingError(f"card_ids: no card with id {card_id}")
        state, kecamatan, serial = rows[card_id]
        if not roles.area_covers(destination, kecamatan):
            raise ShippingError(
                f"card_ids: card {card_id} belongs to {kecamatan}, not to {destination}"
            )
        if state not in _SOURCES[leg]:
            reason = lifecycle.refusal(state, _IN_TRANSIT[leg]) or f"it is {state}"
            raise ShippingError(f"card_ids: card {card_id} cannot be shipped: {reason}")
        chosen.append((card_id, kecamatan, str(serial)))
    chosen.sort(key=lambda row: (row[1], row[2], row[0]))
    return [(card_id, serial) for card_id, _, serial in chosen]


def next_number(*, session: Session, destination: str, now: dt.datetime) -> str:
    """Return the number the next shipment leaving at ``now`` gets: ``KRM-YYYYMMDD-NNNN``."""
    prefix = f"KRM-{local_date(destination, now):%Y%m%d}-"
    last = session.scalar(
        select(Shipment.number)
        .where(Shipment.number.like(f"{prefix}%"))
        .order_by(Shipment.number.desc())
        .limit(1)
    )
    following = 1 if last is None else int(str(last)[len(prefix) :]) + 1
    return f"{prefix}{following:04d}"


def create_shipment(
    *,
    session: Session,
    leg: str,
    destination: str,
    now: dt.datetime,
    by: str,
    box_size: int = DEFAULT_BOX_SIZE,
    card_ids: Sequence[int] | None = None,
) -> Shipment:
    """Return a new shipment of every card ready for ``destination`` on ``leg`` (or of
    ``card_ids``), boxed ``box_size`` cards a box; the cards move to the leg's transit state.
    """
    if leg not in LEGS:
        raise ShippingError(f"leg: {leg!r} is not one of {', '.join(LEGS)}")
    _check_destination(leg, destination)
    if not 1 <= box_size <= MAX_BOX_SIZE:
        raise ShippingError(f"box_size: {box_size} is not between 1 and {MAX_BOX_SIZE}")
    if card_ids is None:
        cards = _eligible(session, leg, destination)
    else:
        cards = _chosen(session, leg, destination, card_ids)
    if not cards:
        raise ShippingError(f"destination: no card is ready to ship to {destination} ({leg})")
    boxes = (len(cards) + box_size - 1) // box_size
    if boxes > MAX_BOXES:
        raise ShippingError(f"box_size: {boxes} boxes is more than {MAX_BOXES}; use bigger boxes")
    # All or nothing: the shipment row goes too when a card moved meanwhile.
    with session.begin_nested():
        shipment = Shipment(
            number=next_number(session=session, destination=destination, now=now),
            leg=leg,
            origin=LOCATION_PUSAT if leg == PUSAT_KOTA else kota_of(destination),
            destination=destination,
            boxes=boxes,
            cards=len(cards),
            status=STATUS_SENT,
            sent_at=now,
            sent_by=by,
        )
        session.add(shipment)
        session.flush()
        ids = [card_id for card_id, _ in cards]
        move(
            session=session,
            card_ids=ids,
            to_state=_IN_TRANSIT[leg],
            at=now,
            actor=by,
            ref=f"shipment:{shipment.number}",
            # In a box on the road the card is nowhere an office could hand it out.
            values={"shipment_id": shipment.id, "location": None},
        )
        session.execute(
            insert(ShipmentItem),
            [
                {
                    "shipment_id": shipment.id,
                    "box_no": index // box_size + 1,
                    "card_id": card_id,
                    "serial": serial,
                }
                for index, (card_id, serial) in enumerate(cards)
            ],
        )
    return shipment


def in_transit(
    *, session: Session, area: str | None, leg: str | None = None
) -> list[ShipmentSummary]:
    """Return the shipments still on their way to ``area`` (None: anywhere), oldest first."""
    query = (
        select(Shipment)
        .where(Shipment.status == STATUS_SENT)
        .order_by(Shipment.sent_at, Shipment.id)
    )
    if leg is not None:
        query = query.where(Shipment.leg == leg)
    if area is not None:
        query = query.where((Shipment.destination == area) | Shipment.destination.like(f"{area}.%"))
    return [summary_of(shipment) for shipment in session.scalars(query)]


def recent(
    *, session: Session, area: str | None, leg: str | None = None, limit: int = 50
) -> list[ShipmentSummary]:
    """Return the latest shipments received at ``area`` (None: anywhere), newest first."""
    query = (
        select(Shipment)
        .where(Shipment.status != STATUS_SENT)
        .order_by(Shipment.id.desc())
        .limit(limit)
    )
    if leg is not None:
        query = query.where(Shipment.leg == leg)
    if area is not None:
        query = query.where((Shipment.destination == area) | Shipment.destination.like(f"{area}.%"))
    return [summary_of(shipment) for shipment in session.scalars(query)]


def ready_to_ship(*, session: Session, leg: str, area: str | None) -> dict[str, int]:
    """Return destination → how many cards wait to leave on ``leg`` (within ``area``)."""
    # The stage counters answer without touching the cards (a city holds a million).
    grouped = (
        select(CardStageCount.kode_kecamatan, func.sum(CardStageCount.cards))
        .where(CardStageCount.state.in_(_SOURCES[leg]))
        .group_by(CardStageCount.kode_kecamatan)
    )
    if area is not None:
        grouped = grouped.where(
            (CardStageCount.kode_kecamatan == area)
            | CardStageCount.kode_kecamatan.like(f"{area}.%")
        )
    counts: dict[str, int] = {}
    for kecamatan, n in session.execute(grouped):
        key = kota_of(str(kecamatan)) if leg == PUSAT_KOTA else str(kecamatan)
        counts[key] = counts.get(key, 0) + int(n or 0)
    return {key: n for key, n in sorted(counts.items()) if n > 0}


def get_shipment(*, session: Session, shipment_id: int) -> Shipment | None:
    """Return the shipment with ``shipment_id``, or None."""
    return session.get(Shipment, shipment_id)


def manifest_rows(*, session: Session, shipment_id: int) -> list[tuple[int, str, str]]:
    """Return (box, serial, kode_kecamatan) of each card of the shipment, box by box."""
    rows = session.execute(
        select(ShipmentItem.box_no, ShipmentItem.serial, Card.kode_kecamatan)
        .join(Card, Card.id == ShipmentItem.card_id)
        .where(ShipmentItem.shipment_id == shipment_id)
        .order_by(ShipmentItem.box_no, ShipmentItem.id)
    )
    return [(int(box), str(serial), str(kec)) for box, serial, kec in rows]


def contents(
    *, session: Session, shipment_id: int
) -> list[tuple[int, str, str, dt.datetime | None]]:
    """Return (box, serial, kode_kecamatan, received_at) of each card of the shipment."""
    rows = session.execute(
        select(
            ShipmentItem.box_no, ShipmentItem.serial, Card.kode_kecamatan, ShipmentItem.received_at
        )
        .join(Card, Card.id == ShipmentItem.card_id)
        .where(ShipmentItem.shipment_id == shipment_id)
        .order_by(ShipmentItem.box_no, ShipmentItem.id)
    )
    return [(int(box), str(serial), str(kec), at) for box, serial, kec, at in rows]
