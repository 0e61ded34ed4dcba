"""The equipment planner as JSON: ``GET /api/v1/planning/equipment`` (counts only).

The figures hold no personal data; the city admin and the observer (pengamat) read them.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query

from ektp.auth import roles
from ektp.auth.models import User
from ektp.planning import service
from ektp.planning.cli import kecamatan_objects
from ektp.planning.whatif import WhatIf
from ektp.scheduling.errors import ScheduleError
from ektp.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/planning", tags=["planning"])

READ_ROLES = frozenset({roles.ADMIN_KOTA, roles.PENGAMAT})


def require_reader(user: User) -> None:
    """Refuse (403) a role that may not read the equipment planner."""
    if user.role not in READ_ROLES:
        raise HTTPException(status_code=403, detail="this role may not read the equipment plan")


@router.get("/equipment")
def get_equipment(
    user: CurrentUser,
    session: DbSession,
    deadline: dt.date | None = None,
    budget: Annotated[int | None, Query(ge=0, le=100_000)] = None,
    evening: bool | None = None,
    saturday: bool | None = None,
    minutes_per_person: Annotated[int | None, Query(ge=1, le=120)] = None,
    move_from: str | None = None,
    move_to: str | None = None,
) -> list[dict[str, Any]]:
    """Return one object per kecamatan: remaining, sets now and needed, per-set capacity until
    the deadline, finish dates; with a budget, the sets given; with a what-if, its figures."""
    require_reader(user)
    now = dt.datetime.now(dt.UTC)
    try:
        change = WhatIf(
            evening=evening,
            saturday=saturday,
            minutes_per_person=minutes_per_person,
            move_from=move_from,
            move_to=move_to,
        )
        comparison = service.equipment_needs(
            session=session, now=now, deadline=deadline, change=change
        )
        plan = None
        if budget is not None:
            plan = service.budget_plan(
                session=session,
                now=now,
                budget=budget,
                deadline=deadline,
                change=None if change.is_empty else change,
            )
    except ScheduleError as error:
        raise HTTPException(status_code=409, detail=str(error)) from None
    except ValueError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return kecamatan_objects(comparison, plan)
