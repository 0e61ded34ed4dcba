"""The Sekda's daily report as a download (PDF or XLSX), made on demand.

The report holds counts, forecasts and alerts, no personal data: the city admin and the
observer (pengamat) may download it; a kecamatan operator reads its own figures on the daily
report page instead.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response

from ektp.auth import roles
from ektp.monitoring.sekda_render import FORMATS, report_bytes
from ektp.monitoring.sekda_report import default_day, sekda_report
from ektp.scheduling.errors import NoCampaignError
from ektp.web.deps import CurrentUser, DbSession

router = APIRouter(include_in_schema=False)

READ_ROLES = frozenset({roles.ADMIN_KOTA, roles.PENGAMAT})


@router.get("/laporan/sekda.{fmt}")
def sekda_download(
    fmt: str, user: CurrentUser, session: DbSession, tanggal: str | None = None
) -> Response:
    """Return the Sekda's report of ``tanggal`` (default: the last closed day) as a file."""
    if user.role not in READ_ROLES:
        raise HTTPException(status_code=403, detail="only the Dinas and the observer")
    if fmt not in FORMATS:
        raise HTTPException(status_code=404, detail=f"unknown format {fmt!r}; use pdf or xlsx")
    try:
        day = dt.date.fromisoformat(tanggal) if tanggal else default_day(session=session)
    except ValueError:
        raise HTTPException(status_code=400, detail="tanggal looks like 2011-10-03") from None
    except NoCampaignError:
        raise HTTPException(status_code=404, detail="there is no campaign yet") from None
    try:
        report = sekda_report(session=session, day=day)
    except NoCampaignError:
        raise HTTPException(status_code=404, detail="there is no campaign yet") from None
    return Response(
        report_bytes(report, fmt),
        media_type=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="laporan-sekda-{day.isoformat()}.{fmt}"'
        },
    )
