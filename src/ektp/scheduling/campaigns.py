"""Stored campaigns: create one from a scenario, find the active one, read its definition.

The campaign's TOML is stored as given; its set history lives in ``set_changes`` (seeded from
the TOML's ``sets_history`` on creation, then added to by ``sites.service.change_sets``), so
the definition the planner uses is the TOML with each site's history taken from that table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any, cast

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ektp.regions import service as regions_service
from ektp.regions.models import Region
from ektp.regions.wilayah import dotted
from ektp.scenarios import SUFFIX, ScenarioError, load_scenario
from ektp.scheduling import campaign as campaign_rules
from ektp.scheduling.errors import CampaignSetupError, NoCampaignError, SiteNotFoundError
from ektp.scheduling.models import Campaign, SetChangeEvent
from ektp.scheduling.schemas import CampaignView
from ektp.sites.calendar import SessionCalendar, build_calendar
from ektp.sites.capacity import SetChange, SetChangeReason, Site, sets_working

WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
"""Palembang's time zone: UTC+7 all year (Indonesia has no daylight saving time)."""

SCENARIO_AUTHOR = "scenario"
"""``created_by`` of the set changes copied from the scenario's ``sets_history``."""


def local_day(now: dt.datetime) -> dt.date:
    """Return the calendar day in Palembang (WIB) at ``now``; a naive ``now`` is taken as is."""
    # 18:00 UTC is already 01:00 the next day in Palembang: a UTC date would put a turn
    # booked in the evening on the wrong day.
    if now.tzinfo is None:
        return now.date()
    return now.astimezone(WIB).date()


def campaign_today(campaign: Campaign, now: dt.datetime) -> dt.date:
    """Return the campaign's day at ``now``: Palembang's date, or the campaign's start when
    its deadline has already passed (a replay of a past campaign, such as Palembang 2011,
    runs on its own calendar: plans start on its start date, not in the present).
    """
    today = local_day(now)
    return campaign.start if today > campaign.deadline else today


def utc(now: dt.datetime) -> dt.datetime:
    """Return ``now`` in UTC (a naive ``now`` is taken to be UTC already)."""
    if now.tzinfo is None:
        return now.replace(tzinfo=dt.UTC)
    return now.astimezone(dt.UTC)


def _scenario_text(scenario: str) -> tuple[str, dict[str, Any]]:
    try:
        data = load_scenario(scenario)
    except ScenarioError as error:
        raise CampaignSetupError(str(error)) from None
    looks_like_path = scenario.endswith(SUFFIX) or "/" in scenario or "\\" in scenario
    if looks_like_path:
        text = Path(scenario).read_text(encoding="utf-8")
    else:
        text = resources.files("ektp.scenarios").joinpath(scenario + SUFFIX).read_text("utf-8")
    return text, data


def _loaded_kecamatan(session: Session, city: str) -> set[str]:
    query = select(Region.kode).where(
        Region.level == "kecamatan", Region.kode.startswith(city + ".")
    )
    return set(session.execute(query).scalars())


def _city_of(data: dict[str, Any]) -> str | None:
    table = data.get("campaign")
    city = table.get("city") if isinstance(table, dict) else None
    return dotted(city) if isinstance(city, str) else None


def create_campaign(*, session: Session, scenario: str, now: dt.datetime) -> Campaign:
    """Return a new campaign from a shipped scenario name or a TOML path, checked against
    the loaded regions of its city; its sets history is copied into ``set_changes``.
    """
    text, data = _scenario_text(scenario)
    city = _city_of(data)
    known = _loaded_kecamatan(session, city) if city else set()
    if city and not known:
        raise CampaignSetupError(
            f"the regions of city {city} are not loaded; load them first with: "
            f"ektp regions load --city {city} --edition "
            f"{data['campaign'].get('edition', '2016')}"
        )
    try:
        definition = campaign_rules.parse_campaign(data, known_kecamatan=known or None)
    except campaign_rules.CampaignError as error:
        raise CampaignSetupError(f"scenario {scenario}: {error}") from None
    loaded = regions_service.loaded_edition(session=session, city=definition.city)
    if loaded is not None and loaded != definition.edition:
        raise CampaignSetupError(
            f"scenario {scenario} uses the {definition.edition} region edition, but city "
            f"{definition.city} is loaded from the {loaded} edition"
        )
    stamp = utc(now)
    row = Campaign(
        name=definition.name,
        city=definition.city,
        edition=definition.edition,
        start=definition.start,
        deadline=definition.deadline,
        seed=definition.seed,
        definition=text,
        created_at=stamp,
    )
    session.add(row)
    session.flush()
    _keep_active(session, row)
    session.add_all(
        SetChangeEvent(
            campaign_id=row.id,
            site_code=site.code,
            tanggal=change.date,
            change=change.change,
            reason=change.reason,
            note="sets_history of the scenario",
            created_at=stamp,
            created_by=SCENARIO_AUTHOR,
        )
        for site in definition.sites
        for change in site.sets_history
    )
    session.flush()
    return row


# Statements every request runs, built once (building one cost about as much as running it).
_LATEST_CAMPAIGN = select(Campaign).order_by(Campaign.id.desc()).limit(1)
_HISTORY = (
    select(
        SetChangeEvent.site_code,
        SetChangeEvent.tanggal,
        SetChangeEvent.change,
        SetChangeEvent.reason,
    )
    .where(SetChangeEvent.campaign_id == bindparam("campaign"))
    .order_by(SetChangeEvent.tanggal, SetChangeEvent.id)
)
_ACTIVE_KEY = "ektp.scheduling.active_campaign"
_DEFINITION_KEY = "ektp.scheduling.campaign_definition"


def active_campaign(*, session: Session) -> Campaign | None:
    """Return the latest campaign, or None when none was created.

    Read once per transaction: a request asks for it from its area check, its route and its
    service, and the campaign a transaction started with is the one it works on.
    """
    transaction = session.get_transaction()
    kept = session.info.get(_ACTIVE_KEY)
    if transaction is not None and kept is not None and kept[0] is transaction:
        kept_campaign: Campaign = kept[1]
        return kept_campaign
    found = session.execute(_LATEST_CAMPAIGN).scalar_one_or_none()
    if found is not None:
        _keep_active(session, found)
    return found


def _keep_active(session: Session, campaign: Campaign) -> None:
    # The row itself, not its id: the identity map holds rows weakly, and a row nobody
    # held would be read again.
    session.info[_ACTIVE_KEY] = (session.get_transaction(), campaign)


def require_campaign(*, session: Session) -> Campaign:
    """Return the latest campaign, or raise NoCampaignError saying how to create one."""
    found = active_campaign(session=session)
    if found is None:
        raise NoCampaignError(
            "there is no campaign yet; create one with: "
            "ektp campaign create --scenario palembang-2011"
        )
    return found


HistoryRow = tuple[str, dt.date, int, str]
"""A set change as ``campaign_definition`` reads it: site, date, change, reason."""


def _history(session: Session, campaign: Campaign) -> tuple[HistoryRow, ...]:
    rows = session.execute(_HISTORY, {"campaign": campaign.id})
    return tuple((str(s), d, int(c), str(r)) for s, d, c, r in rows)


@functools.lru_cache(maxsize=32)
def _definition(text: str, history: tuple[HistoryRow, ...]) -> campaign_rules.Campaign:
    # Every queue screen, check-in and desk request asks for the campaign: build it once
    # per TOML text and set history (the result is frozen, so sharing it is safe). The
    # history rows are the key itself, so a set broken or repaired is never missed.
    parsed = campaign_rules.parse_campaign(tomllib.loads(text))
    by_site: dict[str, list[SetChange]] = {}
    for site_code, tanggal, change, reason in history:
        by_site.setdefault(site_code, []).append(
            SetChange(date=tanggal, change=change, reason=cast(SetChangeReason, reason))
        )
    sites = tuple(
        dataclasses.replace(site, sets_history=tuple(by_site.get(site.code, ())))
        for site in parsed.sites
    )
    return dataclasses.replace(parsed, sites=sites)


def campaign_definition(*, session: Session, campaign: Campaign) -> campaign_rules.Campaign:
    """Return the campaign as declared, each site's set history read from ``set_changes``.

    The table replaces the TOML's ``sets_history`` (it was seeded from it), so a change is
    never counted twice. Read once per transaction (``sets_changed`` forgets it).
    """
    transaction = session.get_transaction()
    kept = session.info.get(_DEFINITION_KEY)
    if transaction is not None and kept is not None and kept[:2] == (transaction, campaign.id):
        kept_definition: campaign_rules.Campaign = kept[2]
        return kept_definition
    definition = _definition(campaign.definition, _history(session, campaign))
    session.info[_DEFINITION_KEY] = (session.get_transaction(), campaign.id, definition)
    return definition


def sets_changed(session: Session) -> None:
    """Forget the definition read in this transaction: a set change was just written."""
    session.info.pop(_DEFINITION_KEY, None)


def site_of(definition: campaign_rules.Campaign, site_code: str) -> Site:
    """Return the campaign's site with this code, or raise SiteNotFoundError."""
    for site in definition.sites:
        if site.code == site_code:
            return site
    codes = ", ".join(site.code for site in definition.sites)
    raise SiteNotFoundError(f"the campaign has no site {site_code!r}; its sites: {codes}")


def site_calendar(
    definition: campaign_rules.Campaign, site: Site, first_day: dt.date, last_day: dt.date
) -> SessionCalendar:
    """Return the site's sessions from ``first_day`` to ``last_day`` under the campaign's
    closed days.
    """
    return build_calendar(site, first_day, last_day, definition.closed)


def session_index(calendar: SessionCalendar) -> dict[tuple[dt.date, str], int]:
    """Return each session's index in ``calendar`` by (day, session name)."""
    return {key: index for index, key in enumerate(zip(calendar.days, calendar.names, strict=True))}


def kecamatan_names(*, session: Session, codes: Iterable[str]) -> dict[str, str]:
    """Return the loaded name of each kecamatan code (the code itself when not loaded)."""
    wanted = sorted(set(codes))
    query = select(Region.kode, Region.nama).where(Region.kode.in_(wanted))
    found = {kode: nama for kode, nama in session.execute(query)}
    return {kode: found.get(kode, kode) for kode in wanted}


def campaign_view(*, session: Session, campaign: Campaign) -> CampaignView:
    """Return the campaign with its number of sites and sets on its start date."""
    definition = campaign_definition(session=session, campaign=campaign)
    return CampaignView(
        id=campaign.id,
        name=campaign.name,
        city=campaign.city,
        edition=campaign.edition,
        start=campaign.start,
        deadline=campaign.deadline,
        seed=campaign.seed,
        sites=len(definition.sites),
        sets=sum(sets_working(site, campaign.start) for site in definition.sites),
        created_at=campaign.created_at,
    )
