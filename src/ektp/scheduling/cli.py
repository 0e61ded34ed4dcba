"""Commands of the campaign: ``ektp campaign ...`` and ``ektp schedule ...``.

Dates are the campaign's: a campaign whose deadline has passed (the shipped Palembang 2011)
is a replay, and "today" is its start date unless ``--today`` says otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ektp.runtime import Runtime, runtime_of

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ektp.scheduling.report import KecamatanReport

campaign_app = typer.Typer(no_args_is_help=True)
schedule_app = typer.Typer(no_args_is_help=True)

BY = "cli"
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON.")]


def fail(message: str) -> typer.Exit:
    """Return the exit that follows printing ``message`` as an error."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def parse_day(value: str | None, option: str) -> dt.date | None:
    """Return the date an option gave (YYYY-MM-DD), None when it was left out."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(
            f"{value!r} is not a date like 2011-10-03", param_hint=option
        ) from None


def require_schema(runtime: Runtime) -> None:
    """Exit with a hint when the database has no campaign tables yet."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    try:
        ready = inspect(runtime.engine).has_table("invitations")
    except SQLAlchemyError as error:
        raise fail(f"cannot open the database: {error.__class__.__name__}: {error}") from None
    if not ready:
        raise fail("the database has no campaign tables yet; run ektp init first")


@contextmanager
def scheduling_transaction(ctx: typer.Context) -> Iterator[Session]:
    """Yield a session of the command's database; a ScheduleError ends the command."""
    from ektp.scheduling.errors import ScheduleError

    runtime = runtime_of(ctx)
    ctx.call_on_close(runtime.dispose)
    require_schema(runtime)
    try:
        with runtime.transaction() as session:
            yield session
    except ScheduleError as error:
        raise fail(str(error)) from None


def now() -> dt.datetime:
    """Return the present moment (timestamps are real even when the campaign is replayed)."""
    return dt.datetime.now(dt.UTC)


@campaign_app.command("create")
def create_command(
    ctx: typer.Context,
    scenario: Annotated[
        str, typer.Option(help="A shipped scenario (palembang-2011) or a TOML file's path.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Create a campaign from a scenario TOML (its campaign and sites tables)."""
    from ektp.scheduling import service

    with scheduling_transaction(ctx) as session:
        row = service.create_campaign(session=session, scenario=scenario, now=now())
        view = service.campaign_view(session=session, campaign=row)
    if as_json:
        typer.echo(view.model_dump_json())
        return
    typer.echo(
        f"campaign {view.id} created: {view.name} ({view.city}), {view.sites} sites, "
        f"{view.sets} sets, {view.start} to {view.deadline}, seed {view.seed}"
    )


@campaign_app.command("show")
def show_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the active campaign."""
    from ektp.scheduling import service

    with scheduling_transaction(ctx) as session:
        row = service.require_campaign(session=session)
        view = service.campaign_view(session=session, campaign=row)
    if as_json:
        typer.echo(view.model_dump_json())
        return
    typer.echo(
        f"campaign {view.id}: {view.name} ({view.city}, edition {view.edition})\n"
        f"  {view.start} to {view.deadline}, seed {view.seed}, {view.sites} sites, "
        f"{view.sets} sets on the first day"
    )


def print_reports(reports: list[KecamatanReport], title: str) -> None:
    """Print the per-kecamatan report as a table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for name in ("kecamatan", "nama", "residents", "sets", "per day", "first day"):
        table.add_column(name, justify="right" if name in ("residents", "sets") else "left")
    for name in ("last day", "lower bound", "by deadline", "extra sets"):
        table.add_column(name)
    for line in reports:
        table.add_row(
            line.kode_kecamatan,
            line.nama,
            f"{line.residents:,}",
            str(line.sets),
            str(line.daily_capacity),
            str(line.first_day or "-"),
            str(line.last_day or "not all placed"),
            str(line.lower_bound_last_day or "-"),
            "ya" if line.deadline_met else "tidak",
            "-" if line.extra_sets_needed is None else str(line.extra_sets_needed),
        )
    # A pipe gets the whole table, not one cut to 80 columns.
    Console(width=None if sys.stdout.isatty() else 160).print(table)


def reports_json(reports: list[KecamatanReport]) -> str:
    """Return the reports as the JSON list ``schedule plan --json`` prints."""
    from ektp.scheduling.schemas import report_as_json

    return json.dumps([report_as_json(line) for line in reports])


@schedule_app.command("plan")
def plan_command(
    ctx: typer.Context,
    seed: Annotated[int | None, typer.Option(help="Override the campaign's seed.")] = None,
    today: Annotated[
        str | None, typer.Option(help="The campaign's today (default: its clock), YYYY-MM-DD.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Give a turn to every wajib KTP resident not yet recorded nor invited."""
    from ektp.scheduling import service

    day = parse_day(today, "--today")
    moment = now()
    with scheduling_transaction(ctx) as session:
        campaign = service.require_campaign(session=session)
        result = service.plan(
            session=session,
            now=moment,
            seed=seed,
            by=BY,
            today=day or service.campaign_today(campaign, moment),
        )
    if as_json:
        typer.echo(reports_json(result.reports))
        return
    print_reports(result.reports, f"plan {result.plan_run_id}: {result.invited:,} invited")
    if result.unserved:
        typer.echo(f"warning: {result.unserved} residents live where no site serves them")


@schedule_app.command("report")
def report_command(ctx: typer.Context, as_json: JsonOption = False) -> None:
    """Show the report of the latest plan or re-plan."""
    from ektp.scheduling import service

    with scheduling_transaction(ctx) as session:
        reports = service.plan_report(session=session)
    if as_json:
        typer.echo(reports_json(reports))
        return
    print_reports(reports, "latest plan")


@schedule_app.command("export")
def export_command(
    ctx: typer.Context,
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
) -> None:
    """Write one CSV row per live turn (for the kecamatan and the letters)."""
    from ektp.scheduling import service

    with scheduling_transaction(ctx) as session:
        written = service.export_invitations(session=session, out=out)
    typer.echo(f"{written:,} turns written to {out}")


@schedule_app.command("replan")
def replan_command(
    ctx: typer.Context,
    day: Annotated[str, typer.Option(help="The day of the re-plan, YYYY-MM-DD.")],
    freeze_days: Annotated[
        int | None, typer.Option(help="Days whose letters are out (default: the campaign's).")
    ] = None,
    all_sites: Annotated[
        bool,
        typer.Option(
            "--all-sites", help="Every site, not only those whose sets changed since the last run."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Re-plan turns after the freeze window on the current capacity; say who moved."""
    from ektp.scheduling import service

    replan_day = parse_day(day, "--day")
    assert replan_day is not None
    with scheduling_transaction(ctx) as session:
        result = service.replan(
            session=session,
            replan_day=replan_day,
            now=now(),
            by=BY,
            freeze_days=freeze_days,
            all_sites=all_sites,
        )
    if as_json:
        typer.echo(result.model_dump_json())
        return
    print_reports(result.reports, f"re-plan {result.plan_run_id}")
    where = ", ".join(result.sites) or "no site (no sets changed since the last run)"
    typer.echo(f"re-planned: {where}")
    typer.echo(f"turns from {result.freeze_until} on re-planned; {len(result.moved):,} moved")
    for session_line in result.overbooked:
        typer.echo(
            f"overbooked: {session_line.site_code} {session_line.date} {session_line.session}: "
            f"{session_line.booked} turns, {session_line.bookable} bookable"
        )


@schedule_app.command("close-session")
def close_session_command(
    ctx: typer.Context,
    site: Annotated[str, typer.Option(help="Site code (16.71.06).")],
    date: Annotated[str, typer.Option(help="The session's day, YYYY-MM-DD.")],
    session_name: Annotated[str, typer.Option("--session", help="pagi, siang, malam...")],
    as_json: JsonOption = False,
) -> None:
    """Close a session: who did not come missed it and gets an evening turn."""
    from ektp.scheduling import service

    tanggal = parse_day(date, "--date")
    assert tanggal is not None
    with scheduling_transaction(ctx) as session:
        result = service.close_session(
            session=session,
            site_code=site,
            tanggal=tanggal,
            session_name=session_name,
            now=now(),
            by=BY,
        )
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(
        f"{result.site_code} {result.date} {result.session}: {result.attended} attended, "
        f"{result.missed} missed; {len(result.reinvited)} re-invited, "
        f"{len(result.follow_up)} to follow up, {len(result.not_reinvited)} wait for a plan"
    )


@schedule_app.command("move")
def move_command(
    ctx: typer.Context,
    invitation: Annotated[int, typer.Option(help="The invitation's id.")],
    to_date: Annotated[str, typer.Option(help="The new day, YYYY-MM-DD.")],
    to_session: Annotated[str, typer.Option(help="The new session.")],
    today: Annotated[str | None, typer.Option(help="The campaign's today, YYYY-MM-DD.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Move a resident's turn to a session with a free turn (a new code is issued)."""
    from ektp.scheduling import service

    day = parse_day(to_date, "--to-date")
    assert day is not None
    with scheduling_transaction(ctx) as session:
        view = service.move_invitation(
            session=session,
            invitation_id=invitation,
            to_date=day,
            to_session=to_session,
            now=now(),
            by=BY,
            today=parse_day(today, "--today"),
        )
    if as_json:
        typer.echo(view.model_dump_json())
        return
    typer.echo(
        f"invitation {view.invitation_id}: {view.site_name}, {view.date} {view.session} "
        f"{view.start_time:%H:%M}-{view.end_time:%H:%M}, code {view.attendance_code}"
    )


@schedule_app.command("attended")
def attended_command(
    ctx: typer.Context,
    invitation: Annotated[int, typer.Option(help="The invitation's id.")],
    code: Annotated[str, typer.Option(help="The attendance code on the letter.")],
) -> None:
    """Mark a turn attended after checking the letter's attendance code."""
    from ektp.scheduling import service

    with scheduling_transaction(ctx) as session:
        row = service.mark_attended(
            session=session, invitation_id=invitation, attendance_code=code, now=now(), by=BY
        )
        resident = row.resident_id
    typer.echo(f"invitation {invitation} attended (resident {resident})")
