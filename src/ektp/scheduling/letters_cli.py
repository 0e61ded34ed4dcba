"""``ektp letters``: call-up letters and delivery lists for a kelurahan, RW or RT."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from ektp.runtime import runtime_of

MAX_AUTO_WORKERS = 4


def delivery_list_paths(out: Path, delivery_list: Path | None) -> tuple[Path, Path]:
    """Return the CSV and PDF paths of the delivery list: ``delivery_list`` with each suffix,
    or ``<stem>-daftar-antar.csv`` and ``.pdf`` beside the letters.
    """
    base = delivery_list or out.with_name(f"{out.stem}-daftar-antar")
    return base.with_suffix(".csv"), base.with_suffix(".pdf")


def _auto_workers() -> int:
    return max(1, min(MAX_AUTO_WORKERS, len(os.sched_getaffinity(0))))


def _write(path: Path, content: bytes) -> None:
    # Write beside and rename, so that a reader never sees half a PDF.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_bytes(content)
    os.replace(partial, path)


@contextmanager
def _progress(total: int, show: bool) -> Iterator[Callable[[int], None]]:
    if not show:
        yield lambda _done: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(transient=True, console=Console(stderr=True)) as progress:
        task = progress.add_task("laying out letters", total=total)
        yield lambda done: progress.advance(task, done)


def letters_command(
    ctx: typer.Context,
    kelurahan: Annotated[
        str, typer.Option("--kelurahan", help="Kelurahan code: 16.71.07.1002 or 1671071002.")
    ],
    out: Annotated[Path, typer.Option("--out", help="The letters PDF to write.")],
    rw: Annotated[int | None, typer.Option("--rw", help="Only this RW.", min=1)] = None,
    rt: Annotated[int | None, typer.Option("--rt", help="Only this RT.", min=1)] = None,
    delivery_list: Annotated[
        Path | None,
        typer.Option(
            "--delivery-list",
            help="Delivery list path; its .csv and .pdf are written "
            "(default: <out stem>-daftar-antar.csv and .pdf beside --out).",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Processes laying out letters (default: CPUs, at most 4).", min=1),
    ] = None,
) -> None:
    """Print call-up letters, two per A4 page, and the delivery list per RT.

    Invitations still 'planned' become 'letter_printed'; printing again is harmless.
    """
    from ektp.auth import service as auth_service
    from ektp.scheduling import letters
    from ektp.scheduling.letters_service import LettersError, letters_of, mark_letters_printed

    runtime = runtime_of(ctx)
    csv_path, list_pdf_path = delivery_list_paths(out, delivery_list)
    if out.resolve() in (csv_path.resolve(), list_pdf_path.resolve()):
        typer.echo(f"error: the delivery list would overwrite the letters: {out}", err=True)
        raise typer.Exit(1)
    for path in (out, csv_path, list_pdf_path):
        if not path.parent.is_dir():
            typer.echo(f"error: the folder {path.parent} does not exist", err=True)
            raise typer.Exit(1)
    now = dt.datetime.now(dt.UTC)
    try:
        with runtime.transaction() as session:
            batch = letters_of(
                session=session,
                kode_kelurahan=kelurahan,
                rw=rw,
                rt=rt,
                printed_on=letters.local_date(kelurahan, now),
            )
    except LettersError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(1) from None
    show = sys.stderr.isatty()
    # Rendering takes minutes for a big kelurahan: no transaction is held meanwhile, and the
    # invitations are marked only once every file is written.
    with _progress(len(batch.letters), show) as advance:
        pdf = letters.letters_pdf(batch, workers=workers or _auto_workers(), progress=advance)
    try:
        _write(out, pdf)
        # The byte-order mark makes Excel, what kelurahan offices open CSVs with, read UTF-8.
        _write(csv_path, letters.delivery_list_csv(batch).encode("utf-8-sig"))
        _write(list_pdf_path, letters.delivery_list_pdf(batch))
    except OSError as error:
        typer.echo(f"error: could not write {error.filename}: {error.strerror}", err=True)
        raise typer.Exit(1) from None
    ids = [letter.invitation_id for letter in batch.letters]
    with runtime.transaction() as session:
        marked = mark_letters_printed(session=session, invitation_ids=ids, now=now, by="cli")
        auth_service.record_audit(
            session=session,
            username=None,
            action="letters_printed",
            subject=batch.kode_kelurahan,
            detail=(
                f"{len(ids)} letters"
                + (f", RW {rw}" if rw is not None else "")
                + (f", RT {rt}" if rt is not None else "")
                + f"; {marked} marked letter_printed"
            ),
            client="cli",
            now=now,
        )
    typer.echo(f"{len(ids)} letters, two per A4 page: {out}")
    typer.echo(f"delivery list: {csv_path}, {list_pdf_path}")
    typer.echo(f"{marked} invitations marked letter_printed ({len(ids) - marked} had been before)")
