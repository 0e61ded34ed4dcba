"""The evening job: write the day's Sekda report (PDF and XLSX) into the reports folder
after the last session closes, once by ``ektp jobs evening`` (cron) or each evening by the
web server's optional loop (setting ``EKTP_EVENING_JOB=true``).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from ektp.runtime import Runtime
from ektp.scheduling.campaigns import WIB

log = logging.getLogger(__name__)

FORMATS = ("pdf", "xlsx")


def report_path(out_dir: Path, day: dt.date, fmt: str) -> Path:
    """Return where the report of ``day`` in ``fmt`` is kept: ``sekda-YYYY-MM-DD.<fmt>``."""
    return out_dir / f"sekda-{day.isoformat()}.{fmt}"


def _write_whole(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename, so a reader
    never finds half a report (and a failed run leaves the previous one)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_evening_job(*, runtime: Runtime, day: dt.date, out_dir: Path) -> list[Path]:
    """Return the paths of the day's report files after writing them (PDF, then XLSX);
    running it again for the same day replaces them."""
    from ektp.monitoring.sekda_render import report_bytes
    from ektp.monitoring.sekda_report import sekda_report

    with runtime.transaction() as session:
        report = sekda_report(session=session, day=day)
    out_dir.mkdir(parents=True, exist_ok=True)
    contents = {fmt: report_bytes(report, fmt) for fmt in FORMATS}
    written = []
    for fmt in FORMATS:
        path = report_path(out_dir, day, fmt)
        _write_whole(path, contents[fmt])
        written.append(path)
    return written


def parse_clock(text: str) -> dt.time:
    """Return ``HH:MM`` as a time, or raise ValueError naming the setting."""
    try:
        return dt.time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"evening_job_at must look like 20:30, not {text!r}") from None


def next_run(now: dt.datetime, at: dt.time, zone: dt.tzinfo = WIB) -> dt.datetime:
    """Return the next moment (UTC) at which the local clock in ``zone`` shows ``at``,
    strictly after ``now`` (an aware datetime)."""
    local = now.astimezone(zone)
    candidate = dt.datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), at, tzinfo=zone)
    return candidate.astimezone(dt.UTC)


def evening_day(runtime: Runtime, now: dt.datetime) -> dt.date | None:
    """Return the day the evening job reports on at ``now``: the campaign's day, or, for a
    campaign replayed after its deadline, its last closed day; None without a campaign."""
    from ektp.recording import closing
    from ektp.scheduling import service as scheduling

    with runtime.transaction() as session:
        campaign = scheduling.active_campaign(session=session)
        if campaign is None:
            return None
        today = now.astimezone(WIB).date()
        if campaign.start <= today <= campaign.deadline:
            return today
        return closing.last_closed_day(session=session)


async def evening_loop(
    runtime: Runtime,
    out_dir: Path,
    at: dt.time,
    *,
    clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC),
) -> None:
    """Run the evening job each day at ``at`` (Palembang time) until cancelled; a failed
    run is logged and retried the next evening."""
    while True:
        wait = (next_run(clock(), at) - clock()).total_seconds()
        await asyncio.sleep(max(wait, 0.0))
        try:
            day = await asyncio.to_thread(evening_day, runtime, clock())
            if day is not None:
                paths = await asyncio.to_thread(
                    run_evening_job, runtime=runtime, day=day, out_dir=out_dir
                )
                log.info("evening job wrote %s", ", ".join(str(path) for path in paths))
        except Exception:  # the server must keep serving; tomorrow's run tries again
            log.exception("evening job failed")


def install_evening_loop(app: FastAPI, runtime: Runtime) -> None:
    """Start the evening loop with the app (and stop it with it) when the settings enable
    it; otherwise leave the app as it is."""
    settings = runtime.settings
    if not settings.evening_job:
        return
    at = parse_clock(settings.evening_job_at)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        task = asyncio.create_task(evening_loop(runtime, Path(settings.reports_dir), at))
        try:
            async with inner(application) as state:
                yield state
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.router.lifespan_context = lifespan
