"""The notification outbox: "your card is ready" messages written when cards arrive at the
kecamatan, and delivered later by a pluggable sender.

Writing and sending are apart on purpose: receiving a shipment must never wait on (or fail
with) an SMS gateway. A message names the pickup place and hours; it never holds the NIK
(a text message may reach another person's phone).

The demo's sender is ``DisabledSender``: it sends nothing and leaves every message
``menunggu`` (waiting), so that the day a real sender is configured, the backlog goes out.
``LogSender`` writes each message to the log and counts it as sent.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ektp.cards.models import Card, Notification
from ektp.cards.transitions import chunks
from ektp.regions.service import region_names

KIND_READY = "kartu_siap"
CHANNEL_SMS = "sms"
MENUNGGU = "menunggu"
TERKIRIM = "terkirim"
GAGAL = "gagal"
NONAKTIF = "nonaktif"
MAX_ATTEMPTS = 3
PICKUP_HOURS = "Senin s.d. Jumat pukul 08.00-15.00 WIB"
"""The kecamatan offices' service hours for card pickup (Palembang's usual office hours)."""

log = logging.getLogger(__name__)


def ready_message(place: str, hours: str = PICKUP_HOURS) -> str:
    """Return the "card ready" text in Bahasa Indonesia for pickup at ``place``."""
    return (
        f"Kartu e-KTP Anda sudah jadi dan dapat diambil di {place}, {hours}. "
        "Bawa surat panggilan atau Kartu Keluarga."
    )


def pickup_place(kecamatan_name: str) -> str:
    """Return the office where a card of ``kecamatan_name`` is picked up."""
    return f"Kantor Kecamatan {kecamatan_name}"


def queue_card_ready(*, session: Session, card_ids: Sequence[int], now: dt.datetime) -> int:
    """Return how many "card ready" messages were put in the outbox for ``card_ids``.

    One per card; a card that already has one waiting gets no second (a receipt scanned
    twice, or a retried job). Unknown ids are skipped.
    """
    ids = list(dict.fromkeys(card_ids))
    if not ids:
        return 0
    cards: list[tuple[int, int, str]] = []
    waiting: set[int] = set()
    for part in chunks(ids):
        cards.extend(
            (int(card_id), int(resident_id), str(kecamatan))
            for card_id, resident_id, kecamatan in session.execute(
                select(Card.id, Card.resident_id, Card.kode_kecamatan).where(Card.id.in_(part))
            )
        )
        waiting.update(
            card_id
            for card_id in session.scalars(
                select(Notification.card_id).where(
                    Notification.card_id.in_(part),
                    Notification.kind == KIND_READY,
                    Notification.status == MENUNGGU,
                )
            )
            if card_id is not None
        )
    names = region_names(session=session, codes={kecamatan for _, _, kecamatan in cards})
    rows = [
        {
            "resident_id": resident_id,
            "card_id": card_id,
            "kind": KIND_READY,
            "channel": CHANNEL_SMS,
            "message": ready_message(pickup_place(names.get(kecamatan, kecamatan))),
            "status": MENUNGGU,
            "attempts": 0,
            "created_at": now,
            "sent_at": None,
        }
        for card_id, resident_id, kecamatan in cards
        if card_id not in waiting
    ]
    if rows:
        session.execute(insert(Notification), rows)
    return len(rows)


@dataclass(frozen=True)
class Outgoing:
    """One message handed to a sender: the resident it is for, the channel and the text."""

    notification_id: int
    resident_id: int
    channel: str
    message: str


class Sender(Protocol):
    """Delivers outbox messages (SMS gateway, WhatsApp, printed letters ...)."""

    enabled: bool

    def send(self, item: Outgoing) -> bool:
        """Return whether ``item`` was delivered (False: try again later)."""
        ...


class DisabledSender:
    """The demo's sender: delivers nothing; messages stay waiting for a real sender."""

    enabled = False

    def send(self, item: Outgoing) -> bool:
        """Return False: nothing is sent."""
        return False


class LogSender:
    """Writes each message to the log (without the NIK, which no message holds)."""

    enabled = True

    def __init__(self, logger: logging.Logger | None = None) -> None:
        self.logger = logger or log
        self.sent: list[Outgoing] = []

    def send(self, item: Outgoing) -> bool:
        """Return True after logging ``item``."""
        self.logger.info(
            "notification %s to resident %s by %s: %s",
            item.notification_id,
            item.resident_id,
            item.channel,
            item.message,
        )
        self.sent.append(item)
        return True


@dataclass(frozen=True)
class SendReport:
    """What one pass over the outbox did."""

    sent: int
    failed: int
    retry: int
    waiting: int


def send_pending(
    *, session: Session, sender: Sender, now: dt.datetime, limit: int = 500
) -> SendReport:
    """Return what happened to up to ``limit`` waiting messages, oldest first.

    A disabled sender touches nothing. A message the sender cannot deliver is tried again
    on a later pass, and marked ``gagal`` after MAX_ATTEMPTS.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    pending = session.execute(
        select(
            Notification.id,
            Notification.resident_id,
            Notification.channel,
            Notification.message,
            Notification.attempts,
        )
        .where(Notification.status == MENUNGGU)
        .order_by(Notification.created_at, Notification.id)
        .limit(limit)
    ).all()
    if not sender.enabled:
        return SendReport(sent=0, failed=0, retry=0, waiting=len(pending))
    rows: list[dict[str, object]] = []
    sent = failed = retry = 0
    for notification_id, resident_id, channel, message, attempts in pending:
        item = Outgoing(int(notification_id), int(resident_id), str(channel), str(message))
        try:
            delivered = sender.send(item)
        except Exception:  # a gateway error must not lose the rest of the pass
            log.exception("sending notification %s failed", notification_id)
            delivered = False
        tries = int(attempts or 0) + 1
        if delivered:
            sent += 1
            rows.append(
                {"id": item.notification_id, "status": TERKIRIM, "attempts": tries, "sent_at": now}
            )
        elif tries >= MAX_ATTEMPTS:
            failed += 1
            rows.append({"id": item.notification_id, "status": GAGAL, "attempts": tries})
        else:
            retry += 1
            rows.append({"id": item.notification_id, "status": MENUNGGU, "attempts": tries})
    if rows:
        # Bulk update by primary key: one executemany, not one ORM flush per message.
        by_keys: dict[tuple[str, ...], list[dict[str, object]]] = {}
        for row in rows:
            by_keys.setdefault(tuple(sorted(row)), []).append(row)
        for group in by_keys.values():
            session.execute(update(Notification), group)
    return SendReport(sent=sent, failed=failed, retry=retry, waiting=retry)
