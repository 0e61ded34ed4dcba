"""The planner's inner loop: households into sessions, RT after RT (pure, no numpy needed).

Households arrive grouped in *buckets*: one bucket per (RT, household size), RTs in visiting
order, sizes largest first. Filling a session takes, again and again, the largest household of
the current RT that still fits (best fit). Only at a session's end, when nothing of the current
RT fits the turns left:

1. a household larger than the whole session is split: its first members fill the gap and the
   rest open the next sessions;
2. otherwise the gap is filled from the next RTs in order: first RTs small enough to be used
   up entirely here, then, only if the current RT's remainder is sure to fit in the next
   session with room to spare, one RT that goes on in the next session right after it (that
   RT keeps back a household that fits the room to spare, so it does appear there). Every RT
   thus keeps one unbroken run of sessions;
3. otherwise the turns are left empty.

Best fit keeps small households for last, where they fill gaps. Whenever an RT still holds a
one-person household at a session's end, nothing is wasted; see ``tests/unit/test_planner*``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Buckets:
    """Households sorted by (RT visiting rank, size descending), cut into equal-size runs."""

    size: list[int]
    start: list[int]
    count: list[int]
    rt_first: list[int]
    rt_end: list[int]


@dataclass
class Packing:
    """Where the packer put things: runs of whole households, split households, bookings."""

    run_start: list[int] = field(default_factory=list)
    run_count: list[int] = field(default_factory=list)
    run_session: list[int] = field(default_factory=list)
    splits: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    booked: list[int] = field(default_factory=list)


class _Packer:
    def __init__(self, buckets: Buckets, room: list[int]) -> None:
        self.buckets = buckets
        self.room = room
        self.left = list(buckets.count)
        self.taken = [0] * len(buckets.size)
        self.rt_left = [
            sum(buckets.size[b] * buckets.count[b] for b in range(first, end))
            for first, end in zip(buckets.rt_first, buckets.rt_end, strict=True)
        ]
        self.out = Packing(booked=[0] * len(room))
        self.carry = 0
        self.carry_position = -1

    def take_best_fits(self, rt: int, turns: int, session: int) -> int:
        """Book the largest households of ``rt`` that fit; return the turns still free."""
        size, left = self.buckets.size, self.left
        for bucket in range(self.buckets.rt_first[rt], self.buckets.rt_end[rt]):
            household = size[bucket]
            if household > turns or left[bucket] == 0:
                continue
            count = min(left[bucket], turns // household)
            self.out.run_start.append(self.buckets.start[bucket] + self.taken[bucket])
            self.out.run_count.append(count)
            self.out.run_session.append(session)
            self.taken[bucket] += count
            left[bucket] -= count
            self.rt_left[rt] -= count * household
            turns -= count * household
            if turns == 0:
                break
        return turns

    def largest_left(self, rt: int) -> int:
        """Return the bucket of the largest household ``rt`` still has (-1 if none)."""
        for bucket in range(self.buckets.rt_first[rt], self.buckets.rt_end[rt]):
            if self.left[bucket]:
                return bucket
        return -1

    def split_into(self, bucket: int, turns: int, session: int, rt: int) -> None:
        position = self.buckets.start[bucket] + self.taken[bucket]
        self.taken[bucket] += 1
        self.left[bucket] -= 1
        self.rt_left[rt] -= self.buckets.size[bucket]
        self.out.splits[position] = [(session, turns)]
        self.carry = self.buckets.size[bucket] - turns
        self.carry_position = position

    def place_carry(self, turns: int, session: int) -> int:
        members = min(self.carry, turns)
        self.out.splits[self.carry_position].append((session, members))
        self.carry -= members
        return turns - members

    def fill(self, session: int, next_session: int | None, rt: int) -> tuple[int, int]:
        """Fill one session starting with RT ``rt``; return (turns left, first unfinished RT)."""
        turns = self.room[session]
        if self.carry:
            turns = self.place_carry(turns, session)
            if self.carry:
                return turns, rt
        rts = len(self.rt_left)
        while turns:
            while rt < rts and self.rt_left[rt] == 0:
                rt += 1
            if rt == rts:
                break
            turns = self.take_best_fits(rt, turns, session)
            if turns == 0 or self.rt_left[rt] == 0:
                continue
            largest = self.largest_left(rt)
            if self.buckets.size[largest] > self.room[session]:
                self.split_into(largest, turns, session, rt)
                return 0, rt
            spare = -1 if next_session is None else self.room[next_session] - self.rt_left[rt]
            turns = self.fill_ahead(rt + 1, turns, session, spare)
            break
        return turns, rt

    def fill_ahead(self, rt: int, turns: int, session: int, spare: int) -> int:
        """Fill a gap from the RTs after the current one; return the turns still free.

        RTs used up entirely here are passed over; the first that is not must go on in the
        next session, where only ``spare`` turns follow the current RT's remainder (negative:
        the remainder itself will not fit), so it keeps back its smallest household if that
        fits ``spare``, and gives nothing if not.
        """
        while turns and rt < len(self.rt_left):
            if self.rt_left[rt] == 0:
                rt += 1
            elif self.rt_left[rt] <= turns:
                turns = self.take_best_fits(rt, turns, session)
                rt += 1
            else:
                smallest = self.smallest_left(rt)
                if self.buckets.size[smallest] <= spare:
                    self.left[smallest] -= 1
                    turns = self.take_best_fits(rt, turns, session)
                    self.left[smallest] += 1
                break
        return turns

    def smallest_left(self, rt: int) -> int:
        """Return the bucket of the smallest household ``rt`` still has (-1 if none)."""
        for bucket in range(self.buckets.rt_end[rt] - 1, self.buckets.rt_first[rt] - 1, -1):
            if self.left[bucket]:
                return bucket
        return -1


def pack(buckets: Buckets, room: list[int], first_session: int = 0) -> Packing:
    """Return where each household goes; ``room[s]`` is what session ``s`` can still book.

    Households that do not fit before the calendar ends are left out of the runs; a split
    household whose last members do not fit ends with a ``(-1, members)`` part.
    """
    packer = _Packer(buckets, room)
    usable = [session for session in range(first_session, len(room)) if room[session] > 0]
    rt = 0
    rts = len(packer.rt_left)
    for position, session in enumerate(usable):
        if rt == rts and not packer.carry:
            break
        next_session = usable[position + 1] if position + 1 < len(usable) else None
        turns, rt = packer.fill(session, next_session, rt)
        packer.out.booked[session] = room[session] - turns
        while rt < rts and packer.rt_left[rt] == 0:
            rt += 1
    if packer.carry:
        packer.out.splits[packer.carry_position].append((-1, packer.carry))
    return packer.out
