"""Commands of central batches: ``ektp batches send|withdraw`` at the kecamatan, and
``ektp pusat receive`` at the centre."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Annotated

import typer

from ektp.cards import batches
from ektp.recording.crypto import cipher_from_settings
from ektp.runtime import runtime_of

batches_app = typer.Typer(no_args_is_help=True)
pusat_app = typer.Typer(no_args_is_help=True)
CLI_USER = "cli"


@batches_app.command("send")
def send_command(
    ctx: typer.Context,
    kecamatan: Annotated[str, typer.Option("--kecamatan", help="Kecamatan code (16.71.06).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the package file.")],
    date: Annotated[
        str | None, typer.Option("--date", help="Only cards recorded on this day (2011-10-03).")
    ] = None,
) -> None:
    """Sign the kecamatan's recorded cards into a batch file for the centre."""
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        typer.echo(f"--date {date!r}: a date looks like 2011-10-03", err=True)
        raise typer.Exit(2) from None
    runtime = runtime_of(ctx)
    cipher = cipher_from_settings(runtime.settings)
    now = dt.datetime.now(dt.UTC)
    try:
        with runtime.transaction() as session:
            batch, data = batches.send_batch(
                session=session,
                kode_kecamatan=kecamatan,
                tanggal=day,
                now=now,
                by=CLI_USER,
                cipher=cipher,
            )
            uid, records = batch.batch_uid, batch.records
            # Written before the commit: a failed write rolls the batch back, and a failed
            # commit leaves a file the centre refuses as unknown, never cards without a file.
            draft = out.with_name(f".{out.name}.part")
            draft.write_bytes(data)
            os.replace(draft, out)
    except batches.BatchError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"batch {uid}: {records} records -> {out}")


@batches_app.command("withdraw")
def withdraw_command(
    ctx: typer.Context,
    batch_uid: Annotated[str, typer.Argument(help="The batch to take back (not yet accepted).")],
) -> None:
    """Take back a sent batch whose file was lost or damaged: its cards can be sent again."""
    runtime = runtime_of(ctx)
    try:
        with runtime.transaction() as session:
            batch = batches.withdraw_batch(
                session=session, batch_uid=batch_uid, now=dt.datetime.now(dt.UTC), by=CLI_USER
            )
            records = batch.records
    except batches.BatchError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(1) from None
    typer.echo(f"batch {batch_uid} withdrawn: {records} cards back to direkam")


@pusat_app.command("receive")
def receive_command(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The package file a kecamatan sent.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Verify a batch file and accept it once; exit 1 when it is refused."""
    try:
        data = file.read_bytes()
    except OSError as error:
        typer.echo(f"{file}: {error.strerror or error}", err=True)
        raise typer.Exit(2) from None
    runtime = runtime_of(ctx)
    with runtime.transaction() as session:
        result = batches.receive_batch(
            session=session, data=data, now=dt.datetime.now(dt.UTC), by=CLI_USER
        )
    if as_json:
        answer = result.as_json()
        answer.pop("batch_uid")
        typer.echo(json.dumps(answer, ensure_ascii=False))
    else:
        verdict = "accepted" if result.accepted else "REFUSED"
        typer.echo(f"{verdict}: {result.reason}")
    if not result.accepted:
        raise typer.Exit(1)
