"""Use cases of the campaign, in one place for the CLI, the API, the pages and the letters.

Every function takes a keyword-only ``session`` and never commits: the caller owns the
transaction. They live in modules by concern and are gathered here:

* ``campaigns``: create a campaign from a scenario, find it, read its definition;
* ``planning``: plan, the stored per-kecamatan report; ``replanning``: re-plan;
* ``missed``: close a session (missed turns, evening re-invitations, follow-ups);
* ``turns``: attendance, moves, letters printed/delivered;
* ``queries``: load per day and per session, RT progress, follow-ups, CSV export.
"""

from __future__ import annotations

from ektp.scheduling.campaigns import (
    active_campaign,
    campaign_definition,
    campaign_today,
    campaign_view,
    create_campaign,
    local_day,
    require_campaign,
)
from ektp.scheduling.errors import (
    AttendanceCodeError,
    CampaignSetupError,
    NoCampaignError,
    NoRoomError,
    ScheduleError,
    SiteNotFoundError,
    TurnNotFoundError,
)
from ektp.scheduling.missed import close_session
from ektp.scheduling.planning import plan, plan_report
from ektp.scheduling.queries import (
    daily_load,
    export_invitations,
    follow_up_list,
    rt_schedule,
    sessions_overview,
    sites_of_kecamatan,
)
from ektp.scheduling.replanning import replan
from ektp.scheduling.turns import (
    mark_attended,
    mark_attended_in_person,
    mark_delivered,
    mark_letters_printed,
    move_invitation,
    move_own_turn,
    turn_view,
)

__all__ = [
    "AttendanceCodeError",
    "CampaignSetupError",
    "NoCampaignError",
    "NoRoomError",
    "ScheduleError",
    "SiteNotFoundError",
    "TurnNotFoundError",
    "active_campaign",
    "campaign_definition",
    "campaign_today",
    "campaign_view",
    "close_session",
    "create_campaign",
    "daily_load",
    "export_invitations",
    "follow_up_list",
    "local_day",
    "mark_attended",
    "mark_attended_in_person",
    "mark_delivered",
    "mark_letters_printed",
    "move_invitation",
    "move_own_turn",
    "plan",
    "plan_report",
    "replan",
    "require_campaign",
    "rt_schedule",
    "sessions_overview",
    "sites_of_kecamatan",
    "turn_view",
]
