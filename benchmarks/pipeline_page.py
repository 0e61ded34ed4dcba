"""Measure the Dinas's card pipeline page (/kartu) and its API at city scale, over HTTP.

Prepares ``--db`` when needed: regions, a synthetic registry (when it holds no residents),
the shipped campaign, then ``--cards`` cards (default 1.2 million) spread over the stages,
written set-wise (tickets and recordings by INSERT..SELECT, cards by executemany in chunks),
with ``card_stage_counts`` rebuilt by GROUP BY and a handover histogram. Times are relative
to now, so the uncollected cards are a realistic share (cards ready 0-120 days ago).
Then starts ``ektp serve`` on a free port, logs in a throw-away city admin (deleted at the
end; its list views stay in ``audit_events``) and times ``-n`` GETs of each page client-side.
Prints a Markdown table of median and p95 per page; the goal is p95 under 200 ms.

    .venv/bin/python benchmarks/pipeline_page.py --db sqlite:///var/pipeline.sqlite3 --cards 20000
    .venv/bin/python benchmarks/pipeline_page.py --db postgresql://postgres@127.0.0.1/pipe
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import httpx
from sqlalchemy import Date, DateTime, Integer, String, delete, func, insert, literal, select

from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.cards import lifecycle
from ektp.cards.models import Card, CardHandoverDays, CardStageCount
from ektp.recording.models import QueueTicket, Recording
from ektp.residents.models import Resident
from ektp.runtime import Runtime
from ektp.settings import Settings
from web_pages import (  # type: ignore[import-not-found]
    free_port,
    print_latency_table,
    start_server,
    timed,
)

GOAL_MS = 200.0
CITY = "16.71"
CHUNK = 50_000
# Share of cards (per 1,000) at each stage: most are handed over, a fair pile waits for pickup.
SPREAD = {
    "direkam": 30,
    "dikirim_pusat": 20,
    "diterima_pusat": 10,
    "antrian_cetak": 80,
    "dicetak": 30,
    "dikirim_daerah": 40,
    "diterima_kota": 30,
    "dikirim_kecamatan": 30,
    "diterima_kecamatan": 120,
    "diserahkan": 550,
    "duplikat": 10,
    "gagal_cetak": 10,
    "rusak": 10,
    "hilang": 10,
    "dikembalikan_kota": 20,
}
BENCH_DAY = dt.date(2011, 9, 1)  # tickets of the benchmark: a day no real turn uses


def parse_arguments() -> argparse.Namespace:
    """Return the command line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True, help="Database URL (prepared when empty).")
    parser.add_argument("--cards", type=int, default=1_200_000, help="Cards to spread.")
    parser.add_argument("-n", "--requests", type=int, default=100, help="Requests per page.")
    parser.add_argument("--warmup", type=int, default=5, help="Untimed requests per page first.")
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args()


def prepare_registry(runtime: Runtime, cards: int, seed: int) -> None:
    """Load the regions, a synthetic registry big enough and the campaign, when missing."""
    from ektp.demo import DEMO_CITY, DEMO_EDITION, DEMO_SCENARIO
    from ektp.recording.demo_days import ensure_campaign
    from ektp.regions import service as regions_service
    from ektp.residents.synthetic import run_generate
    from ektp.storage.migrate import upgrade

    upgrade(runtime.engine)
    with runtime.transaction() as session:
        if regions_service.loaded_edition(session=session, city=DEMO_CITY) is None:
            regions_service.load_city(session=session, city=DEMO_CITY, edition=DEMO_EDITION)
        residents = session.scalar(select(func.count()).select_from(Resident)) or 0
    if residents == 0:
        scale = min(1.0, cards / 1_200_000 * 1.05)
        print(f"generating a city at scale {scale:.3f}...", flush=True)
        run_generate(
            runtime=runtime,
            city=DEMO_CITY,
            edition=DEMO_EDITION,
            scenario=DEMO_SCENARIO,
            scale=scale,
            seed=seed,
            out=None,
        )
    ensure_campaign(runtime, say=print)


def stage_of(index: int) -> str:
    """Return the stage of the ``index``-th card (a fixed spread, well mixed by a multiplier)."""
    slot = (index * 7919) % 1000
    for state, share in SPREAD.items():
        if slot < share:
            return state
        slot -= share
    return lifecycle.DISERAHKAN


def card_rows(
    rows: Sequence[Any], now: dt.datetime, rng: random.Random, handover: Counter[tuple[str, int]]
) -> Iterator[dict[str, Any]]:
    """Yield the cards of (recording id, resident id, kelurahan, site) rows, spread over the
    stages, and count the handed-over ones into ``handover`` ((kecamatan, days) → cards)."""
    for index, (recording_id, resident_id, kelurahan, site) in enumerate(rows):
        state = stage_of(recording_id)
        recorded = now - dt.timedelta(days=rng.randint(30, 200))
        since = recorded + (now - recorded) * rng.random()
        if state == lifecycle.DITERIMA_KECAMATAN:
            since = now - dt.timedelta(days=rng.uniform(0, 120))
        kecamatan = kelurahan[:8]
        if state == lifecycle.DISERAHKAN:
            handover[(kecamatan, (since - recorded).days)] += 1
        yield {
            "resident_id": resident_id,
            "recording_id": recording_id,
            "kode_kecamatan": kecamatan,
            "kode_kelurahan": kelurahan,
            "site_code": site,
            "recorded_on": recorded.date(),
            "state": state,
            "state_since": since,
            "reprints": 0,
            "serial": f"B{index:011d}" if state in _PRINTED else None,
            "ready_at": since if state == lifecycle.DITERIMA_KECAMATAN else None,
            "handed_at": since if state == lifecycle.DISERAHKAN else None,
        }


_PRINTED = frozenset(lifecycle.MAIN_PATH[lifecycle.MAIN_PATH.index("dicetak") :]) | {
    "rusak",
    "hilang",
    "dikembalikan_kota",
}


def build_cards(runtime: Runtime, count: int, seed: int) -> None:
    """Give ``count`` residents a ticket, a recording and a card, set-wise (nothing when the
    database already holds cards)."""
    with runtime.transaction() as session:
        if session.scalar(select(Card.id).limit(1)) is not None:
            print("cards already there: measuring them as they are", flush=True)
            return
        campaign_id = session.scalar(select(func.max(QueueTicket.campaign_id)))
        if campaign_id is None:
            from ektp.scheduling import service as scheduling

            campaign_id = scheduling.require_campaign(session=session).id
        started = time.perf_counter()
        now = dt.datetime.now(dt.UTC)
        stamp = literal(now, DateTime(timezone=True))
        session.execute(
            insert(QueueTicket).from_select(
                [
                    "campaign_id",
                    "site_code",
                    "tanggal",
                    "session",
                    "number",
                    "resident_id",
                    "kind",
                    "status",
                    "set_no",
                    "checked_in_at",
                ],
                select(
                    literal(campaign_id, Integer),
                    func.substr(Resident.kode_kelurahan, 1, 8),
                    literal(BENCH_DAY, Date),
                    literal("pagi", String),
                    Resident.id,
                    Resident.id,
                    literal("walk_in", String),
                    literal("recorded", String),
                    literal(1, Integer),
                    stamp,
                )
                .order_by(Resident.id)
                .limit(count),
            )
        )
        session.execute(
            insert(Recording).from_select(
                [
                    "campaign_id",
                    "ticket_id",
                    "resident_id",
                    "site_code",
                    "tanggal",
                    "set_no",
                    "status",
                    "started_at",
                    "finished_at",
                ],
                select(
                    QueueTicket.campaign_id,
                    QueueTicket.id,
                    QueueTicket.resident_id,
                    QueueTicket.site_code,
                    QueueTicket.tanggal,
                    literal(1, Integer),
                    literal("completed", String),
                    stamp,
                    stamp,
                ).where(QueueTicket.tanggal == BENCH_DAY),
            )
        )
        rows = session.execute(
            select(
                Recording.id, Recording.resident_id, Resident.kode_kelurahan, Recording.site_code
            )
            .join(Resident, Resident.id == Recording.resident_id)
            .where(Recording.tanggal == BENCH_DAY)
            .order_by(Recording.id)
        ).all()
        rng = random.Random(seed)
        handover: Counter[tuple[str, int]] = Counter()
        batch: list[dict[str, Any]] = []
        for row in card_rows(rows, now, rng, handover):
            batch.append(row)
            if len(batch) == CHUNK:
                session.execute(insert(Card), batch)
                batch = []
        if batch:
            session.execute(insert(Card), batch)
        session.execute(delete(CardStageCount))
        session.execute(
            insert(CardStageCount).from_select(
                ["kode_kecamatan", "state", "cards"],
                select(Card.kode_kecamatan, Card.state, func.count()).group_by(
                    Card.kode_kecamatan, Card.state
                ),
            )
        )
        session.execute(delete(CardHandoverDays))
        session.execute(
            insert(CardHandoverDays),
            [{"kode_kecamatan": k, "days": d, "cards": n} for (k, d), n in handover.items()],
        )
    with runtime.engine.begin() as connection:
        # Fresh planner statistics after a bulk load, as an operator would run.
        connection.exec_driver_sql("ANALYZE")
    print(f"{len(rows):,} cards written in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> None:
    """Prepare the database, run the benchmark and print its table."""
    options = parse_arguments()
    runtime = Runtime(Settings(database_url=options.db))
    prepare_registry(runtime, options.cards, options.seed)
    build_cards(runtime, options.cards, options.seed)
    username = f"bench-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    with runtime.transaction() as session:
        auth_service.create_user(
            session=session,
            username=username,
            full_name="Benchmark",
            role="admin_kota",
            area_kode=CITY,
            password=password,
        )
        cards = session.scalar(select(func.count()).select_from(Card)) or 0
        kecamatan = sorted(
            {str(k) for k in session.scalars(select(CardStageCount.kode_kecamatan).distinct())}
        )
    port = free_port()
    server = start_server(options.db, port)
    pages: dict[str, Callable[[int], str]] = {
        "pipeline page (city)": lambda i: "/kartu",
        "pipeline page (one kecamatan)": lambda i: (
            f"/kartu?kecamatan={kecamatan[i % len(kecamatan)]}"
        ),
        "pipeline API (city)": lambda i: "/api/v1/cards/pipeline",
        "stage list (kecamatan, siap diambil)": lambda i: (
            f"/kartu/daftar/{kecamatan[i % len(kecamatan)]}/diterima_kecamatan"
        ),
    }
    results: dict[str, list[float]] = {}
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60.0) as client:
            login = client.post(
                "/api/v1/auth/login", json={"username": username, "password": password}
            )
            login.raise_for_status()
            for name, urls in pages.items():
                results[name] = timed(client, urls, options.requests, options.warmup)
    finally:
        server.terminate()
        server.wait(timeout=30)
        with runtime.transaction() as session:
            session.execute(delete(User).where(User.username == username))
        runtime.dispose()
    backend = options.db.split(":", 1)[0]
    print(
        f"\n{cards:,} cards on {backend}; {options.requests} requests per page after "
        f"{options.warmup} warm-up\n"
    )
    print_latency_table(results, GOAL_MS)


if __name__ == "__main__":
    main()
