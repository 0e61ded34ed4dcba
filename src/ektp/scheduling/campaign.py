"""A campaign definition (pure): a dict, e.g. read from TOML, checked into frozen dataclasses.

The TOML shape (tables other than ``[campaign]`` and ``[[sites]]`` are left to their owners)::

    [campaign]
    name = "Perekaman e-KTP Kota Palembang 2011"
    city = "16.71"                    # Kemendagri kabupaten/kota code
    edition = "2016"                  # region list edition the codes come from
    start = 2011-10-03
    deadline = 2011-12-31
    seed = 2011                       # draws the RT order
    minutes_per_person = 3            # optional; per set (see sites.capacity)
    target_per_kecamatan_per_day = 300
    freeze_days = 7                   # optional: letters already out for the next 7 days
    max_misses = 3                    # optional: then the kelurahan follows up
    saturday = false                  # optional: sessions on Saturday too
    public_holidays = true            # optional: closed on Indonesian public holidays
    cuti_bersama = true               # optional: and on collective leave days
    closed_dates = [2011-10-28]       # optional
    uncollected_after_days = 90       # optional: a card not collected goes back to the city

    [[campaign.sessions]]
    name = "pagi"
    start = "08:00"
    end = "12:00"
    reserve_share = 0.0               # optional: share held back for walk-ins, re-invites
    # weekdays = ["senin", "selasa"]  # optional: default Monday-Friday (+ Saturday)

    [[sites]]
    kecamatan = "16.71.06"
    sets = 3
    code = "16.71.06"                 # optional: defaults to the kecamatan code
    name = "Kantor Camat Ilir Timur II"             # optional
    kelurahan = ["16.71.06.1001"]     # optional: default every kelurahan no other site serves
    minutes_per_person = 3            # optional: overrides the campaign's
    reserve_shares = { malam = 0.3 }  # optional: overrides the sessions'
    closed_dates = []                 # optional: this site only
    sets_history = [{ date = 2011-11-14, change = 5, reason = "added" }]   # optional
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from ektp.regions.wilayah import dotted
from ektp.scheduling.campaign_fields import AlertThresholds, Fields, alert_thresholds
from ektp.sites.capacity import (
    DEFAULT_MINUTES_PER_PERSON,
    SATURDAY,
    SET_CHANGE_REASONS,
    WORKING_WEEKDAYS,
    ClosedDays,
    SessionTemplate,
    SetChange,
    SetChangeReason,
    Site,
)

DEFAULT_FREEZE_DAYS = 7
DEFAULT_MAX_MISSES = 3
# Palembang's practice: a card not collected within 3 months goes back to the city office.
DEFAULT_UNCOLLECTED_AFTER_DAYS = 90

_CITY = re.compile(r"\d{2}\.\d{2}")
_KECAMATAN = re.compile(r"\d{2}\.\d{2}\.\d{2}")
_KELURAHAN = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
_CAMPAIGN_KEYS = frozenset(
    {
        "name",
        "city",
        "edition",
        "start",
        "deadline",
        "seed",
        "minutes_per_person",
        "target_per_kecamatan_per_day",
        "freeze_days",
        "max_misses",
        "saturday",
        "public_holidays",
        "cuti_bersama",
        "closed_dates",
        "sessions",
        "uncollected_after_days",
    }
)
_SESSION_KEYS = frozenset({"name", "start", "end", "reserve_share", "weekdays"})
_SITE_KEYS = frozenset(
    {
        "address",  # read by the letters (scheduling.letters_service), not by the planner
        "code",
        "kecamatan",
        "name",
        "sets",
        "kelurahan",
        "minutes_per_person",
        "reserve_shares",
        "closed_dates",
        "sets_history",
    }
)
_CHANGE_KEYS = frozenset({"date", "change", "reason"})


class CampaignError(ValueError):
    """Raised for an invalid campaign definition; ``problems`` names each bad key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("invalid campaign:\n  " + "\n  ".join(problems))


@dataclass(frozen=True)
class Campaign:
    """A checked campaign: dates, rules, sessions, and its sites (already ``Site`` objects)."""

    name: str
    city: str
    edition: str
    start: dt.date
    deadline: dt.date
    seed: int
    minutes_per_person: int
    target_per_kecamatan_per_day: int | None
    freeze_days: int
    max_misses: int
    saturday: bool
    closed: ClosedDays
    sessions: tuple[SessionTemplate, ...]
    reserve_shares: Mapping[str, float] = field(hash=False)
    sites: tuple[Site, ...]
    alerts: AlertThresholds = field(default_factory=AlertThresholds)
    uncollected_after_days: int = DEFAULT_UNCOLLECTED_AFTER_DAYS

    def sites_of(self, kecamatan: str) -> tuple[Site, ...]:
        """Return the sites of one kecamatan, in file order."""
        return tuple(site for site in self.sites if site.kecamatan == kecamatan)

    def site_for_kelurahan(self, kelurahan: str) -> Site | None:
        """Return the site serving a kelurahan: the one listing it, else its kecamatan's
        site without a list; None when neither exists.
        """
        kelurahan = dotted(kelurahan)
        kecamatan = kelurahan.rsplit(".", 1)[0]
        fallback = None
        for site in self.sites_of(kecamatan):
            if kelurahan in site.kelurahan:
                return site
            if not site.kelurahan:
                fallback = site
        return fallback


def _session(fields: Fields, raw: Any, where: str, saturday: bool) -> SessionTemplate | None:
    table = fields.table(raw, where, _SESSION_KEYS)
    if table is None:
        return None
    name = fields.text(table, "name", where)
    start = fields.time(table, "start", where)
    end = fields.time(table, "end", where)
    default_days = WORKING_WEEKDAYS | {SATURDAY} if saturday else WORKING_WEEKDAYS
    weekdays = fields.weekdays(table, "weekdays", where, default=default_days)
    if start is not None and end is not None and end <= start:
        fields.fail(f"{where}.end", "must be later than start")
        return None
    if name is None or start is None or end is None or weekdays is None:
        return None
    return SessionTemplate(name=name, start=start, end=end, weekdays=weekdays)


def _sessions(
    fields: Fields, campaign: Mapping[str, Any], saturday: bool
) -> tuple[tuple[SessionTemplate, ...], dict[str, float]]:
    raw = fields.items(campaign, "sessions", "campaign", required=True)
    sessions: list[SessionTemplate] = []
    shares: dict[str, float] = {}
    for index, entry in enumerate(raw):
        where = f"campaign.sessions[{index}]"
        session = _session(fields, entry, where, saturday)
        share = fields.share(entry, "reserve_share", where, default=0.0)
        if session is None:
            continue
        if any(other.name == session.name for other in sessions):
            fields.fail(f"{where}.name", f"session {session.name!r} is defined twice")
            continue
        for other in sessions:
            if session.start < other.end and other.start < session.end:
                fields.fail(where, f"overlaps session {other.name!r}")
        sessions.append(session)
        if share is not None:
            shares[session.name] = share
    if raw and not sessions and not fields.problems:
        fields.fail("campaign.sessions", "needs at least one session")
    return tuple(sessions), shares


def _sets_history(
    fields: Fields, site: Mapping[str, Any], where: str, sets: int | None
) -> tuple[SetChange, ...]:
    changes: list[tuple[str, SetChange]] = []
    for index, raw in enumerate(fields.items(site, "sets_history", where)):
        at = f"{where}.sets_history[{index}]"
        table = fields.table(raw, at, _CHANGE_KEYS)
        if table is None:
            continue
        day = fields.date(table, "date", at)
        change = fields.integer(table, "change", at)
        reason = fields.choice(table, "reason", at, SET_CHANGE_REASONS)
        if day is None or change is None or reason is None:
            continue
        try:
            event = SetChange(date=day, change=change, reason=cast(SetChangeReason, reason))
            changes.append((at, event))
        except ValueError as problem:
            fields.fail(f"{at}.change", str(problem))
    if sets is None:
        return tuple(change for _, change in changes)
    working, broken = sets, 0
    for at, event in sorted(changes, key=lambda pair: pair[1].date):
        working += event.change
        if event.reason == "broken":
            broken -= event.change
        elif event.reason == "repaired":
            if event.change > broken:
                fields.fail(f"{at}.change", f"repairs {event.change} sets, {broken} are broken")
            broken = max(broken - event.change, 0)
        if working < 0:
            fields.fail(f"{at}.change", f"leaves {working} sets working on {event.date}")
    return tuple(change for _, change in changes)


def _site(
    fields: Fields,
    raw: Any,
    where: str,
    campaign: _CampaignParts,
) -> Site | None:
    table = fields.table(raw, where, _SITE_KEYS)
    if table is None:
        return None
    before = len(fields.problems)
    kecamatan = fields.code(table, "kecamatan", where, _KECAMATAN, "a kecamatan code (16.71.06)")
    if kecamatan is not None and campaign.city and not kecamatan.startswith(campaign.city + "."):
        fields.fail(f"{where}.kecamatan", f"{kecamatan} is not in city {campaign.city}")
    if kecamatan is not None and campaign.known is not None and kecamatan not in campaign.known:
        fields.fail(f"{where}.kecamatan", f"{kecamatan} is not a kecamatan of the edition")
    code = fields.text(table, "code", where, default=kecamatan or "")
    name = fields.text(table, "name", where, default="")
    sets = fields.integer(table, "sets", where, minimum=0)
    kelurahan = fields.codes(table, "kelurahan", where, _KELURAHAN, "a kelurahan code")
    for index, kode in enumerate(kelurahan or ()):
        if kecamatan is not None and not kode.startswith(kecamatan + "."):
            fields.fail(f"{where}.kelurahan[{index}]", f"{kode} is not in {kecamatan}")
    minutes = fields.integer(
        table, "minutes_per_person", where, minimum=1, default=campaign.minutes_per_person
    )
    own_shares = fields.shares(table, "reserve_shares", where, campaign.session_names)
    closed = fields.dates(table, "closed_dates", where)
    history = _sets_history(fields, table, where, sets)
    if len(fields.problems) > before or None in (kecamatan, code, name, sets, minutes, closed):
        return None
    assert kecamatan is not None and code is not None and sets is not None
    assert name is not None and minutes is not None and closed is not None
    return Site(
        code=code,
        kecamatan=kecamatan,
        sets=sets,
        sessions=campaign.sessions,
        name=name,
        kelurahan=frozenset(kelurahan or ()),
        minutes_per_person=minutes,
        reserve_shares={**campaign.shares, **(own_shares or {})},
        sets_history=history,
        closed_dates=frozenset(closed),
    )


@dataclass(frozen=True)
class _CampaignParts:
    city: str
    minutes_per_person: int
    sessions: tuple[SessionTemplate, ...]
    shares: Mapping[str, float]
    known: Collection[str] | None

    @property
    def session_names(self) -> frozenset[str]:
        return frozenset(session.name for session in self.sessions)


def _check_sites_together(fields: Fields, sites: list[tuple[str, Site]]) -> None:
    codes: dict[str, str] = {}
    served_by: dict[str, str] = {}
    catch_all: dict[str, str] = {}
    for where, site in sites:
        if site.code in codes:
            fields.fail(f"{where}.code", f"{site.code!r} is also {codes[site.code]}")
        codes.setdefault(site.code, where)
        if not site.kelurahan:
            if site.kecamatan in catch_all:
                fields.fail(
                    f"{where}.kelurahan",
                    f"needed: {catch_all[site.kecamatan]} already serves the rest of "
                    f"{site.kecamatan}",
                )
            catch_all.setdefault(site.kecamatan, where)
        for kode in sorted(site.kelurahan):
            if kode in served_by:
                fields.fail(f"{where}.kelurahan", f"{kode} is already served by {served_by[kode]}")
            served_by.setdefault(kode, where)


def parse_campaign(
    data: Mapping[str, Any], *, known_kecamatan: Collection[str] | None = None
) -> Campaign:
    """Return the campaign of ``data`` (e.g. a parsed TOML file), or raise CampaignError
    listing every problem by key. ``known_kecamatan``, when given, holds the valid kecamatan
    codes (dotted or plain digits, e.g. ``regions.wilayah.known_kecamatan_codes()``).
    """
    fields = Fields()
    campaign = fields.table(data.get("campaign"), "campaign", _CAMPAIGN_KEYS) or {}
    name = fields.text(campaign, "name", "campaign")
    city = fields.code(campaign, "city", "campaign", _CITY, "a kabupaten/kota code (16.71)")
    edition = fields.text(campaign, "edition", "campaign")
    start = fields.date(campaign, "start", "campaign")
    deadline = fields.date(campaign, "deadline", "campaign")
    if start is not None and deadline is not None and deadline < start:
        fields.fail("campaign.deadline", "must not be before start")
    seed = fields.integer(campaign, "seed", "campaign", minimum=0)
    minutes = fields.integer(
        campaign, "minutes_per_person", "campaign", minimum=1, default=DEFAULT_MINUTES_PER_PERSON
    )
    target = fields.integer(
        campaign, "target_per_kecamatan_per_day", "campaign", minimum=1, default=None
    )
    freeze_days = fields.integer(
        campaign, "freeze_days", "campaign", minimum=0, default=DEFAULT_FREEZE_DAYS
    )
    max_misses = fields.integer(
        campaign, "max_misses", "campaign", minimum=1, default=DEFAULT_MAX_MISSES
    )
    saturday = fields.boolean(campaign, "saturday", "campaign", default=False)
    public_holidays = fields.boolean(campaign, "public_holidays", "campaign", default=True)
    cuti_bersama = fields.boolean(campaign, "cuti_bersama", "campaign", default=True)
    closed_dates = fields.dates(campaign, "closed_dates", "campaign")
    uncollected_after_days = fields.integer(
        campaign,
        "uncollected_after_days",
        "campaign",
        minimum=1,
        default=DEFAULT_UNCOLLECTED_AFTER_DAYS,
    )
    sessions, shares = _sessions(fields, campaign, bool(saturday))
    parts = _CampaignParts(
        city=city or "",
        minutes_per_person=minutes or DEFAULT_MINUTES_PER_PERSON,
        sessions=sessions,
        shares=shares,
        known=None if known_kecamatan is None else {dotted(kode) for kode in known_kecamatan},
    )
    sites: list[tuple[str, Site]] = []
    raw_sites = fields.items(data, "sites", "", required=True)
    for index, raw in enumerate(raw_sites):
        site = _site(fields, raw, f"sites[{index}]", parts)
        if site is not None:
            sites.append((f"sites[{index}]", site))
    _check_sites_together(fields, sites)
    alerts = alert_thresholds(fields, data.get("alerts"))
    if fields.problems:
        raise CampaignError(fields.problems)
    assert name is not None and city is not None and edition is not None
    assert start is not None and deadline is not None and seed is not None
    assert minutes is not None and freeze_days is not None and max_misses is not None
    return Campaign(
        name=name,
        city=city,
        edition=edition,
        start=start,
        deadline=deadline,
        seed=seed,
        minutes_per_person=minutes,
        target_per_kecamatan_per_day=target,
        freeze_days=freeze_days,
        max_misses=max_misses,
        saturday=bool(saturday),
        closed=ClosedDays(
            dates=frozenset(closed_dates or ()),
            public_holidays=bool(public_holidays),
            cuti_bersama=bool(cuti_bersama),
        ),
        sessions=sessions,
        reserve_shares=shares,
        sites=tuple(site for _, site in sites),
        alerts=alerts,
        uncollected_after_days=uncollected_after_days or DEFAULT_UNCOLLECTED_AFTER_DAYS,
    )


def load_campaign(path: Path, *, known_kecamatan: Collection[str] | None = None) -> Campaign:
    """Return the campaign defined in the TOML file at ``path`` (see ``parse_campaign``)."""
    with path.open("rb") as handle:
        return parse_campaign(tomllib.load(handle), known_kecamatan=known_kecamatan)
