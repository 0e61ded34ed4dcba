"""The demo's card pipeline on SQLite and PostgreSQL: two weeks of constructed recordings
move through every stage up to handover over the following weeks, nothing is dated after the
last day, the stage counters agree with the cards, and the same seed gives the same history
whether the days run at once or in two parts."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from ektp.auth.models import AuditEvent
from ektp.cards import lifecycle, recorded_city
from ektp.cards.demo_pipeline import run_pipeline
from ektp.cards.demo_pipeline_actors import Actors, PipelineTally
from ektp.cards.demo_pipeline_rules import Rates, is_office_day, local_time
from ektp.cards.models import (
    Batch,
    Card,
    CardEvent,
    Handover,
    Notification,
    PrintRun,
    Shipment,
    ShipmentDiscrepancy,
    ShipmentItem,
)
from ektp.runtime import Runtime
from ektp.settings import Settings
from ektp.storage.migrate import upgrade
from tests.conftest import POSTGRES_URL
from tests.integration.pipeline_cards import counters, grouped

IT2 = "16.71.06"
SUKARAMI = "16.71.07"
FIRST = dt.date(2011, 10, 3)
RECORDING_DAYS = [
    FIRST + dt.timedelta(days=n) for n in range(12) if is_office_day(FIRST + dt.timedelta(days=n))
]
LAST = dt.date(2011, 12, 2)
MIDDLE = dt.date(2011, 10, 26)
SEED = 11
KEY = base64.urlsafe_b64encode(b"p" * 32).decode()
# Mishaps far more often than in the demo, so that a small city shows every side path.
RATES = Rates(
    print_failure=0.05,
    missing_central=1.0,
    missing_local=0.3,
    never_collect=0.15,
    late_pickup_days=(25, 30),
    representative=0.2,
)
ACTORS = Actors(kecamatan={IT2: "camat.it2"})


def _runtime(url: str) -> Runtime:
    return Runtime(Settings(database_url=url, secret_key="t", biometric_key=KEY))


@pytest.fixture
def city(database_url: str) -> Iterator[Runtime]:
    """Return a runtime on a database with twenty recordings a kecamatan each office day of
    the first two weeks, all ``direkam``."""
    runtime = _runtime(database_url)
    _record(runtime)
    yield runtime
    runtime.dispose()


@pytest.fixture
def twin(database_url: str, tmp_path: Path) -> Iterator[Runtime]:
    """Return a second database of the same kind as ``city``'s, with the same recordings."""
    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'twin.sqlite3'}"
        drop = None
    else:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(make_url(POSTGRES_URL).set(drivername="postgresql+psycopg"))
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        url = (
            make_url(POSTGRES_URL)
            .set(drivername="postgresql+psycopg", query={"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
        drop = schema
    runtime = _runtime(url)
    upgrade(runtime.engine)
    _record(runtime)
    yield runtime
    runtime.dispose()
    if drop is not None:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {drop} CASCADE"))
        admin.dispose()


def _record(runtime: Runtime) -> None:
    for index, day in enumerate(RECORDING_DAYS):
        with runtime.transaction() as session:
            recorded_city.build(
                session=session,
                kecamatan=[IT2, SUKARAMI],
                per_kecamatan=20,
                tanggal=day,
                at=local_time(day, 15),
                modalities=("photo", "r_thumb"),
                template_bytes=40,
                first_serial=1 + 1000 * index,
            )


def _run(runtime: Runtime, spool: Path, first: dt.date, last: dt.date) -> PipelineTally:
    return run_pipeline(
        runtime,
        first=first,
        last=last,
        seed=SEED,
        spool_dir=spool,
        actors=ACTORS,
        rates=RATES,
        after_days=20,
    )


def _history(runtime: Runtime) -> dict[str, Any]:
    with runtime.transaction() as session:
        return {
            "cards": session.execute(
                select(
                    Card.id,
                    Card.state,
                    Card.state_since,
                    Card.serial,
                    Card.reprints,
                    Card.print_run_id,
                    Card.location,
                    Card.ready_at,
                    Card.handed_at,
                ).order_by(Card.id)
            ).all(),
            "events": session.execute(
                select(
                    CardEvent.card_id,
                    CardEvent.from_state,
                    CardEvent.to_state,
                    CardEvent.at,
                    CardEvent.actor,
                    CardEvent.ref,
                ).order_by(CardEvent.card_id, CardEvent.at, CardEvent.id)
            ).all(),
            "shipments": session.execute(
                select(Shipment.number, Shipment.cards, Shipment.status).order_by(Shipment.id)
            ).all(),
            "handovers": session.execute(
                select(Handover.card_id, Handover.recipient, Handover.representative_nik).order_by(
                    Handover.card_id
                )
            ).all(),
        }


def test_a_month_of_days_moves_cards_through_every_stage_up_to_handover(
    city: Runtime, tmp_path: Path
) -> None:
    tally = _run(city, tmp_path / "spool", FIRST, LAST)
    recorded = 2 * 20 * len(RECORDING_DAYS)
    with city.transaction() as session:
        reached = set(session.scalars(select(CardEvent.to_state).distinct()))
        states = dict(session.execute(select(Card.state, func.count()).group_by(Card.state)).all())
        wakil = session.scalar(
            select(func.count()).select_from(Handover).where(Handover.recipient == "wakil")
        )
        lost = session.scalar(
            select(func.count())
            .select_from(ShipmentDiscrepancy)
            .where(ShipmentDiscrepancy.kind == "hilang")
        )
        ready = session.scalar(select(func.count()).select_from(Notification))
        batches = session.execute(select(Batch.status, func.count()).group_by(Batch.status)).all()
    assert set(lifecycle.MAIN_PATH) <= reached
    assert {lifecycle.GAGAL_CETAK, lifecycle.HILANG, lifecycle.DIKEMBALIKAN_KOTA} <= reached
    assert tally.batches_sent == 2 * len(RECORDING_DAYS) == tally.batches_accepted
    assert dict(batches) == {"diterima": tally.batches_sent}
    assert tally.accepted == recorded == sum(states.values())
    # By early December most cards are in hand; a few wait, lost or returned, for later.
    assert states[lifecycle.DISERAHKAN] == tally.handed_over > recorded * 0.6
    assert 0 < wakil == tally.by_representative < tally.handed_over
    assert tally.print_failed > 0 and tally.lost == lost > 0 and tally.returned > 0
    assert tally.reprints == tally.print_failed + tally.lost
    assert ready is not None and ready >= tally.handed_over


def test_nothing_is_dated_after_the_last_day_and_counters_match_the_cards(
    city: Runtime, tmp_path: Path
) -> None:
    last = dt.date(2011, 10, 27)
    _run(city, tmp_path / "spool", FIRST, last)
    end = local_time(last + dt.timedelta(days=1), 0).replace(tzinfo=None)

    def latest(column: Any) -> dt.datetime:
        with city.transaction() as session:
            value = session.scalar(select(func.max(column)))
        assert value is not None
        return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo else value

    for column in (
        CardEvent.at,
        Batch.created_at,
        Batch.decided_at,
        PrintRun.created_at,
        Shipment.sent_at,
        ShipmentItem.received_at,
        Notification.created_at,
        AuditEvent.at,
    ):
        assert latest(column) < end, column
    with city.transaction() as session:
        assert counters(session) == grouped(session)
        waiting = session.scalar(
            select(func.count()).select_from(Batch).where(Batch.status == "dikirim")
        )
        assert waiting == 0  # the last recordings were two weeks before
        stages = {state for (_, state), cards in grouped(session).items() if cards}
    # Mid-way the cards are spread along the path, from the print queue to the owners.
    assert {lifecycle.ANTRIAN_CETAK, lifecycle.DISERAHKAN} <= stages, stages
    assert len(stages) >= 4, stages


def test_the_same_seed_gives_the_same_history_at_once_or_in_two_parts(
    city: Runtime, twin: Runtime, tmp_path: Path
) -> None:
    whole = _run(city, tmp_path / "one", FIRST, LAST)
    first = _run(twin, tmp_path / "two", FIRST, MIDDLE)
    second = _run(twin, tmp_path / "two", MIDDLE + dt.timedelta(days=1), LAST)
    assert whole.handed_over == first.handed_over + second.handed_over > 0
    assert _history(city) == _history(twin)


def test_a_batch_whose_file_never_arrived_is_withdrawn_and_sent_again(
    city: Runtime, tmp_path: Path
) -> None:
    spool = tmp_path / "spool"
    _run(city, spool, FIRST, FIRST)
    lost_file = sorted(spool.iterdir())[0]
    lost_file.unlink()
    _run(city, spool, FIRST + dt.timedelta(days=1), FIRST + dt.timedelta(days=2))
    with city.transaction() as session:
        statuses = session.execute(select(Batch.batch_uid, Batch.status).order_by(Batch.id)).all()
        assert counters(session) == grouped(session)
    assert (lost_file.stem, "ditolak") in statuses
    # Its cards went out again that evening, in a batch of their own recording day.
    assert sum(1 for uid, _ in statuses if uid.endswith("-20111003-00002")) == 1
