"""The CSV text of a synthetic city: the canonical import columns plus a ``defect`` column.

Columns are rendered as numpy string arrays, a chunk of rows at a time; the database path of
``synthetic`` renders through the same tables.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ektp.residents import names
from ektp.residents.defects import DEFECTS
from ektp.residents.eligibility import STATUS_KAWIN
from ektp.residents.numbering import Array
from ektp.residents.population import NAME_PARTS, Population

if TYPE_CHECKING:
    from rich.progress import Progress

CSV_HEADER = (
    "nik", "no_kk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "status_kawin",
    "agama", "pekerjaan", "alamat", "rt", "rw", "kode_kelurahan", "defect",
)  # fmt: skip
CHUNK_ROWS = 50_000


class TextTables:
    """The population's value tables as numpy string arrays, for rendering columns at once."""

    def __init__(self, population: Population) -> None:
        self.given = np.array(NAME_PARTS)
        self.spaced = np.array([" " + part for part in NAME_PARTS] + [""])  # -1: no part
        self.birthplaces = np.array(population.birthplaces)
        self.status = np.array(STATUS_KAWIN)
        self.agama = np.array([agama for agama, _share in names.AGAMA_SHARES])
        self.pekerjaan = np.array(names.OCCUPATIONS)
        self.streets = np.array([street + " NO. " for street in names.STREETS])
        self.kelurahan = np.array(population.kelurahan_codes)
        self.defects = np.array(DEFECTS)
        texts = [*NAME_PARTS, *population.birthplaces, *names.STREETS, *population.kelurahan_codes]
        # Plain comma joins are six times faster than csv.writer, and right while no value
        # needs quoting; a table that brings a comma or a quote makes us fall back to csv.
        self.plain = not any(mark in value for value in texts for mark in ',"\r\n')


def text_columns(population: Population, rows: Array, tables: TextTables) -> dict[str, Array]:
    """Return the CSV text of ``rows`` (indexes) as one numpy string array per column."""
    c = {name: column[rows] for name, column in population.columns.items()}
    add = np.strings.add
    nama = add(
        add(tables.given[c["given"]], tables.spaced[c["second"]]), tables.spaced[c["family"]]
    )
    tanggal = c["birth"].astype("U10").astype(object)
    for index in np.flatnonzero(c["defect"] == DEFECTS.index("malformed_tanggal_lahir")):
        tanggal[index] = population.malformed_dates[int(rows[index])]
    return {
        "nik": c["nik"].astype("U16"),
        "no_kk": c["no_kk"].astype("U16"),
        "nama": nama,
        "jenis_kelamin": np.where(c["male"], "L", "P"),
        "tempat_lahir": tables.birthplaces[c["tempat"]],
        "tanggal_lahir": tanggal,
        "status_kawin": tables.status[c["status"]],
        "agama": tables.agama[c["agama"]],
        "pekerjaan": tables.pekerjaan[c["pekerjaan"]],
        "alamat": add(tables.streets[c["street"]], c["house_no"].astype("U6")),
        "rt": c["rt"].astype("U3"),
        "rw": c["rw"].astype("U3"),
        "kode_kelurahan": tables.kelurahan[c["kel"]],
        "defect": tables.defects[c["defect"]],
    }


def write_csv(population: Population, out: Path, *, progress: Progress | None = None) -> None:
    """Write every row, valid or not, to ``out`` in the canonical import columns plus defect."""
    tables = TextTables(population)
    task = progress.add_task("writing CSV", total=population.rows) if progress else None
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for start in range(0, population.rows, CHUNK_ROWS):
            rows = np.arange(start, min(start + CHUNK_ROWS, population.rows))
            columns = text_columns(population, rows, tables)
            lines = zip(*(columns[name].tolist() for name in CSV_HEADER), strict=True)
            if tables.plain:
                handle.write("\n".join(map(",".join, lines)) + "\n")
            else:
                writer.writerows(lines)
            if progress and task is not None:
                progress.advance(task, len(rows))
