"""Generate a synthetic city (``ektp residents generate``): to a CSV file, or into the database.

The scenario's ``[population]`` table says how many wajib KTP live in the city and how they
split among its kecamatan; ``population`` draws the people; this module turns them into CSV
text (with a ``defect`` column) or into registry rows (valid residents only).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ektp.regions import wilayah
from ektp.residents import names
from ektp.residents.eligibility import STATUS_KAWIN
from ektp.residents.population import (
    DEFECTS,
    NAME_PARTS,
    WARNING_DEFECTS,
    Array,
    Population,
    PopulationPlan,
    generate_population,
    largest_remainder,
)
from ektp.scenarios import ScenarioError, load_scenario

if TYPE_CHECKING:
    from rich.progress import Progress

    from ektp.runtime import Runtime

CSV_HEADER = (
    "nik", "no_kk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "status_kawin",
    "agama", "pekerjaan", "alamat", "rt", "rw", "kode_kelurahan", "defect",
)  # fmt: skip
WEIGHTS = ("census-2010", "kelurahan-count")
DEFAULT_WEIGHTS = "kelurahan-count"
CHUNK_ROWS = 50_000
BATCH_ROWS = 20_000


class GenerateError(ValueError):
    """Raised when a city cannot be generated as asked; the message says why and what to do."""


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


def population_plan(
    *, scenario: Mapping[str, Any], scenario_name: str, city: str, edition: str, scale: float
) -> tuple[PopulationPlan, str]:
    """Return the plan for ``city`` at ``scale`` and how its wajib KTP were split."""
    table = scenario.get("population")
    if not isinstance(table, dict):
        raise GenerateError(f"scenario {scenario_name} has no [population] table")
    if not scale > 0:
        raise GenerateError(f"scale must be above 0, got {scale}")
    try:
        rows = wilayah.city_rows(edition, city)
    except wilayah.UnknownEditionError as error:
        raise GenerateError(str(error)) from None
    city_names = dict(rows)
    if city not in city_names:
        raise GenerateError(f"kabupaten/kota {city} does not exist in the {edition} edition")
    kelurahan = [kode for kode, _ in rows if len(kode) == 13]
    kecamatan = [kode for kode, _ in rows if len(kode) == 8]
    kelurahan_count = {kode: sum(k.startswith(kode + ".") for k in kelurahan) for kode in kecamatan}

    scenario_city = table.get("city")
    own_figures = scenario_city is None or wilayah.dotted(str(scenario_city)) == city
    fixed: dict[str, int] = {}
    weights = DEFAULT_WEIGHTS
    split = DEFAULT_WEIGHTS
    if own_figures:
        fixed = _fixed_figures(table, scenario_name, city, edition, kecamatan, scale)
        weights = str(table.get("weights", DEFAULT_WEIGHTS))
        split = weights
    else:
        split = f"{DEFAULT_WEIGHTS} (the scenario's figures are for {scenario_city}, not {city})"
    if weights not in WEIGHTS:
        raise GenerateError(
            f"scenario {scenario_name}: weights {weights!r} is not one of {', '.join(WEIGHTS)}"
        )
    total = round(scale * _positive_int(table, "wajib_ktp_total", scenario_name))
    left = total - sum(fixed.values())
    if left < 0:
        raise GenerateError(
            f"scenario {scenario_name}: the fixed kecamatan figures ({sum(fixed.values())}) "
            f"exceed wajib_ktp_total ({total}) at scale {scale}"
        )
    others = [kode for kode in kecamatan if kode not in fixed and kelurahan_count[kode]]
    census = _census_2010() if weights == "census-2010" else {}
    missing = [kode for kode in others if kode not in census]
    if weights == "census-2010" and missing:
        weights = DEFAULT_WEIGHTS
        split = f"{DEFAULT_WEIGHTS} (no 2010 census figure for {', '.join(missing)})"
    if left and not others:
        raise GenerateError(
            f"scenario {scenario_name}: {left} wajib KTP are left for no other kecamatan of {city}"
        )
    share = [census[k] if weights == "census-2010" else kelurahan_count[k] for k in others]
    wajib = (
        dict(zip(others, largest_remainder(left, share).tolist(), strict=True)) if others else {}
    )
    wajib.update(fixed)
    home = str(table.get("home_birthplace", "")) if own_figures else ""
    plan = PopulationPlan(
        reference_date=_reference_date(table, scenario_name),
        wajib_by_kecamatan=wajib,
        kelurahan=kelurahan,
        home_birthplace=home or _place_name(city_names[city]),
        home_birthplace_share=_share(table, "home_birthplace_share", 0.82, scenario_name),
        nik_other_kecamatan_share=_share(table, "nik_other_kecamatan_share", 0.08, scenario_name),
        defect_shares=_defect_shares(table, scenario_name),
    )
    return plan, split


def _fixed_figures(
    table: Mapping[str, Any],
    scenario_name: str,
    city: str,
    edition: str,
    kecamatan: list[str],
    scale: float,
) -> dict[str, int]:
    figures = table.get("fixed_wajib_ktp", {})
    if not isinstance(figures, dict):
        raise GenerateError(f"scenario {scenario_name}: fixed_wajib_ktp must be a table")
    fixed = {}
    for code, count in figures.items():
        kode = wilayah.dotted(code)
        if kode not in kecamatan:
            raise GenerateError(
                f"scenario {scenario_name} fixes wajib KTP for {kode}, which is not a kecamatan "
                f"of {city} in the {edition} edition"
            )
        if not isinstance(count, int) or count < 0:
            raise GenerateError(f"scenario {scenario_name}: fixed_wajib_ktp {kode} must be >= 0")
        fixed[kode] = round(scale * count)
    return fixed


def _positive_int(table: Mapping[str, Any], key: str, scenario_name: str) -> int:
    value = table.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise GenerateError(f"scenario {scenario_name}: [population] {key} must be a whole number")
    return value


def _share(table: Mapping[str, Any], key: str, default: float, scenario_name: str) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise GenerateError(f"scenario {scenario_name}: {key} must be a share from 0 to 1")
    return float(value)


def _reference_date(table: Mapping[str, Any], scenario_name: str) -> dt.date:
    value = table.get("reference_date")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raise GenerateError(
        f"scenario {scenario_name}: [population] reference_date must be a date like 2011-10-01"
    )


def _defect_shares(table: Mapping[str, Any], scenario_name: str) -> dict[str, float]:
    shares = table.get("defects", {})
    unknown = sorted(set(shares) - set(DEFECTS[1:]))
    if unknown:
        raise GenerateError(
            f"scenario {scenario_name}: unknown defects {', '.join(unknown)}; "
            f"known: {', '.join(DEFECTS[1:])}"
        )
    return {key: _share(shares, key, 0.0, scenario_name) for key in shares}


def _census_2010() -> dict[str, int]:
    """Return the 2010 census population of each Palembang kecamatan (shipped data)."""
    data = resources.files("ektp.regions").joinpath("data", "palembang-2011-kecamatan.csv")
    with data.open("r", encoding="utf-8") as handle:
        return {row["kode"]: int(row["penduduk_sensus_2010"]) for row in csv.DictReader(handle)}


def _place_name(city_name: str) -> str:
    """Return the place name of a kabupaten/kota: ``KOTA BANDUNG`` -> ``BANDUNG``."""
    upper = " ".join(city_name.upper().split())
    for prefix in ("KOTA ADM. ", "KOTA ", "KABUPATEN ", "KAB. "):
        if upper.startswith(prefix):
            return upper.removeprefix(prefix)
    return upper


class _Tables:
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


def _text_columns(population: Population, rows: Array, tables: _Tables) -> dict[str, Array]:
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
    tables = _Tables(population)
    task = progress.add_task("writing CSV", total=population.rows) if progress else None
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CSV_HEADER)
        for start in range(0, population.rows, CHUNK_ROWS):
            rows = np.arange(start, min(start + CHUNK_ROWS, population.rows))
            columns = _text_columns(population, rows, tables)
            lines = zip(*(columns[name].tolist() for name in CSV_HEADER), strict=True)
            if tables.plain:
                handle.write("\n".join(map(",".join, lines)) + "\n")
            else:
                writer.writerows(lines)
            if progress and task is not None:
                progress.advance(task, len(rows))


def _write_database(
    population: Population, runtime: Runtime, reference_date: dt.date, *, progress: Progress | None
) -> int:
    """Store the valid residents in batches, one transaction each; return how many."""
    from ektp.regions.wilayah import known_kecamatan_codes
    from ektp.residents.counts import refresh_counts
    from ektp.residents.nik import NikParts, NikRules, nik_disagreement
    from ektp.residents.records import ResidentRecord
    from ektp.residents.writer import write_batch

    tables = _Tables(population)
    valid = np.flatnonzero(population.valid())
    rules = NikRules(known_kecamatan_codes(), reference_date)
    now = dt.datetime.now(dt.UTC)
    task = progress.add_task("writing residents", total=len(valid)) if progress else None
    for start in range(0, len(valid), BATCH_ROWS):
        rows = valid[start : start + BATCH_ROWS]
        text = _text_columns(population, rows, tables)
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
