"""Route-matrix part of the Sekda's daily report (counts, forecasts, alerts; no personal data).

Only the Dinas (admin_kota) and the observer (pengamat) download it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.e2e.matrix_base import Call, Ids

LINES: dict[str, str] = {
    "GET /laporan/sekda.{fmt}":                                       "A F F F A L",
}  # fmt: skip


def build(session: Session, ids: Ids) -> dict[str, Any]:
    """Return nothing: the report reads what the base city holds."""
    return {}


def calls(ids: Ids) -> dict[str, Call]:
    """Return the request made for each route of LINES."""
    return {"GET /laporan/sekda.{fmt}": Call("GET", "/laporan/sekda.xlsx")}
