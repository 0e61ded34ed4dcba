"""Labels of the monitoring pages: key -> (Bahasa Indonesia, English)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "dash.title": ("Pantauan perekaman", "Recording progress"),
    "dash.as_of": ("Sampai hari yang ditutup {date}", "Up to the day closed on {date}"),
    "dash.wajib_ktp": ("Wajib KTP", "Wajib KTP"),
    "dash.recorded": ("Terekam", "Recorded"),
    "dash.coverage": ("Cakupan", "Coverage"),
    "dash.pace": ("Laju (rata-rata 7 hari kerja)", "Pace (mean of 7 working days)"),
    "dash.missed_rate": ("Tidak datang", "Missed turns"),
    "dash.walk_in_share": ("Datang langsung", "Walk-in share"),
    "dash.evening_share": ("Sesi malam", "Evening share"),
    "dash.chart_title": (
        "Terekam per hari, 30 hari kerja terakhir",
        "Recorded per day, last 30 working days",
    ),
    "dash.chart.target": ("Target harian", "Daily target"),
    "dash.chart.invited": ("Undangan jatuh tempo", "Turns due"),
    "dash.chart_table": ("Angka grafik", "Chart figures"),
    "dash.day": ("Hari", "Day"),
    "dash.download": ("Unduh:", "Download:"),
    "dash.children.kecamatan": ("Kecamatan", "Kecamatan"),
    "dash.children.kelurahan": ("Kelurahan", "Kelurahan"),
    "dash.children.rt": ("RT", "RT"),
    "dash.ranking": (
        "peringkat menurut cakupan dan laju",
        "ranked by coverage and by pace",
    ),
    "dash.rank_coverage": ("Peringkat cakupan", "Rank by coverage"),
    "dash.rank_pace": ("Peringkat laju", "Rank by pace"),
    "dash.region": ("Wilayah", "Area"),
    "dash.sites": ("Alat perekaman per tempat", "Recording sets per site"),
    "dash.site": ("Tempat", "Site"),
    "dash.days": ("Hari ditutup", "Closed days"),
    "dash.per_set_per_day": ("Terekam per alat per hari", "Recorded per set per day"),
    "dash.idle_share": ("Alat menganggur", "Sets idle"),
    "dash.cards": ("Kartu per tahap", "Cards per stage"),
    "dash.alerts": ("Peringatan", "Alerts"),
    "dash.alerts_all": ("Semua peringatan", "All alerts"),
    "dash.alerts_title": ("Peringatan", "Alerts"),
    "dash.alert_kind": ("Jenis", "Kind"),
    "dash.alert_text": ("Keterangan", "Details"),
    "dash.no_alerts": ("Tidak ada peringatan saat ini.", "No alerts at present."),
    "dash.limits": ("Batas peringatan (berkas kampanye)", "Alert thresholds (campaign file)"),
    "dash.limit.below_target": (
        "Kecamatan di bawah target harian {n} hari kerja berturut-turut",
        "A kecamatan below its daily target {n} working days in a row",
    ),
    "dash.limit.idle": (
        "Alat menganggur lebih dari {limit} % jam bukanya",
        "A set idle more than {limit} % of its open time",
    ),
    "dash.limit.attendance": (
        "RT dengan kehadiran di bawah {limit} % (setelah {n} undangan jatuh tempo)",
        "An RT with attendance under {limit} % (once {n} turns were due)",
    ),
    "dash.limit.cards": (
        "Kartu menunggu di satu tahap lebih dari {n} hari",
        "Cards waiting at one stage longer than {n} days",
    ),
    "dash.kind.below_target": ("Di bawah target", "Below target"),
    "dash.kind.idle_set": ("Alat menganggur", "Idle set"),
    "dash.kind.low_attendance": ("Kehadiran rendah", "Low attendance"),
    "dash.kind.cards_waiting": ("Kartu tertahan", "Cards waiting"),
    "dash.alert.below_target": (
        "Kecamatan {nama} ({area}) di bawah target {days} hari kerja berturut-turut sejak "
        "{since}: {recorded} terekam dari target {target}.",
        "Kecamatan {nama} ({area}) below target {days} working days in a row since {since}: "
        "{recorded} recorded of a {target} target.",
    ),
    "dash.alert.idle_set": (
        "Alat {set_no} di {site} ({nama}) menganggur {percent} % jam buka pada {tanggal} "
        "({idle_minutes} dari {open_minutes} menit; batas {limit} %).",
        "Set {set_no} at {site} ({nama}) idle {percent} % of its open time on {tanggal} "
        "({idle_minutes} of {open_minutes} minutes; limit {limit} %).",
    ),
    "dash.alert.low_attendance": (
        "{nama}: hadir {attended} dari {invited} undangan ({percent} %; batas {limit} %).",
        "{nama}: {attended} of {invited} turns attended ({percent} %; limit {limit} %).",
    ),
    "dash.alert.cards_waiting": (
        "Kecamatan {nama}: {cards} kartu menunggu di tahap «{state}» sejak {oldest} "
        "({value:.0f} hari; batas {threshold:.0f} hari).",
        "Kecamatan {nama}: {cards} cards waiting at the stage «{state}» since {oldest} "
        "({value:.0f} days; limit {threshold:.0f} days).",
    ),
    "dash.forecast": ("Perkiraan selesai", "Expected finish"),
    "dash.forecast.status": ("Keadaan", "Status"),
    "dash.forecast.by_pace": (
        "Menurut laju {weeks} minggu terakhir ({pace} per hari kerja)",
        "At the pace of the last {weeks} weeks ({pace} per working day)",
    ),
    "dash.forecast.range": ("rentang {earliest} – {latest}", "range {earliest} – {latest}"),
    "dash.forecast.by_capacity": (
        "Menurut kapasitas alat (termasuk cadangan)",
        "By the sets' capacity (reserve included)",
    ),
    "dash.forecast.remaining": ("Belum direkam", "Not yet recorded"),
    "dash.forecast.required": (
        "Perlu per hari kerja agar selesai {deadline}",
        "Needed per working day to finish by {deadline}",
    ),
    "dash.forecast.late": ("{days} hari setelah batas waktu", "{days} days after the deadline"),
    "dash.forecast.none": ("–", "–"),
    "dash.forecast.status.done": ("Selesai", "Done"),
    "dash.forecast.status.on_track": ("Sesuai jadwal", "On track"),
    "dash.forecast.status.late": ("Terlambat", "Late"),
    "dash.forecast.status.stalled": (
        "Macet: tidak ada rekaman minggu-minggu terakhir",
        "Stalled: nobody recorded in the last weeks",
    ),
    "dash.forecast.status.no_history": (
        "Belum ada hari yang ditutup",
        "No day closed yet",
    ),
    "dash.forecast.status.beyond_calendar": (
        "Terlalu lambat: lebih dari 3 tahun setelah batas waktu",
        "Too slow: more than 3 years after the deadline",
    ),
    "dash.forecast.equipment": (
        "Alat yang dibutuhkan tiap kecamatan (tanpa cadangan)",
        "Sets each kecamatan needs (reserve excluded)",
    ),
    "dash.forecast.sekda": ("Laporan harian Sekda", "The Sekda's daily report"),
    "dash.hint": (
        "Semua angka dihitung dari hari yang sudah ditutup; hari ini masuk setelah ditutup.",
        "All figures count the closed days; today counts once it is closed.",
    ),
}
