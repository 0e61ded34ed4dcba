"""JSON routes of regions: a region or RW/RT unit with its counts (no personal data)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException

from ektp.regions import service as regions_service
from ektp.regions.schemas import RegionSummary
from ektp.web.deps import CurrentUser, DbSession

router = APIRouter(prefix="/regions", tags=["regions"])


@router.get("/{kode}", response_model=RegionSummary)
def region_summary(
    kode: str, _user: CurrentUser, session: DbSession, as_of: dt.date | None = None
) -> RegionSummary:
    """Return a region's resident and wajib KTP counts on ``as_of`` (default today)."""
    try:
        return regions_service.region_summary(
            session=session, kode=kode, as_of=as_of or dt.date.today()
        )
    except regions_service.RegionNotFoundError as error:
        raise HTTPException(status_code=404, detail=str(error)) from None
