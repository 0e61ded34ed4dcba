"""The plan of a synthetic city: its wajib KTP per kecamatan, from a scenario's figures.

The scenario's ``[population]`` table says how many wajib KTP live in the city and how they
split among its kecamatan: fixed figures for some, the rest by 2010 census population or by
kelurahan count.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping
from importlib import resources
from typing import Any

from ektp.regions import wilayah
from ektp.residents.defects import DEFECTS
from ektp.residents.errors import GenerateError
from ektp.residents.population import PopulationPlan, largest_remainder

WEIGHTS = ("census-2010", "kelurahan-count")
DEFAULT_WEIGHTS = "kelurahan-count"


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
