"""Commands of the registry: ``ektp residents import`` and ``ektp residents generate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ektp.runtime import runtime_of

app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV (comma or semicolon) or XLSX file.")],
    rejects: Annotated[
        Path | None,
        typer.Option("--rejects", help="Where to write rejected rows (default: beside FILE)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Rows per committed batch.")] = 100_000,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Import residents; exit 0 if all rows were stored, 1 if some were rejected, 2 if none."""
    from ektp.residents.importer import ImportFileError, run_import

    runtime = runtime_of(ctx)
    try:
        report = run_import(
            runtime=runtime,
            path=file,
            rejects_path=rejects,
            batch_size=batch_size,
            show_progress=sys.stderr.isatty() and not as_json,
        )
    except ImportFileError as error:
        if as_json:
            typer.echo(json.dumps({"error": str(error)}))
        else:
            typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    summary = report.as_dict()
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        typer.echo(
            "read {read}, imported {imported}, updated {updated}, rejected {rejected}, "
            "warnings {warnings}".format(**summary)
        )
        if report.rejects_file:
            typer.echo(f"rejected rows and reasons: {report.rejects_file}")
    stored = report.imported + report.updated
    raise typer.Exit(0 if not report.rejected else 1 if stored else 2)


@app.command("generate")
def generate_command(
    ctx: typer.Context,
    city: Annotated[str, typer.Option(help="Kemendagri kabupaten/kota code.")] = "16.71",
    edition: Annotated[str, typer.Option(help="Region edition: 2016 or 2025.")] = "2016",
    scenario: Annotated[
        str, typer.Option(help="Shipped scenario name or path to a scenario TOML.")
    ] = "palembang-2011",
    scale: Annotated[float, typer.Option(help="1.0 = the scenario's full population.")] = 1.0,
    seed: Annotated[int, typer.Option(help="Same seed, same city, byte for byte.")] = 7,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Write a CSV (with a defect column) instead of the database."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Generate a synthetic population: into the database, or to a CSV with --out."""
    from ektp.residents.errors import GenerateError
    from ektp.residents.synthetic import run_generate

    runtime = None if out is not None else runtime_of(ctx)
    try:
        report = run_generate(
            runtime=runtime,
            city=city,
            edition=edition,
            scenario=scenario,
            scale=scale,
            seed=seed,
            out=out,
            show_progress=sys.stderr.isatty() and not as_json,
        )
    except GenerateError as error:
        if as_json:
            typer.echo(json.dumps({"error": str(error)}))
        else:
            typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    summary = report.as_dict()
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        typer.echo(", ".join(f"{key} {value}" for key, value in summary.items()))
