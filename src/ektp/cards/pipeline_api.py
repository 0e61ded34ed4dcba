"""JSON API of the card pipeline: counts per stage and per kecamatan (no personal data)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel

from ektp.web import pipeline_pages
from ektp.web.deps import CurrentUser, DbSession
from ektp.web.pipeline_pages import build, require_reader, scope_of

router = APIRouter(prefix="/cards", tags=["cards"])


class StageOut(BaseModel):
    """One stage: cards there, and since when the oldest waits."""

    state: str
    cards: int
    oldest_since: dt.datetime | None
    oldest_days: int | None


class KecamatanOut(BaseModel):
    """One kecamatan: cards per stage, median days to handover, cards not collected."""

    kode_kecamatan: str
    nama: str
    counts: dict[str, int]
    total: int
    handed_over: int
    median_days: float | None
    uncollected: int


class PipelineOut(BaseModel):
    """The pipeline of the caller's area (or of one chosen kecamatan)."""

    as_of: dt.datetime
    area: str | None
    uncollected_after_days: int
    total: int
    median_days: float | None
    uncollected: int
    stages: list[StageOut]
    kecamatan: list[KecamatanOut]


@router.get("/pipeline", response_model=PipelineOut)
def pipeline_endpoint(
    user: CurrentUser, session: DbSession, kecamatan: str | None = None
) -> PipelineOut:
    """Return the cards per stage (the oldest at each), per kecamatan with median days from
    recording to handover and cards not collected in time. Counts only: the city admin, the
    observer and a kecamatan operator (own kecamatan) may read it."""
    require_reader(user)
    area = scope_of(user, kecamatan)
    view = build(session, area, pipeline_pages.clock())
    return PipelineOut(
        as_of=view.as_of,
        area=area,
        uncollected_after_days=view.after_days,
        total=view.total,
        median_days=view.median_days,
        uncollected=view.uncollected,
        stages=[
            StageOut(
                state=line.state,
                cards=line.cards,
                oldest_since=line.oldest_since,
                oldest_days=line.oldest_days,
            )
            for line in view.stages
        ],
        kecamatan=[
            KecamatanOut(
                kode_kecamatan=line.kode_kecamatan,
                nama=line.nama,
                counts=dict(line.counts),
                total=line.total,
                handed_over=line.handed_over,
                median_days=line.median_days,
                uncollected=line.uncollected,
            )
            for line in view.kecamatan
        ],
    )
