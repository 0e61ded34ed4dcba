"""The columns of a residents file: canonical and SIAK names, and where each field sits.

The header may use the canonical names or a SIAK ``BIODATA_WNI`` export's names, in any case
and spacing; columns that are neither are ignored, so a rejects file (``line,field,reason`` +
the original columns) can be corrected and imported again as it is.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Sequence

from ektp.residents.errors import ImportFileError

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
