"""Generate a synthetic city (``ektp residents generate``): to a CSV file, or into the database.

``population_plan`` reads the scenario's figures; ``population`` draws the people; this module
writes them as CSV text (with a ``defect`` column, through ``synthetic_csv``) or as registry
rows (valid residents only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ektp.regions import wilayah
from ektp.residents.defects import WARNING_DEFECTS
from ektp.residents.errors import GenerateError
from ektp.residents.population import Population, generate_population
from ektp.residents.population_plan import population_plan
from ektp.residents.synthetic_csv import CSV_HEADER, TextTables, text_columns, write_csv
from ektp.scenarios import ScenarioError, load_scenario

if TYPE_CHECKING:
    from rich.progress import Progress

    from ektp.runtime import Runtime

BATCH_ROWS = 20_000


@dataclass(frozen=True)
class GenerateReport:
    """What a generation produced."""

    households: int
    residents: int  # valid residents (clean or with a NIK warning)
    wajib_ktp: int
    defects: int  # rows written with a defect flag (warnings, plus rejects in a CSV)
    warnings: int
    rejects: int  # extra rows the importer must reject (CSV only)
    rows: int  # rows written
    split: str  # how wajib KTP were split among the kecamatan
    out: Path | None

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-ready values."""
        return {
            "households": self.households,
            "residents": self.residents,
            "wajib_ktp": self.wajib_ktp,
            "defects": self.defects,
            "warnings": self.warnings,
            "rejects": self.rejects,
            "rows": self.rows,
            "split": self.split,
            "out": str(self.out) if self.out is not None else None,
        }


def run_generate(
    *,
    runtime: Runtime | None,
    city: str,
    edition: str,
    scenario: str,
    scale: float,
    seed: int,
    out: Path | None,
    show_progress: bool = False,
) -> GenerateReport:
    """Return the report after generating ``city`` to ``out`` (CSV) or into ``runtime``'s DB."""
    city = wilayah.dotted(city)
    try:
        table = load_scenario(scenario)
    except ScenarioError as error:
        raise GenerateError(str(error)) from None
    plan, split = population_plan(
        scenario=table, scenario_name=scenario, city=city, edition=edition, scale=scale
    )
    if out is None:
        if runtime is None:
            raise GenerateError("give --out FILE.csv, or a database to generate into")
        _require_regions(runtime, city=city, edition=edition)
    with _progress(show_progress) as progress:
        task = progress.add_task("generating residents", total=None) if progress else None
        population = generate_population(plan, seed)
        if progress and task is not None:
            progress.update(task, total=1, completed=1)
        defects = population.defect_counts()
        warnings = sum(defects[name] for name in WARNING_DEFECTS)
        rejects = sum(defects.values()) - warnings
        valid = int(population.valid().sum())
        if out is not None:
            write_csv(population, out, progress=progress)
            rows = population.rows
        else:
            assert runtime is not None
            rows = _write_database(population, runtime, plan.reference_date, progress=progress)
            rejects = 0
    return GenerateReport(
        households=population.households,
        residents=valid,
        wajib_ktp=population.wajib_ktp,
        defects=warnings + rejects,
        warnings=warnings,
        rejects=rejects,
        rows=rows,
        split=split,
        out=out,
    )


def _write_database(
    population: Population, runtime: Runtime, reference_date: dt.date, *, progress: Progress | None
) -> int:
    """Store the valid residents in batches, one transaction each; return how many."""
    from ektp.regions.wilayah import known_kecamatan_codes
    from ektp.residents.counts import refresh_counts
    from ektp.residents.nik import NikParts, NikRules, nik_disagreement
    from ektp.residents.records import ResidentRecord
    from ektp.residents.writer import write_batch

    tables = TextTables(population)
    valid = np.flatnonzero(population.valid())
    rules = NikRules(known_kecamatan_codes(), reference_date)
    now = dt.datetime.now(dt.UTC)
    task = progress.add_task("writing residents", total=len(valid)) if progress else None
    for start in range(0, len(valid), BATCH_ROWS):
        rows = valid[start : start + BATCH_ROWS]
        text = text_columns(population, rows, tables)
        tanggal = population.columns["birth"][rows].astype(object).tolist()
        warning: list[str | None] = [None] * len(rows)
        for index in np.flatnonzero(population.columns["defect"][rows]).tolist():
            nik, sex = str(text["nik"][index]), str(text["jenis_kelamin"][index])
            parts = rules.check(nik)
            assert isinstance(parts, NikParts), parts
            warning[index] = nik_disagreement(parts, tanggal[index], sex)
        records = list(
            map(
                ResidentRecord._make,
                zip(
                    *(text[name].tolist() for name in CSV_HEADER[:5]),
                    tanggal,
                    *(text[name].tolist() for name in CSV_HEADER[6:10]),
                    text["kode_kelurahan"].tolist(),
                    population.columns["rw"][rows].tolist(),
                    population.columns["rt"][rows].tolist(),
                    warning,
                    strict=True,
                ),
            )
        )
        with runtime.transaction() as session:
            write_batch(session=session, records=records, now=now)
        if progress and task is not None:
            progress.advance(task, len(rows))
    with runtime.transaction() as session:
        refresh_counts(session=session)
    return len(valid)


def _require_regions(runtime: Runtime, *, city: str, edition: str) -> None:
    """Raise GenerateError unless ``city`` is loaded from ``edition`` in the database."""
    from ektp.regions.service import loaded_edition

    with runtime.transaction() as session:
        loaded = loaded_edition(session=session, city=city)
    if loaded is None:
        raise GenerateError(
            f"the regions of {city} are not loaded; run "
            f"`ektp regions load --city {city} --edition {edition}` first"
        )
    if loaded != edition:
        raise GenerateError(
            f"{city} is loaded from the {loaded} edition, not {edition}; "
            f"generate with --edition {loaded}"
        )


@contextmanager
def _progress(show: bool) -> Iterator[Progress | None]:
    """Yield a Rich progress display on stderr when ``show``, else None."""
    if not show:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        yield progress
