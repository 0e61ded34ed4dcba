"""Read a residents file (CSV or XLSX) row by row, mapping its header to the record's fields.

CSV is streamed: a city's 1.2 million rows never sit in memory at once. ``columns`` maps the
header (canonical or SIAK names) to the fields.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from ektp.residents.columns import ColumnMap, RawRow, RawValue
from ektp.residents.errors import ImportFileError

CSV_SUFFIXES = frozenset({".csv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_SCAN_CHUNK = 1 << 20


class ResidentFile:
    """An open residents file: its columns, its rows and how far reading has got."""

    def __init__(
        self,
        path: Path,
        columns: ColumnMap,
        rows: Iterator[tuple[int, RawRow]],
        *,
        delimiter: str,
        total: int,
        position: Callable[[], int],
        closer: Callable[[], None],
    ) -> None:
        self.path = path
        self.columns = columns
        self.delimiter = delimiter
        # Progress is measured in bytes for CSV and in rows for XLSX.
        self.total = total
        self.position = position
        self._rows = rows
        self._closer = closer

    def rows(self) -> Iterator[tuple[int, RawRow]]:
        """Yield (physical line number, cells) for every non-blank row below the header."""
        return self._rows

    def values(self, row: RawRow) -> tuple[RawValue, ...]:
        """Return the row's values in ``FIELDS`` order."""
        return self.columns.pick(row)

    def original(self, row: RawRow) -> RawRow:
        """Return the row's cells as the file has them, less an earlier rejects file's notes."""
        return row[self.columns.original_start : self.width]

    @property
    def width(self) -> int:
        """Return the number of columns in the header."""
        return self.columns.width

    def close(self) -> None:
        """Release the file."""
        self._closer()

    def __enter__(self) -> ResidentFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_resident_file(path: Path) -> ResidentFile:
    """Return the opened file, its header checked and its first row read; or raise."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in CSV_SUFFIXES | XLSX_SUFFIXES:
        raise ImportFileError(
            f"unsupported file type {suffix or '(none)'!r} for {path.name}: use .csv or .xlsx"
        )
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ImportFileError(f"file not found: {path}") from None
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror}") from None
    if not path.is_file():
        raise ImportFileError(f"not a file: {path}")
    if size == 0:
        raise ImportFileError(f"file is empty: {path}")
    try:
        opened = _open_csv(path, size) if suffix in CSV_SUFFIXES else _open_xlsx(path)
    except OSError as error:
        raise ImportFileError(f"cannot read {path}: {error.strerror or error}") from None
    return opened


def text_encoding(path: Path) -> str:
    """Return 'utf-8-sig' when the whole file is UTF-8 (BOM or not), else 'cp1252'; or raise.

    The whole file is checked before reading rows: a single é deep in a cp1252 file would
    otherwise stop the import half-way.
    """
    with path.open("rb") as handle:
        if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise ImportFileError(
                f"{path.name} is UTF-16 text: save it as 'CSV UTF-8' or plain 'CSV' instead"
            )
    problem = ""
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        offset = 0
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(_SCAN_CHUNK):
                    if b"\0" in chunk:
                        raise ImportFileError(
                            f"{path.name} is not a text file (it holds NUL bytes)"
                        )
                    decoder.decode(chunk)
                    offset += len(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError as error:
            problem = f"byte 0x{error.object[error.start]:02x} at offset {offset + error.start}"
            continue
        return "utf-8-sig" if encoding == "utf-8" else encoding
    raise ImportFileError(f"{path.name} is neither UTF-8 nor Windows-1252 text ({problem})")


def sniff_delimiter(line: str) -> str:
    """Return ';' when the header line has more semicolons than commas, else ','."""
    return ";" if line.count(";") > line.count(",") else ","


def _open_csv(path: Path, size: int) -> ResidentFile:
    encoding = text_encoding(path)
    binary = path.open("rb")
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    try:
        header_line, line = 0, ""
        for header_line, line in enumerate(text, start=1):  # noqa: B007 - used below
            if line.strip():
                break
        if not line.strip():
            raise ImportFileError(f"{path.name} has no header line (it holds only blank lines)")
        delimiter = sniff_delimiter(line)
        columns = ColumnMap(next(csv.reader([line], delimiter=delimiter)))
        rows = _first_row_checked(path, _csv_rows(text, delimiter, header_line, columns))
    except BaseException:
        text.close()
        raise
    return ResidentFile(
        path,
        columns,
        rows,
        delimiter=delimiter,
        total=size,
        position=binary.tell,
        closer=text.close,
    )


def _csv_rows(
    text: IO[str], delimiter: str, header_line: int, columns: ColumnMap
) -> Iterator[tuple[int, RawRow]]:
    reader = csv.reader(text, delimiter=delimiter)
    width, padded, fit = columns.width, columns.padded, _row_fitting(columns)
    previous = header_line
    try:
        for row in reader:
            line = previous + 1
            previous = header_line + reader.line_num
            if not row:
                continue
            if len(row) != width:
                row = fit(row)
            if padded:
                row.append("")
            yield line, row  # type: ignore[misc]
    except csv.Error as error:
        raise ImportFileError(f"line {previous + 1} cannot be read as CSV: {error}") from None


def _first_row_checked(
    path: Path, rows: Iterator[tuple[int, RawRow]]
) -> Iterator[tuple[int, RawRow]]:
    first = next(rows, None)
    if first is None:
        raise ImportFileError(f"{path.name} has a header but no rows")
    return itertools.chain((first,), rows)


def _open_xlsx(path: Path) -> ResidentFile:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
        cells = sheet.iter_rows()
    except (CalamineError, ValueError) as error:
        raise ImportFileError(f"{path.name} is not a readable XLSX workbook: {error}") from None
    # iter_rows starts at the sheet's first row, even when it is blank.
    numbered = enumerate(cells, start=1)
    header_line = 0
    header: list[Any] = []
    for header_line, header in numbered:  # noqa: B007 - used below
        if any(cell != "" for cell in header):
            break
    else:
        raise ImportFileError(f"{path.name} has no header row (its first sheet is empty)")
    columns = ColumnMap([_cell_text(cell) for cell in header])
    reached = [header_line]  # the last row read, for progress
    rows = _first_row_checked(path, _xlsx_rows(numbered, columns, reached))
    return ResidentFile(
        path,
        columns,
        rows,
        delimiter=",",
        total=max(sheet.height, 1),
        position=lambda: reached[0],
        closer=workbook.close,
    )


def _xlsx_rows(
    numbered: Iterator[tuple[int, list[Any]]], columns: ColumnMap, reached: list[int]
) -> Iterator[tuple[int, RawRow]]:
    width, padded, fit = columns.width, columns.padded, _row_fitting(columns)
    # Only tanggal_lahir keeps a date cell as a date; elsewhere a date is text like any other.
    date_column = columns.positions.get("tanggal_lahir", -1)
    for line, cells in numbered:
        reached[0] = line
        row: RawRow = [
            cell
            if type(cell) is str or (index == date_column and isinstance(cell, dt.date))
            else _cell_text(cell)
            for index, cell in enumerate(cells)
        ]
        if not any(row):
            continue
        if len(row) != width:
            row = fit(row)
        if padded:
            row.append("")
        yield line, row


def _row_fitting(columns: ColumnMap) -> Callable[[list[Any]], list[Any]]:
    """Return how to bring a row whose length differs from the header's to what is expected.

    Short rows get empty cells; long rows keep their surplus, unless an optional column is
    absent: then the cell after the header's last stands in for it and must be empty.
    """
    width = columns.width
    blanks = [""] * width

    def fit(row: list[Any]) -> list[Any]:
        if len(row) > width and not columns.padded:
            return row
        return (row[:width] + blanks)[:width]

    return fit


def _cell_text(cell: object) -> str:
    """Return a non-date cell as text; whole numbers without '.0' (NIKs typed as numbers)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return "" if cell is None else str(cell)
