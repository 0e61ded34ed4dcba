"""Cards not collected in time go back to the city office: the rule, and the job that applies it.

A card waits at the kecamatan (``diterima_kecamatan``) from the moment it is ready for pickup.
When nobody has collected it ``after_days`` later (Palembang: 90 days, the campaign's
``uncollected_after_days``), it is moved to ``dikembalikan_kota``, from where it is sent out
again or handed over at the city office.

The clock runs from the later of ``ready_at`` and ``state_since``: a card returned to the city
and received at the kecamatan again keeps its old ``ready_at`` until the receiving desk writes
a new one, and must not be sent back on its first day.
"""

from __future__ import annotations

import datetime as dt
import functools
import tomllib

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from ektp.cards import lifecycle, transitions
from ektp.cards.models import Card
from ektp.scheduling import campaign as campaign_rules
from ektp.scheduling.campaign import DEFAULT_UNCOLLECTED_AFTER_DAYS

ACTOR = transitions.SYSTEM


def cutoff_of(now: dt.datetime, after_days: int) -> dt.datetime:
    """Return the moment before which a card ready for pickup counts as uncollected."""
    if after_days < 1:
        raise ValueError(f"after_days must be at least 1, not {after_days}")
    return now - dt.timedelta(days=after_days)


def uncollected_condition(cutoff: dt.datetime) -> ColumnElement[bool]:
    """Return the SQL condition of a card waiting at the kecamatan since before ``cutoff``.

    ``state_since`` comes first so that ``ix_cards_state_since`` bounds the scan.
    """
    return and_(
        Card.state == lifecycle.DITERIMA_KECAMATAN,
        Card.state_since < cutoff,
        or_(Card.ready_at.is_(None), Card.ready_at < cutoff),
    )


def after_days_of(*, session: Session) -> int:
    """Return the campaign's ``uncollected_after_days`` (the default without a campaign)."""
    from ektp.scheduling import service as scheduling

    campaign = scheduling.active_campaign(session=session)
    if campaign is None:
        return DEFAULT_UNCOLLECTED_AFTER_DAYS
    return _declared_after_days(campaign.definition)


@functools.lru_cache(maxsize=8)
def _declared_after_days(definition: str) -> int:
    # Keyed on the stored TOML itself: every pipeline page and API call asks, parsing cost
    # about 2 ms each time, and an edited definition is simply a new key.
    return campaign_rules.parse_campaign(tomllib.loads(definition)).uncollected_after_days


def uncollected_ids(
    *, session: Session, now: dt.datetime, after_days: int, kecamatan: str | None = None
) -> list[tuple[int, str]]:
    """Return (card id, kode_kecamatan) of the cards uncollected at ``now``, oldest first."""
    query = select(Card.id, Card.kode_kecamatan).where(
        uncollected_condition(cutoff_of(now, after_days))
    )
    if kecamatan is not None:
        query = query.where(Card.kode_kecamatan == kecamatan)
    rows = session.execute(query.order_by(Card.state_since, Card.id))
    return [(int(card_id), str(kode)) for card_id, kode in rows]


def return_uncollected(
    *, session: Session, now: dt.datetime, after_days: int, actor: str = ACTOR
) -> int:
    """Return how many cards were moved back to the city office for not being collected.

    Set-wise: one query finds the cards, ``transitions.move`` moves each city's cards with
    chunked UPDATEs and one executemany of events. All or nothing: a card handed over while
    the job ran raises ``ConcurrentChange``, and the caller's transaction rolls back.
    """
    by_city: dict[str, list[int]] = {}
    for card_id, kecamatan in uncollected_ids(session=session, now=now, after_days=after_days):
        # The city office of a kecamatan: its code's first two parts (16.71.07 -> 16.71).
        by_city.setdefault(kecamatan[:5], []).append(card_id)
    moved = 0
    # One savepoint over every city: a refusal in the second city undoes the first too.
    with session.begin_nested():
        for city, members in sorted(by_city.items()):
            moved += transitions.move(
                session=session,
                card_ids=members,
                to_state=lifecycle.DIKEMBALIKAN_KOTA,
                at=now,
                actor=actor,
                detail=f"not collected within {after_days} days",
                ref=f"uncollected:{after_days}d",
                values={"location": city},
            )
    return moved
