"""Any list as a download: CSV (UTF-8 with BOM, so Excel reads it) or XLSX (openpyxl)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import HTTPException
from fastapi.responses import Response

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_bytes(fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """Return ``header`` and ``rows`` as a CSV or XLSX file's bytes."""
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    if fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(list(header))
        for row in rows:
            # Spreadsheets have no time zones: an aware datetime is written as local text.
            sheet.append(
                [v.isoformat(" ") if isinstance(v, dt.datetime) and v.tzinfo else v for v in row]
            )
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    raise HTTPException(404, f"unknown format {fmt!r}; use csv or xlsx")


def table_response(
    fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Response:
    """Return a download of the table as ``filename.<fmt>`` (404 for another format)."""
    if fmt not in FORMATS:
        raise HTTPException(404, f"unknown format {fmt!r}; use csv or xlsx")
    return Response(
        table_bytes(fmt, header, rows),
        media_type=FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}.{fmt}"'},
    )
