"""Route-matrix part of the handover desk and the public card status lookup. The desk shows
a resident's name and photo: the kecamatan's operator and the city admin only. The status
lookup is public (rate-limited, no personal data)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ektp.cards import lifecycle
from tests.e2e.conftest import RESIDENTS
from tests.e2e.matrix_base import MORNING, Call, Ids
from tests.integration.handover_city import advance, record

LINES: dict[str, str] = {
    "POST /api/v1/status":                                            "P P P P P P",
    "GET /cek-ktp":                                                   "P P P P P P",
    "POST /cek-ktp":                                                  "P P P P P P",
    "GET /penyerahan":                                                "A A F F F L",
    "POST /penyerahan/cari":                                          "A A F F F L",
    "GET /penyerahan/kartu/{card_id}":                                "A A F F F L",
    "POST /penyerahan/kartu/{card_id}":                               "A A F F F L",
}  # fmt: skip

OWNER = RESIDENTS[-1]
"""BUDI 29 of Talang Betutu (Sukarami): a card ready for pickup."""


def build(session: Session, ids: Ids) -> dict[str, Any]:
    """Return the id of a card ready for pickup in Sukarami."""
    card = record(session, OWNER.nik, day=MORNING.date(), at=MORNING)
    advance(session, [card], lifecycle.DITERIMA_KECAMATAN, MORNING)
    return {"card": card}


def calls(ids: Ids) -> dict[str, Call]:
    """Return the request made for each route of LINES."""
    card = ids.extra.get("handover", {}).get("card", 1)
    lookup = {"nik": OWNER.nik, "tanggal_lahir": OWNER.tanggal_lahir.isoformat()}
    hand = {"recipient": "pemilik", "face_confirmed": "1", "acknowledged": "1"}
    return {
        "POST /api/v1/status": Call("POST", "/api/v1/status", json=lookup),
        "GET /cek-ktp": Call("GET", "/cek-ktp"),
        "POST /cek-ktp": Call("POST", "/cek-ktp", form=lookup),
        "GET /penyerahan": Call("GET", "/penyerahan"),
        "POST /penyerahan/cari": Call("POST", "/penyerahan/cari", form={"nik": OWNER.nik}),
        "GET /penyerahan/kartu/{card_id}": Call("GET", f"/penyerahan/kartu/{card}"),
        "POST /penyerahan/kartu/{card_id}": Call("POST", f"/penyerahan/kartu/{card}", form=hand),
    }
