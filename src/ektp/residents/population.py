"""A synthetic city's residents (pure numpy): households, people, NIKs, RT/RW and defects.

Everything is drawn from one ``Generator(PCG64(seed))`` in a fixed order, so the same plan and
seed give the same residents, byte for byte. People are index arrays into the value lists of
``names``; ``synthetic`` turns them into text only when writing. ``households`` draws who lives
together and where, so that every kelurahan gets its exact wajib KTP target; ``defects`` mixes
in the rows with defects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from ektp.residents import names
from ektp.residents.defects import DEFECTS, WARNING_DEFECTS, unknown_kelurahan, with_defects
from ektp.residents.households import draw_households, place_households
from ektp.residents.numbering import Array, date_parts, serial_numbers

NAME_PARTS = names.GIVEN_MALE + names.GIVEN_FEMALE + names.FAMILY_MALE + names.MARGA
NAME_PARTS += names.FAMILY_FEMALE
_GIVEN_F = len(names.GIVEN_MALE)
_FAMILY_M = _GIVEN_F + len(names.GIVEN_FEMALE)
_MARGA = _FAMILY_M + len(names.FAMILY_MALE)
_FAMILY_F = _MARGA + len(names.MARGA)
_KK_FIRST_ISSUE = dt.date(2004, 1, 1)


@dataclass(frozen=True)
class PopulationPlan:
    """What to generate: each kecamatan's exact wajib KTP count and the city's kelurahan."""

    reference_date: dt.date
    wajib_by_kecamatan: Mapping[str, int]  # dotted kecamatan code -> wajib KTP residents
    kelurahan: Sequence[str]  # dotted kelurahan codes of the city, in city order
    home_birthplace: str
    home_birthplace_share: float = 0.82
    nik_other_kecamatan_share: float = 0.08
    defect_shares: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Population:
    """The generated rows in file order: valid residents, with reject-level rows among them.

    Columns are arrays of one entry per row; text columns are indexes into the tables
    (``kelurahan_codes``, ``birthplaces``, ``NAME_PARTS``, ``names.*``, ``STATUS_KAWIN``).
    """

    kelurahan_codes: tuple[str, ...]  # the city's kelurahan, then codes that do not exist
    birthplaces: tuple[str, ...]
    households: int
    wajib_ktp: int
    columns: dict[str, Array]
    malformed_dates: dict[int, str]  # row -> tanggal_lahir text that is not a date

    @property
    def rows(self) -> int:
        """Return the number of rows, valid or not."""
        return len(self.columns["nik"])

    def valid(self) -> Array:
        """Return a boolean mask of the rows that hold real residents (clean or warning)."""
        return np.asarray(self.columns["defect"] <= len(WARNING_DEFECTS))

    def defect_counts(self) -> dict[str, int]:
        """Return how many rows carry each defect."""
        counts = np.bincount(self.columns["defect"], minlength=len(DEFECTS))
        return {name: int(count) for name, count in zip(DEFECTS[1:], counts[1:], strict=True)}


def largest_remainder(total: int, weights: Sequence[float] | Array) -> Array:
    """Return whole numbers in proportion to ``weights`` that add up to exactly ``total``."""
    share = np.asarray(weights, dtype=np.float64)
    if total and share.sum() <= 0:
        raise ValueError("cannot split a total among weights that are all zero")
    quotas = total * share / share.sum() if total else np.zeros(len(share))
    whole = np.floor(quotas).astype(np.int64)
    left = total - int(whole.sum())
    whole[np.argsort(whole - quotas, kind="stable")[:left]] += 1
    return whole


def generate_population(plan: PopulationPlan, seed: int) -> Population:
    """Return the residents of ``plan``'s city drawn from ``seed``."""
    rng = np.random.Generator(np.random.PCG64(seed))
    kelurahan = list(plan.kelurahan)
    kecamatan = sorted({code[:8] for code in kelurahan})
    kel_kec = np.array([kecamatan.index(code[:8]) for code in kelurahan], dtype=np.int64)
    targets = _kelurahan_targets(rng, plan, kecamatan, kel_kec)
    households, people = draw_households(rng, targets, plan.reference_date)
    place_households(rng, households, kel_kec)
    kecamatan6 = np.array([int(code.replace(".", "")) for code in kecamatan], dtype=np.int64)
    home = plan.home_birthplace.upper()
    birthplaces = (home, *(place for place in names.OTHER_BIRTHPLACES if place != home))
    _describe_people(rng, people, households, plan, kecamatan6, len(birthplaces))
    unknown = unknown_kelurahan(kecamatan, set(kelurahan))
    wajib_ktp = int(people["wajib"].sum())
    columns, malformed = with_defects(rng, people, plan.defect_shares, kecamatan6, len(kelurahan))
    return Population(
        kelurahan_codes=(*kelurahan, *unknown),
        birthplaces=birthplaces,
        households=len(households["kel"]),
        wajib_ktp=wajib_ktp,
        columns=columns,
        malformed_dates=malformed,
    )


def _kelurahan_targets(
    rng: np.random.Generator, plan: PopulationPlan, kecamatan: list[str], kel_kec: Array
) -> Array:
    """Return each kelurahan's wajib KTP target: a random share of its kecamatan's."""
    unknown = sorted(set(plan.wajib_by_kecamatan) - set(kecamatan))
    if unknown:
        raise ValueError(f"no kelurahan of kecamatan {', '.join(unknown)} in the plan")
    targets = np.zeros(len(kel_kec), dtype=np.int64)
    for index, code in enumerate(kecamatan):
        members = np.flatnonzero(kel_kec == index)
        shares = rng.dirichlet(np.full(len(members), 6.0))
        targets[members] = largest_remainder(int(plan.wajib_by_kecamatan.get(code, 0)), shares)
    return targets


def _describe_people(
    rng: np.random.Generator,
    people: dict[str, Array],
    households: dict[str, Array],
    plan: PopulationPlan,
    kecamatan6: Array,
    birthplaces: int,
) -> None:
    """Add names, birthplace, occupation, the household's place and the kecamatan of issue."""
    m = len(people["male"])
    kecamatan_count = len(kecamatan6)
    male = people["male"]
    household = people["household"]
    for name in ("kel", "kec", "rt", "rw", "street", "house_no", "agama"):
        people[name] = households[name][household]
    given = np.where(male, rng.integers(0, _GIVEN_F, m), rng.integers(_GIVEN_F, _FAMILY_M, m))
    second = np.where(male, rng.integers(0, _GIVEN_F, m), rng.integers(_GIVEN_F, _FAMILY_M, m))
    family = np.where(
        male,
        rng.integers(_FAMILY_M, _FAMILY_F, m),
        rng.integers(_MARGA, len(NAME_PARTS), m),
    )
    form = rng.random(m)  # one given name, two given names, or a given and a family name
    people["given"] = given.astype(np.int16)
    people["second"] = np.where((form < 0.40) & (second != given), second, -1).astype(np.int16)
    people["family"] = np.where(form >= 0.72, family, -1).astype(np.int16)
    elsewhere = rng.random(m) >= plan.home_birthplace_share
    people["tempat"] = np.where(elsewhere, rng.integers(1, birthplaces, m), 0).astype(np.int16)
    people["pekerjaan"] = _occupations(rng, people["age"], male)
    own = people["kec"]
    moved = rng.random(m) < plan.nik_other_kecamatan_share
    other = (own + rng.integers(1, max(kecamatan_count, 2), m)) % kecamatan_count
    people["issue_kec"] = np.where(moved & (kecamatan_count > 1), other, own).astype(np.int16)
    kk_kecamatan = kecamatan6[households["kec"]]
    people["no_kk"] = _no_kk(rng, kk_kecamatan, plan.reference_date)[household]


def _occupations(rng: np.random.Generator, age: Array, male: Array) -> Array:
    """Return an occupation index per person, drawn by age band and sex."""
    result = np.zeros(len(age), dtype=np.int8)
    for low, high, sex, shares in names.OCCUPATION_BANDS:
        chosen = (age >= low) & (age < high)
        if sex:
            chosen &= male if sex == "L" else ~male
        rows = np.flatnonzero(chosen)
        codes = np.array([names.OCCUPATIONS.index(label) for label, _share in shares])
        weights = np.array([share for _label, share in shares])
        result[rows] = codes[rng.choice(len(codes), size=len(rows), p=weights / weights.sum())]
    return result


def _no_kk(rng: np.random.Generator, kecamatan6: Array, as_of: dt.date) -> Array:
    """Return each household's No. KK: its kecamatan, an issue date DDMMYY, a serial."""
    n = len(kecamatan6)
    first = np.datetime64(_KK_FIRST_ISSUE, "D")
    span = (np.datetime64(as_of, "D") - first).astype(np.int64)
    issued = first + rng.integers(0, span, n).astype("timedelta64[D]")
    year, month, day = date_parts(issued)
    prefix = (kecamatan6 * 100 + day) * 10_000 + month * 100 + year % 100
    return np.asarray(prefix * 10_000 + serial_numbers(rng, prefix))
