"""The households of a synthetic city (pure numpy): who lives together, in which RT and RW.

Households are drawn per kelurahan in surplus and kept while their running count of wajib KTP
members stays within the kelurahan's target; the few wajib KTP still missing come as
single-person households. So every kelurahan, hence every kecamatan, gets its exact target.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from ektp.residents import names
from ektp.residents.eligibility import STATUS_KAWIN, latest_birth_date_for_age
from ektp.residents.numbering import Array

RT_HOUSEHOLDS = (30, 80)
RW_RTS = (3, 8)
MAX_HOUSEHOLD_SIZE = 8

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


def draw_households(
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


def place_households(
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
