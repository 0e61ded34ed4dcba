"""``ektp cards ...``: the card pipeline from the command line (the uncollected-card job)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from ektp.scheduling.cli import JsonOption, fail, now, scheduling_transaction

app = typer.Typer(no_args_is_help=True)


def _parse_moment(value: str | None) -> dt.datetime:
    if value is None:
        return now()
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a moment like 2012-01-15T08:00+07:00", param_hint="--now"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@app.command("return-uncollected")
def return_uncollected_command(
    ctx: typer.Context,
    after_days: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Days a card may wait at the kecamatan (default: the campaign's "
            "uncollected_after_days, 90 in Palembang).",
        ),
    ] = None,
    at: Annotated[
        str | None,
        typer.Option("--now", help="The job's moment, ISO 8601 (default: now; for replays)."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Move cards not collected in time from the kecamatan back to the city office."""
    from ektp.cards import transitions, uncollected

    moment = _parse_moment(at)
    try:
        with scheduling_transaction(ctx) as session:
            days = after_days or uncollected.after_days_of(session=session)
            moved = uncollected.return_uncollected(session=session, now=moment, after_days=days)
    except transitions.ConcurrentChange as error:
        raise fail(f"{error}; nothing was moved") from None
    if as_json:
        typer.echo(json.dumps({"moved": moved, "after_days": days, "now": moment.isoformat()}))
        return
    typer.echo(f"{moved} card(s) not collected within {days} days moved back to the city office")
