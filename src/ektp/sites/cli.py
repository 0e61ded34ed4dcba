"""Commands of recording sites: ``ektp sites change`` and ``ektp sites show``."""

from __future__ import annotations

from typing import Annotated

import typer

from ektp.scheduling.cli import BY, JsonOption, now, parse_day, scheduling_transaction

app = typer.Typer(no_args_is_help=True)


@app.command("change")
def change_command(
    ctx: typer.Context,
    site: Annotated[str, typer.Option(help="Site code (16.71.06).")],
    date: Annotated[str, typer.Option(help="First day the change counts, YYYY-MM-DD.")],
    change: Annotated[int, typer.Option(help="Sets added (+5) or removed (-1).")],
    reason: Annotated[str, typer.Option(help="added, broken, repaired or moved.")],
    note: Annotated[str | None, typer.Option(help="Why, in a few words.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record sets added, broken, repaired or moved at a site; re-plan to use them."""
    from ektp.sites import service

    tanggal = parse_day(date, "--date")
    assert tanggal is not None
    with scheduling_transaction(ctx) as session:
        view = service.change_sets(
            session=session,
            site_code=site,
            tanggal=tanggal,
            change=change,
            reason=reason,
            now=now(),
            by=BY,
            note=note,
        )
    if as_json:
        typer.echo(view.model_dump_json())
        return
    typer.echo(
        f"{view.site_code}: {view.change:+d} sets ({view.reason}) from {view.tanggal}; "
        f"{view.sets_after} working that day. Run ektp schedule replan --day ... to use them."
    )


@app.command("show")
def show_command(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option(help="Count sets on this day (default: the campaign's today).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Show the campaign's sites with their working sets on a day."""
    import json
    import sys

    from ektp.scheduling.campaigns import campaign_today, require_campaign
    from ektp.sites import service

    with scheduling_transaction(ctx) as session:
        campaign = require_campaign(session=session)
        day = parse_day(date, "--date") or campaign_today(campaign, now())
        sites = service.list_sites(session=session, day=day)
    if as_json:
        typer.echo(json.dumps([site.model_dump(mode="json") for site in sites]))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"sites on {day}")
    for name in ("code", "name", "kecamatan", "sets", "kelurahan"):
        table.add_column(name, justify="right" if name == "sets" else "left")
    for site in sites:
        table.add_row(
            site.code,
            site.name,
            site.kecamatan,
            str(site.sets),
            ", ".join(site.kelurahan) or "the rest",
        )
    Console(width=None if sys.stdout.isatty() else 160).print(table)
