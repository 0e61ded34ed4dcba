"""A synthetic city's residents (pure numpy): households, people, NIKs, RT/RW and defects.

Everything is drawn from one ``Generator(PCG64(seed))`` in a fixed order, so the same plan and
seed give the same residents, byte for byte. People are index arrays into the value lists of
``names``; ``synthetic`` turns them into text only when writing.

Exactness: households are drawn per kelurahan in surplus and kept while their running count of
wajib KTP members stays within the kelurahan's target; the few wajib KTP still missing come as
single-person households. So every kelurahan, hence every kecamatan, gets its exact target.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from ektp.residents import names
from ektp.residents.eligibility import STATUS_KAWIN, latest_birth_date_for_age

Array = npt.NDArray[Any]

DEFECTS = (
    "",
    "nik_date_mismatch",
    "nik_sex_mismatch",
    "duplicate_nik",
    "impossible_nik",
    "malformed_tanggal_lahir",
    "unknown_kelurahan",
)
WARNING_DEFECTS = DEFECTS[1:3]  # the row stays valid; the importer warns
REJECT_DEFECTS = DEFECTS[3:]  # extra rows the importer must reject
RT_HOUSEHOLDS = (30, 80)
RW_RTS = (3, 8)
MAX_HOUSEHOLD_SIZE = 8

NAME_PARTS = names.GIVEN_MALE + names.GIVEN_FEMALE + names.FAMILY_MALE + names.MARGA
NAME_PARTS += names.FAMILY_FEMALE
_GIVEN_F = len(names.GIVEN_MALE)
_FAMILY_M = _GIVEN_F + len(names.GIVEN_FEMALE)
_MARGA = _FAMILY_M + len(names.FAMILY_MALE)
_FAMILY_F = _MARGA + len(names.MARGA)

_SINGLE, _COUPLE, _SINGLE_PARENT, _EXTENDED = range(4)
_KIND_SHARES = (0.06, 0.70, 0.07, 0.17)
_HEAD, _SPOUSE, _CHILD, _PARENT, _RELATIVE = range(5)
_BELUM, _KAWIN, _CERAI_HIDUP, _CERAI_MATI = range(4)  # indexes into STATUS_KAWIN
assert STATUS_KAWIN[_BELUM] == "BELUM KAWIN"
# Children living at home by the mother's age: few for young mothers, grown-up ones leave.
_MOTHER_AGES = (17, 22, 27, 32, 40, 48, 56, 65, 75)
_CHILDREN_AT_HOME = (0.3, 0.8, 1.2, 1.7, 2.4, 2.7, 2.1, 0.9, 0.3)
_WAJIB_PER_HOUSEHOLD = 2.6  # a low estimate, so the surplus of drawn households suffices
_RESERVE = MAX_HOUSEHOLD_SIZE  # single-person households kept ready per kelurahan
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
    households, people = _draw_households(rng, targets, plan.reference_date)
    _place_households(rng, households, kel_kec)
    kecamatan6 = np.array([int(code.replace(".", "")) for code in kecamatan], dtype=np.int64)
    home = plan.home_birthplace.upper()
    birthplaces = (home, *(place for place in names.OTHER_BIRTHPLACES if place != home))
    _describe_people(rng, people, households, plan, kecamatan6, len(birthplaces))
    unknown = _unknown_kelurahan(kecamatan, set(kelurahan))
    wajib_ktp = int(people["wajib"].sum())
    columns, malformed = _with_defects(rng, people, plan, kecamatan6, len(kelurahan))
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


def _draw_households(
    rng: np.random.Generator, targets: Array, reference_date: dt.date
) -> tuple[dict[str, Array], dict[str, Array]]:
    """Return the kept households and their people, each kelurahan exactly on target."""
    margin = 1.03
    while True:
        regular = np.ceil(targets / _WAJIB_PER_HOUSEHOLD * margin + 3 * np.sqrt(targets))
        drawn = regular.astype(np.int64) + _RESERVE
        kel = np.repeat(np.arange(len(targets)), drawn)
        rank = np.arange(len(kel)) - np.repeat(np.cumsum(drawn) - drawn, drawn)
        reserve = rank >= regular.astype(np.int64)[kel]
        households, people = _draw_candidates(rng, kel, reserve, reference_date)
        wajib = np.bincount(people["household"], weights=people["wajib"], minlength=len(kel))
        counted = np.cumsum(np.where(reserve, 0, wajib))
        before = np.repeat(np.r_[0, counted[np.cumsum(drawn)[:-1] - 1]], drawn)
        keep = ~reserve & (counted - before <= targets[kel])
        gap = targets - np.bincount(kel, weights=np.where(keep, wajib, 0), minlength=len(targets))
        if (gap <= _RESERVE).all():
            break
        margin *= 1.5  # rare: too few households drawn for a small target; draw again
    keep |= reserve & (rank - regular.astype(np.int64)[kel] < gap[kel])
    # Shuffle households within each kelurahan so the reserve singles do not bunch in one RT.
    order = np.flatnonzero(keep)
    order = order[np.lexsort((rng.random(len(order)), kel[order]))]
    sizes = households["size"][order]
    firsts = np.cumsum(households["size"]) - households["size"]
    starts = np.cumsum(sizes) - sizes
    members = np.arange(int(sizes.sum())) - np.repeat(starts - firsts[order], sizes)
    kept_people = {name: people.pop(name)[members] for name in list(people)}
    kept_people["household"] = np.repeat(np.arange(len(order), dtype=np.int32), sizes)
    return {"kel": kel[order].astype(np.int32), "size": sizes}, kept_people


def _draw_candidates(
    rng: np.random.Generator, kel: Array, reserve: Array, reference_date: dt.date
) -> tuple[dict[str, Array], dict[str, Array]]:
    """Return households (kind, size) and their people (role, sex, birth, status, wajib)."""
    n = len(kel)
    kind = np.where(reserve, _SINGLE, rng.choice(4, size=n, p=_KIND_SHARES))
    single = kind == _SINGLE
    young_head = 20 + rng.gamma(4.0, 5.5, n)
    head_age = np.where(single, 18 + rng.gamma(1.6, 14.0, n), young_head).astype(np.int16)
    head_age = head_age.clip(18, 90)
    male_share = np.select([single, kind == _SINGLE_PARENT], [0.5, 0.2], 0.97)
    head_male = rng.random(n) < male_share
    has_spouse = (kind == _COUPLE) | (kind == _EXTENDED)
    age_gap = np.rint(rng.normal(4.0, 4.0, n)).astype(np.int16).clip(-6, 20)
    spouse_age = np.where(head_male, head_age - age_gap, head_age + age_gap).clip(17, 95)
    mother_age = np.where(head_male, np.where(has_spouse, spouse_age, head_age - 4), head_age)
    children = rng.poisson(np.interp(mother_age, _MOTHER_AGES, _CHILDREN_AT_HOME))
    children = np.where(single, 0, children)
    children = np.where(kind == _SINGLE_PARENT, np.maximum(children, 1), children)
    extended = kind == _EXTENDED
    parents = extended & (rng.random(n) < 0.55)
    relatives = extended * (np.where(parents, rng.random(n) < 0.35, 1) + (rng.random(n) < 0.3))
    fixed = 1 + has_spouse + parents + relatives
    children = np.minimum(children, MAX_HOUSEHOLD_SIZE - fixed)
    size = (fixed + children).astype(np.int8)
    draw = rng.random(n)
    head_status = np.select(
        [has_spouse, kind == _SINGLE_PARENT, head_age < 40],
        [
            _KAWIN,
            np.where(draw < 0.6, _CERAI_MATI, _CERAI_HIDUP),
            np.where(draw < 0.85, _BELUM, _CERAI_HIDUP),
        ],
        np.select([draw < 0.5, draw < 0.75], [_CERAI_MATI, _CERAI_HIDUP], _BELUM),
    )

    # People, role by role: head, spouse, children, a parent of the head, other relatives.
    household = np.repeat(np.arange(n, dtype=np.int32), size)
    m = len(household)
    heads = np.cumsum(size, dtype=np.int64) - size
    after_spouse = np.arange(m) - heads[household] - 1 - has_spouse[household]
    role = np.full(m, _RELATIVE, dtype=np.int8)
    role[after_spouse < (children + parents)[household]] = _PARENT
    role[after_spouse < children[household]] = _CHILD
    spouses = heads[has_spouse] + 1
    role[spouses] = _SPOUSE
    role[heads] = _HEAD
    age = np.empty(m, dtype=np.int16)
    male = np.empty(m, dtype=bool)
    status = np.full(m, _BELUM, dtype=np.int8)
    age[heads], male[heads], status[heads] = head_age, head_male, head_status
    age[spouses], male[spouses] = spouse_age[has_spouse], ~head_male[has_spouse]
    status[spouses] = _KAWIN
    kids = np.flatnonzero(role == _CHILD)
    mother = np.maximum(mother_age[household[kids]], 18)
    age[kids] = mother - 18 - (rng.random(len(kids)) * (np.minimum(mother, 42) - 17)).astype(int)
    male[kids] = rng.random(len(kids)) < 0.51
    elders = np.flatnonzero(role == _PARENT)
    age[elders] = np.minimum(head_age[household[elders]] + rng.integers(20, 36, len(elders)), 95)
    male[elders] = rng.random(len(elders)) < 0.3
    status[elders] = np.where(rng.random(len(elders)) < 0.9, _CERAI_MATI, _CERAI_HIDUP)
    others = np.flatnonzero(role == _RELATIVE)
    k = len(others)
    grandchild = head_age[household[others]] >= 50
    age[others] = np.where(grandchild, rng.integers(0, 13, k), rng.integers(15, 31, k))
    male[others] = rng.random(k) < 0.51
    draw = rng.random(k)
    status[others] = np.select(
        [(age[others] < 25) | (draw < 0.7), draw < 0.85], [_BELUM, _CERAI_HIDUP], _CERAI_MATI
    )
    reference = np.datetime64(reference_date, "D")
    birth = reference - np.floor((age + rng.random(m)) * 365.2425).astype("m8[D]")
    # The exact rule of eligibility.is_wajib_ktp, by the last birth date old enough.
    cutoff = np.datetime64(latest_birth_date_for_age(reference_date), "D")
    people = {
        "household": household,
        "role": role,
        "male": male,
        "birth": birth,
        "age": age,
        "status": status,
        "wajib": (birth <= cutoff) | (status != _BELUM),
    }
    return {"kind": kind, "size": size}, people


def _date_parts(dates: Array) -> tuple[Array, Array, Array]:
    """Return (year, month, day) arrays of a datetime64[D] array."""
    months = dates.astype("datetime64[M]")
    year = months.astype("datetime64[Y]").astype(np.int64) + 1970
    month = months.astype(np.int64) % 12 + 1
    day = (dates - months).astype(np.int64) + 1
    return year, month, day


def _place_households(
    rng: np.random.Generator, households: dict[str, Array], kel_kec: Array
) -> None:
    """Add RW, RT, street, house number, kecamatan and religion to each household."""
    per_kelurahan = np.bincount(households["kel"], minlength=len(kel_kec))
    rt_sizes: list[int] = []
    rt_numbers: list[int] = []
    rw_numbers: list[int] = []
    for count in per_kelurahan.tolist():
        sizes = rt_household_counts(rng, count)
        rts_per_rw = _rts_per_rw(rng, len(sizes))
        rt_sizes += sizes
        rt_numbers += range(1, len(sizes) + 1)
        rw_numbers += np.repeat(np.arange(1, len(rts_per_rw) + 1), rts_per_rw).tolist()
    n = len(households["kel"])
    rt_index = np.repeat(np.arange(len(rt_sizes)), rt_sizes)
    steps = np.cumsum(rng.integers(1, 4, n))
    rt_first = np.cumsum(rt_sizes) - np.asarray(rt_sizes, dtype=np.int64)
    before = np.r_[0, steps][rt_first]
    households["rt"] = np.asarray(rt_numbers, dtype=np.int16)[rt_index]
    households["rw"] = np.asarray(rw_numbers, dtype=np.int16)[rt_index]
    street_of_rt = rng.integers(0, len(names.STREETS), len(rt_sizes), dtype=np.int16)
    households["street"] = street_of_rt[rt_index]
    households["house_no"] = (steps - np.repeat(before, rt_sizes)).astype(np.int32)
    households["kec"] = kel_kec[households["kel"]].astype(np.int16)
    agama, shares = zip(*names.AGAMA_SHARES, strict=True)
    agama_index = rng.choice(len(agama), size=n, p=np.divide(shares, sum(shares)))
    households["agama"] = agama_index.astype(np.int8)


def rt_household_counts(rng: np.random.Generator, households: int) -> list[int]:
    """Return the household count of each RT of a kelurahan, each within ``RT_HOUSEHOLDS``.

    A kelurahan with fewer households than an RT's minimum gets one RT holding all of them.
    """
    low, high = RT_HOUSEHOLDS
    if households < low:
        return [households] if households else []
    fewest, most = math.ceil(households / high), households // low
    count = min(max(round(households / rng.uniform(45, 65)), fewest), most)
    sizes = low + rng.multinomial(households - low * count, rng.dirichlet(np.full(count, 4.0)))
    excess = int(np.maximum(sizes - high, 0).sum())
    sizes = np.minimum(sizes, high)
    for index in rng.permutation(count).tolist():
        if excess == 0:
            break
        moved = min(excess, high - int(sizes[index]))
        sizes[index] += moved
        excess -= moved
    return [int(size) for size in sizes]


def _rts_per_rw(rng: np.random.Generator, rts: int) -> list[int]:
    """Return how many consecutive RTs each RW holds; the last RW may hold fewer."""
    counts: list[int] = []
    while rts > 0:
        take = min(int(rng.integers(RW_RTS[0], RW_RTS[1] + 1)), rts)
        counts.append(take)
        rts -= take
    return counts


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
    year, month, day = _date_parts(issued)
    prefix = (kecamatan6 * 100 + day) * 10_000 + month * 100 + year % 100
    return np.asarray(prefix * 10_000 + _serials(rng, prefix))


def _serials(rng: np.random.Generator, prefix: Array) -> Array:
    """Return serials 1, 2, ... that tell apart the entries sharing a prefix, in random order."""
    n = len(prefix)
    order = np.lexsort((rng.random(n), prefix))
    ordered = prefix[order]
    starts = np.r_[True, ordered[1:] != ordered[:-1]] if n else np.zeros(0, dtype=bool)
    rank = np.arange(n) - np.maximum.accumulate(np.where(starts, np.arange(n), 0)) + 1
    if n and rank.max() > 9999:
        raise ValueError("more than 9999 people share a NIK or No. KK prefix")
    serials = np.empty(n, dtype=np.int64)
    serials[order] = rank
    return serials


def _unknown_kelurahan(kecamatan: list[str], known: set[str]) -> list[str]:
    """Return, per kecamatan, a well-formed kelurahan code that the city does not have."""
    unknown = []
    for code in kecamatan:
        number = 1999
        while f"{code}.{number}" in known:
            number -= 1
        unknown.append(f"{code}.{number}")
    return unknown


def _defect_count(share: float, rows: int) -> int:
    """Return how many rows get a defect: at least one when the share is not zero."""
    return min(rows, max(1, round(share * rows))) if share > 0 and rows else 0


def _with_defects(
    rng: np.random.Generator,
    people: dict[str, Array],
    plan: PopulationPlan,
    kecamatan6: Array,
    kelurahan_count: int,
) -> tuple[dict[str, Array], dict[int, str]]:
    """Return the columns in file order, with NIKs, warning defects and reject rows mixed in.

    Warning defects change what the NIK encodes (the record keeps the true birth date and sex,
    so wajib KTP counts stay exact). Reject rows are extra people copied from real ones and
    spoiled one way each; a duplicate comes after the resident whose NIK it repeats.
    """
    n = len(people["male"])
    count = {name: _defect_count(plan.defect_shares.get(name, 0.0), n) for name in DEFECTS[1:]}
    dated, sexed = count["nik_date_mismatch"], count["nik_sex_mismatch"]
    warned = rng.choice(n, size=min(n, dated + sexed), replace=False)
    people["defect"] = np.zeros(n, dtype=np.int8)
    people["defect"][warned[:dated]] = DEFECTS.index("nik_date_mismatch")
    people["defect"][warned[dated:]] = DEFECTS.index("nik_sex_mismatch")
    encoded_birth = people["birth"].copy()
    encoded_birth[warned[:dated]] -= rng.integers(1, 61, len(warned[:dated])).astype("m8[D]")
    encoded_male = people["male"].copy()
    encoded_male[warned[dated:]] = ~encoded_male[warned[dated:]]

    kinds = np.repeat(
        np.arange(len(WARNING_DEFECTS) + 1, len(DEFECTS)), [count[k] for k in REJECT_DEFECTS]
    ).astype(np.int8)
    e = len(kinds)
    source = rng.integers(0, n, e) if n else np.zeros(0, dtype=np.int64)
    namesake = rng.integers(0, n, e) if n else np.zeros(0, dtype=np.int64)
    extra = {name: column[source] for name, column in people.items()}
    for name in ("male", "given", "second", "family"):
        extra[name] = people[name][namesake]
    extra["birth"] = extra["birth"] - rng.integers(1, 3651, e).astype("m8[D]")
    extra["defect"] = kinds
    extra["wajib"] = np.zeros(e, dtype=bool)
    unknown = kinds == DEFECTS.index("unknown_kelurahan")
    extra["kel"] = np.where(unknown, kelurahan_count + extra["kec"], extra["kel"])

    year, month, day = _date_parts(np.concatenate([encoded_birth, extra["birth"]]))
    female = ~np.concatenate([encoded_male, extra["male"]])
    issue = kecamatan6[np.concatenate([people["issue_kec"], extra["issue_kec"]])]
    prefix = (issue * 100 + day + 40 * female) * 10_000 + month * 100 + year % 100
    nik = prefix * 10_000 + _serials(rng, prefix)
    people["nik"], extra["nik"] = nik[:n], nik[n:]

    after = rng.integers(0, max(n, 1), e)
    duplicate = np.flatnonzero(kinds == DEFECTS.index("duplicate_nik"))
    victim = rng.integers(0, max(n, 1), len(duplicate))
    extra["nik"][duplicate] = people["nik"][victim]
    after[duplicate] = victim + (rng.random(len(duplicate)) * (n - victim)).astype(np.int64)
    impossible = np.flatnonzero(kinds == DEFECTS.index("impossible_nik"))
    extra["nik"][impossible] = _spoil_niks(rng, extra["nik"][impossible])
    keep = np.ones(e, dtype=bool)
    _values, first = np.unique(extra["nik"][impossible], return_index=True)
    keep[impossible] = False
    keep[impossible[first]] = True  # two spoilt NIKs that came out equal: keep one

    order = np.argsort(np.r_[2 * np.arange(n), 2 * after[keep] + 1], kind="stable")
    columns = {}
    for name in list(extra):  # one column at a time, to hold one copy of the city at most
        columns[name] = np.concatenate([people.pop(name), extra.pop(name)[keep]])[order]
    malformed_rows = np.flatnonzero(columns["defect"] == DEFECTS.index("malformed_tanggal_lahir"))
    return columns, _malformed_dates(columns["birth"], malformed_rows)


def _spoil_niks(rng: np.random.Generator, niks: Array) -> Array:
    """Return the NIKs made impossible in turn: serial 0000, birth day 32-39, month 13."""
    way = np.arange(len(niks)) % 3
    day = (niks // 10**8) % 100
    month = (niks // 10**6) % 100
    bad_day = 32 + rng.integers(0, 8, len(niks))
    return np.select(
        [way == 0, way == 1],
        [niks // 10_000 * 10_000, niks + (bad_day - day) * 10**8],
        niks + (13 - month) * 10**6,
    )


def _malformed_dates(birth: Array, rows: Array) -> dict[int, str]:
    """Return tanggal_lahir texts that are no date (30 February, month 13, day 00), by row."""
    year, month, day = (part.tolist() for part in _date_parts(birth[rows]))
    texts = {}
    for index, row in enumerate(rows.tolist()):
        way = index % 3
        if way == 0:
            texts[row] = f"{year[index]:04d}-02-30"
        elif way == 1:
            texts[row] = f"{year[index]:04d}-13-{day[index]:02d}"
        else:
            texts[row] = f"{year[index]:04d}-{month[index]:02d}-00"
    return texts
