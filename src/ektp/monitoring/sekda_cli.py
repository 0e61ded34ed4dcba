"""``ektp report sekda`` (the Sekda's daily report on demand) and ``ektp jobs evening`` (the
evening job, for cron)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from ektp.runtime import runtime_of
from ektp.scheduling.cli import fail, parse_day, scheduling_transaction

jobs_app = typer.Typer(no_args_is_help=True)

DateOption = Annotated[
    str | None, typer.Option("--date", help="The day, YYYY-MM-DD (default: the last closed day).")
]


def _day(ctx: typer.Context, date: str | None) -> dt.date:
    from ektp.monitoring.sekda_report import default_day

    chosen = parse_day(date, "--date")
    if chosen is not None:
        return chosen
    with scheduling_transaction(ctx) as session:
        return default_day(session=session)


def sekda_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option("--out", help="The file to write: FILE.pdf or FILE.xlsx.")],
    date: DateOption = None,
) -> None:
    """Write the Sekda's daily report: the city and each kecamatan (PDF pages, XLSX sheets)."""
    from ektp.monitoring.sekda_render import report_bytes
    from ektp.monitoring.sekda_report import sekda_report

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "xlsx"):
        raise fail(f"--out must end in .pdf or .xlsx, not {out.name!r}")
    day = _day(ctx, date)
    with scheduling_transaction(ctx) as session:
        report = sekda_report(session=session, day=day)
    content = report_bytes(report, fmt)
    if not out.parent.exists():
        raise fail(f"--out: the folder {out.parent} does not exist")
    out.write_bytes(content)
    city = report.city_page
    forecast = city.forecast
    finish = forecast.expected.isoformat() if forecast.expected else forecast.status.value
    typer.echo(
        f"{out}: report of {day.isoformat()}, {len(report.pages)} pages; city "
        f"{city.recorded} of {city.wajib_ktp} recorded ({city.coverage:.1f}%), "
        f"expected finish {finish}"
    )


@jobs_app.command("evening")
def evening_command(
    ctx: typer.Context,
    date: DateOption = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out-dir", help="Folder of the reports (default: EKTP_REPORTS_DIR)."),
    ] = None,
) -> None:
    """Write the day's Sekda report (PDF and XLSX) into the reports folder (run it each
    evening after the last session closes, e.g. from cron at 20:30)."""
    from ektp.monitoring.jobs import run_evening_job

    runtime = runtime_of(ctx)
    day = _day(ctx, date)
    folder = out_dir or Path(runtime.settings.reports_dir)
    for path in run_evening_job(runtime=runtime, day=day, out_dir=folder):
        typer.echo(str(path))
