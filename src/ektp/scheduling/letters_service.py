"""Use cases of call-up letters: gather a kelurahan's letters, mark them printed.

Functions take a keyword-only ``session`` and never commit; the caller owns the transaction.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ektp.regions import service as regions_service
from ektp.regions.wilayah import dotted
from ektp.residents.models import Resident
from ektp.scheduling.campaign import Campaign as CampaignDefinition
from ektp.scheduling.campaign import CampaignError, parse_campaign
from ektp.scheduling.letters import Letter, LetterBatch, SessionTime
from ektp.scheduling.models import LIVE_STATUSES, Campaign, Invitation, InvitationEvent

PRINTED = "letter_printed"
_IDS_PER_UPDATE = 10_000
"""Ids bound in one UPDATE: under SQLite's 32,766 and PostgreSQL's 65,535 parameters."""


class LettersError(LookupError):
    """Raised when there is nothing to print; the message says why in plain words."""


@dataclass(frozen=True)
class SitePlace:
    """Where a site is, as the letter names it."""

    name: str
    address: str


def letters_of(
    *,
    session: Session,
    kode_kelurahan: str,
    rw: int | None = None,
    rt: int | None = None,
    printed_on: dt.date,
) -> LetterBatch:
    """Return the letters of the live invitations of a kelurahan (or one RW, one RT of it)
    in the city's latest campaign, ordered by RW, RT, No. KK and name.

    Letters are dated ``printed_on``, except in a replay of a campaign whose deadline has
    passed (Palembang 2011): those are dated on its start, as the campaign's own calendar
    runs there (see ``campaigns.campaign_today``).
    """
    kelurahan = regions_service.get_region(session=session, kode=kode_kelurahan)
    if kelurahan is None or kelurahan.level != "kelurahan":
        raise LettersError(f"no loaded kelurahan has the code {kode_kelurahan.strip()!r}")
    kecamatan = regions_service.get_region(session=session, kode=kelurahan.parent_kode or "")
    kota = None
    if kecamatan is not None and kecamatan.parent_kode is not None:
        kota = regions_service.get_region(session=session, kode=kecamatan.parent_kode)
    if kecamatan is None or kota is None:
        raise LettersError(f"the regions above kelurahan {kelurahan.kode} are not loaded")
    campaign = latest_campaign(session=session, city=kota.kode)
    if campaign is None:
        raise LettersError(
            f"no campaign exists for {kota.nama} ({kota.kode}); create one with "
            "`ektp campaign create` and plan it with `ektp schedule plan`"
        )
    if printed_on > campaign.deadline:
        printed_on = campaign.start
    definition, addresses = read_definition(campaign.definition)
    query = (
        select(
            Invitation.id,
            Invitation.site_code,
            Invitation.tanggal,
            Invitation.session,
            Invitation.attendance_code,
            Resident.nama,
            Resident.nik,
            Resident.no_kk,
            Resident.alamat,
            Resident.rw,
            Resident.rt,
        )
        .join(Resident, Resident.id == Invitation.resident_id)
        .where(
            Invitation.campaign_id == campaign.id,
            Invitation.status.in_(LIVE_STATUSES),
            Resident.kode_kelurahan == kelurahan.kode,
        )
        .order_by(Resident.rw, Resident.rt, Resident.no_kk, Resident.nama, Invitation.id)
    )
    if rw is not None:
        query = query.where(Resident.rw == rw)
    if rt is not None:
        query = query.where(Resident.rt == rt)
    rows = session.execute(query).all()
    if not rows:
        raise LettersError(
            f"no live invitations in {_area(kelurahan.nama, kelurahan.kode, rw, rt)} "
            f"in campaign {campaign.name!r}; plan it first with `ektp schedule plan`"
        )
    sessions = {template.name: template for template in definition.sessions}
    places = _site_places(definition, addresses, kecamatan.nama)
    letters: list[Letter] = []
    for row in rows:
        template = sessions.get(row.session)
        place = places.get(row.site_code)
        if template is None or place is None:
            raise LettersError(
                f"invitation {row.id} names session {row.session!r} at site "
                f"{row.site_code!r}, which campaign {campaign.name!r} does not define"
            )
        letters.append(
            Letter(
                invitation_id=row.id,
                nama=row.nama,
                nik=row.nik,
                no_kk=row.no_kk,
                alamat=row.alamat,
                rw=row.rw,
                rt=row.rt,
                tanggal=row.tanggal,
                session=row.session,
                start=template.start,
                end=template.end,
                site_name=place.name,
                site_address=place.address,
                attendance_code=row.attendance_code,
            )
        )
    last = max(definition.sessions, key=lambda template: template.end)
    return LetterBatch(
        kode_kelurahan=kelurahan.kode,
        kota=kota.nama,
        kecamatan=kecamatan.nama,
        kelurahan=kelurahan.nama,
        printed_on=printed_on,
        evening=SessionTime(name=last.name, start=last.start, end=last.end),
        letters=tuple(letters),
    )


def latest_campaign(*, session: Session, city: str) -> Campaign | None:
    """Return the most recently created campaign of a kabupaten/kota, or None."""
    return session.execute(
        select(Campaign).where(Campaign.city == dotted(city)).order_by(Campaign.id.desc()).limit(1)
    ).scalar_one_or_none()


def read_definition(text: str) -> tuple[CampaignDefinition, dict[str, str]]:
    """Return a campaign's parsed definition and the ``address`` of each site that has one.

    ``address`` is a letters-only key of a ``[[sites]]`` table, taken out before the
    definition is checked so that the campaign parser need not know it.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise LettersError(f"the stored campaign definition is not valid TOML: {error}") from None
    addresses: dict[str, str] = {}
    sites: list[Any] = []
    for raw in data.get("sites", []):
        if isinstance(raw, Mapping) and "address" in raw:
            site = {key: value for key, value in raw.items() if key != "address"}
            code = site.get("code") or dotted(str(site.get("kecamatan", "")))
            addresses[str(code).strip()] = str(raw["address"]).strip()
            sites.append(site)
        else:
            sites.append(raw)
    try:
        definition = parse_campaign({**data, "sites": sites})
    except CampaignError as error:
        raise LettersError(f"the stored campaign definition is invalid: {error}") from None
    return definition, addresses


def _site_places(
    definition: CampaignDefinition, addresses: Mapping[str, str], kecamatan_nama: str
) -> dict[str, SitePlace]:
    office = f"Kantor Camat {kecamatan_nama}"
    return {
        site.code: SitePlace(
            name=site.name or office, address=addresses.get(site.code) or site.name or office
        )
        for site in definition.sites
    }


def _area(nama: str, kode: str, rw: int | None, rt: int | None) -> str:
    where = f"kelurahan {nama} ({kode})"
    if rw is not None:
        where += f" RW {rw:03d}"
    if rt is not None:
        where += f" RT {rt:03d}"
    return where


def mark_letters_printed(
    *, session: Session, invitation_ids: Sequence[int], now: dt.datetime, by: str | None
) -> int:
    """Return how many invitations moved from planned to letter_printed, each with an event.

    Invitations already printed, delivered or no longer live keep their state: printing a
    bundle again records nothing new.
    """
    marked: list[int] = []
    ordered = sorted(set(invitation_ids))
    for start in range(0, len(ordered), _IDS_PER_UPDATE):
        chunk = ordered[start : start + _IDS_PER_UPDATE]
        marked.extend(
            session.execute(
                update(Invitation)
                .where(Invitation.id.in_(chunk), Invitation.status == "planned")
                .values(status=PRINTED, updated_at=now)
                .returning(Invitation.id)
                .execution_options(synchronize_session=False)
            ).scalars()
        )
    if marked:
        session.execute(
            insert(InvitationEvent),
            [
                {
                    "invitation_id": invitation_id,
                    "at": now,
                    "from_status": "planned",
                    "to_status": PRINTED,
                    "by": by,
                    "note": None,
                }
                for invitation_id in sorted(marked)
            ],
        )
    return len(marked)
