"""The Dinas's card pipeline at a glance (GET /kartu), its exports, and the list of a
kecamatan's cards at one stage.

Counts are no personal data: the city admin, the observer (pengamat) and a kecamatan operator
(own kecamatan only) see them. Lists of cards carry a masked NIK (no name): only roles that
may see personal data, inside their area, and each list shown or downloaded is audited.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from ektp.auth import roles
from ektp.auth import service as auth_service
from ektp.auth.models import User
from ektp.cards import lifecycle
from ektp.cards import pipeline as queries
from ektp.cards.uncollected import after_days_of
from ektp.regions import service as regions_service
from ektp.web import i18n
from ektp.web.deps import CurrentUser, DbSession, client_address
from ektp.web.exports import table_response
from ektp.web.render import language_of, render

router = APIRouter(include_in_schema=False)

READ_ROLES = frozenset({roles.ADMIN_KOTA, roles.PENGAMAT, roles.OPERATOR_KECAMATAN})
ACTION_LIST = "cards.list"
ACTION_UNCOLLECTED = "cards.uncollected"
TABLES = ("tahap", "kecamatan", "belum-diambil", "daftar")
# A download holds at most this many cards: far above a kecamatan's overdue pile.
EXPORT_LIMIT = 200_000


def clock() -> dt.datetime:
    """Return the present moment (looked up on the module, so that tests can fix it)."""
    return dt.datetime.now(dt.UTC)


def require_reader(user: User) -> None:
    """Refuse (403) a role that may not see the pipeline."""
    if user.role not in READ_ROLES:
        raise HTTPException(status_code=403, detail="this role may not see the card pipeline")


def scope_of(user: User, kecamatan: str | None) -> str | None:
    """Return the area the user's figures cover: a chosen kecamatan, else the user's area
    (None: everything, for the observer). Another area's kecamatan is not found (404)."""
    own = None if user.role == roles.PENGAMAT else user.area_kode
    if user.role == roles.OPERATOR_KECAMATAN and own is None:
        raise HTTPException(status_code=403, detail="this account has no kecamatan")
    if not kecamatan:
        return own
    if own is not None and not roles.area_covers(own, kecamatan):
        raise HTTPException(status_code=404, detail="no such kecamatan in your area")
    return kecamatan


def may_list(user: User) -> bool:
    """Return whether the user may see lists of cards (masked NIK) in their area."""
    return roles.may_see_personal_data(user.role) and user.area_kode is not None


def _names(session: Session, view: queries.Pipeline) -> dict[str, str]:
    codes = [line.kode_kecamatan for line in view.kecamatan]
    return regions_service.region_names(session=session, codes=codes) if codes else {}


def build(session: Session, area: str | None, now: dt.datetime) -> queries.Pipeline:
    """Return the pipeline of ``area`` with the kecamatan names filled in."""
    after_days = after_days_of(session=session)
    view = queries.pipeline(session=session, area=area, now=now, after_days=after_days)
    names = _names(session, view)
    lines = tuple(
        dataclasses.replace(line, nama=names.get(line.kode_kecamatan, line.kode_kecamatan))
        for line in view.kecamatan
    )
    return dataclasses.replace(view, kecamatan=lines)


def chart_data(request: Request, view: queries.Pipeline) -> dict[str, Any]:
    """Return the bar chart's figures: stages with cards (the main path always shown)."""
    lang = language_of(request)
    shown = [s for s in view.stages if s.cards or s.state in lifecycle.MAIN_PATH]
    return {
        "locale": "id-ID" if lang == "id" else "en-GB",
        "labels": [i18n.translate(lang, f"card_state.{s.state}") for s in shown],
        "cards": [s.cards for s in shown],
        "side": [s.state not in lifecycle.MAIN_PATH for s in shown],
        "name": i18n.translate(lang, "pipeline.cards"),
    }


def audit_list(
    request: Request, session: Session, user: User, action: str, subject: str, rows: int
) -> None:
    """Write to the audit log that ``user`` saw a list of cards."""
    auth_service.record_audit(
        session=session,
        username=user.username,
        action=action,
        subject=subject[:120],
        detail=json.dumps({"rows": rows}),
        client=client_address(request),
    )


def _cursor(raw: str | None) -> tuple[dt.datetime, int] | None:
    try:
        return queries.parse_cursor(raw)
    except ValueError as error:
        raise HTTPException(status_code=400, detail=str(error)) from None


@router.get("/kartu", response_class=HTMLResponse)
def pipeline_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kecamatan: str | None = None,
    setelah: str | None = None,
) -> HTMLResponse:
    """Return the pipeline: stages, per kecamatan, median days, uncollected cards."""
    require_reader(user)
    area = scope_of(user, kecamatan)
    now = clock()
    view = build(session, area, now)
    overdue: list[queries.CardLine] = []
    listing = may_list(user)
    if listing and view.uncollected:
        overdue = queries.uncollected_cards(
            session=session,
            area=area,
            now=now,
            after_days=view.after_days,
            after=_cursor(setelah),
        )
        audit_list(request, session, user, ACTION_UNCOLLECTED, area or "", len(overdue))
    choices = _choices(session, user)
    context: dict[str, Any] = {
        "view": view,
        "area": area,
        "kecamatan": kecamatan or "",
        "choices": choices,
        "overdue": overdue,
        "next_cursor": queries.cursor_of(overdue[-1])
        if len(overdue) == queries.PAGE_SIZE
        else None,
        "listing": listing,
        "main_path": lifecycle.MAIN_PATH,
        "stages": queries.STAGES,
        "chart": chart_data(request, view),
        "query": f"?kecamatan={kecamatan}" if kecamatan else "",
        "active": "cards",
    }
    return render(request, "pipeline/pipeline.html", context, personal=bool(overdue))


def _choices(session: Session, user: User) -> list[tuple[str, str]]:
    """Return the kecamatan the user may pick (code, name); none for an operator."""
    if user.role == roles.OPERATOR_KECAMATAN:
        return []
    counts = queries.counts_by_kecamatan(
        session=session, area=None if user.role == roles.PENGAMAT else user.area_kode
    )
    names = regions_service.region_names(session=session, codes=list(counts)) if counts else {}
    return [(code, names.get(code, code)) for code in sorted(counts)]


@router.get("/kartu/daftar/{kode_kecamatan}/{state}", response_class=HTMLResponse)
def stage_list_page(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    kode_kecamatan: str,
    state: str,
    setelah: str | None = None,
) -> HTMLResponse:
    """Return one page of a kecamatan's cards at one stage (masked NIK), oldest first."""
    require_reader(user)
    if not may_list(user):
        raise HTTPException(status_code=403, detail="this role sees counts only")
    scope_of(user, kode_kecamatan)
    if state not in lifecycle.STATES:
        raise HTTPException(status_code=404, detail=f"unknown card state {state!r}")
    lines = queries.cards_at_stage(
        session=session, kecamatan=kode_kecamatan, state=state, now=clock(), after=_cursor(setelah)
    )
    audit_list(request, session, user, ACTION_LIST, f"{kode_kecamatan} {state}", len(lines))
    names = regions_service.region_names(session=session, codes=[kode_kecamatan])
    context = {
        "lines": lines,
        "state": state,
        "kode_kecamatan": kode_kecamatan,
        "nama": names.get(kode_kecamatan, kode_kecamatan),
        "next_cursor": queries.cursor_of(lines[-1]) if len(lines) == queries.PAGE_SIZE else None,
        "active": "cards",
    }
    return render(request, "pipeline/list.html", context, personal=True)


@router.get("/kartu/ekspor/{table}.{fmt}")
def export_table(
    request: Request,
    user: CurrentUser,
    session: DbSession,
    table: str,
    fmt: str,
    kecamatan: str | None = None,
    tahap: str | None = None,
) -> Response:
    """Return one of the page's tables as CSV or XLSX."""
    require_reader(user)
    if table not in TABLES:
        raise HTTPException(status_code=404, detail=f"no table {table!r}; tables: {TABLES}")
    area = scope_of(user, kecamatan)
    now = clock()
    stamp = now.date().isoformat()
    if table in ("tahap", "kecamatan"):
        view = build(session, area, now)
        if table == "tahap":
            header = ["state", "cards", "oldest_since", "oldest_days"]
            rows: Any = [
                [
                    s.state,
                    s.cards,
                    s.oldest_since or "",
                    "" if s.oldest_days is None else s.oldest_days,
                ]
                for s in view.stages
            ]
        else:
            header = [
                "kode_kecamatan",
                "nama",
                *queries.STAGES,
                "total",
                "handed_over",
                "median_days",
                "uncollected",
            ]
            rows = [
                [
                    line.kode_kecamatan,
                    line.nama,
                    *(line.counts[s] for s in queries.STAGES),
                    line.total,
                    line.handed_over,
                    "" if line.median_days is None else line.median_days,
                    line.uncollected,
                ]
                for line in view.kecamatan
            ]
        return table_response(fmt, f"kartu-{table}-{stamp}", header, rows)
    if not may_list(user):
        raise HTTPException(status_code=403, detail="this role sees counts only")
    if table == "daftar":
        if not kecamatan or tahap not in lifecycle.STATES:
            raise HTTPException(status_code=400, detail="give ?kecamatan=CODE&tahap=STATE")
        lines = list(_all_pages(session, now, kecamatan=kecamatan, state=tahap))
        subject = f"{kecamatan} {tahap}"
        action = ACTION_LIST
    else:
        after_days = after_days_of(session=session)
        lines = list(_all_pages(session, now, area=area, after_days=after_days))
        subject, action = area or "", ACTION_UNCOLLECTED
    audit_list(request, session, user, action, f"{subject} {fmt}", len(lines))
    header = ["nik_masked", "kode_kecamatan", "kode_kelurahan", "state", "since", "days", "serial"]
    card_rows = [
        [
            line.nik_masked,
            line.kode_kecamatan,
            line.kode_kelurahan,
            line.state,
            line.state_since,
            line.days,
            line.serial or "",
        ]
        for line in lines
    ]
    return table_response(fmt, f"kartu-{table}-{stamp}", header, card_rows)


def _all_pages(
    session: Session,
    now: dt.datetime,
    *,
    kecamatan: str | None = None,
    state: str | None = None,
    area: str | None = None,
    after_days: int = 90,
) -> Iterator[queries.CardLine]:
    after = None
    given = 0
    while given < EXPORT_LIMIT:
        if state is not None and kecamatan is not None:
            page = queries.cards_at_stage(
                session=session,
                kecamatan=kecamatan,
                state=state,
                now=now,
                after=after,
                limit=queries.MAX_PAGE_SIZE,
            )
        else:
            page = queries.uncollected_cards(
                session=session,
                area=area,
                now=now,
                after_days=after_days,
                after=after,
                limit=queries.MAX_PAGE_SIZE,
            )
        yield from page
        given += len(page)
        if len(page) < queries.MAX_PAGE_SIZE:
            return
        after = (page[-1].state_since, page[-1].card_id)
