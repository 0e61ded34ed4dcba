"""Labels of the reports pages: key -> (Bahasa Indonesia, English)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "sekda.title": ("Laporan harian untuk Sekda", "Daily report for the Sekda"),
    "sekda.pdf": ("Unduh laporan Sekda (PDF)", "Download the Sekda report (PDF)"),
    "sekda.xlsx": ("Unduh laporan Sekda (XLSX)", "Download the Sekda report (XLSX)"),
    "sekda.hint": (
        "Satu halaman untuk kota dan satu per kecamatan: cakupan, kecepatan, peringatan, "
        "perkiraan selesai, rencana.",
        "One page for the city and one per kecamatan: coverage, pace, alerts, forecast, plan.",
    ),
}
