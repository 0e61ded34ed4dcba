"""Commands of the regions domain: ``ektp regions load`` and ``ektp regions show``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import typer

from ektp.runtime import Runtime, runtime_of

if TYPE_CHECKING:
    from ektp.regions.schemas import RegionSummary

app = typer.Typer(no_args_is_help=True)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(1)


def _require_schema(runtime: Runtime) -> None:
    from sqlalchemy import inspect
    from sqlalchemy.exc import SQLAlchemyError

    try:
        ready = inspect(runtime.engine).has_table("regions")
    except SQLAlchemyError as error:
        raise _fail(f"cannot open the database: {error.__class__.__name__}: {error}") from None
    if not ready:
        raise _fail("the database has no ektp tables yet; run ektp init first")


@app.command("load")
def load_command(
    ctx: typer.Context,
    city: Annotated[str, typer.Option(help="Kemendagri kabupaten/kota code: 16.71 or 1671.")],
    edition: Annotated[str, typer.Option(help="Region edition: 2016 or 2025.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Load a kabupaten/kota, its provinsi, kecamatan and kelurahan from a shipped edition."""
    from ektp.regions.service import RegionLoadError, load_city

    runtime = runtime_of(ctx)
    ctx.call_on_close(runtime.dispose)
    _require_schema(runtime)
    try:
        with runtime.transaction() as session:
            result = load_city(session=session, city=city, edition=edition)
    except RegionLoadError as error:
        raise _fail(str(error)) from None
    if as_json:
        typer.echo(result.model_dump_json())
        return
    typer.echo(
        f"loaded {result.nama} ({result.city}), edition {result.edition}: "
        f"{result.kecamatan} kecamatan, {result.kelurahan} kelurahan "
        f"({result.inserted} regions inserted, {result.updated} updated)"
    )


def _parse_date(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2011-10-01") from None


@app.command("show")
def show_command(
    ctx: typer.Context,
    code: Annotated[
        str,
        typer.Argument(
            help="Region code (16.71.07.1001 or 1671071001), or an RW/RT unit code "
            "(16.71.07.1001.RW003, 16.71.07.1001.RW003.RT005)."
        ),
    ],
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Count on this date, YYYY-MM-DD (default: today)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Show a region with its residents, wajib KTP and those of its direct children."""
    from ektp.regions.service import RegionNotFoundError, region_summary

    day = _parse_date(as_of)
    runtime = runtime_of(ctx)
    ctx.call_on_close(runtime.dispose)
    _require_schema(runtime)
    try:
        with runtime.transaction() as session:
            summary = region_summary(session=session, kode=code, as_of=day)
    except RegionNotFoundError as error:
        hint = "" if ".RW" in code.upper() else "; load its city with: ektp regions load --city"
        raise _fail(f"{error}{hint}") from None
    if as_json:
        typer.echo(summary.model_dump_json())
        return
    _print_table(summary, day)


def _print_table(summary: RegionSummary, day: dt.date) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"{summary.nama} ({summary.kode}, {summary.level.replace('_', '/')}) on {day}",
        show_footer=bool(summary.children),
    )
    table.add_column("kode", footer="total")
    table.add_column("nama")
    table.add_column("level")
    table.add_column("residents", justify="right", footer=f"{summary.residents:,}")
    table.add_column("wajib KTP", justify="right", footer=f"{summary.wajib_ktp:,}")
    for child in summary.children:
        table.add_row(
            child.kode,
            child.nama,
            child.level.replace("_", "/"),
            f"{child.residents:,}",
            f"{child.wajib_ktp:,}",
        )
    if not summary.children:
        if summary.level != "rt":
            table.caption = "no RW/RT units yet" if summary.level == "kelurahan" else "none loaded"
        table.add_row(
            summary.kode,
            summary.nama,
            summary.level,
            f"{summary.residents:,}",
            f"{summary.wajib_ktp:,}",
        )
    Console().print(table)
