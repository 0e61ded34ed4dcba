"""The card pipeline of the demo: after the simulated recording days, every card recorded
moves on through the services with the delays of the real thing, day by day.

Each evening every kecamatan sends its day's batch (a package file in ``spool_dir``); the
centre receives it the next office morning; it prints on Mondays and Thursdays the cards it
accepted one to two weeks before (a few spoiled and reprinted); shipments to the city office
leave on Tuesdays and Fridays and arrive two to four days later, where every serial is
scanned (now and then one card is not in the boxes: discrepancy, lost, reprint); the city
office sends each kecamatan its cards the next office day, arriving the day after; residents
collect over the following days and weeks (some by a representative), and cards nobody
collected go back to the city office. Nothing is dated after the last day.

The pipeline keeps no state of its own: each day reads where the cards are and draws its
chances from the seed (``demo_pipeline_rules``), so a run of days 1–10 then 11–20 does what
one run of days 1–20 does.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.auth import service as auth_service
from ektp.cards import batches, handover, lifecycle, printing, receiving, shipping, uncollected
from ektp.cards.demo_pipeline_actors import Actors, PipelineTally
from ektp.cards.demo_pipeline_rules import (
    Rates,
    central_arrival,
    is_office_day,
    local_arrival,
    local_day,
    local_time,
    pickup,
    print_cutoff,
    representative_nik,
    representative_relation,
    ships_central,
    spread,
)
from ektp.cards.models import Batch, Card, Shipment, ShipmentItem
from ektp.recording.crypto import cipher_from_settings
from ektp.runtime import Runtime

CITY = "16.71"
WORKDAY = dt.timedelta(hours=6)


class _Day:
    """One day of the pipeline: each step in its own transaction, at its hour of the day."""

    def __init__(
        self,
        runtime: Runtime,
        day: dt.date,
        *,
        seed: int,
        rates: Rates,
        actors: Actors,
        spool_dir: Path,
        after_days: int,
        tally: PipelineTally,
    ) -> None:
        self.runtime = runtime
        self.day = day
        self.seed = seed
        self.rates = rates
        self.actors = actors
        self.spool_dir = spool_dir
        self.after_days = after_days
        self.tally = tally
        self.names: dict[str, str] = {}

    def run(self) -> None:
        """Do the day's steps in the order of their hours."""
        if is_office_day(self.day):
            self.ship_local()  # 08:00
            self.receive_local()  # 09:00
            self.receive_batches()  # 09:00
            self.hand_over()  # 08:30-14:30
            self.print_cards()  # 10:00
            self.receive_central()  # 10:00
            self.ship_central()  # 13:00
            self.requeue()  # 15:00
        self.return_uncollected()  # 16:00
        self.send_batches()  # 21:00

    def operator(self, kode_kecamatan: str) -> str:
        return self.actors.kecamatan.get(kode_kecamatan, self.actors.fallback)

    def full_name(self, session: Session, username: str) -> str:
        if username not in self.names:
            user = auth_service.get_user(session=session, username=username)
            self.names[username] = user.full_name if user is not None else f"Petugas {username}"
        return self.names[username]

    def spool(self, batch_uid: str) -> Path:
        return self.spool_dir / f"{batch_uid}.zip"

    def send_batches(self) -> None:
        now = local_time(self.day, 21)
        cipher = cipher_from_settings(self.runtime.settings)
        with self.runtime.transaction() as session:
            waiting = session.execute(
                select(Card.kode_kecamatan, Card.recorded_on)
                .where(Card.state == lifecycle.DIREKAM, Card.recorded_on <= self.day)
                .group_by(Card.kode_kecamatan, Card.recorded_on)
                .order_by(Card.kode_kecamatan, Card.recorded_on)
            ).all()
        self.spool_dir.mkdir(parents=True, exist_ok=True)
        for kecamatan, recorded_on in waiting:
            with self.runtime.transaction() as session:
                batch, data = batches.send_batch(
                    session=session,
                    kode_kecamatan=str(kecamatan),
                    tanggal=recorded_on,
                    now=now,
                    by=self.operator(str(kecamatan)),
                    cipher=cipher,
                )
                # The file leaves the office with the batch: written before the commit.
                _write_private(self.spool(batch.batch_uid), data)
            self.tally.batches_sent += 1

    def receive_batches(self) -> None:
        with self.runtime.transaction() as session:
            sent = session.execute(
                select(Batch.batch_uid, Batch.kode_kecamatan)
                .where(Batch.status == batches.SENT, Batch.created_at < local_time(self.day, 8))
                .order_by(Batch.id)
            ).all()
        moments = spread(local_time(self.day, 9), len(sent), WORKDAY, dt.timedelta(minutes=2))
        for (uid, kecamatan), now in zip(sent, moments, strict=True):
            path = self.spool(str(uid))
            with self.runtime.transaction() as session:
                if not path.exists():
                    # The file never reached the centre: the site withdraws the batch and
                    # its cards go out again with this evening's batch.
                    batches.withdraw_batch(
                        session=session,
                        batch_uid=str(uid),
                        now=now,
                        by=self.operator(str(kecamatan)),
                    )
                    continue
                result = batches.receive_batch(
                    session=session, data=path.read_bytes(), now=now, by=self.actors.centre
                )
            if result.accepted and not result.duplicate:
                path.unlink(missing_ok=True)
                self.tally.batches_accepted += 1
                self.tally.accepted += result.records

    def print_cards(self) -> None:
        cutoff = print_cutoff(self.seed, self.day, self.rates)
        if cutoff is None:
            return
        rng = random.Random(f"{self.seed}/print/{self.day.isoformat()}")
        now = local_time(self.day, 10)
        with self.runtime.transaction() as session:
            due = int(
                session.scalar(
                    select(func.count())
                    .select_from(Card)
                    .where(
                        Card.state == lifecycle.ANTRIAN_CETAK,
                        Card.state_since < local_time(cutoff + dt.timedelta(days=1), 0),
                        Card.kode_kecamatan.like(f"{CITY}.%"),
                    )
                )
                or 0
            )
            while due > 0:
                size = min(due, printing.MAX_RUN_SIZE)
                failures = sum(rng.random() < self.rates.print_failure for _ in range(size))
                run = printing.start_print_run(
                    session=session,
                    kode_kota=CITY,
                    size=size,
                    now=now,
                    by=self.actors.centre,
                    failures=min(failures, size),
                )
                self.tally.printed += run.printed
                self.tally.print_failed += run.failed
                due -= size

    def ship_central(self) -> None:
        if not ships_central(self.day, self.rates):
            return
        with self.runtime.transaction() as session:
            ready = shipping.ready_to_ship(session=session, leg=shipping.PUSAT_KOTA, area=CITY)
            if not ready.get(CITY):
                return
            shipment = shipping.create_shipment(
                session=session,
                leg=shipping.PUSAT_KOTA,
                destination=CITY,
                now=local_time(self.day, 13),
                by=self.actors.centre,
            )
            self.tally.shipped_central += shipment.cards

    def receive_central(self) -> None:
        due = [
            (shipment_id, number)
            for shipment_id, number, sent_at in self._open_shipments(shipping.PUSAT_KOTA)
            if central_arrival(self.seed, number, local_day(sent_at), self.rates) <= self.day
        ]
        for shipment_id, number in due:
            self._receive(shipment_id, number, self.actors.city, self.rates.missing_central, 10)

    def ship_local(self) -> None:
        now = local_time(self.day, 8)
        with self.runtime.transaction() as session:
            rows = session.execute(
                select(Card.kode_kecamatan, Card.id)
                .where(
                    Card.state == lifecycle.DITERIMA_KOTA,
                    Card.state_since < local_time(self.day, 0),
                )
                .order_by(Card.kode_kecamatan, Card.id)
            ).all()
            by_kecamatan: dict[str, list[int]] = {}
            for kecamatan, card_id in rows:
                by_kecamatan.setdefault(str(kecamatan), []).append(int(card_id))
            for kecamatan, card_ids in by_kecamatan.items():
                shipment = shipping.create_shipment(
                    session=session,
                    leg=shipping.KOTA_KECAMATAN,
                    destination=kecamatan,
                    now=now,
                    by=self.actors.city,
                    card_ids=card_ids,
                )
                self.tally.shipped_local += shipment.cards

    def receive_local(self) -> None:
        with self.runtime.transaction() as session:
            destination = dict(
                session.execute(
                    select(Shipment.id, Shipment.destination).where(
                        Shipment.status == shipping.STATUS_SENT,
                        Shipment.leg == shipping.KOTA_KECAMATAN,
                    )
                ).all()
            )
        for shipment_id, number, sent_at in self._open_shipments(shipping.KOTA_KECAMATAN):
            if local_arrival(local_day(sent_at)) <= self.day:
                by = self.operator(str(destination[shipment_id]))
                self._receive(shipment_id, number, by, self.rates.missing_local, 9)

    def _open_shipments(self, leg: str) -> list[tuple[int, str, dt.datetime]]:
        with self.runtime.transaction() as session:
            rows = session.execute(
                select(Shipment.id, Shipment.number, Shipment.sent_at)
                .where(Shipment.status == shipping.STATUS_SENT, Shipment.leg == leg)
                .order_by(Shipment.id)
            ).all()
        return [(int(i), str(n), at) for i, n, at in rows]

    def _receive(self, shipment_id: int, number: str, by: str, missing: float, hour: int) -> None:
        """Scan every serial of the shipment (now and then one is not in the boxes), close."""
        with self.runtime.transaction() as session:
            serials = list(
                session.scalars(
                    select(ShipmentItem.serial)
                    .where(ShipmentItem.shipment_id == shipment_id)
                    .order_by(ShipmentItem.box_no, ShipmentItem.id)
                )
            )
            rng = random.Random(f"{self.seed}/receive/{number}")
            if serials and rng.random() < missing:
                serials.pop(rng.randrange(len(serials)))
            moments = spread(
                local_time(self.day, hour), len(serials) + 1, WORKDAY, dt.timedelta(seconds=4)
            )
            for serial, now in zip(serials, moments, strict=False):
                outcome = receiving.scan(
                    session=session, shipment_id=shipment_id, serial=serial, now=now, by=by
                )
                self.tally.received += outcome.outcome == receiving.MATCHED
            report = receiving.close_receiving(
                session=session, shipment_id=shipment_id, now=moments[-1], by=by
            )
            self.tally.lost += len(report.missing)

    def requeue(self) -> None:
        with self.runtime.transaction() as session:
            ids = list(
                session.scalars(
                    select(Card.id)
                    .where(Card.state.in_(printing.REQUEUE_SOURCES))
                    .order_by(Card.id)
                )
            )
            self.tally.reprints += printing.requeue_failed(
                session=session,
                card_ids=ids,
                now=local_time(self.day, 15),
                by=self.actors.centre,
                reason="reprint: spoiled or lost",
            )

    def hand_over(self) -> None:
        with self.runtime.transaction() as session:
            rows = session.execute(
                select(
                    Card.id,
                    Card.kode_kecamatan,
                    Card.state,
                    Card.ready_at,
                    Card.state_since,
                    Card.reprints,
                )
                .where(Card.state.in_((lifecycle.DITERIMA_KECAMATAN, lifecycle.DIKEMBALIKAN_KOTA)))
                .order_by(Card.id)
            ).all()
        desks: dict[str, list[tuple[int, bool]]] = {}
        for card_id, kecamatan, state, ready_at, since, reprints in rows:
            ready = local_day(ready_at or since)
            chosen = pickup(self.seed, int(card_id), int(reprints), ready, self.rates)
            if chosen.day > self.day:
                continue
            at_city = state == lifecycle.DIKEMBALIKAN_KOTA
            desk = CITY if at_city else str(kecamatan)
            desks.setdefault(desk, []).append((int(card_id), chosen.representative))
        for desk, cards in sorted(desks.items()):
            by = self.actors.city if desk == CITY else self.operator(desk)
            moments = spread(
                local_time(self.day, 8, 30), len(cards), WORKDAY, dt.timedelta(minutes=4)
            )
            with self.runtime.transaction() as session:
                name = self.full_name(session, by)
                for (card_id, wakil), now in zip(cards, moments, strict=True):
                    self._hand(session, card_id, wakil, by, name, now)

    def _hand(
        self, session: Session, card_id: int, wakil: bool, by: str, name: str, now: dt.datetime
    ) -> None:
        name_of = nik = relation = None
        if wakil:
            kecamatan = str(session.scalar(select(Card.kode_kecamatan).where(Card.id == card_id)))
            name_of = f"WAKIL {card_id:07d}"
            nik = representative_nik(self.seed, card_id, kecamatan)
            relation = representative_relation(self.seed, card_id)
        handover.hand_over(
            session=session,
            card_id=card_id,
            recipient=handover.WAKIL if wakil else handover.PEMILIK,
            face_confirmed=True,
            acknowledged=True,
            operator=by,
            operator_name=name,
            now=now,
            representative_name=name_of,
            representative_nik=nik,
            representative_relation=relation,
        )
        self.tally.handed_over += 1
        self.tally.by_representative += wakil

    def return_uncollected(self) -> None:
        with self.runtime.transaction() as session:
            self.tally.returned += uncollected.return_uncollected(
                session=session, now=local_time(self.day, 16), after_days=self.after_days
            )


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` readable by the owner only (it holds names and NIKs)."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(data)


def run_pipeline(
    runtime: Runtime,
    *,
    first: dt.date,
    last: dt.date,
    seed: int,
    spool_dir: Path,
    actors: Actors | None = None,
    rates: Rates | None = None,
    after_days: int | None = None,
    say: Callable[[str], None] = lambda _line: None,
) -> PipelineTally:
    """Return what the pipeline did on each day from ``first`` to ``last`` (calendar days,
    nothing dated after ``last``); ``after_days`` defaults to the campaign's
    ``uncollected_after_days``."""
    if last < first:
        raise ValueError(f"last: {last} is before first ({first})")
    if after_days is None:
        with runtime.transaction() as session:
            after_days = uncollected.after_days_of(session=session)
    tally = PipelineTally()
    day = first
    while day <= last:
        _Day(
            runtime,
            day,
            seed=seed,
            rates=rates or Rates(),
            actors=actors or Actors(),
            spool_dir=spool_dir,
            after_days=after_days,
            tally=tally,
        ).run()
        tally.days += 1
        day += dt.timedelta(days=1)
    say(tally.line())
    return tally
