"""Read a residents file (CSV or XLSX) row by row, mapping its header to the record's fields.

CSV is streamed: a city's 1.2 million rows never sit in memory at once. The header may use the
canonical names or a SIAK ``BIODATA_WNI`` export's names, in any case and spacing; columns that
are neither are ignored, so a rejects file (``line,field,reason`` + the original columns) can
be corrected and imported again as it is.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import operator
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

# What a cell holds: text, or a real date from an XLSX date cell.
RawValue = str | dt.date
RawRow = list[RawValue]

# The order of the values handed to validation.
FIELDS = (
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "status_kawin",
    "agama",
    "pekerjaan",
    "alamat",
    "rt",
    "rw",
    "kode_kelurahan",
)
OPTIONAL_FIELDS = frozenset({"tempat_lahir", "agama", "pekerjaan", "alamat"})
SIAK_NAMES = {
    "nik": "NIK",
    "no_kk": "NO_KK",
    "nama": "NAMA_LGKP",
    "jenis_kelamin": "JENIS_KLMIN",
    "tempat_lahir": "TMPT_LHR",
    "tanggal_lahir": "TGL_LHR",
    "status_kawin": "STAT_KWN",
    "agama": "AGAMA",
    "pekerjaan": "JENIS_PKRJN",
    "alamat": "ALAMAT",
    "rt": "NO_RT",
    "rw": "NO_RW",
}
# SIAK splits the kelurahan code into four numbers; zero-padded widths of each.
SIAK_KELURAHAN_PARTS = (("NO_PROP", 2), ("NO_KAB", 2), ("NO_KEC", 2), ("NO_KEL", 4))
# The columns a rejects file puts before the original ones.
REJECT_NOTE_COLUMNS = ("line", "field", "reason")
CSV_SUFFIXES = frozenset({".csv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_SCAN_CHUNK = 1 << 20


class ImportFileError(Exception):
    """The file cannot be imported at all (missing, unreadable, empty, no usable header)."""


def header_key(name: str) -> str:
    """Return a column name as compared: no case, no spaces, no underscores."""
    return "".join(name.replace("\ufeff", "").split()).replace("_", "").lower()


_ALIASES: dict[str, str] = {header_key(field): field for field in FIELDS}
_ALIASES.update({header_key(siak): field for field, siak in SIAK_NAMES.items()})
_SIAK_PART_KEYS = tuple(header_key(name) for name, _width in SIAK_KELURAHAN_PARTS)


def _kelurahan_from_parts(parts: Sequence[RawValue]) -> str:
    """Return the dotted kelurahan code built from SIAK's four numbers ('' if any is empty)."""
    texts = [str(part).strip() for part in parts]
    if not all(texts):
        return ""
    return ".".join(
        text.zfill(width) for text, (_name, width) in zip(texts, SIAK_KELURAHAN_PARTS, strict=True)
    )


class ColumnMap:
    """Where each field sits in the file's rows, and the file's own name for it."""

    def __init__(self, header: Sequence[str]) -> None:
        self.header = [name.replace("\ufeff", "").strip() for name in header]
        keys = [header_key(name) for name in self.header]
        positions: dict[str, int] = {}
        for index, key in enumerate(keys):
            field = _ALIASES.get(key)
            if field is not None and field not in positions:
                positions[field] = index
        parts = [keys.index(key) if key in keys else -1 for key in _SIAK_PART_KEYS]
        siak_kelurahan = "kode_kelurahan" not in positions and -1 not in parts
        self._check(positions, siak_kelurahan, parts)
        self.positions = positions
        self.labels = {field: self.header[index] for field, index in positions.items()}
        if siak_kelurahan:
            self.labels["kode_kelurahan"] = "/".join(self.header[index] for index in parts)
        self.width = len(self.header)
        # A missing optional column reads the empty cell every row gets padded with.
        self.padded = any(field not in positions for field in OPTIONAL_FIELDS)
        self.pick: Callable[[RawRow], tuple[RawValue, ...]]
        blank = self.width
        indexes = [positions.get(field, blank) for field in FIELDS if field != "kode_kelurahan"]
        if siak_kelurahan:
            self.pick = self._siak_picker(operator.itemgetter(*indexes, *parts))
        else:
            self.pick = operator.itemgetter(*indexes, positions["kode_kelurahan"])
        notes = tuple(keys[: len(REJECT_NOTE_COLUMNS)]) == REJECT_NOTE_COLUMNS
        self.original_start = len(REJECT_NOTE_COLUMNS) if notes else 0

    def _check(self, positions: dict[str, int], siak_kelurahan: bool, parts: list[int]) -> None:
        if not positions and -1 in parts:
            raise ImportFileError(
                "no header line: the first line names none of the expected columns "
                f"({', '.join(FIELDS)})"
            )
        missing = [
            field
            for field in FIELDS
            if field not in OPTIONAL_FIELDS
            and field not in positions
            and not (field == "kode_kelurahan" and siak_kelurahan)
        ]
        if missing:
            described = []
            for field in missing:
                siak = SIAK_NAMES.get(field)
                if field == "kode_kelurahan":
                    siak = "+".join(name for name, _width in SIAK_KELURAHAN_PARTS)
                described.append(f"{field} (SIAK: {siak})")
            noun = "column is" if len(missing) == 1 else "columns are"
            raise ImportFileError(f"required {noun} missing: {', '.join(described)}")

    @staticmethod
    def _siak_picker(
        getter: Callable[[RawRow], tuple[RawValue, ...]],
    ) -> Callable[[RawRow], tuple[RawValue, ...]]:
        cache: dict[tuple[RawValue, ...], str] = {}

        def pick(row: RawRow) -> tuple[RawValue, ...]:
            values = getter(row)
            parts = values[12:]
            kode = cache.get(parts)
            if kode is None:
                kode = cache[parts] = _kelurahan_from_parts(parts)
            return (*values[:12], kode)

        return pick

    def label(self, field: str) -> str:
        """Return the file's own name of ``field`` (e.g. ``TGL_LHR`` in a SIAK export)."""
        return self.labels.get(field, field)

    @property
    def original_header(self) -> list[str]:
        """Return the file's columns, less the notes of an earlier rejects file."""
        return self.header[self.original_start :]


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
    rows = _first_row_checked(path, _xlsx_rows(numbered, columns))
    done = [header_line]

    def position() -> int:
        return done[0]

    def counting() -> Iterator[tuple[int, RawRow]]:
        for line, row in rows:
            done[0] = line
            yield line, row

    return ResidentFile(
        path,
        columns,
        counting(),
        delimiter=",",
        total=max(sheet.height, 1),
        position=position,
        closer=workbook.close,
    )


def _xlsx_rows(
    numbered: Iterator[tuple[int, list[Any]]], columns: ColumnMap
) -> Iterator[tuple[int, RawRow]]:
    width, padded, fit = columns.width, columns.padded, _row_fitting(columns)
    # Only tanggal_lahir keeps a date cell as a date; elsewhere a date is text like any other.
    date_column = columns.positions.get("tanggal_lahir", -1)
    for line, cells in numbered:
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
