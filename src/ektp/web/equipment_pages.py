"""The equipment planning page (``/perencanaan-alat``): the sets each kecamatan needs with
the reasoning, a budget form, what-if toggles, a simulated site-day as charts, and the table
as CSV/XLSX. Counts only: the city admin and the observer (pengamat) read it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from ektp.auth import roles
from ektp.auth.models import User
from ektp.planning import service
from ektp.planning.equipment import BudgetPlan
from ektp.planning.whatif import Comparison, WhatIf
from ektp.scheduling.errors import NoCampaignError
from ektp.web.deps import CurrentUser, DbSession
from ektp.web.exports import table_response
from ektp.web.render import language_of, render, translate

router = APIRouter(include_in_schema=False)

READ_ROLES = frozenset({roles.ADMIN_KOTA, roles.PENGAMAT})
EXPORT_COLUMNS = (
    "kode_kecamatan",
    "nama",
    "remaining",
    "sets_now",
    "open_days_until_deadline",
    "per_set_capacity_until_deadline",
    "sets_needed",
    "additional_sets",
    "finish_now",
    "finish_with_needed",
)


def _require(user: User) -> None:
    if user.role not in READ_ROLES:
        raise HTTPException(status_code=403, detail="this role may not open equipment planning")


def _choice(raw: str | None) -> bool | None:
    return {"ya": True, "tidak": False}.get(raw or "")


def _number(raw: str | None, field: str, low: int, high: int) -> int | None:
    if not raw:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise HTTPException(status_code=400, detail=f"{field} must be a whole number") from None
    if not low <= value <= high:
        raise HTTPException(status_code=400, detail=f"{field} must lie in {low}..{high}")
    return value


def _what_if(params: dict[str, str]) -> WhatIf:
    try:
        return WhatIf(
            evening=_choice(params.get("malam")),
            saturday=_choice(params.get("sabtu")),
            minutes_per_person=_number(params.get("menit"), "menit", 1, 120),
            move_from=params.get("dari") or None,
            move_to=params.get("ke") or None,
        )
    except ValueError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


def _answers(
    session: DbSession, params: dict[str, str]
) -> tuple[Comparison, BudgetPlan | None, WhatIf]:
    change = _what_if(params)
    budget = _number(params.get("anggaran"), "anggaran", 0, 100_000)
    now = dt.datetime.now(dt.UTC)
    try:
        comparison = service.equipment_needs(session=session, now=now, change=change)
        plan = None
        if budget is not None:
            plan = service.budget_plan(
                session=session, now=now, budget=budget, change=None if change.is_empty else change
            )
    except NoCampaignError:
        raise
    except ValueError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None
    return comparison, plan, change


def _simulation_chart(
    request: Request, session: DbSession, site_code: str
) -> dict[str, Any] | None:
    try:
        config, season = service.simulate_site(
            session=session, site_code=site_code, now=dt.datetime.now(dt.UTC), days=1
        )
    except ValueError:
        return None
    day = season.days[0]
    return {
        "locale": "id-ID" if language_of(request) == "id" else "en-GB",
        "labels": [f"{hour.hour:02d}:00" for hour in day.hours],
        "queue": [round(hour.mean_queue, 1) for hour in day.hours],
        "wait": [
            None if hour.mean_wait is None else round(hour.mean_wait, 1) for hour in day.hours
        ],
        "arrived": [hour.arrived for hour in day.hours],
        "names": {
            "queue": translate(request, "equipment.sim_queue"),
            "wait": translate(request, "equipment.sim_wait"),
            "arrived": translate(request, "equipment.sim_arrived"),
        },
        "summary": {
            "sets": config.sets,
            "recorded": day.recorded,
            "sent_home": day.sent_home,
            "idle": round(day.idle_minutes),
            "mean_wait": None if day.mean_wait is None else round(day.mean_wait, 1),
        },
    }


@router.get("/perencanaan-alat", response_class=HTMLResponse)
def equipment_page(request: Request, user: CurrentUser, session: DbSession) -> HTMLResponse:
    """Return the planner's table with its reasoning, the budget and what-if forms, and a
    simulated day at the chosen site (default: the kecamatan finishing last)."""
    _require(user)
    params = dict(request.query_params)
    try:
        comparison, plan, change = _answers(session, params)
    except NoCampaignError:
        return render(request, "equipment/plan.html", {"needs": None, "active": "equipment"})
    lines = comparison.before.lines
    latest = max(
        (line for line in lines if line.finish_now is not None),
        key=lambda line: line.finish_now or dt.date.min,
        default=None,
    )
    sites = service.sites_by_kecamatan(session=session)
    # Default: the first site of the kecamatan finishing last (site codes need not be
    # kecamatan codes, and a kecamatan may have several sites).
    first_site = sites.get(latest.kode_kecamatan, [("", "")])[0][0] if latest else ""
    site = params.get("lokasi") or first_site
    context: dict[str, Any] = {
        "needs": comparison.before,
        "after": None if comparison.after is comparison.before else comparison.after,
        "saved": comparison.additional_sets_saved,
        "plan": plan,
        "given": {line.kode_kecamatan: line for line in plan.lines} if plan else {},
        "change": change,
        "params": params,
        "site": site,
        "sites": [one for kecamatan in sites.values() for one in kecamatan],
        "chart": _simulation_chart(request, session, site) if site else None,
        "active": "equipment",
    }
    return render(request, "equipment/plan.html", context)


@router.get("/perencanaan-alat.{kind}")
def equipment_export(
    kind: str, request: Request, user: CurrentUser, session: DbSession
) -> Response:
    """Return the planner's table (answer a, with the page's what-if) as CSV or XLSX."""
    _require(user)
    if kind not in ("csv", "xlsx"):
        raise HTTPException(status_code=404, detail="use csv or xlsx")
    try:
        comparison, _, _ = _answers(session, dict(request.query_params))
    except NoCampaignError:
        raise HTTPException(status_code=404, detail="there is no campaign yet") from None
    rows = [[getattr(line, column) for column in EXPORT_COLUMNS] for line in comparison.after.lines]
    return table_response(kind, "perencanaan-alat", EXPORT_COLUMNS, rows)
