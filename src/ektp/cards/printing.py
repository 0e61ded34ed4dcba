"""Print runs at the centre: the oldest cards of a city's print queue get a card serial and a
chip id and become ``dicetak``; printer failures become ``gagal_cetak``; failed, damaged and
lost cards go back to the queue as reprints.

Serials are ``KKKK RRRRRR NNNNN`` without spaces (15 digits): the city's code, the print run
and the card's place in the run. Unique by construction (the run id is the table's key), all
digits so that a barcode scanner or a person typing reads them the same way, and deliberately
not 16 digits long, so that nobody takes a serial for a NIK.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.models import Card, CardStageCount, PrintRun
from ektp.cards.transitions import move, states_of

MAX_RUN_SIZE = 99_999
"""Five digits of a serial count the cards of one run."""
LOCATION_PUSAT = "pusat"
REQUEUE_SOURCES = (lifecycle.GAGAL_CETAK, lifecycle.RUSAK, lifecycle.HILANG)


class PrintError(ValueError):
    """Raised for a print run that cannot start; the message names the field and reason."""


@dataclass(frozen=True)
class QueueLine:
    """How many cards of one city wait in the print queue."""

    kode_kota: str
    cards: int


def serial_for(kode_kota: str, run_id: int, position: int) -> str:
    """Return the card serial of the ``position``-th card (from 1) of print run ``run_id``."""
    return f"{kode_kota.replace('.', '')}{run_id:06d}{position:05d}"


def normalise_serial(text: str) -> str:
    """Return a serial as typed or scanned without spaces, dashes and dots, upper case."""
    return "".join(ch for ch in text.strip().upper() if ch not in " -.\t")


def kota_of(kode_kecamatan: str) -> str:
    """Return the city code (``16.71``) of a kecamatan code (``16.71.07``)."""
    return ".".join(kode_kecamatan.split(".")[:2])


def queue_by_city(*, session: Session) -> list[QueueLine]:
    """Return the print queue's size per city, from the stage counters (no card scan)."""
    rows = session.execute(
        select(CardStageCount.kode_kecamatan, CardStageCount.cards).where(
            CardStageCount.state == lifecycle.ANTRIAN_CETAK
        )
    )
    sizes: dict[str, int] = {}
    for kecamatan, cards in rows:
        sizes[kota_of(str(kecamatan))] = sizes.get(kota_of(str(kecamatan)), 0) + int(cards)
    return [QueueLine(kota, n) for kota, n in sorted(sizes.items()) if n > 0]


def _failed_ids(chosen: Sequence[int], failures: int | Collection[int]) -> set[int]:
    if isinstance(failures, int):
        if failures < 0 or failures > len(chosen):
            raise PrintError(f"failures: {failures} is not between 0 and {len(chosen)}")
        # The printer's jams come at the end of a run: the last cards fed are the failed ones.
        return set(chosen[len(chosen) - failures :]) if failures else set()
    unknown = sorted(set(failures) - set(chosen))
    if unknown:
        raise PrintError(f"failures: card {unknown[0]} is not in this print run")
    return set(failures)


def start_print_run(
    *,
    session: Session,
    kode_kota: str,
    size: int,
    now: dt.datetime,
    by: str,
    failures: int | Collection[int] = 0,
) -> PrintRun:
    """Return the print run made of the ``size`` oldest queued cards of ``kode_kota``.

    ``failures``: how many cards the printer spoiled (the last ones of the run), or the ids
    of the spoiled cards; they become ``gagal_cetak`` without a serial.
    """
    if not 1 <= size <= MAX_RUN_SIZE:
        raise PrintError(f"size: {size} is not between 1 and {MAX_RUN_SIZE}")
    parts = kode_kota.split(".")
    if len(parts) != 2 or not all(part.isdigit() and len(part) == 2 for part in parts):
        raise PrintError(f"kode_kota: {kode_kota!r} is not a city code like 16.71")
    chosen = [
        int(card_id)
        for card_id in session.scalars(
            select(Card.id)
            .where(
                Card.state == lifecycle.ANTRIAN_CETAK,
                Card.kode_kecamatan.like(f"{kode_kota}.%"),
            )
            .order_by(Card.state_since, Card.id)
            .limit(size)
        )
    ]
    if not chosen:
        raise PrintError(f"kode_kota: no card of {kode_kota} waits in the print queue")
    failed = _failed_ids(chosen, failures)
    # All or nothing: a card moved meanwhile by another run undoes the run row and every
    # card already printed, even for a caller that catches the error and commits.
    with session.begin_nested():
        run = PrintRun(
            kode_kota=kode_kota,
            size=len(chosen),
            printed=0,
            failed=0,
            status="berjalan",
            created_at=now,
            created_by=by,
        )
        session.add(run)
        session.flush()
        ref = f"print_run:{run.id}"
        printed = [card_id for card_id in chosen if card_id not in failed]
        values_by_card = {
            card_id: {
                "serial": serial_for(kode_kota, run.id, position),
                "chip_id": secrets.token_hex(8).upper(),
            }
            for position, card_id in enumerate(printed, start=1)
        }
        move(
            session=session,
            card_ids=printed,
            to_state=lifecycle.DICETAK,
            at=now,
            actor=by,
            ref=ref,
            values={"print_run_id": run.id, "printed_at": now, "location": LOCATION_PUSAT},
            values_by_card=values_by_card,
        )
        move(
            session=session,
            card_ids=sorted(failed),
            to_state=lifecycle.GAGAL_CETAK,
            at=now,
            actor=by,
            ref=ref,
            detail="the printer spoiled the card",
            values={"print_run_id": run.id},
        )
        run.printed = len(printed)
        run.failed = len(failed)
        run.status = "selesai"
        run.finished_at = now
        session.flush()
    return run


def requeue_failed(
    *,
    session: Session,
    card_ids: Sequence[int],
    now: dt.datetime,
    by: str,
    reason: str | None = None,
) -> int:
    """Return how many failed, damaged or lost cards went back to the print queue.

    Each counts one more reprint; the card keeps its old serial until the reprint gives it a
    new one (shipment items and discrepancy lines keep the old serial for good).
    """
    ids = list(dict.fromkeys(card_ids))
    if not ids:
        return 0
    found = {
        card_id: state for card_id, (state, _) in states_of(session=session, card_ids=ids).items()
    }
    for card_id in ids:
        state = found.get(card_id)
        if state is None:
            raise PrintError(f"card_ids: no card with id {card_id}")
        if state not in REQUEUE_SOURCES:
            raise PrintError(
                f"card_ids: card {card_id} is {state}; only {', '.join(REQUEUE_SOURCES)} "
                "cards are reprinted"
            )
    return move(
        session=session,
        card_ids=ids,
        to_state=lifecycle.ANTRIAN_CETAK,
        at=now,
        actor=by,
        detail=reason,
        ref="reprint",
        values={"reprints": Card.reprints + 1, "location": LOCATION_PUSAT},
    )


def recent_runs(
    *, session: Session, kode_kota: str | None = None, limit: int = 50
) -> list[PrintRun]:
    """Return the latest print runs (of one city, or all), newest first."""
    query = select(PrintRun).order_by(PrintRun.id.desc()).limit(limit)
    if kode_kota is not None:
        query = query.where(PrintRun.kode_kota == kode_kota)
    return list(session.scalars(query))


def queued_count(*, session: Session, kode_kota: str) -> int:
    """Return how many cards of ``kode_kota`` wait in the print queue (counted on the cards)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Card)
            .where(
                Card.state == lifecycle.ANTRIAN_CETAK,
                Card.kode_kecamatan.like(f"{kode_kota}.%"),
            )
        )
        or 0
    )
