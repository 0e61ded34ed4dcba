"""Move cards along the lifecycle set-wise: check every card first, then one UPDATE per
source state, the events in one executemany, and the stage counters by delta.

All or nothing: when one card may not move, nothing is written and the error names it.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from ektp.cards.models import Card, CardEvent, CardStageCount

# Below SQLite's bound-parameter limit, and a size PostgreSQL plans well for IN lists.
CHUNK = 5000
SYSTEM = "system"


class CardNotFound(LookupError):
    """Raised when a card id names no card."""


class TransitionRefused(ValueError):
    """Raised when a card may not make the move; nothing was written."""

    def __init__(self, card_id: int, reason: str) -> None:
        super().__init__(f"card {card_id}: {reason}")
        self.card_id = card_id
        self.reason = reason


class ConcurrentChange(RuntimeError):
    """Raised when a card changed state between the check and the write (another desk)."""


def chunks(ids: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    """Yield ``ids`` in slices of at most ``size``."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def states_of(*, session: Session, card_ids: Sequence[int]) -> dict[int, tuple[str, str]]:
    """Return card id → (state, kode_kecamatan) for the cards that exist."""
    found: dict[int, tuple[str, str]] = {}
    for part in chunks(card_ids):
        rows = session.execute(
            select(Card.id, Card.state, Card.kode_kecamatan).where(Card.id.in_(part))
        )
        found.update({int(i): (str(s), str(k)) for i, s, k in rows})
    return found


def move(
    *,
    session: Session,
    card_ids: Sequence[int],
    to_state: str,
    at: dt.datetime,
    actor: str,
    detail: str | None = None,
    ref: str | None = None,
    values: Mapping[str, Any] | None = None,
    values_by_card: Mapping[int, Mapping[str, Any]] | None = None,
) -> int:
    """Return how many cards moved to ``to_state`` (all of ``card_ids`` or none).

    ``values`` are set on every card, ``values_by_card`` per card (serials, chip ids).
    Raises CardNotFound, TransitionRefused (nothing written) or ConcurrentChange (the
    caller's transaction must roll back).
    """
    ids = list(dict.fromkeys(card_ids))
    if not ids:
        return 0
    current = states_of(session=session, card_ids=ids)
    missing = [card_id for card_id in ids if card_id not in current]
    if missing:
        raise CardNotFound(f"no card with id {missing[0]}")
    for card_id in ids:
        reason = lifecycle.refusal(current[card_id][0], to_state)
        if reason is not None:
            raise TransitionRefused(card_id, reason)
    by_source: dict[str, list[int]] = {}
    for card_id in ids:
        by_source.setdefault(current[card_id][0], []).append(card_id)
    common = {"state": to_state, "state_since": at, **(values or {})}
    # A savepoint: when a later chunk finds a card moved meanwhile, the chunks already
    # updated go back too, even for a caller that catches the error and commits.
    with session.begin_nested():
        for source, members in by_source.items():
            for part in chunks(members):
                result = session.execute(
                    update(Card)
                    .where(Card.id.in_(part), Card.state == source)
                    .values(**common)
                    .execution_options(synchronize_session=False)
                )
                changed = len(part) - result.rowcount  # type: ignore[attr-defined]
                if changed:
                    raise ConcurrentChange(f"{changed} card(s) changed state meanwhile; try again")
        if values_by_card:
            rows = [{"id": card_id, **fields} for card_id, fields in values_by_card.items()]
            session.execute(update(Card), rows)
        session.execute(
            insert(CardEvent),
            [
                {
                    "card_id": card_id,
                    "from_state": current[card_id][0],
                    "to_state": to_state,
                    "event": lifecycle.TRANSITIONS[(current[card_id][0], to_state)],
                    "at": at,
                    "actor": actor,
                    "detail": detail,
                    "ref": ref,
                }
                for card_id in ids
            ],
        )
        deltas: Counter[tuple[str, str]] = Counter()
        for card_id in ids:
            state, kecamatan = current[card_id]
            deltas[(kecamatan, state)] -= 1
            deltas[(kecamatan, to_state)] += 1
        add_to_stage_counts(session=session, deltas=deltas)
    return len(ids)


def add_to_stage_counts(*, session: Session, deltas: Mapping[tuple[str, str], int]) -> None:
    """Add ``deltas`` ((kode_kecamatan, state) → change) to the pipeline's stage counters."""
    rows = [
        {"kode_kecamatan": kec, "state": state, "cards": delta}
        for (kec, state), delta in deltas.items()
        if delta
    ]
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    table = CardStageCount.__table__
    assert isinstance(table, Table)
    statement: Any = postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    statement = statement.on_conflict_do_update(
        index_elements=["kode_kecamatan", "state"],
        set_={"cards": table.c.cards + statement.excluded.cards},
    )
    session.execute(statement, rows)
