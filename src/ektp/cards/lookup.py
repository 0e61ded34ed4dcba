"""The residents' own card status lookup: NIK and birth date in, the public answer out.

Nothing beyond the card's stage, a date and a place leaves here: no name, no address. A
wrong NIK, a wrong birth date and a resident without a card get the identical answer
(``status.NO_CARD``). Every lookup is written to the audit log with the NIK masked.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session, aliased

from ektp.auth import service as auth_service
from ektp.cards.models import Card
from ektp.cards.status import NO_CARD, CardFacts, PublicStatus, public_status
from ektp.regions.models import Region
from ektp.residents.models import Resident
from ektp.scheduling import letters

ACTION_LOOKUP = "card.status_lookup"
_NIK = re.compile(r"^\d{16}$")


def mask_nik(nik: str) -> str:
    """Return ``nik`` masked as on every page of ektp: ``1671xxxxxxxx0001``.

    The city and the serial are kept, enough to spot one NIK being tried over and over in
    the audit log; the kecamatan and the birth date are hidden. Anything not 16 digits
    shows as ``(invalid)``.
    """
    typed = nik.strip()
    if not _NIK.match(typed):
        return "(invalid)"
    return letters.mask_nik(typed)


_KECAMATAN_REGION = aliased(Region)
_CITY_REGION = aliased(Region)
# The one query of a lookup, built once with the NIK as the parameter ``nik``: constructing
# the select with its two aliases cost more than running it (about 2 ms a lookup), and one
# statement object hits SQLAlchemy's compiled cache every time.
_FACTS = (
    select(
        Resident.tanggal_lahir,
        Card.state,
        Card.recorded_on,
        Card.kode_kecamatan,
        Card.state_since,
        Card.ready_at,
        Card.handed_at,
        _KECAMATAN_REGION.nama,
        _CITY_REGION.nama,
    )
    .outerjoin(Card, Card.resident_id == Resident.id)
    .outerjoin(_KECAMATAN_REGION, _KECAMATAN_REGION.kode == Card.kode_kecamatan)
    .outerjoin(_CITY_REGION, _CITY_REGION.kode == func.substr(Card.kode_kecamatan, 1, 5))
    .where(Resident.nik == bindparam("nik"))
)


def _facts(session: Session, nik: str, tanggal_lahir: dt.date) -> CardFacts | None:
    """Return the card facts of the resident with ``nik`` born on ``tanggal_lahir``, or None."""
    # One round trip: the place names come with the card (a lookup must stay cheap). Run on
    # the connection: plain rows need none of the ORM's result machinery (a third of the cost).
    row = session.connection().execute(_FACTS, {"nik": nik}).one_or_none()
    # Compare the date as text in constant time: the reply time then does not tell a wrong
    # birth date from a right one that has no card.
    stored = "0000-00-00" if row is None else row[0].isoformat()
    birth_ok = secrets.compare_digest(stored.encode(), tanggal_lahir.isoformat().encode())
    if row is None or not birth_ok or row[1] is None:
        return None
    kecamatan, kecamatan_name, city_name = str(row[3]), row[7], row[8]
    return CardFacts(
        state=str(row[1]),
        recorded_on=row[2],
        kecamatan_name=str(kecamatan_name or kecamatan),
        state_since=row[4],
        ready_at=row[5],
        handed_at=row[6],
        city_office_name=(
            f"Dinas Kependudukan dan Pencatatan Sipil {str(city_name).title()}"
            if city_name
            else "Dinas Kependudukan dan Pencatatan Sipil"
        ),
    )


def lookup_status(
    *,
    session: Session,
    nik: str,
    tanggal_lahir: dt.date,
    client: str | None,
    now: dt.datetime,
) -> PublicStatus:
    """Return the public status of the card of the resident ``nik`` born ``tanggal_lahir``.

    Any mismatch returns NO_CARD, the same answer as a resident without a card. The lookup is
    audited (masked NIK, client address, whether a card was found).
    """
    typed = nik.strip()
    facts = _facts(session, typed, tanggal_lahir) if _NIK.match(typed) else None
    answer = public_status(facts) if facts is not None else NO_CARD
    auth_service.record_audit(
        session=session,
        username=None,
        action=ACTION_LOOKUP,
        subject=mask_nik(typed),
        detail=json.dumps({"found": facts is not None}),
        client=client,
        now=now,
    )
    return answer
