"""Use cases of recording sites: record a change of working sets, read the sets on a day.

Sites are declared by the campaign (its TOML); their set history lives in the campaign's
``set_changes``. Functions take a keyword-only ``session`` and never commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.scheduling.campaigns import (
    campaign_definition,
    require_campaign,
    sets_changed,
    site_of,
    utc,
)
from ektp.scheduling.errors import ScheduleError
from ektp.scheduling.models import SetChangeEvent
from ektp.scheduling.schemas import SetChangeView, SiteInfo
from ektp.sites import capacity
from ektp.sites.capacity import SET_CHANGE_REASONS, SetChange, SetChangeReason, Site


class SetChangeError(ScheduleError):
    """Raised for a set change that cannot be: wrong sign, unknown reason, below zero sets."""


def _check_repairs(site: Site, change: SetChange) -> None:
    broken = 0
    for earlier in site.sets_history:
        if earlier.date > change.date:
            break
        if earlier.reason == "broken":
            broken -= earlier.change
        elif earlier.reason == "repaired":
            broken = max(broken - earlier.change, 0)
    if change.reason == "repaired" and change.change > broken:
        raise SetChangeError(
            f"{site.code} has {broken} broken sets on {change.date}; "
            f"{change.change} cannot be repaired"
        )


def change_sets(
    *,
    session: Session,
    site_code: str,
    tanggal: dt.date,
    change: int,
    reason: str,
    now: dt.datetime,
    by: str | None = None,
    note: str | None = None,
) -> SetChangeView:
    """Return the recorded change of a site's working sets from ``tanggal`` on.

    ``added`` and ``repaired`` add sets, ``broken`` removes them, ``moved`` does either.
    Refused when the site would have fewer than zero sets on any day. Turns already given
    do not change: run a re-plan to use the new capacity.
    """
    if reason not in SET_CHANGE_REASONS:
        raise SetChangeError(f"reason must be one of {', '.join(SET_CHANGE_REASONS)}")
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    site = site_of(definition, site_code)
    try:
        event = SetChange(date=tanggal, change=change, reason=cast(SetChangeReason, reason))
        _check_repairs(site, event)
        changed = dataclasses.replace(site, sets_history=(*site.sets_history, event))
    except ValueError as error:
        raise SetChangeError(str(error)) from None
    row = SetChangeEvent(
        campaign_id=campaign.id,
        site_code=site.code,
        tanggal=tanggal,
        change=change,
        reason=reason,
        note=None if note is None else note[:200],
        created_at=utc(now),
        created_by=by,
    )
    session.add(row)
    session.flush()
    sets_changed(session)
    return SetChangeView(
        id=row.id,
        site_code=row.site_code,
        tanggal=row.tanggal,
        change=row.change,
        reason=row.reason,
        note=row.note,
        sets_after=capacity.sets_working(changed, tanggal),
    )


def sets_working(*, session: Session, site_code: str, day: dt.date) -> int:
    """Return how many sets work at the site on ``day``, every recorded change counted."""
    campaign = require_campaign(session=session)
    site = site_of(campaign_definition(session=session, campaign=campaign), site_code)
    return capacity.sets_working(site, day)


def list_sites(*, session: Session, day: dt.date) -> list[SiteInfo]:
    """Return every site of the campaign with the sets working on ``day``."""
    campaign = require_campaign(session=session)
    definition = campaign_definition(session=session, campaign=campaign)
    return [
        SiteInfo(
            code=site.code,
            name=site.name or site.code,
            kecamatan=site.kecamatan,
            sets=capacity.sets_working(site, day),
            kelurahan=sorted(site.kelurahan),
        )
        for site in definition.sites
    ]


def set_history(*, session: Session, site_code: str) -> list[SetChangeView]:
    """Return the site's recorded set changes in date order, each with the sets after it."""
    campaign = require_campaign(session=session)
    site = site_of(campaign_definition(session=session, campaign=campaign), site_code)
    rows = session.execute(
        select(SetChangeEvent)
        .where(SetChangeEvent.campaign_id == campaign.id, SetChangeEvent.site_code == site.code)
        .order_by(SetChangeEvent.tanggal, SetChangeEvent.id)
    ).scalars()
    return [
        SetChangeView(
            id=row.id,
            site_code=row.site_code,
            tanggal=row.tanggal,
            change=row.change,
            reason=row.reason,
            note=row.note,
            sets_after=capacity.sets_working(site, row.tanggal),
        )
        for row in rows
    ]
