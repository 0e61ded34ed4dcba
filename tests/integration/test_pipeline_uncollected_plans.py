"""The pipeline's count of uncollected cards (SQLite and PostgreSQL): whichever plan the
counters choose (overdue ids from ix_cards_state_since, or the area's waiting cards), the
answer equals a plain count of the rule, for every area."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select, update

from ektp.cards import lifecycle, pipeline
from ektp.cards.lifecycle import MAIN_PATH
from ektp.cards.models import Card
from ektp.runtime import Runtime
from ektp.scheduling import service
from tests.integration.pipeline_cards import open_cards, walk
from tests.integration.schedule_city import NOW, SMALL_CAMPAIGN, load, scenario_file, small_city

DAY = dt.date(2011, 10, 3)
RECORDED = dt.datetime(2011, 10, 3, 3, tzinfo=dt.UTC)
TO_KECAMATAN = MAIN_PATH[1 : MAIN_PATH.index(lifecycle.DITERIMA_KECAMATAN) + 1]
NOW_LATER = dt.datetime(2012, 3, 1, 1, tzinfo=dt.UTC)
AFTER_DAYS = 30


@pytest.fixture
def cards(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the small city with cards waiting at the kecamatan since various moments."""
    with runtime.transaction() as session:
        load(session, small_city())
        campaign = service.create_campaign(
            session=session, scenario=scenario_file(tmp_path, SMALL_CAMPAIGN), now=NOW
        )
        open_cards(session, campaign_id=campaign.id, day=DAY, at=RECORDED)
        ids = list(session.scalars(select(Card.id).order_by(Card.id)))
        waiting = ids[: len(ids) * 2 // 3]
        walk(session, waiting, TO_KECAMATAN, RECORDED, actor="t")
        for number, card_id in enumerate(waiting):
            since = NOW_LATER - dt.timedelta(days=number % 50, hours=number % 7)
            # Every fifth card was given a later ready_at by the desk: its clock runs from that.
            ready_at = since + dt.timedelta(days=25) if number % 5 == 0 else since
            session.execute(
                update(Card).where(Card.id == card_id).values(state_since=since, ready_at=ready_at)
            )
    return runtime


def expected(runtime: Runtime, area: str | None) -> dict[str, int]:
    """Return the uncollected cards per kecamatan counted in Python, row by row."""
    cutoff = NOW_LATER - dt.timedelta(days=AFTER_DAYS)
    found: Counter[str] = Counter()
    with runtime.transaction() as session:
        rows = session.execute(
            select(Card.kode_kecamatan, Card.state, Card.state_since, Card.ready_at)
        )
        for kecamatan, state, since, ready_at in rows:
            inside = area is None or kecamatan == area or kecamatan.startswith(area + ".")
            later = max(pipeline.as_utc(since), pipeline.as_utc(ready_at or since))
            if inside and state == lifecycle.DITERIMA_KECAMATAN and later < cutoff:
                found[kecamatan] += 1
    return dict(found)


@pytest.mark.parametrize("waiting", [0, 10**9, None], ids=["by-area", "by-overdue", "chosen"])
def test_every_plan_counts_the_uncollected_cards_of_every_area_alike(
    cards: Runtime, waiting: int | None
) -> None:
    with cards.transaction() as session:
        kecamatan = sorted(set(session.scalars(select(Card.kode_kecamatan))))
    assert len(kecamatan) > 1
    for area in (None, "16.71", *kecamatan):
        want = expected(cards, area)
        assert want, area
        with cards.transaction() as session:
            got = pipeline.uncollected_counts(
                session=session, area=area, now=NOW_LATER, after_days=AFTER_DAYS, waiting=waiting
            )
        assert got == want, area


def test_nothing_overdue_counts_nothing(cards: Runtime) -> None:
    with cards.transaction() as session:
        got = pipeline.uncollected_counts(
            session=session, area="16.71", now=NOW_LATER, after_days=400
        )
    assert got == {}
