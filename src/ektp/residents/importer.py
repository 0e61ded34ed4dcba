"""Import a residents file into the registry: validate, store by committed batches, report.

Valid rows are upserted by NIK (so running the same file again is harmless); invalid rows and
repeated NIKs go to a rejects CSV with the reason, never half into the database. Each batch is
its own transaction: a crash or Ctrl-C leaves whole batches behind, and re-running finishes.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sqlalchemy import insert, update

from ektp.regions.service import kelurahan_codes
from ektp.regions.wilayah import known_kecamatan_codes
from ektp.residents.columns import REJECT_NOTE_COLUMNS, RawRow
from ektp.residents.counts import refresh_counts
from ektp.residents.errors import ImportFileError
from ektp.residents.models import ImportRun
from ektp.residents.reader import ResidentFile, open_resident_file
from ektp.residents.records import ResidentRecord
from ektp.residents.validation import Rejection, RowValidator
from ektp.residents.writer import write_batch
from ektp.runtime import Runtime

__all__ = ["ImportFileError", "ImportReport", "default_rejects_path", "run_import"]

_PROGRESS_EVERY = 4096  # rows between progress updates; a power of two for a cheap test


@dataclass
class ImportReport:
    """What an import did: rows read, stored new, updated, rejected, warned; the rejects file."""

    read: int = 0
    imported: int = 0
    updated: int = 0
    rejected: int = 0
    warnings: int = 0
    rejects_file: Path | None = None

    def as_dict(self) -> dict[str, int | str | None]:
        """Return the report as plain JSON-ready values."""
        return {
            "read": self.read,
            "imported": self.imported,
            "updated": self.updated,
            "rejected": self.rejected,
            "warnings": self.warnings,
            "rejects_file": str(self.rejects_file) if self.rejects_file else None,
        }


def default_rejects_path(path: Path) -> Path:
    """Return where the rejects of ``path`` go by default: ``<name>.rejects.csv`` beside it."""
    return path.with_name(f"{path.stem}.rejects.csv")


class RejectsFile:
    """The rejects CSV, opened on the first rejection: line, field, reason, original columns."""

    def __init__(self, path: Path, source: ResidentFile) -> None:
        self.path = path
        self._source = source
        self._handle: IO[str] | None = None
        self._write: Callable[[list[Any]], Any] | None = None

    def add(self, line: int, field: str, reason: str, row: RawRow) -> None:
        """Write one rejected row with its original cells."""
        if self._write is None:
            # BOM: Excel, which Dinas staff open these with, otherwise guesses a legacy encoding.
            self._handle = self.path.open("w", encoding="utf-8-sig", newline="")
            self._write = csv.writer(self._handle, delimiter=self._source.delimiter).writerow
            self._write([*REJECT_NOTE_COLUMNS, *self._source.columns.original_header])
        label = self._source.columns.label(field)
        self._write([line, label, reason, *self._source.original(row)])

    @property
    def written(self) -> bool:
        """Return whether any row was rejected."""
        return self._handle is not None

    def close(self) -> None:
        """Close the file if it was opened."""
        if self._handle is not None:
            self._handle.close()


def run_import(
    *,
    runtime: Runtime,
    path: Path,
    rejects_path: Path | None = None,
    batch_size: int = 100_000,
    show_progress: bool = False,
    reference_date: dt.date | None = None,
) -> ImportReport:
    """Return the report of importing ``path``; raise ImportFileError if it cannot be used.

    ``reference_date`` (default today) decides a NIK's century and which birth dates are in
    the future. Nothing is written to the database before the file is known to be usable.
    """
    path = Path(path)
    batch_size = max(1, batch_size)
    target = Path(rejects_path) if rejects_path is not None else default_rejects_path(path)
    if target.resolve() == path.resolve():
        raise ImportFileError("the rejects file must not be the file being imported")
    with open_resident_file(path) as source:
        with runtime.transaction() as session:
            kelurahan = kelurahan_codes(session=session)
        if not kelurahan:
            raise ImportFileError(
                "no kelurahan are loaded in the database: load the city's regions first "
                "(ektp regions load), then import"
            )
        validator = RowValidator(
            kelurahan_codes=kelurahan,
            kecamatan_codes=known_kecamatan_codes(),
            reference_date=reference_date or dt.date.today(),
        )
        report = ImportReport()
        run_id = _start_run(runtime, path)
        rejects = RejectsFile(target, source)
        writer = BatchWriter(runtime, run_id, report)
        try:
            try:
                with _progress(source, show_progress) as advance, _collector_paused():
                    _import_rows(source, validator, rejects, report, writer, batch_size, advance)
            finally:
                # Even on Ctrl-C the batch in flight ends (committed or rolled back) first.
                writer.close()
            rejects.close()
            stored = bool(report.imported or report.updated)
            _finish_run(runtime, run_id, report, "finished", refresh=stored)
        except BaseException as error:
            interrupted = isinstance(error, KeyboardInterrupt)
            _finish_run(
                runtime,
                run_id,
                report,
                "interrupted" if interrupted else "failed",
                detail="stopped by the user" if interrupted else f"{type(error).__name__}: {error}",
            )
            raise
        finally:
            rejects.close()
    if rejects.written:
        report.rejects_file = target
    elif rejects_path is None and target.exists():
        # A rejects file left by an earlier run of this file no longer describes anything.
        target.unlink()
    return report


def _import_rows(
    source: ResidentFile,
    validator: RowValidator,
    rejects: RejectsFile,
    report: ImportReport,
    writer: BatchWriter,
    batch_size: int,
    advance: Callable[[int], None],
) -> None:
    """Validate every row, reject the bad ones, and hand the good ones to ``writer`` by batch."""
    validate = validator.validate
    pick = source.values
    # First line of each NIK kept; int keys hold 1.2 million NIKs in about 110 MB.
    first_line: dict[int, int] = {}
    remember = first_line.setdefault
    batch: list[ResidentRecord] = []
    append = batch.append
    read = warnings = 0
    try:
        for line, row in source.rows():
            read += 1
            result = validate(pick(row))
            if isinstance(result, Rejection):
                if not any(str(cell).strip() for cell in row):
                    read -= 1  # a row of empty cells, as spreadsheets leave below the data
                    continue
                report.rejected += 1
                rejects.add(line, result.field, result.reason, row)
                continue
            first = remember(int(result[0]), line)
            if first != line:
                report.rejected += 1
                rejects.add(line, "nik", f"NIK {result[0]} is already on line {first}", row)
                continue
            if result[13] is not None:
                warnings += 1
            append(result)
            if len(batch) >= batch_size:
                report.read, report.warnings = read, warnings
                writer.submit(batch)
                batch = []
                append = batch.append
            if not read & (_PROGRESS_EVERY - 1):
                advance(read)
        if batch:
            report.read, report.warnings = read, warnings
            writer.submit(batch)
    finally:
        report.read, report.warnings = read, warnings
    advance(read)


class BatchWriter:
    """Stores batches, each in its own transaction together with the run's counts so far.

    One batch is written on a background thread while the caller validates the next: SQLite
    and psycopg release the GIL while they work, so the two cores overlap. At most one batch
    is in flight and batches commit in order; a failed batch raises at the next ``submit``
    or at ``close``, before anything after it is written.
    """

    def __init__(self, runtime: Runtime, run_id: int, report: ImportReport) -> None:
        self._runtime = runtime
        self._run_id = run_id
        self._report = report
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import-writer")
        self._in_flight: Future[None] | None = None

    def submit(self, batch: list[ResidentRecord]) -> None:
        """Wait for the batch in flight, then start writing ``batch``."""
        self.wait()
        counts = _counts(self._report)
        self._in_flight = self._executor.submit(self._write, batch, counts)

    def wait(self) -> None:
        """Wait for the batch in flight; re-raise its error if it failed."""
        in_flight, self._in_flight = self._in_flight, None
        if in_flight is not None:
            in_flight.result()

    def close(self) -> None:
        """Wait for the batch in flight and stop the writer thread."""
        try:
            self.wait()
        finally:
            self._executor.shutdown(wait=True)

    def _write(self, batch: list[ResidentRecord], counts: dict[str, int]) -> None:
        report = self._report
        with self._runtime.transaction() as session:
            written = write_batch(session=session, records=batch, now=dt.datetime.now(dt.UTC))
            counts.update(
                imported=report.imported + written.imported,
                updated=report.updated + written.updated,
            )
            session.execute(update(ImportRun).where(ImportRun.id == self._run_id).values(**counts))
        # Counted only once committed, so the report never claims a rolled-back batch.
        report.imported, report.updated = counts["imported"], counts["updated"]


def _counts(report: ImportReport) -> dict[str, int]:
    return {
        "read": report.read,
        "imported": report.imported,
        "updated": report.updated,
        "rejected": report.rejected,
        "warnings": report.warnings,
    }


def _start_run(runtime: Runtime, path: Path) -> int:
    """Record the run as running and return its id."""
    with runtime.transaction() as session:
        run_id = session.execute(
            insert(ImportRun)
            .values(
                source=str(path.resolve())[-400:],
                started_at=dt.datetime.now(dt.UTC),
                status="running",
                read=0,
                imported=0,
                updated=0,
                rejected=0,
                warnings=0,
            )
            .returning(ImportRun.id)
        ).scalar_one()
    return int(run_id)


def _finish_run(
    runtime: Runtime,
    run_id: int,
    report: ImportReport,
    status: str,
    *,
    refresh: bool = False,
    detail: str | None = None,
) -> None:
    """Record the outcome; after a finished run also rebuild the region counts."""
    with runtime.transaction() as session:
        if refresh:
            refresh_counts(session=session)
        session.execute(
            update(ImportRun)
            .where(ImportRun.id == run_id)
            .values(
                status=status, finished_at=dt.datetime.now(dt.UTC), detail=detail, **_counts(report)
            )
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the block, then restore it as it was.

    Rows, records and batches form no reference cycles, yet the collector would walk the
    growing heap again and again: about a sixth of the row loop's time.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _progress(source: ResidentFile, enabled: bool) -> Iterator[Callable[[int], None]]:
    """Yield a callable taking the rows read so far; it draws a Rich bar when ``enabled``."""
    if not enabled:
        yield lambda _rows: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("importing"),
        BarColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rows]:,} rows, {task.fields[rate]:,.0f} rows/s"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        task = progress.add_task("import", total=source.total, rows=0, rate=0.0)

        def advance(rows: int) -> None:
            elapsed = progress.tasks[0].elapsed or 0.0
            rate = rows / elapsed if elapsed > 0 else 0.0
            progress.update(task, completed=source.position(), rows=rows, rate=rate)

        yield advance
        progress.update(task, completed=source.total)
