"""Route matrix part of equipment planning: counts only, for the city admin and the observer."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from tests.e2e.matrix_base import Call, Ids

# fmt: off
LINES: dict[str, str] = {
    # One letter per role: admin camat lurah pusat pengamat anonim.
    "GET /perencanaan-alat":                                          "A F F F A L",
    "GET /perencanaan-alat.{kind}":                                   "A F F F A L",
    "GET /api/v1/planning/equipment":                                 "A F F F A L",
}
# fmt: on


def build(session: Session, ids: Ids) -> dict[str, Any]:
    """Add nothing: the planner reads the matrix city's campaign as it is."""
    return {}


def calls(ids: Ids) -> dict[str, Call]:
    """Return the request made for each route of LINES."""
    return {
        "GET /perencanaan-alat": Call("GET", "/perencanaan-alat?anggaran=2"),
        "GET /perencanaan-alat.{kind}": Call("GET", "/perencanaan-alat.csv"),
        "GET /api/v1/planning/equipment": Call("GET", "/api/v1/planning/equipment?budget=1"),
    }
