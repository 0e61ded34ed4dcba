"""The pipeline at a glance: how many cards sit at each stage, the oldest at each, median days
from recording to handover, uncollected cards, and paged lists of cards (masked NIK only).

Every query is set-wise and bounded at city scale (1.2 million cards): counts come from the
``card_stage_counts`` counters, medians from the ``card_handover_days`` histogram, the oldest
card of a stage from one ordered step along ``ix_cards_state_since``, the uncollected cards
from that index's overdue range when it is the smaller read, lists by keyset pages.
Who may see which rows is the caller's business (the web layer checks role and area).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from ektp.cards import lifecycle
from ektp.cards.models import Card, CardHandoverDays, CardStageCount
from ektp.cards.uncollected import cutoff_of, uncollected_condition
from ektp.residents.models import Resident
from ektp.scheduling.letters import mask_nik

# The pipeline page's columns: the main path left to right, then the side paths.
STAGES = lifecycle.STATES
PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
# Reading a card row found through ix_cards_state_since (scattered over the table) costs about
# three rows read along ix_cards_kecamatan_state (clustered): measured at 1.2 million cards.
LOOKUP_COST = 3


@dataclass(frozen=True)
class StageLine:
    """One stage: how many cards are there, and since when the oldest has waited."""

    state: str
    cards: int
    oldest_since: dt.datetime | None
    oldest_days: int | None


@dataclass(frozen=True)
class KecamatanLine:
    """One kecamatan: cards per stage, median days to handover, cards not collected."""

    kode_kecamatan: str
    nama: str
    counts: Mapping[str, int] = field(hash=False)
    total: int
    median_days: float | None
    handed_over: int
    uncollected: int


@dataclass(frozen=True)
class Pipeline:
    """The whole picture for one area (a city, a kecamatan, or everything)."""

    as_of: dt.datetime
    after_days: int
    stages: tuple[StageLine, ...]
    kecamatan: tuple[KecamatanLine, ...]
    total: int
    median_days: float | None
    uncollected: int


@dataclass(frozen=True)
class CardLine:
    """One card in a list: masked NIK, where and since when; no name, no other data."""

    card_id: int
    nik_masked: str
    kode_kecamatan: str
    kode_kelurahan: str
    state: str
    state_since: dt.datetime
    days: int
    serial: str | None


def as_utc(moment: dt.datetime) -> dt.datetime:
    """Return ``moment`` in UTC; SQLite hands stored UTC moments back without a zone."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def days_between(since: dt.datetime, now: dt.datetime) -> int:
    """Return the whole days from ``since`` to ``now`` (never negative)."""
    return max((as_utc(now) - as_utc(since)).days, 0)


def median_of_histogram(bins: Iterable[tuple[int, int]]) -> float | None:
    """Return the median of a histogram of (value, count) pairs, None when it is empty.

    With an even number of items the median is the mean of the two middle values.
    """
    ordered = sorted((value, count) for value, count in bins if count > 0)
    total = sum(count for _, count in ordered)
    if total == 0:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2
    low = high = None
    seen = 0
    for value, count in ordered:
        if low is None and seen + count > low_rank:
            low = value
        if seen + count > high_rank:
            high = value
            break
        seen += count
    assert low is not None and high is not None
    return (low + high) / 2


def _in_area(column: SQLColumnExpression[str], area: str | None) -> ColumnElement[bool] | None:
    if area is None:
        return None
    length = getattr(getattr(column, "type", None), "length", None)
    if length is not None and len(area) + 2 > length:
        # A code that fills the column (a kecamatan) has nothing below it; the LIKE would
        # only turn SQLite's seek on ix_cards_kecamatan_state into a skip-scan.
        return column == area
    return or_(column == area, column.like(area + ".%"))


def counts_by_kecamatan(*, session: Session, area: str | None) -> dict[str, dict[str, int]]:
    """Return kode_kecamatan → state → cards, from the stage counters (zeros left out)."""
    query = select(CardStageCount.kode_kecamatan, CardStageCount.state, CardStageCount.cards)
    condition = _in_area(CardStageCount.kode_kecamatan, area)
    if condition is not None:
        query = query.where(condition)
    found: dict[str, dict[str, int]] = {}
    for kecamatan, state, cards in session.execute(query):
        if cards:
            found.setdefault(str(kecamatan), {})[str(state)] = int(cards)
    return found


def oldest_by_stage(
    *, session: Session, area: str | None, states: Sequence[str]
) -> dict[str, dt.datetime]:
    """Return state → the ``state_since`` of the card longest at that stage in ``area``.

    One ordered step along ``ix_cards_state_since`` per stage, all in one statement.
    """
    if not states:
        return {}
    condition = _in_area(Card.kode_kecamatan, area)
    columns = []
    for state in states:
        step = select(Card.state_since).where(Card.state == state)
        if condition is not None:
            step = step.where(condition)
        # SQLite would otherwise pick ix_cards_kecamatan_state and sort the whole stage.
        step = step.with_hint(Card, "INDEXED BY ix_cards_state_since", "sqlite")
        columns.append(step.order_by(Card.state_since).limit(1).scalar_subquery())
    row = session.execute(select(*columns)).one()
    return {state: as_utc(value) for state, value in zip(states, row, strict=True) if value}


def handover_histograms(*, session: Session, area: str | None) -> dict[str, list[tuple[int, int]]]:
    """Return kode_kecamatan → (days from recording to handover, cards) pairs."""
    query = select(CardHandoverDays.kode_kecamatan, CardHandoverDays.days, CardHandoverDays.cards)
    condition = _in_area(CardHandoverDays.kode_kecamatan, area)
    if condition is not None:
        query = query.where(condition)
    found: dict[str, list[tuple[int, int]]] = {}
    for kecamatan, days, cards in session.execute(query):
        found.setdefault(str(kecamatan), []).append((int(days), int(cards)))
    return found


def uncollected_counts(
    *,
    session: Session,
    area: str | None,
    now: dt.datetime,
    after_days: int,
    waiting: int | None = None,
) -> dict[str, int]:
    """Return kode_kecamatan → cards ready for pickup longer than ``after_days``.

    ``waiting`` (the area's cards at ``diterima_kecamatan``, from the stage counters; counted
    here when not given) only chooses the plan, never the answer.
    """
    cutoff = cutoff_of(as_utc(now), after_days)
    overdue = select(func.count()).select_from(_overdue_ids(cutoff).subquery())
    candidates = int(session.execute(overdue).scalar_one())
    if candidates == 0:
        return {}
    if waiting is None:
        waiting = _waiting(session, area)
    query = select(Card.kode_kecamatan, func.count()).where(uncollected_condition(cutoff))
    if candidates * LOOKUP_COST < waiting:
        # Few overdue among many waiting: take their ids from the covering index, then read
        # only those rows, in rowid order (each row is needed for ready_at and the kecamatan).
        query = query.where(Card.id.in_(_overdue_ids(cutoff)))
    condition = _in_area(Card.kode_kecamatan, area)
    if condition is not None:
        query = query.where(condition)
    query = query.group_by(Card.kode_kecamatan)
    return {str(kecamatan): int(count) for kecamatan, count in session.execute(query)}


def _overdue_ids(cutoff: dt.datetime) -> Select[int]:
    """Return the ids of the cards at ``diterima_kecamatan`` since before ``cutoff``: a range
    of ``ix_cards_state_since`` read without touching the table."""
    step = aliased(Card)
    return select(step.id).where(
        step.state == lifecycle.DITERIMA_KECAMATAN, step.state_since < cutoff
    )


def _waiting(session: Session, area: str | None) -> int:
    query = select(func.coalesce(func.sum(CardStageCount.cards), 0)).where(
        CardStageCount.state == lifecycle.DITERIMA_KECAMATAN
    )
    condition = _in_area(CardStageCount.kode_kecamatan, area)
    if condition is not None:
        query = query.where(condition)
    return int(session.execute(query).scalar_one())


def pipeline(
    *,
    session: Session,
    area: str | None,
    now: dt.datetime,
    after_days: int,
    names: Mapping[str, str] | None = None,
) -> Pipeline:
    """Return the pipeline of ``area`` (None: every card) at ``now``."""
    now = as_utc(now)
    counts = counts_by_kecamatan(session=session, area=area)
    per_stage = {state: sum(line.get(state, 0) for line in counts.values()) for state in STAGES}
    waiting = [s for s in STAGES if per_stage[s] and s not in lifecycle.TERMINAL]
    oldest = oldest_by_stage(session=session, area=area, states=waiting)
    histograms = handover_histograms(session=session, area=area)
    uncollected = uncollected_counts(
        session=session,
        area=area,
        now=now,
        after_days=after_days,
        waiting=per_stage[lifecycle.DITERIMA_KECAMATAN],
    )
    stages = tuple(
        StageLine(
            state=state,
            cards=per_stage[state],
            oldest_since=oldest.get(state),
            oldest_days=days_between(oldest[state], now) if state in oldest else None,
        )
        for state in STAGES
    )
    codes = sorted(set(counts) | set(histograms) | set(uncollected))
    lines = tuple(
        KecamatanLine(
            kode_kecamatan=code,
            nama=(names or {}).get(code, ""),
            counts={state: counts.get(code, {}).get(state, 0) for state in STAGES},
            total=sum(counts.get(code, {}).values()),
            median_days=median_of_histogram(histograms.get(code, ())),
            handed_over=sum(cards for _, cards in histograms.get(code, ())),
            uncollected=uncollected.get(code, 0),
        )
        for code in codes
    )
    return Pipeline(
        as_of=now,
        after_days=after_days,
        stages=stages,
        kecamatan=lines,
        total=sum(per_stage.values()),
        median_days=median_of_histogram(pair for bins in histograms.values() for pair in bins),
        uncollected=sum(uncollected.values()),
    )


def _card_lines(
    session: Session, query: Select[*tuple[Any, ...]], now: dt.datetime
) -> list[CardLine]:
    lines = []
    for row in session.execute(query):
        card_id, nik, kecamatan, kelurahan, state, since, serial = row
        lines.append(
            CardLine(
                card_id=int(card_id),
                nik_masked=mask_nik(str(nik)),
                kode_kecamatan=str(kecamatan),
                kode_kelurahan=str(kelurahan),
                state=str(state),
                state_since=as_utc(since),
                days=days_between(since, now),
                serial=serial,
            )
        )
    return lines


def _list_query(after: tuple[dt.datetime, int] | None, limit: int) -> Select[*tuple[Any, ...]]:
    query = (
        select(
            Card.id,
            Resident.nik,
            Card.kode_kecamatan,
            Card.kode_kelurahan,
            Card.state,
            Card.state_since,
            Card.serial,
        )
        .join(Resident, Resident.id == Card.resident_id)
        .with_hint(Card, "INDEXED BY ix_cards_state_since", "sqlite")
    )
    if after is not None:
        since, card_id = as_utc(after[0]), after[1]
        query = query.where(
            or_(Card.state_since > since, and_(Card.state_since == since, Card.id > card_id))
        )
    return query.order_by(Card.state_since, Card.id).limit(max(1, min(limit, MAX_PAGE_SIZE)))


def cards_at_stage(
    *,
    session: Session,
    kecamatan: str,
    state: str,
    now: dt.datetime,
    after: tuple[dt.datetime, int] | None = None,
    limit: int = PAGE_SIZE,
) -> list[CardLine]:
    """Return one page of a kecamatan's cards at ``state``, longest waiting first.

    ``after`` is the (state_since, id) of the previous page's last line.
    """
    if state not in lifecycle.STATES:
        raise ValueError(f"unknown card state {state!r}")
    query = _list_query(after, limit).where(Card.state == state, Card.kode_kecamatan == kecamatan)
    return _card_lines(session, query, as_utc(now))


def uncollected_cards(
    *,
    session: Session,
    area: str | None,
    now: dt.datetime,
    after_days: int,
    after: tuple[dt.datetime, int] | None = None,
    limit: int = PAGE_SIZE,
) -> list[CardLine]:
    """Return one page of the cards ready for pickup longer than ``after_days``, oldest
    first."""
    now = as_utc(now)
    query = _list_query(after, limit).where(uncollected_condition(cutoff_of(now, after_days)))
    condition = _in_area(Card.kode_kecamatan, area)
    if condition is not None:
        query = query.where(condition)
    return _card_lines(session, query, now)


def cursor_of(line: CardLine) -> str:
    """Return the keyset cursor that continues a list after ``line``."""
    return f"{line.state_since.isoformat()}~{line.card_id}"


def parse_cursor(raw: str | None) -> tuple[dt.datetime, int] | None:
    """Return the (state_since, id) of a cursor made by ``cursor_of``; ValueError if broken."""
    if not raw:
        return None
    moment, _, card_id = raw.rpartition("~")
    try:
        return as_utc(dt.datetime.fromisoformat(moment)), int(card_id)
    except ValueError:
        raise ValueError(f"the page cursor {raw!r} is not one this list made") from None
