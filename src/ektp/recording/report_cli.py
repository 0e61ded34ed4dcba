"""``ektp report ...``: the daily report per kecamatan, and closing a site's day.

Closing with the CLI is for an office without the web desk (or a late closing by the Dinas);
the operator normally closes from the desk.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from ektp.scheduling.cli import JsonOption, fail, now, parse_day, scheduling_transaction

if TYPE_CHECKING:
    from ektp.recording.models import DailyReport

app = typer.Typer(no_args_is_help=True)

BY = "cli"


@app.command("daily")
def daily_command(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option(help="The day, YYYY-MM-DD (default: the last closed day).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show each kecamatan's closed day: recorded, failed, walk-ins, missed, target, sets."""
    from ektp.recording import closing

    tanggal = parse_day(date, "--date")
    with scheduling_transaction(ctx) as session:
        lines = closing.daily_report(session=session, tanggal=tanggal)
    if as_json:
        typer.echo(json.dumps([line.as_json() for line in lines], ensure_ascii=False))
        return
    if not lines:
        what = f"on {tanggal.isoformat()}" if tanggal else "yet"
        typer.echo(f"no day is closed {what}")
        return
    typer.echo(f"daily report of {lines[0].date.isoformat()}")
    typer.echo(
        f"{'kecamatan':<32} {'recorded':>8} {'target':>6} {'failed':>6} {'walk-in':>7} "
        f"{'missed':>6} {'sets':>4} {'min/pers':>8} {'idle min':>8}"
    )
    for line in lines:
        mark = " below target" if line.below_target else ""
        mean = "-" if line.mean_minutes is None else f"{line.mean_minutes:.1f}"
        target = "-" if line.target is None else str(line.target)
        typer.echo(
            f"{line.kode_kecamatan + ' ' + line.nama:<32.32} {line.recorded:>8} {target:>6} "
            f"{line.failed:>6} {line.walk_ins:>7} {line.missed:>6} {line.sets_working:>4} "
            f"{mean:>8} {line.idle_minutes:>8}{mark}"
        )
    total = sum(line.recorded for line in lines)
    below = sum(1 for line in lines if line.below_target)
    typer.echo(f"city: {total} recorded; {below} of {len(lines)} kecamatan below target")


@app.command("close")
def close_command(
    ctx: typer.Context,
    site: Annotated[str, typer.Option(help="Site code (16.71.06).")],
    date: Annotated[str, typer.Option(help="The day, YYYY-MM-DD.")],
    session_name: Annotated[
        str | None,
        typer.Option("--session", help="Close one session only (pagi, siang, malam...)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Close a site's session or day: absent invitees missed, figures frozen (twice: no-op)."""
    from ektp.recording import closing

    tanggal = parse_day(date, "--date")
    if tanggal is None:
        raise fail("--date is required")
    with scheduling_transaction(ctx) as session:
        if session_name is None:
            rows = closing.close_day(
                session=session, site_code=site, tanggal=tanggal, now=now(), by=BY
            )
        else:
            rows = [
                closing.close_session(
                    session=session,
                    site_code=site,
                    tanggal=tanggal,
                    session_name=session_name,
                    now=now(),
                    by=BY,
                )
            ]
        lines = [_row_json(row) for row in rows]
    if as_json:
        typer.echo(json.dumps(lines, ensure_ascii=False))
        return
    for line in lines:
        typer.echo(
            f"{line['site_code']} {line['date']} {line['session']}: {line['recorded']} recorded, "
            f"{line['failed']} failed, {line['walk_ins']} walk-ins, {line['missed']} missed, "
            f"{line['idle_minutes']} idle set-minutes (closed {line['closed_at']})"
        )


def _row_json(row: DailyReport) -> dict[str, object]:
    return {
        "site_code": row.site_code,
        "date": row.tanggal.isoformat(),
        "session": row.session,
        "recorded": row.recorded,
        "failed": row.failed,
        "walk_ins": row.walk_ins,
        "missed": row.missed,
        "mean_minutes": row.mean_minutes,
        "idle_minutes": row.idle_minutes,
        "target": row.target,
        "sets_working": row.sets_working,
        "per_set": json.loads(row.per_set),
        "closed_at": row.closed_at.isoformat(),
    }
