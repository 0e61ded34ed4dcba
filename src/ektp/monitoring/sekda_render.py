"""The Sekda's report as files (pure): PDF through HTML and WeasyPrint, XLSX with openpyxl.

The PDF holds one A4 page per area (the city first); the XLSX one sheet per area, the city's
named ``Kota``, each with the figures of its page and every closed day.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ektp.monitoring.forecast import Status
from ektp.monitoring.sekda_alerts import city_summary
from ektp.monitoring.sekda_report import AreaPage, SekdaReport
from ektp.scheduling.letters import BULAN, format_tanggal, html_to_pdf

MAX_ALERTS = 12
"""Alerts printed on one page; the rest are counted (the XLSX lists every one)."""
CITY_SHEET = "Kota"
STATUS_TEXT = {
    Status.DONE.value: "selesai",
    Status.ON_TRACK.value: "sesuai jadwal",
    Status.LATE.value: "terlambat",
    Status.STALLED.value: "macet: tidak ada rekaman minggu-minggu terakhir",
    Status.NO_HISTORY.value: "belum ada hari yang ditutup",
    Status.BEYOND_CALENDAR.value: "terlalu lambat: lebih dari 3 tahun setelah batas waktu",
}
STATUS_SHORT = {
    Status.DONE.value: "selesai",
    Status.ON_TRACK.value: "sesuai",
    Status.LATE.value: "terlambat",
    Status.STALLED.value: "macet",
    Status.NO_HISTORY.value: "belum ada",
    Status.BEYOND_CALENDAR.value: "> 3 tahun",
}
"""The status in the city page's kecamatan table, where a line must not wrap."""
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _num(value: int | float | None) -> str:
    if value is None:
        return "-"
    return f"{round(value):,}".replace(",", ".")


def _dec(value: float | None) -> str:
    if value is None:
        return "-"
    whole, fraction = f"{value:,.1f}".split(".")
    return whole.replace(",", ".") + "," + fraction


def _short_date(value: dt.date | None) -> str:
    if value is None:
        return "-"
    return f"{value.day} {BULAN[value.month - 1][:3]} {value.year}"


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("ektp.monitoring", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["tanggal"] = format_tanggal
    environment.filters["tanggal_pendek"] = _short_date
    environment.filters["num"] = _num
    environment.filters["dec"] = _dec
    return environment


def report_html(report: SekdaReport, *, generated: dt.datetime | None = None) -> str:
    """Return the HTML of the report: one section (printed as one page) per area."""
    stamp = generated or dt.datetime.now(dt.UTC)
    names = {page.kode: page.nama for page in report.kecamatan}
    return (
        _environment()
        .get_template("sekda.html")
        .render(
            report=report,
            status_text=STATUS_TEXT,
            status_short=STATUS_SHORT,
            max_alerts=MAX_ALERTS,
            city_alerts=city_summary(report.city_page.alerts, names),
            names=names,
            generated=stamp.strftime("%Y-%m-%d %H:%M %Z"),
        )
    )


def report_pdf(report: SekdaReport, *, generated: dt.datetime | None = None) -> bytes:
    """Return the report as PDF: 1 + (number of kecamatan) A4 pages."""
    return html_to_pdf(report_html(report, generated=generated))


def sheet_name(page: AreaPage, used: set[str]) -> str:
    """Return a sheet title for a kecamatan page: its code and name, at most 31 characters
    without the characters Excel refuses, unique within the book."""
    base = _SHEET_FORBIDDEN.sub("-", f"{page.kode} {page.nama}")[:31].strip()
    name, number = base, 2
    while name in used:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    used.add(name)
    return name


def _equipment_rows(page: AreaPage) -> list[tuple[str, Any]]:
    """Return the planner's rows (reserve excluded), named as ``ektp plan equipment --json``."""
    e = page.equipment
    return [
        ("sets_now", None if e is None else e.sets_now),
        ("open_days_until_deadline", None if e is None else e.open_days),
        (
            "per_set_capacity_until_deadline",
            None if e is None else e.per_set_capacity_until_deadline,
        ),
        ("sets_needed", None if e is None else e.sets_needed),
        ("additional_sets", None if e is None else e.additional_sets),
        ("finish_now", None if e is None else e.finish_now),
    ]


def _summary_rows(report: SekdaReport, page: AreaPage) -> list[tuple[str, Any]]:
    forecast, plan = page.forecast, page.plan
    pace = forecast.pace
    return [
        ("kode", page.kode),
        ("nama", page.nama),
        ("tanggal_laporan", report.day),
        ("batas_waktu", report.deadline),
        ("wajib_ktp", page.wajib_ktp),
        ("direkam", page.recorded),
        ("cakupan_persen", round(page.coverage, 2)),
        ("belum_direkam", page.remaining),
        ("direkam_hari_ini", page.day_recorded),
        ("target_hari_ini", page.day_target),
        ("rata_rata_per_hari", None if pace is None else round(pace.mean, 1)),
        ("rata_rata_rendah", None if pace is None else round(pace.low, 1)),
        ("rata_rata_tinggi", None if pace is None else round(pace.high, 1)),
        ("minggu_dihitung", 0 if pace is None else len(pace.weeks)),
        (
            "perlu_per_hari",
            None if forecast.required_pace is None else round(forecast.required_pace, 1),
        ),
        ("hari_kerja_tersisa", forecast.working_days_left),
        ("status", STATUS_TEXT[forecast.status.value]),
        ("perkiraan_selesai", forecast.expected),
        ("paling_cepat", forecast.earliest),
        ("paling_lambat", forecast.latest),
        ("hari_terlambat", forecast.days_late),
        ("selesai_menurut_kapasitas_termasuk_cadangan", forecast.by_capacity),
        ("kapasitas_sampai_batas_waktu_termasuk_cadangan", forecast.capacity_until_deadline),
        *_equipment_rows(page),
        ("set_rencana", None if plan is None else plan.sets),
        (
            "kapasitas_per_hari_rencana_termasuk_cadangan",
            None if plan is None else plan.daily_capacity,
        ),
        ("hari_terakhir_rencana", None if plan is None else plan.last_day),
        ("rencana_memenuhi_batas_waktu", None if plan is None else plan.deadline_met),
        ("tambahan_set_saat_rencana_dibuat", None if plan is None else plan.extra_sets_needed),
        ("peringatan", len(page.alerts)),
    ]


def _fill(sheet: Any, report: SekdaReport, page: AreaPage, *, city: bool) -> None:
    for row in _summary_rows(report, page):
        sheet.append(list(row))
    if city:
        sheet.append([])
        sheet.append(
            ["kode_kecamatan", "nama", "wajib_ktp", "direkam", "cakupan_persen",
             "direkam_hari_ini", "rata_rata_per_hari", "perkiraan_selesai", "hari_terlambat",
             "status"]
        )  # fmt: skip
        for kecamatan in report.kecamatan:
            pace = kecamatan.forecast.pace
            sheet.append(
                [
                    kecamatan.kode,
                    kecamatan.nama,
                    kecamatan.wajib_ktp,
                    kecamatan.recorded,
                    round(kecamatan.coverage, 2),
                    kecamatan.day_recorded,
                    None if pace is None else round(pace.mean, 1),
                    kecamatan.forecast.expected,
                    kecamatan.forecast.days_late,
                    STATUS_TEXT[kecamatan.forecast.status.value],
                ]
            )
    sheet.append([])
    sheet.append(["tanggal", "direkam", "target"])
    for line in page.days:
        sheet.append([line.date, line.recorded, line.target or None])
    sheet.append([])
    sheet.append(["peringatan", "kode_kecamatan", "wilayah", "keterangan"])
    for alert in page.alerts:
        sheet.append([alert.kind, alert.kode_kecamatan, alert.area, alert.text])


def report_xlsx(report: SekdaReport) -> bytes:
    """Return the report as an XLSX book: sheet ``Kota`` then one sheet per kecamatan."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    _fill(book.create_sheet(CITY_SHEET), report, report.city_page, city=True)
    used = {CITY_SHEET}
    for page in report.kecamatan:
        _fill(book.create_sheet(sheet_name(page, used)), report, page, city=False)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


FORMATS = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def report_bytes(report: SekdaReport, fmt: str) -> bytes:
    """Return the report in ``fmt`` (pdf or xlsx); ValueError names another format."""
    if fmt == "pdf":
        return report_pdf(report)
    if fmt == "xlsx":
        return report_xlsx(report)
    raise ValueError(f"unknown report format {fmt!r}; use pdf or xlsx")
