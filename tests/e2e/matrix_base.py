"""What the route matrix and its per-area parts share: the city's ids and a request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

SECRET = "matrix-secret"
WIB = dt.timezone(dt.timedelta(hours=7), "WIB")
MONDAY = dt.date(2011, 10, 3)
MORNING = dt.datetime.combine(MONDAY, dt.time(9), tzinfo=WIB).astimezone(dt.UTC)
SUKARAMI = "16.71.07"
IT2 = "16.71.06"
ROLES = ("admin", "camat", "lurah", "pusat", "pengamat", "anonim")
"""Columns of MATRIX: admin_kota, operator_kecamatan (Sukarami), petugas_kelurahan (Talang
Betutu, in Sukarami), petugas_pusat, pengamat, and nobody logged in."""
OTHER_OPERATOR = "camat.it2"
LIVE = ("planned", "letter_printed", "delivered")


@dataclass(frozen=True)
class Ids:
    """The rows the requests name: in Sukarami (own) and in Ilir Timur II (other)."""

    ticket: int
    recording: int
    invitation: int
    code: str
    walk_in_nik: str
    other_ticket: int
    other_recording: int
    other_invitation: int
    other_code: str
    # What each area part's ``build`` added to the city, by part name (see matrix_parts).
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Call:
    """A request made for a route: method, URL, and a JSON body or a form."""

    method: str
    url: str
    json: dict[str, Any] | None = None
    form: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)
