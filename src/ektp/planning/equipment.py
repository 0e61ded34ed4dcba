"""How many recording sets each kecamatan needs, and where a budget of sets helps most (pure).

The model is the capacity formula of ``sites.capacity`` seen from one set: on an open day
a set offers, per session, ``floor(session minutes / minutes per person)`` turns less the
session's reserve, and ``n`` sets offer ``n`` times that. Summed from the first day to the
deadline this is ``per_set_capacity_until_deadline`` (``C``), and a kecamatan with ``R``
residents left needs ``ceil(R / C)`` sets: figures a reader can check by hand.

The reserve of one set is ``ceil(turns * share)``; for ``n`` sets the campaign holds back
``ceil(n * turns * share)``, which is never more than ``n`` times the one-set figure, so the
per-set model never promises more turns than the campaign books. It is exact when
``turns * share`` is whole (Palembang: 20 % of malam's 80 turns is 16).

Answers:

* ``needs``: the fewest additional sets, and where, so that every kecamatan finishes by the
  deadline. Kecamatan do not share sets, so the minimum is each kecamatan's own minimum.
* ``allocate_budget``: with ``K`` sets to hand out, where they make the latest finish
  earliest (minimax). For a day ``T`` each kecamatan needs ``ceil(R / C(T))`` sets to finish
  by ``T``; the fewest additional sets for ``T`` only shrink as ``T`` grows, so the earliest
  ``T`` that ``K`` sets reach is found by bisection and is optimal: any allocation finishing
  everyone by an earlier day would give some kecamatan fewer sets than it needs for it.
* ``greedy_budget``: one set at a time to the current latest finisher; optimal too (tests
  prove both against brute force) and the answer when no day of the horizon is reachable.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

NEVER = -1
"""A finish index meaning "not within the horizon" (no sets, or too few turns)."""


def _ceil_div(numerator: IntArray, denominator: IntArray) -> IntArray:
    return np.asarray(-(-numerator // denominator), dtype=np.int64)


@dataclass(frozen=True, eq=False)
class PlannerInput:
    """The campaign state the planner reads, one row per kecamatan, one column per day.

    ``days`` are consecutive calendar days from ``first_day`` (tomorrow) to the end of the
    horizon, which reaches the deadline at least; ``per_set[k, d]`` is what one set of
    kecamatan ``k`` can book on day ``d`` (reserve excluded, 0 when closed).
    """

    first_day: dt.date
    deadline: dt.date
    codes: tuple[str, ...]
    remaining: IntArray
    sets_now: IntArray
    per_set: IntArray
    names: tuple[str, ...] = ()
    cumulative: IntArray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        units = len(self.codes)
        remaining = np.asarray(self.remaining, dtype=np.int64).reshape(-1)
        sets_now = np.asarray(self.sets_now, dtype=np.int64).reshape(-1)
        per_set = np.asarray(self.per_set, dtype=np.int64)
        if per_set.ndim != 2 or per_set.shape[0] != units:
            raise ValueError("per_set must have one row per kecamatan")
        if len(remaining) != units or len(sets_now) != units:
            raise ValueError("remaining and sets_now need one figure per kecamatan")
        if self.names and len(self.names) != units:
            raise ValueError("names, when given, need one per kecamatan")
        if len(set(self.codes)) != units:
            raise ValueError("kecamatan codes must be unique")
        for what, array in (("remaining", remaining), ("sets_now", sets_now)):
            if (array < 0).any():
                raise ValueError(
                    f"{what} must not be negative ({self.codes[int(np.argmin(array))]})"
                )
        if (per_set < 0).any():
            raise ValueError("per_set capacity must not be negative")
        if self.deadline >= self.first_day + dt.timedelta(days=per_set.shape[1]):
            raise ValueError("the days must reach the deadline")
        object.__setattr__(self, "remaining", remaining)
        object.__setattr__(self, "sets_now", sets_now)
        object.__setattr__(self, "per_set", per_set)
        object.__setattr__(self, "cumulative", np.cumsum(per_set, axis=1, dtype=np.int64))

    @property
    def horizon(self) -> int:
        """Return the number of days the input covers."""
        return int(self.per_set.shape[1])

    @property
    def deadline_index(self) -> int:
        """Return the index of the deadline (-1 when it is before the first day)."""
        return (self.deadline - self.first_day).days

    def day(self, index: int) -> dt.date | None:
        """Return the date of a day index (None for NEVER)."""
        return None if index == NEVER else self.first_day + dt.timedelta(days=index)

    def name(self, unit: int) -> str:
        """Return the kecamatan's name, or its code when none was given."""
        return self.names[unit] if self.names else self.codes[unit]

    def capacity_until(self, index: int) -> IntArray:
        """Return per kecamatan the turns one set books from the first day to ``index``."""
        if index < 0:
            return np.zeros(len(self.codes), dtype=np.int64)
        column: IntArray = self.cumulative[:, min(index, self.horizon - 1)]
        return column

    def finish_indexes(self, sets: IntArray) -> IntArray:
        """Return per kecamatan the day index its last resident can be booked with ``sets``
        sets: the first day where ``sets * per-set turns so far >= remaining``. NEVER when
        that day lies beyond the horizon; 0-based, and -2 for a kecamatan with nobody left.
        """
        sets = np.asarray(sets, dtype=np.int64)
        remaining = self.remaining
        safe_sets = np.maximum(sets, 1)
        need = _ceil_div(remaining, safe_sets)
        index: IntArray = np.asarray((self.cumulative < need[:, None]).sum(axis=1), dtype=np.int64)
        index[(index >= self.horizon) | (sets <= 0)] = NEVER
        index[remaining == 0] = -2
        return index

    def finish_index(self, unit: int, sets: int) -> int:
        """Return ``finish_indexes`` of one kecamatan (a binary search on its row)."""
        remaining = int(self.remaining[unit])
        if remaining == 0:
            return -2
        if sets <= 0:
            return NEVER
        need = -(-remaining // sets)
        found = int(np.searchsorted(self.cumulative[unit], need, side="left"))
        return NEVER if found >= self.horizon else found


def sets_for(input_: PlannerInput, index: int) -> IntArray:
    """Return per kecamatan the sets it needs to finish by day ``index``: ``ceil(R / C)``;
    0 with nobody left, and -1 (impossible) when one set books nothing by then.
    """
    capacity = input_.capacity_until(index)
    remaining = input_.remaining
    needed = np.zeros(len(remaining), dtype=np.int64)
    possible = capacity > 0
    needed[possible] = _ceil_div(remaining[possible], capacity[possible])
    needed[(remaining > 0) & ~possible] = -1
    return needed


def _extra_for(input_: PlannerInput, index: int) -> tuple[IntArray, bool]:
    needed = sets_for(input_, index)
    feasible = not bool((needed < 0).any())
    return np.maximum(needed - input_.sets_now, 0), feasible


@dataclass(frozen=True)
class KecamatanNeed:
    """One kecamatan's figures against the deadline, with the reasoning a reader checks.

    ``per_set_capacity_until_deadline = sum over open days of (floor(minutes / minutes per
    person) - reserve)`` per session, for one set; ``sets_needed = ceil(remaining /
    per_set_capacity_until_deadline)``; ``additional_sets = max(0, sets_needed - sets_now)``.
    """

    kode_kecamatan: str
    nama: str
    remaining: int
    sets_now: int
    open_days_until_deadline: int
    per_set_capacity_until_deadline: int
    sets_needed: int | None
    additional_sets: int | None
    spare_sets: int
    finish_now: dt.date | None
    finish_with_needed: dt.date | None
    deadline_met_now: bool


@dataclass(frozen=True)
class Needs:
    """Answer (a): every kecamatan's need, and the fewest additional sets for the city."""

    first_day: dt.date
    deadline: dt.date
    lines: tuple[KecamatanNeed, ...]
    total_additional: int | None
    latest_finish_now: dt.date | None
    latest_finish_with_needed: dt.date | None


def _latest(input_: PlannerInput, finish: IntArray) -> dt.date | None:
    """Return the latest finish date; None when one is NEVER or nobody is left anywhere."""
    if (finish == NEVER).any() or not (finish >= 0).any():
        return None
    return input_.day(int(finish.max()))


def needs(input_: PlannerInput) -> Needs:
    """Return the fewest additional sets per kecamatan (answer a) with the figures behind it."""
    end = input_.deadline_index
    capacity = input_.capacity_until(end)
    needed = sets_for(input_, end)
    open_days = (input_.per_set[:, : max(end + 1, 0)] > 0).sum(axis=1)
    with_needed = np.where(needed < 0, input_.sets_now, np.maximum(needed, input_.sets_now))
    finish_now = input_.finish_indexes(input_.sets_now)
    finish_needed = input_.finish_indexes(with_needed)
    lines = []
    for unit, code in enumerate(input_.codes):
        need = int(needed[unit])
        now = int(finish_now[unit])
        lines.append(
            KecamatanNeed(
                kode_kecamatan=code,
                nama=input_.name(unit),
                remaining=int(input_.remaining[unit]),
                sets_now=int(input_.sets_now[unit]),
                open_days_until_deadline=int(open_days[unit]),
                per_set_capacity_until_deadline=int(capacity[unit]),
                sets_needed=None if need < 0 else need,
                additional_sets=None if need < 0 else max(need - int(input_.sets_now[unit]), 0),
                spare_sets=0 if need < 0 else max(int(input_.sets_now[unit]) - need, 0),
                finish_now=input_.day(now) if now >= 0 else None,
                finish_with_needed=(
                    input_.day(int(finish_needed[unit])) if finish_needed[unit] >= 0 else None
                ),
                deadline_met_now=now == -2 or 0 <= now <= end,
            )
        )
    impossible = bool((needed < 0).any())
    extra = np.maximum(needed - input_.sets_now, 0)
    return Needs(
        first_day=input_.first_day,
        deadline=input_.deadline,
        lines=tuple(lines),
        total_additional=None if impossible else int(extra.sum()),
        latest_finish_now=_latest(input_, finish_now),
        latest_finish_with_needed=None if impossible else _latest(input_, finish_needed),
    )


@dataclass(frozen=True)
class BudgetLine:
    """One kecamatan's share of a budget of sets, and its finish before and after."""

    kode_kecamatan: str
    nama: str
    remaining: int
    sets_now: int
    sets_given: int
    finish_now: dt.date | None
    finish_after: dt.date | None


@dataclass(frozen=True)
class BudgetPlan:
    """Answer (b): where ``budget`` sets make the latest finish earliest.

    ``sets_for_best`` of them are what the best latest finish needs; the rest were given one
    at a time to the latest finisher that one set makes earlier, and ``sets_left`` shortened
    nothing. ``method`` says which algorithm answered.
    """

    budget: int
    lines: tuple[BudgetLine, ...]
    latest_finish_now: dt.date | None
    latest_finish_after: dt.date | None
    sets_for_best: int
    sets_left: int
    method: str


def greedy_budget(input_: PlannerInput, budget: int) -> IntArray:
    """Return the sets given per kecamatan when each of ``budget`` sets goes, in turn, to the
    kecamatan finishing last at that moment (NEVER counts as latest; ties: the lowest row).
    """
    if budget < 0:
        raise ValueError("the budget must not be negative")
    given = np.zeros(len(input_.codes), dtype=np.int64)
    late = input_.horizon + 1
    heap: list[tuple[int, int]] = []
    for unit in range(len(input_.codes)):
        finish = input_.finish_index(unit, int(input_.sets_now[unit]))
        if finish == -2 or (finish == NEVER and input_.cumulative[unit, -1] == 0):
            continue  # nobody left, or no set could ever book a turn here
        heapq.heappush(heap, (-(late if finish == NEVER else finish), unit))
    for _ in range(budget):
        if not heap:
            break
        _, unit = heapq.heappop(heap)
        given[unit] += 1
        finish = input_.finish_index(unit, int(input_.sets_now[unit] + given[unit]))
        heapq.heappush(heap, (-(late if finish == NEVER else finish), unit))
    return given


def _minimax_day(input_: PlannerInput, budget: int) -> int | None:
    """Return the earliest day index every kecamatan can finish by with ``budget`` more sets;
    None when no day of the horizon is within reach.
    """
    low, high = 0, input_.horizon - 1
    extra, feasible = _extra_for(input_, high)
    if not feasible or int(extra.sum()) > budget:
        return None
    while low < high:
        middle = (low + high) // 2
        extra, feasible = _extra_for(input_, middle)
        if feasible and int(extra.sum()) <= budget:
            high = middle
        else:
            low = middle + 1
    return low


def _hand_out_rest(input_: PlannerInput, given: IntArray, rest: int) -> int:
    """Give ``rest`` sets one at a time to the latest finisher that one more set makes
    earlier; return how many shortened nothing."""
    heap: list[tuple[int, int]] = []
    for unit in range(len(input_.codes)):
        finish = input_.finish_index(unit, int(input_.sets_now[unit] + given[unit]))
        if finish >= 0:
            heapq.heappush(heap, (-finish, unit))
    while rest and heap:
        negative, unit = heapq.heappop(heap)
        sets = int(input_.sets_now[unit] + given[unit])
        better = input_.finish_index(unit, sets + 1)
        if 0 <= better < -negative:
            given[unit] += 1
            rest -= 1
            heapq.heappush(heap, (-better, unit))
    return rest


def allocate_budget(input_: PlannerInput, budget: int) -> BudgetPlan:
    """Return where ``budget`` additional sets make the latest finish earliest (answer b)."""
    if budget < 0:
        raise ValueError("the budget must not be negative")
    best = _minimax_day(input_, budget)
    if best is None:
        given = greedy_budget(input_, budget)
        method = "greedy: no day of the horizon is within reach; sets went to the latest"
        used, left = int(given.sum()), budget - int(given.sum())
    else:
        given, _ = _extra_for(input_, best)
        used = int(given.sum())
        left = _hand_out_rest(input_, given, budget - used)
        method = "bisection on the latest finish day (minimax), rest to the latest improvable"
    finish_now = input_.finish_indexes(input_.sets_now)
    finish_after = input_.finish_indexes(input_.sets_now + given)
    lines = tuple(
        BudgetLine(
            kode_kecamatan=code,
            nama=input_.name(unit),
            remaining=int(input_.remaining[unit]),
            sets_now=int(input_.sets_now[unit]),
            sets_given=int(given[unit]),
            finish_now=input_.day(int(finish_now[unit])) if finish_now[unit] >= 0 else None,
            finish_after=input_.day(int(finish_after[unit])) if finish_after[unit] >= 0 else None,
        )
        for unit, code in enumerate(input_.codes)
    )
    return BudgetPlan(
        budget=budget,
        lines=lines,
        latest_finish_now=_latest(input_, finish_now),
        latest_finish_after=_latest(input_, finish_after),
        sets_for_best=used,
        sets_left=left,
        method=method,
    )


def latest_finish_index(input_: PlannerInput, given: IntArray) -> int:
    """Return the latest finish index with ``given`` more sets (horizon+1 standing for NEVER,
    -2 when nobody is left): the minimax objective, for comparisons and tests."""
    finish = input_.finish_indexes(input_.sets_now + np.asarray(given, dtype=np.int64))
    if (finish == NEVER).any():
        return input_.horizon + 1
    return int(finish.max()) if len(finish) else -2
