"""Cards moving along the lifecycle (SQLite and PostgreSQL): all or nothing, events with actor
and ref, stage counters equal to a GROUP BY after many random moves, a concurrent change
detected; the uncollected-card job; the pipeline queries."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ektp.cards import lifecycle, pipeline, transitions, uncollected
from ektp.cards.lifecycle import MAIN_PATH
from ektp.cards.models import Card, CardEvent, CardHandoverDays
from ektp.cli import app as cli_app
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.scheduling import service
from tests.integration.pipeline_cards import counters, grouped, open_cards, walk
from tests.integration.schedule_city import (
    IT2,
    NOW,
    SMALL_CAMPAIGN,
    SUKARAMI,
    load,
    scenario_file,
    small_city,
)

DAY = dt.date(2011, 10, 3)
RECORDED = dt.datetime(2011, 10, 3, 3, tzinfo=dt.UTC)
TO_KECAMATAN = MAIN_PATH[1 : MAIN_PATH.index(lifecycle.DITERIMA_KECAMATAN) + 1]


@pytest.fixture
def cards(runtime: Runtime, tmp_path: Path) -> Runtime:
    """Return the runtime of the small city with a card (``direkam``) for every resident."""
    body = SMALL_CAMPAIGN.replace(
        "max_misses = 2\n", "max_misses = 2\nuncollected_after_days = 30\n"
    )
    with runtime.transaction() as session:
        load(session, small_city())
        campaign = service.create_campaign(
            session=session, scenario=scenario_file(tmp_path, body), now=NOW
        )
        open_cards(session, campaign_id=campaign.id, day=DAY, at=RECORDED)
    return runtime


def ids_of(session: Session, kecamatan: str | None = None) -> list[int]:
    query = select(Card.id).order_by(Card.id)
    if kecamatan:
        query = query.where(Card.kode_kecamatan == kecamatan)
    return [int(i) for i in session.scalars(query)]


def snapshot(session: Session) -> dict[str, Any]:
    """Return everything a move may write."""
    return {
        "cards": session.execute(
            select(Card.id, Card.state, Card.state_since, Card.location).order_by(Card.id)
        ).all(),
        "events": session.scalar(select(func.count()).select_from(CardEvent)),
        "counters": counters(session),
    }


# --- transitions.move -----------------------------------------------------------------------


def test_cards_walk_the_main_path_and_each_step_is_an_event_with_actor_and_ref(
    cards: Runtime,
) -> None:
    with cards.transaction() as session:
        ids = ids_of(session, IT2)
        walk(session, ids, MAIN_PATH[1:], RECORDED, actor="petugas.a")
    with cards.transaction() as session:
        events = session.execute(
            select(
                CardEvent.card_id,
                CardEvent.to_state,
                CardEvent.event,
                CardEvent.actor,
                CardEvent.ref,
            )
            .where(CardEvent.card_id == ids[0])
            .order_by(CardEvent.id)
        ).all()
        assert [e.to_state for e in events] == list(MAIN_PATH)
        assert [e.event for e in events[1:]] == [
            lifecycle.TRANSITIONS[pair] for pair in itertools.pairwise(MAIN_PATH)
        ]
        assert {e.actor for e in events[1:]} == {"petugas.a"}
        assert [e.ref for e in events[1:]] == [f"test:{state}" for state in MAIN_PATH[1:]]
        states = set(session.scalars(select(Card.state).where(Card.id.in_(ids))))
        assert states == {lifecycle.DISERAHKAN}
        assert counters(session) == grouped(session)


def test_one_illegal_card_refuses_the_whole_set_and_nothing_changes(cards: Runtime) -> None:
    with cards.transaction() as session:
        ids = ids_of(session)
        walk(session, ids[:-1], MAIN_PATH[1:5], RECORDED, actor="t")  # up to dicetak
    with cards.transaction() as session:
        before = snapshot(session)
    with pytest.raises(transitions.TransitionRefused) as raised, cards.transaction() as session:
        transitions.move(
            session=session,
            card_ids=ids,
            to_state=lifecycle.DIKIRIM_DAERAH,
            at=RECORDED + dt.timedelta(days=3),
            actor="t",
            ref="shipment:KRM-1",
        )
    assert raised.value.card_id == ids[-1]
    assert f"card {ids[-1]}:" in str(raised.value)
    assert "a card direkam cannot become dikirim_daerah" in raised.value.reason
    with cards.transaction() as session:
        assert snapshot(session) == before


def test_handing_over_a_card_never_printed_is_refused_with_the_reason(cards: Runtime) -> None:
    with cards.transaction() as session:
        ids = ids_of(session)[:3]
        walk(session, ids, MAIN_PATH[1:4], RECORDED, actor="t")  # antrian_cetak
        before = snapshot(session)
    with (
        pytest.raises(transitions.TransitionRefused, match="only a card received at the kecamatan"),
        cards.transaction() as session,
    ):
        transitions.move(
            session=session, card_ids=ids, to_state="diserahkan", at=RECORDED, actor="op"
        )
    with cards.transaction() as session:
        assert snapshot(session) == before


def test_an_unknown_card_refuses_the_set_and_an_empty_set_moves_nothing(cards: Runtime) -> None:
    with cards.transaction() as session:
        ids = ids_of(session)
        before = snapshot(session)
    refused = pytest.raises(transitions.CardNotFound, match="no card with id 999999")
    with refused, cards.transaction() as session:
        transitions.move(
            session=session,
            card_ids=[ids[0], 999_999],
            to_state=lifecycle.DIKIRIM_PUSAT,
            at=RECORDED,
            actor="t",
        )
    with cards.transaction() as session:
        assert (
            transitions.move(
                session=session, card_ids=[], to_state="dikirim_pusat", at=RECORDED, actor="t"
            )
            == 0
        )
        assert snapshot(session) == before


def test_a_card_named_twice_moves_once(cards: Runtime) -> None:
    with cards.transaction() as session:
        first = ids_of(session)[0]
        moved = transitions.move(
            session=session,
            card_ids=[first, first],
            to_state="dikirim_pusat",
            at=RECORDED,
            actor="t",
        )
        assert moved == 1
        assert session.scalar(select(func.count()).where(CardEvent.card_id == first)) == 2


def test_stage_counters_equal_a_group_by_after_many_random_moves(cards: Runtime) -> None:
    rng = random.Random(2011)
    at = RECORDED
    refused = 0
    for _round in range(40):
        at += dt.timedelta(hours=5)
        with cards.transaction() as session:
            states = dict(session.execute(select(Card.id, Card.state)).all())
        source = rng.choice(sorted(set(states.values())))
        ways = lifecycle.next_states(source)
        members = [i for i, s in states.items() if s == source]
        chosen = rng.sample(members, rng.randint(1, len(members)))
        if not ways or rng.random() < 0.15:
            # Now and then a set with one card that may not move: refused, nothing written.
            other = [i for i, s in states.items() if s != source]
            target = rng.choice(ways or lifecycle.STATES)
            intruders = [i for i in other if lifecycle.refusal(states[i], target)]
            if not intruders:
                continue
            with pytest.raises(transitions.TransitionRefused), cards.transaction() as session:
                transitions.move(
                    session=session,
                    card_ids=[*chosen, rng.choice(intruders)],
                    to_state=target,
                    at=at,
                    actor="t",
                )
            refused += 1
            continue
        with cards.transaction() as session:
            transitions.move(
                session=session, card_ids=chosen, to_state=rng.choice(ways), at=at, actor="t"
            )
            assert counters(session) == grouped(session)
    with cards.transaction() as session:
        assert counters(session) == grouped(session)
        assert sum(counters(session).values()) == len(small_city_ids(session))
        assert set(session.scalars(select(Card.state))) <= set(lifecycle.STATES)
        moves = session.scalar(select(func.count()).select_from(CardEvent))
        assert moves is not None and moves > len(small_city_ids(session))
    assert refused > 0


def small_city_ids(session: Session) -> list[int]:
    return ids_of(session)


def test_a_change_between_check_and_write_is_detected_and_rolled_back(
    cards: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    with cards.transaction() as session:
        ids = ids_of(session)[:4]
        before = snapshot(session)
    original = transitions.states_of

    def stale(*, session: Session, card_ids: Any) -> dict[int, tuple[str, str]]:
        found = original(session=session, card_ids=card_ids)
        # Another desk sends one of the cards off between this read and the UPDATE.
        session.execute(update(Card).where(Card.id == ids[2]).values(state="dikirim_pusat"))
        return found

    monkeypatch.setattr(transitions, "states_of", stale)
    detected = pytest.raises(transitions.ConcurrentChange, match="changed state meanwhile")
    with detected, cards.transaction() as session:
        transitions.move(
            session=session, card_ids=ids, to_state="dikirim_pusat", at=RECORDED, actor="t"
        )
    with cards.transaction() as session:
        assert snapshot(session) == before


def test_two_desks_moving_the_same_card_at_once_one_wins_one_is_told(
    cards: Runtime, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if database_url.startswith("sqlite"):
        pytest.skip(
            "SQLite takes the write lock at BEGIN IMMEDIATE: no other writer can come between "
            "the check and the write (the same-session test covers the detection)"
        )
    with cards.transaction() as session:
        card = ids_of(session)[0]
    checked = threading.Event()
    other_done = threading.Event()
    original = transitions.states_of

    def slow(*, session: Session, card_ids: Any) -> dict[int, tuple[str, str]]:
        found = original(session=session, card_ids=card_ids)
        checked.set()
        assert other_done.wait(20)
        return found

    def other_desk() -> None:
        assert checked.wait(20)
        with cards.transaction() as session:
            session.execute(update(Card).where(Card.id == card).values(state="dikirim_pusat"))
        other_done.set()

    monkeypatch.setattr(transitions, "states_of", slow)
    thread = threading.Thread(target=other_desk)
    thread.start()
    try:
        with pytest.raises(transitions.ConcurrentChange), cards.transaction() as session:
            transitions.move(
                session=session, card_ids=[card], to_state="dikirim_pusat", at=RECORDED, actor="a"
            )
    finally:
        thread.join(30)
    with cards.transaction() as session:
        assert session.scalar(select(func.count()).where(CardEvent.card_id == card)) == 1


# --- the uncollected-card job ---------------------------------------------------------------


def ready(session: Session, ids: list[int], at: dt.datetime) -> None:
    """Walk ``ids`` to the kecamatan, received (ready for pickup) at ``at``."""
    walk(session, ids, TO_KECAMATAN, at - dt.timedelta(hours=len(TO_KECAMATAN) - 1), actor="t")
    session.execute(update(Card).where(Card.id.in_(ids)).values(ready_at=at, state_since=at))


def test_cards_waiting_longer_than_the_limit_go_back_to_the_city_office(cards: Runtime) -> None:
    now = dt.datetime(2012, 3, 1, 1, tzinfo=dt.UTC)
    with cards.transaction() as session:
        ids = ids_of(session)
        old, young, edge = ids[:5], ids[5:8], ids[8:9]
        ready(session, old, now - dt.timedelta(days=31))
        ready(session, young, now - dt.timedelta(days=29))
        ready(session, edge, now - dt.timedelta(days=30))
        assert uncollected.after_days_of(session=session) == 30
    with cards.transaction() as session:
        moved = uncollected.return_uncollected(session=session, now=now, after_days=30)
    assert moved == 5
    with cards.transaction() as session:
        states = dict(
            session.execute(select(Card.id, Card.state).where(Card.id.in_(ids[:9]))).all()
        )
        assert {states[i] for i in old} == {lifecycle.DIKEMBALIKAN_KOTA}
        assert {states[i] for i in young + edge} == {lifecycle.DITERIMA_KECAMATAN}
        assert set(session.scalars(select(Card.location).where(Card.id.in_(old)))) == {"16.71"}
        events = session.execute(
            select(CardEvent.event, CardEvent.actor, CardEvent.ref, CardEvent.detail).where(
                CardEvent.card_id.in_(old), CardEvent.to_state == lifecycle.DIKEMBALIKAN_KOTA
            )
        ).all()
        assert len(events) == 5
        assert set(events) == {
            ("returned_uncollected", "system", "uncollected:30d", "not collected within 30 days")
        }
        assert counters(session) == grouped(session)
    with cards.transaction() as session:
        assert uncollected.return_uncollected(session=session, now=now, after_days=30) == 0


def test_a_card_received_again_after_its_return_waits_its_full_time_anew(cards: Runtime) -> None:
    now = dt.datetime(2012, 3, 1, 1, tzinfo=dt.UTC)
    with cards.transaction() as session:
        card = ids_of(session)[0]
        ready(session, [card], now - dt.timedelta(days=60))
        uncollected.return_uncollected(
            session=session, now=now - dt.timedelta(days=20), after_days=30
        )
        for state in ("dikirim_kecamatan", "diterima_kecamatan"):
            transitions.move(
                session=session,
                card_ids=[card],
                to_state=state,
                at=now - dt.timedelta(days=5),
                actor="t",
            )
        # ready_at still says 60 days ago: the clock restarts at the second arrival.
        assert uncollected.return_uncollected(session=session, now=now, after_days=30) == 0
        assert session.scalar(select(Card.state).where(Card.id == card)) == "diterima_kecamatan"


def test_the_job_refuses_a_limit_below_one_day(cards: Runtime) -> None:
    with cards.transaction() as session, pytest.raises(ValueError, match="at least 1"):
        uncollected.return_uncollected(session=session, now=RECORDED, after_days=0)


def test_the_command_line_job_uses_the_campaigns_limit_and_prints_json(
    cards: Runtime, database_url: str
) -> None:
    now = dt.datetime(2012, 3, 1, 1, tzinfo=dt.UTC)
    with cards.transaction() as session:
        ids = ids_of(session)
        ready(session, ids[:3], now - dt.timedelta(days=31))
        ready(session, ids[3:5], now - dt.timedelta(days=10))
    runner = CliRunner()
    result = runner.invoke(
        cli_app,
        ["--db", database_url, "cards", "return-uncollected", "--now", now.isoformat(), "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"moved": 3, "after_days": 30, "now": now.isoformat()}
    result = runner.invoke(
        cli_app,
        [
            "--db",
            database_url,
            "cards",
            "return-uncollected",
            "--after-days",
            "5",
            "--now",
            now.isoformat(),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 card(s) not collected within 5 days" in result.output
    bad = runner.invoke(
        cli_app, ["--db", database_url, "cards", "return-uncollected", "--now", "kemarin"]
    )
    assert bad.exit_code != 0 and "is not a moment" in bad.output


def test_the_palembang_scenario_gives_three_months() -> None:
    import ektp
    from ektp.scheduling.campaign import load_campaign

    path = Path(ektp.__file__).with_name("scenarios") / "palembang-2011.toml"
    assert load_campaign(path).uncollected_after_days == 90


# --- the pipeline queries -------------------------------------------------------------------


@pytest.fixture
def spread(cards: Runtime) -> Iterator[Runtime]:
    """Return the cards spread over the stages, with a handover histogram."""
    rng = random.Random(7)
    with cards.transaction() as session:
        ids = ids_of(session)
        rng.shuffle(ids)
        at = RECORDED
        for index, target in enumerate(MAIN_PATH[1:]):
            # Each step leaves some cards behind, so every main stage keeps a few.
            ids = ids[max(1, len(ids) // 9) :]
            walk(session, ids, [target], at + dt.timedelta(days=index, hours=index % 3), actor="t")
        session.execute(
            insert(CardHandoverDays),
            [
                {"kode_kecamatan": IT2, "days": 30, "cards": 2},
                {"kode_kecamatan": IT2, "days": 45, "cards": 1},
                {"kode_kecamatan": IT2, "days": 60, "cards": 1},
                {"kode_kecamatan": SUKARAMI, "days": 20, "cards": 3},
            ],
        )
    yield cards


def test_the_pipeline_counts_equal_the_cards_and_the_oldest_is_the_minimum(spread: Runtime) -> None:
    now = dt.datetime(2011, 11, 1, tzinfo=dt.UTC)
    with spread.transaction() as session:
        for area in (None, "16.71", IT2, SUKARAMI):
            view = pipeline.pipeline(session=session, area=area, now=now, after_days=30)
            query = select(Card.state, func.count(), func.min(Card.state_since)).group_by(
                Card.state
            )
            if area and area != "16.71":
                query = query.where(Card.kode_kecamatan == area)
            truth = {s: (n, pipeline.as_utc(m)) for s, n, m in session.execute(query)}
            assert {line.state: line.cards for line in view.stages if line.cards} == {
                s: n for s, (n, _) in truth.items()
            }
            for line in view.stages:
                if line.cards and line.state != lifecycle.DISERAHKAN:
                    assert line.oldest_since == truth[line.state][1], (area, line.state)
                    assert line.oldest_days == (now - truth[line.state][1]).days
                elif not line.cards:
                    assert line.oldest_since is None
            assert view.total == sum(n for n, _ in truth.values())
            expected = {IT2, SUKARAMI} if area in (None, "16.71") else {area}
            assert {line.kode_kecamatan for line in view.kecamatan} == expected
        assert [line.state for line in view.stages][: len(MAIN_PATH)] == list(MAIN_PATH)


def test_the_median_days_come_from_the_handover_histogram(spread: Runtime) -> None:
    with spread.transaction() as session:
        view = pipeline.pipeline(session=session, area=None, now=RECORDED, after_days=90)
    medians = {line.kode_kecamatan: line.median_days for line in view.kecamatan}
    assert medians == {IT2: 37.5, SUKARAMI: 20.0}
    assert view.median_days == 30.0  # 20 20 20 30 30 45 60
    assert {line.kode_kecamatan: line.handed_over for line in view.kecamatan} == {
        IT2: 4,
        SUKARAMI: 3,
    }


def test_median_of_a_histogram() -> None:
    assert pipeline.median_of_histogram([]) is None
    assert pipeline.median_of_histogram([(5, 0)]) is None
    assert pipeline.median_of_histogram([(7, 1)]) == 7
    assert pipeline.median_of_histogram([(9, 1), (1, 1)]) == 5
    assert pipeline.median_of_histogram([(1, 2), (9, 1)]) == 1
    assert pipeline.median_of_histogram([(1, 1), (4, 2), (9, 1)]) == 4


def test_uncollected_cards_are_counted_and_listed_by_pages_with_masked_niks(cards: Runtime) -> None:
    now = dt.datetime(2012, 3, 1, 1, tzinfo=dt.UTC)
    with cards.transaction() as session:
        ids = ids_of(session, IT2)
        for offset, card in enumerate(ids[:7]):
            ready(session, [card], now - dt.timedelta(days=40 + offset % 3))
        ready(session, ids[7:9], now - dt.timedelta(days=3))
        niks = dict(
            session.execute(
                select(Card.id, Resident.nik).join(Resident, Resident.id == Card.resident_id)
            ).all()
        )
    with cards.transaction() as session:
        view = pipeline.pipeline(session=session, area=None, now=now, after_days=30)
        assert view.uncollected == 7
        assert {line.kode_kecamatan: line.uncollected for line in view.kecamatan}[IT2] == 7
        seen: list[int] = []
        after = None
        while True:
            page = pipeline.uncollected_cards(
                session=session, area=IT2, now=now, after_days=30, after=after, limit=3
            )
            if not page:
                break
            seen.extend(line.card_id for line in page)
            after = pipeline.parse_cursor(pipeline.cursor_of(page[-1]))
        assert sorted(seen) == sorted(ids[:7]) and len(seen) == 7
        every = pipeline.uncollected_cards(session=session, area=None, now=now, after_days=30)
        assert [line.days for line in every] == sorted((line.days for line in every), reverse=True)
        for line in every:
            assert line.nik_masked != niks[line.card_id]
            assert line.nik_masked[:4] == niks[line.card_id][:4]
            assert "x" * 8 in line.nik_masked
        assert (
            pipeline.uncollected_cards(session=session, area=SUKARAMI, now=now, after_days=30) == []
        )


def test_a_kecamatans_cards_at_one_stage_come_in_pages_oldest_first(spread: Runtime) -> None:
    with spread.transaction() as session:
        state = lifecycle.DISERAHKAN
        truth = list(
            session.scalars(
                select(Card.id)
                .where(Card.kode_kecamatan == SUKARAMI, Card.state == state)
                .order_by(Card.state_since, Card.id)
            )
        )
        assert len(truth) > 2
        seen: list[int] = []
        after = None
        for _ in range(len(truth)):
            page = pipeline.cards_at_stage(
                session=session, kecamatan=SUKARAMI, state=state, now=RECORDED, after=after, limit=2
            )
            if not page:
                break
            assert {line.kode_kecamatan for line in page} == {SUKARAMI}
            seen.extend(line.card_id for line in page)
            after = (page[-1].state_since, page[-1].card_id)
        assert seen == truth
        with pytest.raises(ValueError, match="unknown card state"):
            pipeline.cards_at_stage(session=session, kecamatan=SUKARAMI, state="x", now=RECORDED)
    with pytest.raises(ValueError, match="not one this list made"):
        pipeline.parse_cursor("kemarin")
