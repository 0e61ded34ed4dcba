"""Why a scheduling use case refused: each error's message says what to do."""

from __future__ import annotations


class ScheduleError(ValueError):
    """Raised when a scheduling use case cannot be carried out as asked."""


class NoCampaignError(ScheduleError):
    """Raised when no campaign exists yet (``ektp campaign create`` first)."""


class CampaignSetupError(ScheduleError):
    """Raised when a campaign cannot be created: bad scenario, regions not loaded."""


class SiteNotFoundError(ScheduleError, LookupError):
    """Raised for a site code the campaign does not have."""


class TurnNotFoundError(ScheduleError, LookupError):
    """Raised for an invitation that does not exist or holds no turn any more."""


class AttendanceCodeError(ScheduleError):
    """Raised when the attendance code given is not the one on the letter."""


class NoRoomError(ScheduleError):
    """Raised when the session asked for does not exist or has no free bookable turn."""
