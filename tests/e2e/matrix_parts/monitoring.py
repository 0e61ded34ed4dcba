"""Route-matrix part of the progress dashboards and alerts (counts only).

The calls name Sukarami, the kecamatan operator's own area; the kelurahan officer (Talang
Betutu, in Sukarami) gets 404 for the kecamatan and may open only their kelurahan.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.e2e.matrix_base import SUKARAMI, Call, Ids

LINES: dict[str, str] = {
    "GET /pantauan":                                                  "A A A F A L",
    "GET /pantauan/{kode}":                                           "A A N F A L",
    "GET /pantauan/{kode}/unduh/{name}.{fmt}":                        "A A N F A L",
    "GET /peringatan":                                                "A A A F A L",
    "GET /peringatan.{fmt}":                                          "A A A F A L",
    "GET /api/v1/monitoring/progress/{kode}":                         "A A N F A L",
    "GET /api/v1/monitoring/alerts":                                  "A A A F A L",
}  # fmt: skip


def build(session: Session, ids: Ids) -> dict[str, Any]:
    """Return nothing: the dashboards read what the base city holds."""
    return {}


def calls(ids: Ids) -> dict[str, Call]:
    """Return the request made for each route of LINES."""
    return {
        "GET /pantauan": Call("GET", "/pantauan"),
        "GET /pantauan/{kode}": Call("GET", f"/pantauan/{SUKARAMI}"),
        "GET /pantauan/{kode}/unduh/{name}.{fmt}": Call(
            "GET", f"/pantauan/{SUKARAMI}/unduh/wilayah.csv"
        ),
        "GET /peringatan": Call("GET", "/peringatan"),
        "GET /peringatan.{fmt}": Call("GET", "/peringatan.xlsx"),
        "GET /api/v1/monitoring/progress/{kode}": Call(
            "GET", f"/api/v1/monitoring/progress/{SUKARAMI}"
        ),
        "GET /api/v1/monitoring/alerts": Call("GET", "/api/v1/monitoring/alerts"),
    }
