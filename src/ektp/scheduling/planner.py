"""Turns for one site (pure): RTs in a seeded random order, households packed into sessions.

Inputs and outputs are compact so that a city of 1.2 million wajib KTP plans in well under a
second: a ``SiteDemand`` lists RTs in any order, each with its households as sizes (residents
still to place); a ``SitePlan`` gives each household its session index in a
``SessionCalendar``. Residents are the households' members in input order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ektp.scheduling.packing import Buckets, pack
from ektp.sites.calendar import SessionCalendar

IntArray = npt.NDArray[np.int64]

UNPLACED = -1
"""Session index of a household the calendar had no room for (or had nothing to place)."""


def rt_order(rt_keys: Iterable[str], seed: int, kecamatan: str) -> list[str]:
    """Return the RT keys in their turn order: random, drawn from ``seed``, per kecamatan.

    Each RT's place is a keyed BLAKE2b digest of (seed, kecamatan, RT key), so the order is
    the same on every machine and Python run (unlike ``hash()``), does not depend on the
    order the RTs were read in, and adding or dropping one RT leaves the others' order as it
    was: letters already printed for the first RTs stay right. The order of a kelurahan's RTs
    is the kecamatan order with the other RTs left out, whichever site serves them.
    """
    prefix = f"{seed}\x1f{kecamatan}\x1f".encode()

    def place(rt_key: str) -> tuple[bytes, str]:
        digest = hashlib.blake2b(prefix + rt_key.encode(), digest_size=16).digest()
        return digest, rt_key

    return sorted(rt_keys, key=place)


@dataclass(frozen=True, eq=False)
class SiteDemand:
    """The households a site must give turns to, grouped by RT.

    The households of RT ``i`` are the next ``household_counts[i]`` entries of
    ``household_sizes``, RTs in ``rt_keys`` order; sizes count the residents still to place
    (0 is allowed: nothing to place). ``household_keys`` (No. KK) is optional, for reports.
    """

    rt_keys: tuple[str, ...]
    household_counts: IntArray
    household_sizes: IntArray
    household_keys: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if len(self.household_counts) != len(self.rt_keys):
            raise ValueError("household_counts needs one entry per RT")
        if len(set(self.rt_keys)) != len(self.rt_keys):
            raise ValueError("an RT key appears twice")
        if int(self.household_counts.sum()) != len(self.household_sizes):
            raise ValueError("household_counts must add up to the number of households")
        if len(self.household_sizes) and int(self.household_sizes.min()) < 0:
            raise ValueError("a household cannot have fewer than zero residents to place")
        if self.household_keys is not None and len(self.household_keys) != len(
            self.household_sizes
        ):
            raise ValueError("household_keys needs one entry per household")

    @classmethod
    def from_rts(cls, rts: Mapping[str, Sequence[tuple[str, int]]]) -> SiteDemand:
        """Return the demand of ``{rt_key: [(no_kk, residents), ...]}`` (small inputs, tests)."""
        households = [household for rt in rts.values() for household in rt]
        return cls(
            rt_keys=tuple(rts),
            household_counts=np.array([len(rt) for rt in rts.values()], dtype=np.int64),
            household_sizes=np.array([size for _, size in households], dtype=np.int64),
            household_keys=tuple(key for key, _ in households),
        )

    @property
    def residents(self) -> int:
        """Return the number of residents to place."""
        return int(self.household_sizes.sum())

    def rt_of_household(self) -> IntArray:
        """Return, per household, the index of its RT in ``rt_keys``."""
        return np.repeat(np.arange(len(self.rt_keys), dtype=np.int64), self.household_counts)

    def first_resident(self) -> IntArray:
        """Return, per household, the index of its first resident."""
        return np.cumsum(self.household_sizes) - self.household_sizes


@dataclass(frozen=True, eq=False)
class SitePlan:
    """Where a site's households go.

    ``household_session[h]`` is the session of household ``h`` (its first session when it is
    split, ``UNPLACED`` when it had nothing to place or found no room); ``splits`` lists, for
    households too large for one session, ``(session, members)`` in order. ``booked`` counts
    the residents this plan put in each session; ``household_sizes`` are the sizes planned.
    """

    rt_order: tuple[str, ...]
    household_sizes: IntArray
    household_session: IntArray
    splits: Mapping[int, tuple[tuple[int, int], ...]]
    booked: IntArray

    @property
    def unplaced_residents(self) -> int:
        """Return how many residents found no session before the calendar ended."""
        whole = self.household_sizes[self.household_session == UNPLACED].sum()
        tails = sum(
            members for parts in self.splits.values() for session, members in parts if session < 0
        )
        return int(whole) + tails

    def resident_sessions(self) -> IntArray:
        """Return the session of every resident (members in order, households in order)."""
        sizes = self.household_sizes
        sessions = np.repeat(self.household_session, sizes)
        first = np.cumsum(sizes) - sizes
        for household, parts in self.splits.items():
            at = int(first[household])
            for session, members in parts:
                sessions[at : at + members] = session
                at += members
        return sessions

    def used_sessions(self) -> IntArray:
        """Return the indices of the sessions this plan books, in order."""
        return np.flatnonzero(self.booked > 0)


def _buckets(demand: SiteDemand, visiting_rank: IntArray) -> tuple[Buckets, IntArray]:
    """Return the packer's buckets and the household at each sorted position."""
    sizes = demand.household_sizes
    rank_of_household = visiting_rank[demand.rt_of_household()]
    households = np.flatnonzero(sizes > 0)
    order = households[np.lexsort((households, -sizes[households], rank_of_household[households]))]
    sorted_rank = rank_of_household[order]
    sorted_size = sizes[order]
    cuts = np.flatnonzero((np.diff(sorted_rank) != 0) | (np.diff(sorted_size) != 0)) + 1
    starts = np.concatenate(([0], cuts)).astype(np.int64) if len(order) else cuts
    counts = np.diff(np.append(starts, len(order)))
    bucket_rank = sorted_rank[starts]
    ranks = np.arange(len(demand.rt_keys))
    buckets = Buckets(
        size=sorted_size[starts].tolist(),
        start=starts.tolist(),
        count=counts.tolist(),
        rt_first=np.searchsorted(bucket_rank, ranks, side="left").tolist(),
        rt_end=np.searchsorted(bucket_rank, ranks, side="right").tolist(),
    )
    return buckets, order


def plan_site(
    demand: SiteDemand,
    calendar: SessionCalendar,
    *,
    seed: int,
    kecamatan: str,
    first_index: int = 0,
    booked: IntArray | None = None,
) -> SitePlan:
    """Return a turn for every household of ``demand``, from session ``first_index`` on.

    RTs go in ``rt_order``; each RT's households fill sessions in a single unbroken run,
    a household shares one session unless it is larger than the session, and no session
    gets more than its bookable turns less ``booked`` (turns already given, e.g. invitations
    that stay). Same inputs and seed, same plan.
    """
    order_keys = rt_order(demand.rt_keys, seed, kecamatan)
    index_of = {key: index for index, key in enumerate(demand.rt_keys)}
    visiting_rank = np.empty(len(order_keys), dtype=np.int64)
    visiting_rank[[index_of[key] for key in order_keys]] = np.arange(len(order_keys))
    buckets, order = _buckets(demand, visiting_rank)
    room = calendar.bookable if booked is None else np.maximum(calendar.bookable - booked, 0)
    packing = pack(buckets, room.tolist(), first_index)

    household_session = np.full(len(demand.household_sizes), UNPLACED, dtype=np.int64)
    run_start = np.asarray(packing.run_start, dtype=np.int64)
    run_count = np.asarray(packing.run_count, dtype=np.int64)
    run_offset = np.cumsum(run_count) - run_count
    positions = np.repeat(run_start - run_offset, run_count) + np.arange(int(run_count.sum()))
    household_session[order[positions]] = np.repeat(
        np.asarray(packing.run_session, dtype=np.int64), run_count
    )
    splits: dict[int, tuple[tuple[int, int], ...]] = {}
    for position, parts in packing.splits.items():
        household = int(order[position])
        household_session[household] = parts[0][0]
        splits[household] = tuple(parts)
    return SitePlan(
        rt_order=tuple(order_keys),
        household_sizes=demand.household_sizes,
        household_session=household_session,
        splits=splits,
        booked=np.asarray(packing.booked, dtype=np.int64),
    )
