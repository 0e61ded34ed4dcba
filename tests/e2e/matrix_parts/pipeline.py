"""Route-matrix part of the card pipeline: the Dinas's page (counts: the city admin, the
observer and a kecamatan operator), its exports, a kecamatan's list of cards at one stage
(masked NIK: roles that may see personal data, in their area), and the JSON API."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.e2e.matrix_base import SUKARAMI, Call, Ids

LINES: dict[str, str] = {
    "GET /kartu":                                                     "A A F F A L",
    "GET /kartu/daftar/{kode_kecamatan}/{state}":                     "A A F F F L",
    "GET /kartu/ekspor/{table}.{fmt}":                                "A A F F A L",
    "GET /api/v1/cards/pipeline":                                     "A A F F A L",
}  # fmt: skip


def build(session: Session, ids: Ids) -> dict[str, Any]:
    """Add nothing: the pipeline answers on the cards other parts made (or none)."""
    return {}


def calls(ids: Ids) -> dict[str, Call]:
    """Return the request made for each route of LINES (on Sukarami, the operator's own)."""
    return {
        "GET /kartu": Call("GET", "/kartu"),
        "GET /kartu/daftar/{kode_kecamatan}/{state}": Call(
            "GET", f"/kartu/daftar/{SUKARAMI}/direkam"
        ),
        "GET /kartu/ekspor/{table}.{fmt}": Call("GET", "/kartu/ekspor/tahap.csv"),
        "GET /api/v1/cards/pipeline": Call("GET", "/api/v1/cards/pipeline"),
    }
