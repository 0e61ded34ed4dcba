"""Simulated campaign days (``ektp demo --simulate-days``): through the device API in-process,
seeded so that the same seed gives the same history, with the arrival pattern of the report
(evenings busiest), about 15 % no-shows, walk-ins, failures, and every day closed.

Generated cities are small (one site simulated) so that the HTTP path stays quick; each
city is built once per module and copied for each test.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from ektp.auth.models import ApiToken
from ektp.cards.models import Batch, Card
from ektp.cli import app
from ektp.recording import capture_rules as rules
from ektp.recording.closing import DAY
from ektp.recording.demo_days import ensure_campaign, simulate
from ektp.recording.models import Capture, DailyReport, QueueTicket, Recording
from ektp.regions.service import load_city
from ektp.residents.synthetic import run_generate
from ektp.runtime import Runtime
from ektp.settings import Settings
from ektp.storage.migrate import upgrade

SUKARAMI = "16.71.07"
SEMATANG_BORANG = "16.71.16"
"""The smallest kecamatan: about fifty residents a day at scale 0.002, quick over HTTP."""
SEED = 7
RUNNER = CliRunner()


def _city(path: Path, scale: float) -> None:
    runtime = Runtime(Settings(database_url=f"sqlite:///{path}", secret_key="s"))
    try:
        upgrade(runtime.engine)
        with runtime.transaction() as session:
            load_city(session=session, city="16.71", edition="2016")
        run_generate(
            runtime=runtime,
            city="16.71",
            edition="2016",
            scenario="palembang-2011",
            scale=scale,
            seed=SEED,
            out=None,
        )
        ensure_campaign(runtime, say=lambda _line: None)
    finally:
        runtime.dispose()


@pytest.fixture(scope="module")
def small_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a planned city at scale 0.002 (about 2,400 wajib KTP), built once."""
    path = tmp_path_factory.mktemp("sim") / "small.sqlite3"
    _city(path, 0.002)
    return path


@pytest.fixture(scope="module")
def busy_city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a planned city at scale 0.01, whose Sukarami days are full, built once."""
    path = tmp_path_factory.mktemp("sim") / "busy.sqlite3"
    _city(path, 0.01)
    return path


@pytest.fixture
def copy_of(tmp_path: Path) -> Iterator[Callable[[Path], Runtime]]:
    """Return a function giving a Runtime on a fresh copy of a built city."""
    made: list[Runtime] = []

    def copy(template: Path) -> Runtime:
        path = tmp_path / f"copy-{len(made)}.sqlite3"
        shutil.copyfile(template, path)
        runtime = Runtime(
            Settings(
                database_url=f"sqlite:///{path}",
                secret_key="s",
                biometric_key_file=tmp_path / "bio.key",
            )
        )
        made.append(runtime)
        return runtime

    yield copy
    for runtime in made:
        runtime.dispose()


def history(runtime: Runtime) -> list[tuple[object, ...]]:
    """Return every frozen report row, without its id."""
    with runtime.transaction() as session:
        rows = session.execute(
            select(DailyReport).order_by(
                DailyReport.site_code, DailyReport.tanggal, DailyReport.session
            )
        ).scalars()
        return [
            (
                r.site_code,
                r.tanggal,
                r.session,
                r.recorded,
                r.failed,
                r.walk_ins,
                r.missed,
                r.mean_minutes,
                r.idle_minutes,
                r.sets_working,
                r.per_set,
                str(r.closed_at)[:19],
            )
            for r in rows
        ]


def test_the_same_seed_gives_the_same_history_through_the_device_api(
    small_city: Path, copy_of: Callable[[Path], Runtime]
) -> None:
    first, second = copy_of(small_city), copy_of(small_city)
    one = simulate(first, days=2, seed=SEED, sites=[SEMATANG_BORANG])
    two = simulate(second, days=2, seed=SEED, sites=[SEMATANG_BORANG])
    assert one.through_api and one.requests > 500
    assert [day.day for day in one.days] == [day.day for day in two.days]
    assert history(first) == history(second)
    assert len(history(first)) == 2 * 4  # pagi, siang, malam and the day, two days
    other = copy_of(small_city)
    simulate(other, days=1, seed=SEED + 1, sites=[SEMATANG_BORANG])
    assert history(other)[:4] != history(first)[:4]


def test_a_simulated_day_leaves_complete_recordings_and_consistent_reports(
    small_city: Path, copy_of: Callable[[Path], Runtime]
) -> None:
    runtime = copy_of(small_city)
    [day] = simulate(runtime, days=1, seed=SEED, sites=[SEMATANG_BORANG]).days
    with runtime.transaction() as session:
        completed = session.scalar(
            select(func.count()).select_from(Recording).where(Recording.status == "completed")
        )
        failed = session.scalar(
            select(func.count()).select_from(Recording).where(Recording.status == "failed")
        )
        still_open = session.scalar(
            select(func.count())
            .select_from(QueueTicket)
            .where(QueueTicket.status.in_(("waiting", "called")))
        )
        accepted_pairs = (
            select(Capture.recording_id, Capture.modality)
            .where(Capture.accepted.is_(True))
            .distinct()
            .subquery()
        )
        accepted = session.scalar(select(func.count()).select_from(accepted_pairs))
        [report] = session.execute(select(DailyReport).where(DailyReport.session == DAY)).scalars()
        tokens = session.execute(select(ApiToken.revoked_at)).scalars().all()
    assert (day.recorded, day.failed) == (completed, failed) == (report.recorded, report.failed)
    assert day.recorded > 30 and still_open == 0
    # Every completed recording has each modality accepted (or excepted, rarely).
    assert accepted >= completed * (len(rules.MODALITIES) - 1)
    assert report.mean_minutes is not None and 2.0 < report.mean_minutes < 5.0
    assert 0 < report.idle_minutes < 2 * 660
    # The simulator's tokens are revoked when it ends.
    assert tokens and all(revoked is not None for revoked in tokens)


def test_evenings_are_busiest_and_about_one_invitee_in_seven_stays_away(
    busy_city: Path, copy_of: Callable[[Path], Runtime]
) -> None:
    runtime = copy_of(busy_city)
    result = simulate(runtime, days=1, seed=SEED, fast=True, sites=[SUKARAMI])
    [day] = result.days
    assert not result.through_api and result.requests == 0
    hours = day.arrivals_by_hour
    per_hour = {
        "pagi": sum(hours[h] for h in (7, 8, 9, 10, 11)) / 4.5,
        "siang": sum(hours[h] for h in (12, 13, 14, 15)) / 3.5,
        "malam": sum(hours[h] for h in (16, 17, 18, 19)) / 4.0,
    }
    assert per_hour["malam"] > max(per_hour["pagi"], per_hour["siang"]), per_hour
    assert max(hours, key=lambda hour: hours[hour]) in (16, 17, 18, 19)
    assert 0.09 <= day.no_shows / day.invited <= 0.21
    assert day.walk_ins > 0 and day.checked_in > 0
    assert day.recorded + day.failed <= day.checked_in


def test_demo_simulate_days_plans_the_campaign_and_no_serve_exits(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    # The Sekda reports and the batch files go under tmp_path, not into the working directory.
    env = {
        "EKTP_REPORTS_DIR": str(tmp_path / "var" / "reports"),
        "EKTP_BIOMETRIC_KEY_FILE": str(tmp_path / "bio.key"),
    }
    result = RUNNER.invoke(
        app,
        ["--db", url, "demo", "--scale", "0.0005", "--simulate-days", "1", "--fast", "--no-serve"],
        env=env,
    )
    assert result.exit_code == 0, result.output
    assert "campaign planned" in result.output and "simulated 1 days" in result.output
    report = RUNNER.invoke(app, ["--db", url, "report", "daily", "--json"])
    lines = json.loads(report.stdout)
    assert len(lines) == 16 and all(line["date"] == "2011-10-03" for line in lines)
    assert sum(line["recorded"] for line in lines) > 0
    assert "card pipeline: 16 batches sent, 0 accepted" in result.output
    again = RUNNER.invoke(
        app,
        ["--db", url, "demo", "--scale", "0.0005", "--simulate-days", "1", "--fast", "--no-serve"],
        env=env,
    )
    assert again.exit_code == 0, again.output
    # The first evening's batches reached the centre the next morning; the second evening's
    # are on their way; the Sekda report of each simulated day is written.
    assert "card pipeline: 16 batches sent, 16 accepted" in again.output
    check = Runtime(Settings(database_url=url, secret_key="s"))
    try:
        with check.transaction() as session:
            batches = dict(
                session.execute(select(Batch.status, func.count()).group_by(Batch.status)).all()
            )
            queued = session.scalar(
                select(func.count()).select_from(Card).where(Card.state == "antrian_cetak")
            )
    finally:
        check.dispose()
    assert batches == {"diterima": 16, "dikirim": 16} and queued
    reports = sorted(path.name for path in (tmp_path / "var" / "reports").iterdir())
    assert reports == [f"sekda-2011-10-0{d}.{fmt}" for d in (3, 4) for fmt in ("pdf", "xlsx")]
    # A second run continues after the last closed day.
    later = json.loads(RUNNER.invoke(app, ["--db", url, "report", "daily", "--json"]).stdout)
    assert later[0]["date"] == "2011-10-04"
    first = RUNNER.invoke(app, ["--db", url, "report", "daily", "--date", "2011-10-03", "--json"])
    assert json.loads(first.stdout) == lines
