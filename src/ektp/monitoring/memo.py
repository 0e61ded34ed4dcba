"""What one dashboard view reads several times, read once per session (read only).

A city page builds the progress, the forecast and the alerts in one request: each needs the
campaign's definition (a TOML parse and the set history) and the progress and the forecast
both count wajib KTP per kelurahan of the whole city. The answers are kept in the session's
``info`` for that session's life, one request or one command: a page's session writes
neither residents nor the campaign, so they cannot change under it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from ektp.regions import service as regions_service
from ektp.residents.counts import Counts, counts_by_kelurahan
from ektp.scheduling import service as scheduling
from ektp.scheduling.campaign import Campaign as Definition

T = TypeVar("T")
_PREFIX = "ektp.monitoring.memo"


def _kept(session: Session, key: tuple[object, ...], compute: Callable[[], T]) -> T:
    """Return the value kept in the session under ``key``, computing it the first time."""
    full = (_PREFIX, *key)
    if full not in session.info:
        session.info[full] = compute()
    found: T = session.info[full]
    return found


def campaign_definition(*, session: Session) -> tuple[int, Definition]:
    """Return the active campaign's id and definition (``scheduling.campaign_definition``);
    raise ``NoCampaignError`` without a campaign."""
    campaign = scheduling.require_campaign(session=session)
    definition = _kept(
        session,
        ("definition", campaign.id, campaign.definition),
        lambda: scheduling.campaign_definition(session=session, campaign=campaign),
    )
    return campaign.id, definition


def city_counts(*, session: Session, city: str, as_of: dt.date) -> dict[str, Counts]:
    """Return (residents, wajib KTP) on ``as_of`` of every kelurahan of ``city``."""

    def count() -> dict[str, Counts]:
        kelurahan = regions_service.kelurahan_codes(session=session, city=city)
        return counts_by_kelurahan(session=session, kelurahan=kelurahan, as_of=as_of)

    return _kept(session, ("counts", city, as_of), count)
