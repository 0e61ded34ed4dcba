"""The synthetic population: exact wajib KTP targets, valid NIKs, households, RTs, defects."""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from ektp.regions.wilayah import city_rows, known_kecamatan_codes
from ektp.residents.eligibility import is_wajib_ktp
from ektp.residents.errors import GenerateError
from ektp.residents.households import RT_HOUSEHOLDS, rt_household_counts
from ektp.residents.nik import NikParts, NikRules, nik_disagreement
from ektp.residents.population import generate_population, largest_remainder
from ektp.residents.population_plan import population_plan
from ektp.residents.records import ResidentRecord
from ektp.residents.synthetic import run_generate
from ektp.residents.synthetic_csv import CSV_HEADER, write_csv
from ektp.residents.validation import Rejection, RowValidator
from ektp.scenarios import ScenarioError, load_scenario, shipped_scenarios

REFERENCE = dt.date(2011, 10, 1)
SCALE = 0.005  # 6,000 wajib KTP, about 9,000 residents


def _generate_csv(path: Path, *, seed: int = 7, scale: float = SCALE, city: str = "16.71") -> None:
    run_generate(
        runtime=None,
        city=city,
        edition="2016",
        scenario="palembang-2011",
        scale=scale,
        seed=seed,
        out=path,
    )


@pytest.fixture(scope="module")
def rows(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    path = tmp_path_factory.mktemp("generate") / "palembang.csv"
    _generate_csv(path)
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def valid(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [row for row in rows if row["defect"] in ("", "nik_date_mismatch", "nik_sex_mismatch")]


def _census() -> dict[str, int]:
    data = resources.files("ektp.regions").joinpath("data", "palembang-2011-kecamatan.csv")
    with data.open(encoding="utf-8") as handle:
        return {row["kode"]: int(row["penduduk_sensus_2010"]) for row in csv.DictReader(handle)}


def _wajib_by_kecamatan(valid: list[dict[str, str]]) -> Counter[str]:
    return Counter(
        row["kode_kelurahan"][:8]
        for row in valid
        if is_wajib_ktp(dt.date.fromisoformat(row["tanggal_lahir"]), row["status_kawin"], REFERENCE)
    )


def test_csv_has_the_canonical_import_header_plus_defect(rows: list[dict[str, str]]) -> None:
    assert tuple(rows[0]) == CSV_HEADER
    assert CSV_HEADER[-1] == "defect"


def test_wajib_ktp_total_and_ilir_timur_ii_are_exact_at_a_scale(
    valid: list[dict[str, str]],
) -> None:
    wajib = _wajib_by_kecamatan(valid)
    assert sum(wajib.values()) == round(SCALE * 1_200_000)
    assert wajib["16.71.06"] == round(SCALE * 138_000)


def test_other_kecamatan_get_their_census_share_by_largest_remainder(
    valid: list[dict[str, str]],
) -> None:
    wajib = _wajib_by_kecamatan(valid)
    census = {kode: people for kode, people in _census().items() if kode != "16.71.06"}
    left = round(SCALE * 1_200_000) - round(SCALE * 138_000)
    expected = largest_remainder(left, list(census.values()))
    assert {kode: wajib[kode] for kode in census} == dict(
        zip(census, expected.tolist(), strict=True)
    )


def test_children_under_17_come_on_top_of_the_wajib_ktp(valid: list[dict[str, str]]) -> None:
    wajib = sum(_wajib_by_kecamatan(valid).values())
    assert 1.35 < len(valid) / wajib < 1.6


def test_largest_remainder_adds_up_exactly() -> None:
    parts = largest_remainder(1000, [1, 1, 1])
    assert parts.tolist() == [334, 333, 333]
    assert largest_remainder(7, [0.5, 0.25, 0.25]).sum() == 7


def test_every_valid_nik_follows_the_rules_and_clean_ones_match_the_record(
    valid: list[dict[str, str]],
) -> None:
    rules = NikRules(known_kecamatan_codes(), REFERENCE)
    city_kecamatan = {kode.replace(".", "") for kode, _ in city_rows("2016", "16.71")}
    for row in valid:
        parts = rules.check(row["nik"])
        assert isinstance(parts, NikParts), (row, parts)
        assert parts.kode_kecamatan in city_kecamatan
        born = dt.date.fromisoformat(row["tanggal_lahir"])
        disagreement = nik_disagreement(parts, born, row["jenis_kelamin"])
        assert (disagreement is None) == (row["defect"] == ""), (row, disagreement)


def test_female_nik_day_is_offset_by_40(valid: list[dict[str, str]]) -> None:
    clean = [row for row in valid if row["defect"] == ""]
    for row in clean:
        day = int(row["nik"][6:8])
        assert day == int(row["tanggal_lahir"][8:]) + (40 if row["jenis_kelamin"] == "P" else 0)


def test_most_niks_come_from_the_residents_own_kecamatan(valid: list[dict[str, str]]) -> None:
    own = sum(row["nik"][:6] == row["kode_kelurahan"][:8].replace(".", "") for row in valid)
    assert 0.85 < own / len(valid) < 0.97


def test_niks_of_valid_residents_are_unique(valid: list[dict[str, str]]) -> None:
    assert len({row["nik"] for row in valid}) == len(valid)


def test_a_household_shares_one_no_kk_one_address_and_no_kk_are_well_formed(
    valid: list[dict[str, str]],
) -> None:
    homes: dict[str, set[tuple[str, str, str, str]]] = defaultdict(set)
    for row in valid:
        homes[row["no_kk"]].add((row["kode_kelurahan"], row["rw"], row["rt"], row["alamat"]))
        assert len(row["no_kk"]) == 16 and row["no_kk"].isdigit()
        assert row["no_kk"][:6] == row["kode_kelurahan"][:8].replace(".", "")
        assert 1 <= int(row["no_kk"][6:8]) <= 31 and 1 <= int(row["no_kk"][8:10]) <= 12
    assert all(len(home) == 1 for home in homes.values())
    sizes = Counter(row["no_kk"] for row in valid)
    assert max(sizes.values()) <= 8
    assert 3.4 < len(valid) / len(sizes) < 4.4
    assert Counter(sizes.values())[1] > 0  # some single-person households


def test_population_is_young_and_balanced(valid: list[dict[str, str]]) -> None:
    births = np.array([row["tanggal_lahir"] for row in valid], dtype="datetime64[D]")
    age = (np.datetime64(REFERENCE) - births).astype(int) / 365.25
    assert 0.27 < (age < 17).mean() < 0.38
    assert (age < 5).mean() > (age >= 60).mean()  # a young pyramid
    women = np.mean([row["jenis_kelamin"] == "P" for row in valid])
    assert 0.47 < women < 0.53
    statuses = Counter(row["status_kawin"] for row in valid)
    assert set(statuses) == {"BELUM KAWIN", "KAWIN", "CERAI HIDUP", "CERAI MATI"}
    kawin_by_kk = Counter(row["no_kk"] for row in valid if row["status_kawin"] == "KAWIN")
    assert set(kawin_by_kk.values()) == {2}  # a married head lives with the spouse


def test_values_are_plausible_for_palembang(valid: list[dict[str, str]]) -> None:
    agama = Counter(row["agama"] for row in valid)
    assert agama.most_common(1)[0][0] == "ISLAM" and agama["ISLAM"] / len(valid) > 0.85
    born_here = sum(row["tempat_lahir"] == "PALEMBANG" for row in valid) / len(valid)
    assert 0.75 < born_here < 0.9
    for row in valid:
        age = (REFERENCE - dt.date.fromisoformat(row["tanggal_lahir"])).days / 365.25
        if age < 5:
            assert row["pekerjaan"] == "BELUM/TIDAK BEKERJA"
        if row["pekerjaan"] == "MENGURUS RUMAH TANGGA":
            assert age >= 17
        assert row["nama"] == row["nama"].upper() and 1 <= len(row["nama"].split()) <= 3
        assert row["alamat"].split(" NO. ")[1].isdigit()


def test_rt_hold_30_to_80_households_and_numbers_are_unique_in_a_kelurahan(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rt.csv"
    _generate_csv(path, scale=0.03)  # about 170 households a kelurahan
    households: dict[tuple[str, str], set[str]] = defaultdict(set)
    rw_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    per_kelurahan: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["defect"] in ("", "nik_date_mismatch", "nik_sex_mismatch"):
                households[row["kode_kelurahan"], row["rt"]].add(row["no_kk"])
                rw_of[row["kode_kelurahan"], row["rt"]].add(row["rw"])
                per_kelurahan[row["kode_kelurahan"]].add(row["no_kk"])
    low, high = RT_HOUSEHOLDS
    for (kelurahan, rt), members in households.items():
        # A kelurahan with fewer households than an RT's minimum is one RT.
        assert low <= len(members) <= high or len(per_kelurahan[kelurahan]) < low, (kelurahan, rt)
    assert all(len(rws) == 1 for rws in rw_of.values())
    rts_per_rw = Counter((kelurahan, next(iter(rws))) for (kelurahan, _), rws in rw_of.items())
    assert max(rts_per_rw.values()) <= 8 and Counter(rts_per_rw.values()).most_common(1)[0][0] > 1


@pytest.mark.parametrize("households", [0, 1, 29, 30, 31, 79, 80, 81, 159, 160, 1234, 5000])
def test_rt_household_counts_stay_between_30_and_80(households: int) -> None:
    rng = np.random.Generator(np.random.PCG64(households))
    sizes = rt_household_counts(rng, households)
    assert sum(sizes) == households
    if households >= RT_HOUSEHOLDS[0]:
        assert all(RT_HOUSEHOLDS[0] <= size <= RT_HOUSEHOLDS[1] for size in sizes)
    else:
        assert len(sizes) == (1 if households else 0)


def test_same_seed_gives_the_same_bytes_and_another_seed_another_city(tmp_path: Path) -> None:
    first, again, other = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    _generate_csv(first, seed=11, scale=0.002)
    _generate_csv(again, seed=11, scale=0.002)
    _generate_csv(other, seed=12, scale=0.002)
    assert first.read_bytes() == again.read_bytes()
    assert first.read_bytes() != other.read_bytes()


def test_defects_of_every_kind_are_flagged_and_judged_by_the_importer_rules(
    rows: list[dict[str, str]],
) -> None:
    kelurahan = {kode for kode, _ in city_rows("2016", "16.71") if len(kode) == 13}
    validator = RowValidator(
        kelurahan_codes=kelurahan,
        kecamatan_codes=known_kecamatan_codes(),
        reference_date=REFERENCE,
    )
    kinds = Counter(row["defect"] for row in rows)
    assert set(kinds) == {
        "",
        "nik_date_mismatch",
        "nik_sex_mismatch",
        "duplicate_nik",
        "impossible_nik",
        "malformed_tanggal_lahir",
        "unknown_kelurahan",
    }
    assert sum(kinds.values()) - kinds[""] < 0.01 * len(rows)  # a small share
    seen: set[str] = set()
    for row in rows:
        result = validator.validate([row[name] for name in CSV_HEADER[:-1]])
        defect = row["defect"]
        if defect == "duplicate_nik":
            assert row["nik"] in seen  # the second occurrence of a real resident's NIK
            assert isinstance(result, ResidentRecord)
        elif defect in ("impossible_nik", "malformed_tanggal_lahir", "unknown_kelurahan"):
            field = {"impossible_nik": "nik", "malformed_tanggal_lahir": "tanggal_lahir"}
            assert isinstance(result, Rejection)
            assert result.field == field.get(defect, "kode_kelurahan"), (row, result)
        else:
            assert isinstance(result, ResidentRecord), (row, result)
            assert (result.nik_warning is None) == (defect == ""), (row, result)
            seen.add(row["nik"])


def test_generation_is_pure_and_counts_its_households(tmp_path: Path) -> None:
    plan, split = population_plan(
        scenario=load_scenario("palembang-2011"),
        scenario_name="palembang-2011",
        city="16.71",
        edition="2016",
        scale=0.001,
    )
    population = generate_population(plan, 3)
    assert split == "census-2010"
    assert population.wajib_ktp == 1200
    valid = population.valid()
    assert population.households == len(np.unique(population.columns["household"][valid]))
    write_csv(population, tmp_path / "pure.csv")
    assert (tmp_path / "pure.csv").read_text().count("\n") == population.rows + 1


def test_another_city_falls_back_to_a_split_by_kelurahan_count(tmp_path: Path) -> None:
    plan, split = population_plan(
        scenario=load_scenario("palembang-2011"),
        scenario_name="palembang-2011",
        city="32.73",
        edition="2016",
        scale=0.001,
    )
    assert split.startswith("kelurahan-count") and "16.71" in split
    assert sum(plan.wajib_by_kecamatan.values()) == 1200
    assert plan.home_birthplace == "BANDUNG"
    path = tmp_path / "bandung.csv"
    _generate_csv(path, city="32.73", scale=0.0005)
    with path.open(encoding="utf-8", newline="") as handle:
        codes = {row["kode_kelurahan"][:5] for row in csv.DictReader(handle)}
    assert codes == {"32.73"}


def test_a_scenario_path_with_figures_for_a_missing_kecamatan_is_refused(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(
        "[population]\nreference_date = 2011-10-01\nwajib_ktp_total = 500\n"
        'fixed_wajib_ktp = { "32.73.99" = 10 }\n',
        encoding="utf-8",
    )
    with pytest.raises(GenerateError, match=r"32\.73\.99.*not a kecamatan of 32\.73"):
        run_generate(
            runtime=None,
            city="32.73",
            edition="2016",
            scenario=str(scenario),
            scale=1.0,
            seed=1,
            out=tmp_path / "x.csv",
        )


def test_a_scenario_path_without_figures_splits_by_kelurahan_count(tmp_path: Path) -> None:
    scenario = tmp_path / "tiny.toml"
    scenario.write_text(
        "[population]\nreference_date = 2011-10-01\nwajib_ktp_total = 300\n", encoding="utf-8"
    )
    report = run_generate(
        runtime=None,
        city="32.73",
        edition="2016",
        scenario=str(scenario),
        scale=1.0,
        seed=1,
        out=tmp_path / "tiny.csv",
    )
    assert report.wajib_ktp == 300 and report.split == "kelurahan-count"
    assert report.defects == 0  # no [population.defects] table, no defects


def test_unknown_scenario_names_list_the_shipped_ones() -> None:
    assert "palembang-2011" in shipped_scenarios()
    with pytest.raises(ScenarioError, match="shipped scenarios: palembang-2011"):
        load_scenario("jakarta-1999")
    with pytest.raises(GenerateError, match="shipped scenarios"):
        run_generate(
            runtime=None,
            city="16.71",
            edition="2016",
            scenario="jakarta-1999",
            scale=1.0,
            seed=1,
            out=Path("never.csv"),
        )


def test_the_shipped_scenario_states_the_palembang_figures() -> None:
    population = load_scenario("palembang-2011")["population"]
    assert population["reference_date"] == REFERENCE
    assert population["wajib_ktp_total"] == 1_200_000
    assert population["fixed_wajib_ktp"] == {"16.71.06": 138_000}


def test_a_value_with_a_comma_is_quoted_in_the_csv(tmp_path: Path) -> None:
    scenario = tmp_path / "comma.toml"
    scenario.write_text(
        '[population]\nreference_date = 2011-10-01\nwajib_ktp_total = 100\ncity = "16.71"\n'
        'home_birthplace = "PALEMBANG, SUMSEL"\nhome_birthplace_share = 1.0\n',
        encoding="utf-8",
    )
    path = tmp_path / "comma.csv"
    run_generate(
        runtime=None,
        city="16.71",
        edition="2016",
        scenario=str(scenario),
        scale=1.0,
        seed=1,
        out=path,
    )
    with path.open(encoding="utf-8", newline="") as handle:
        places = {row["tempat_lahir"] for row in csv.DictReader(handle)}
    assert places == {"PALEMBANG, SUMSEL"}
