"""Pydantic shapes of campaigns, plans and turns, as the service returns them and the API shows.

``PlanResult`` and ``ReplanResult`` carry the pure ``report.KecamatanReport`` dataclasses
(and ``MovedTurn``s) unchanged; ``model_dump(mode="json")`` writes their dates in ISO form.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from ektp.scheduling.report import KecamatanReport

REPORT_KEYS = (
    "kode_kecamatan",
    "nama",
    "residents",
    "sets",
    "daily_capacity",
    "first_day",
    "last_day",
    "lower_bound_last_day",
    "deadline_met",
    "extra_sets_needed",
)
"""Keys of one kecamatan's line in ``ektp schedule plan --json`` and the API, in order."""


def report_as_json(report: KecamatanReport) -> dict[str, object]:
    """Return one kecamatan's line as plain JSON values (dates ISO), keys in REPORT_KEYS order."""
    line: dict[str, object] = {}
    for key in REPORT_KEYS:
        value = getattr(report, key)
        line[key] = value.isoformat() if isinstance(value, dt.date) else value
    return line


def report_from_json(line: dict[str, object]) -> KecamatanReport:
    """Return the KecamatanReport stored by ``report_as_json``."""

    def day(key: str) -> dt.date | None:
        value = line.get(key)
        return dt.date.fromisoformat(value) if isinstance(value, str) else None

    extra = line.get("extra_sets_needed")
    return KecamatanReport(
        kode_kecamatan=str(line["kode_kecamatan"]),
        nama=str(line["nama"]),
        residents=int(str(line["residents"])),
        sets=int(str(line["sets"])),
        daily_capacity=int(str(line["daily_capacity"])),
        first_day=day("first_day"),
        last_day=day("last_day"),
        lower_bound_last_day=day("lower_bound_last_day"),
        deadline_met=bool(line["deadline_met"]),
        extra_sets_needed=None if extra is None else int(str(extra)),
    )


class CampaignView(BaseModel):
    """A stored campaign, as ``ektp campaign show --json`` prints it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    city: str
    edition: str
    start: dt.date
    deadline: dt.date
    seed: int
    sites: int
    sets: int
    created_at: dt.datetime


class PlanResult(BaseModel):
    """What ``plan`` did: one report line per kecamatan, how many residents it invited.

    ``unserved`` counts eligible residents of kelurahan that no site serves (they got no turn).
    """

    plan_run_id: int
    invited: int
    reports: list[KecamatanReport]
    unserved: int = 0


@dataclass(frozen=True, slots=True)
class MovedTurn:
    """A resident whose turn a re-plan moved, from where to where.

    A plain dataclass, not a model: a re-plan after sets were added moves over 130,000
    turns, and building that many models took 0.6 s of it (0.13 s for these).
    """

    resident_id: int
    site_code: str
    from_date: dt.date
    from_session: str
    to_date: dt.date
    to_session: str


class OverbookedSession(BaseModel):
    """A session inside the freeze window holding more turns than it can now book."""

    site_code: str
    date: dt.date
    session: str
    booked: int
    bookable: int


class ReplanResult(BaseModel):
    """What ``replan`` did: who moved, which frozen sessions are overbooked, the new reports."""

    plan_run_id: int
    freeze_until: dt.date
    sites: list[str]
    """The codes of the sites re-planned (see ``replanning.replan``)."""
    moved: list[MovedTurn]
    overbooked: list[OverbookedSession]
    reports: list[KecamatanReport]


class Turn(BaseModel):
    """One resident's session: where and when (a re-invitation, or a turn after a move)."""

    resident_id: int
    date: dt.date
    session: str


class CloseResult(BaseModel):
    """What closing a session did: who missed it, who got an evening turn, who needs a visit.

    ``not_reinvited`` lists residents for whom no reserve was left; the next ``plan`` gives
    them a turn.
    """

    site_code: str
    date: dt.date
    session: str
    attended: int
    missed: int
    reinvited: list[Turn]
    follow_up: list[int] = Field(description="resident ids sent to the kelurahan follow-up list")
    not_reinvited: list[int]


class TurnView(BaseModel):
    """An invitation as its holder sees it: site, day, session times, attendance code."""

    invitation_id: int
    resident_id: int
    site_code: str
    site_name: str
    date: dt.date
    session: str
    start_time: dt.time
    end_time: dt.time
    attendance_code: str
    status: str


class DailyLoad(BaseModel):
    """Turns of one day as the latest plan or re-plan left them, against that day's
    capacity (for the Dinas chart; moves and misses since count at the next run)."""

    date: dt.date
    planned: int
    bookable_capacity: int
    capacity: int


class SessionLoad(BaseModel):
    """One session of a site with its capacity and the state of its turns (the Camat's day)."""

    date: dt.date
    session: str
    start: dt.time
    end: dt.time
    capacity: int
    reserve: int
    bookable: int
    planned: int
    attended: int
    missed: int


class SiteInfo(BaseModel):
    """A recording site with its working sets on a day.

    ``kelurahan`` empty: the site serves every kelurahan of its kecamatan no other site claims.
    """

    code: str
    name: str
    kecamatan: str
    sets: int
    kelurahan: list[str]


class SetChangeView(BaseModel):
    """A recorded change of a site's working sets, and the sets working on its day after it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    site_code: str
    tanggal: dt.date
    change: int
    reason: str
    note: str | None
    sets_after: int


class RtSchedule(BaseModel):
    """An RT of a kelurahan with its place in the turn order and its letters' progress.

    ``invited`` counts live turns; ``letters_printed`` those whose letter is printed (or
    delivered); ``position`` is None for an RT with no stored order yet.
    """

    rw: int
    rt: int
    position: int | None
    first_day: dt.date | None
    last_day: dt.date | None
    invited: int
    letters_printed: int
    delivered: int


class FollowUpRow(BaseModel):
    """A resident who missed too many turns: the kelurahan visits them (personal data)."""

    resident_id: int
    nik: str
    nama: str
    rw: int
    rt: int
    misses: int


class PlanRequest(BaseModel):
    """Body of ``POST /schedule/plan``; ``today`` is the campaign's day (default: its clock)."""

    seed: int | None = Field(default=None, ge=0)
    today: dt.date | None = None


class ReplanRequest(BaseModel):
    """Body of ``POST /schedule/replan``."""

    day: dt.date
    freeze_days: int | None = Field(default=None, ge=0)
    all_sites: bool = False
    """Re-plan every site, not only those whose sets changed since the latest run."""


class SetChangeRequest(BaseModel):
    """Body of ``POST /schedule/sites/{code}/sets``."""

    date: dt.date
    change: int
    reason: str
    note: str | None = Field(default=None, max_length=200)


class MoveRequest(BaseModel):
    """Body of a staff move: the session to move the turn to."""

    to_date: dt.date
    to_session: str = Field(max_length=16)


class AttendedRequest(BaseModel):
    """Body of marking a turn attended: the code printed on the letter."""

    attendance_code: str = Field(max_length=16)


class OwnMoveRequest(BaseModel):
    """Body of ``POST /turns/move``: the resident proves the turn is theirs, then moves it."""

    nik: str = Field(max_length=32)
    tanggal_lahir: dt.date
    attendance_code: str = Field(max_length=16)
    to_date: dt.date
    to_session: str = Field(max_length=16)
