"""The demo pipeline's calendar and chances (pure): office days, local times, and the seeded
draws that decide delays (print lag, transit, pickup) without keeping any state.

Every draw is a hash of the seed and what it is about (a day, a shipment number, a card), so
a pipeline stopped after any day and started again draws exactly what one long run would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from ektp.scheduling.campaigns import WIB
from ektp.sites.capacity import ClosedDays

OFFICES_CLOSED = ClosedDays()
"""Offices (centre, city office, kecamatan) close on weekends, public holidays and cuti
bersama; the recording sites' own closed dates do not apply to them."""

RELATIONS = ("suami/istri", "orang tua", "anak", "saudara kandung")


@dataclass(frozen=True)
class Rates:
    """How the pipeline behaves: days of the week, delays and the share of mishaps."""

    print_weekdays: tuple[int, ...] = (0, 3)
    """The centre prints on Mondays and Thursdays (0 = Monday)."""
    print_lag_days: tuple[int, int] = (7, 12)
    """A print run takes the cards accepted at least this many days before (drawn per run)."""
    print_failure: float = 0.006
    """Share of cards the printer spoils (reprinted)."""
    ship_weekdays: tuple[int, ...] = (1, 4)
    """Centre → city office shipments leave on Tuesdays and Fridays."""
    transit_days: tuple[int, int] = (2, 4)
    """Days a centre → city office shipment travels (drawn per shipment)."""
    missing_central: float = 0.25
    """Chance that one card of a centre → city office shipment is not in the boxes."""
    missing_local: float = 0.03
    """The same for a city office → kecamatan shipment."""
    mean_pickup_days: float = 8.0
    """Mean days from "ready" to collection for residents who come (exponential)."""
    never_collect: float = 0.05
    """Share of residents who come only after their card went back to the city office."""
    late_pickup_days: tuple[int, int] = (95, 150)
    representative: float = 0.12
    """Share of cards collected by an authorised representative."""


def is_office_day(day: dt.date) -> bool:
    """Return whether offices are open on ``day`` (Monday to Friday, not a holiday)."""
    return day.weekday() < 5 and not OFFICES_CLOSED.is_closed(day)


def office_day_on_or_after(day: dt.date) -> dt.date:
    """Return the first office day that is ``day`` or later."""
    while not is_office_day(day):
        day += dt.timedelta(days=1)
    return day


def local_time(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """Return ``hour:minute`` on ``day`` in Palembang (WIB) as an aware UTC datetime."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=WIB).astimezone(dt.UTC)


def local_day(moment: dt.datetime) -> dt.date:
    """Return the date in Palembang of ``moment`` (a naive moment is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(WIB).date()


def spread(
    start: dt.datetime, count: int, within: dt.timedelta, most: dt.timedelta
) -> list[dt.datetime]:
    """Return ``count`` moments from ``start``, evenly apart by at most ``most`` and all
    inside ``within`` (a busy office works faster rather than past its hours)."""
    if count <= 0:
        return []
    step = min(most, within / count)
    return [start + step * index for index in range(count)]


def draw(seed: int, *about: object) -> float:
    """Return a number in [0, 1) fixed by ``seed`` and ``about`` (same inputs, same number)."""
    text = "/".join(str(part) for part in (seed, *about))
    digest = hashlib.blake2b(text.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def draw_int(seed: int, low: int, high: int, *about: object) -> int:
    """Return an integer in ``[low, high]`` fixed by ``seed`` and ``about``."""
    return low + int(draw(seed, *about) * (high - low + 1))


def print_cutoff(seed: int, day: dt.date, rates: Rates) -> dt.date | None:
    """Return the last acceptance day whose cards the print run of ``day`` takes, or None
    when the centre does not print on ``day``."""
    if day.weekday() not in rates.print_weekdays or not is_office_day(day):
        return None
    lag = draw_int(seed, *rates.print_lag_days, "print-lag", day)
    return day - dt.timedelta(days=lag)


def ships_central(day: dt.date, rates: Rates) -> bool:
    """Return whether a centre → city office shipment leaves on ``day``."""
    return day.weekday() in rates.ship_weekdays and is_office_day(day)


def central_arrival(seed: int, number: str, sent: dt.date, rates: Rates) -> dt.date:
    """Return the office day the city office receives the central shipment ``number``."""
    days = draw_int(seed, *rates.transit_days, "transit", number)
    return office_day_on_or_after(sent + dt.timedelta(days=days))


def local_arrival(sent: dt.date) -> dt.date:
    """Return the office day a kecamatan receives a shipment the city office sent on ``sent``."""
    return office_day_on_or_after(sent + dt.timedelta(days=1))


@dataclass(frozen=True)
class Pickup:
    """When and by whom a ready card is collected."""

    day: dt.date
    representative: bool
    late: bool
    """True: only after the card went back to the city office (collected there)."""


def pickup(seed: int, card_id: int, reprints: int, ready: dt.date, rates: Rates) -> Pickup:
    """Return when the resident of ``card_id`` collects the card ready on ``ready``."""
    about = ("pickup", card_id, reprints)
    late = draw(seed, *about, "late") < rates.never_collect
    if late:
        days = draw_int(seed, *rates.late_pickup_days, *about, "days")
    else:
        # Exponential: most come within days, a tail over weeks.
        days = 1 + int(-rates.mean_pickup_days * math.log(1.0 - draw(seed, *about, "days")))
    representative = draw(seed, *about, "wakil") < rates.representative
    return Pickup(office_day_on_or_after(ready + dt.timedelta(days=days)), representative, late)


def representative_nik(seed: int, card_id: int, kode_kecamatan: str) -> str:
    """Return a 16-digit NIK for a card's representative (a family member of the kecamatan)."""
    digits = kode_kecamatan.replace(".", "")[-6:].rjust(6, "0")
    return f"{digits}{draw_int(seed, 0, 9_999_999_999, 'wakil-nik', card_id):010d}"


def representative_relation(seed: int, card_id: int) -> str:
    """Return how a card's representative is related to its owner."""
    return RELATIONS[draw_int(seed, 0, len(RELATIONS) - 1, "wakil-relation", card_id)]
