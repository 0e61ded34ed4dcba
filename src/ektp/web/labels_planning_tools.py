"""Labels of the equipment planning page: key -> (Bahasa Indonesia, English)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "equipment.title": ("Perencanaan alat perekaman", "Recording equipment planning"),
    "equipment.no_campaign": (
        "Belum ada kampanye. Buat dulu dengan: ektp campaign create --scenario palembang-2011",
        "No campaign yet. Create one with: ektp campaign create --scenario palembang-2011",
    ),
    "equipment.reasoning": (
        "Dari {first} sampai {deadline}: kapasitas satu alat = jumlah hari buka × (⌊menit sesi"
        " / menit per orang⌋ − cadangan); alat dibutuhkan = ⌈sisa wajib KTP / kapasitas satu"
        " alat⌉.",
        "From {first} to {deadline}: one set's capacity = sum over open days of (⌊session"
        " minutes / minutes per person⌋ − reserve); sets needed = ⌈remaining wajib KTP / one"
        " set's capacity⌉.",
    ),
    "equipment.reserve_note": (
        "Kapasitas di halaman ini tanpa cadangan (giliran yang ditahan untuk yang datang"
        " langsung dan undangan ulang), seperti ektp plan equipment. Perkiraan selesai"
        " «menurut kapasitas» di laporan Sekda menghitung semua giliran, termasuk cadangan,"
        " sehingga tanggalnya lebih awal.",
        "Capacity on this page excludes the reserve (turns held back for walk-ins and"
        " re-invitations), as ektp plan equipment does. The Sekda report's finish «by"
        " capacity» counts every turn, reserve included, so its date is earlier.",
    ),
    "equipment.first_day": ("Hari pertama dihitung", "First day counted"),
    "equipment.deadline": ("Batas waktu", "Deadline"),
    "equipment.total_additional": ("Tambahan alat paling sedikit", "Fewest additional sets"),
    "equipment.latest_now": ("Selesai paling lambat (alat sekarang)", "Latest finish (sets now)"),
    "equipment.what_if": ("Bagaimana jika", "What if"),
    "equipment.evening": ("Sesi malam", "Evening sessions"),
    "equipment.saturday": ("Sesi hari Sabtu", "Saturday sessions"),
    "equipment.as_is": ("seperti sekarang", "as now"),
    "equipment.on": ("ada", "on"),
    "equipment.off": ("tidak ada", "off"),
    "equipment.minutes": ("Menit per orang", "Minutes per person"),
    "equipment.move_from": ("Pindahkan satu alat dari", "Move one set from"),
    "equipment.move_to": ("ke", "to"),
    "equipment.budget": ("Anggaran alat", "Budget of sets"),
    "equipment.budget_sets": ("Jumlah alat dibagikan", "Sets to hand out"),
    "equipment.compute": ("Hitung", "Compute"),
    "equipment.what_if_result": (
        "Dengan perubahan ini: tambahan alat paling sedikit {total} (hemat {saved}).",
        "With this change: fewest additional sets {total} ({saved} saved).",
    ),
    "equipment.budget_result": (
        "{budget} alat dibagikan: selesai paling lambat dari {before} menjadi {after};"
        " {left} alat tidak mempercepat apa pun.",
        "{budget} sets handed out: latest finish from {before} to {after}; {left} sets shorten"
        " nothing.",
    ),
    "equipment.table": (
        "Alat yang dibutuhkan tiap kecamatan untuk selesai sebelum {deadline}",
        "Sets each kecamatan needs to finish by {deadline}",
    ),
    "equipment.kecamatan": ("Kecamatan", "Kecamatan"),
    "equipment.remaining": ("Sisa wajib KTP", "Wajib KTP left"),
    "equipment.sets_now": ("Alat sekarang", "Sets now"),
    "equipment.open_days": ("Hari buka", "Open days"),
    "equipment.per_set": (
        "Kapasitas satu alat sampai batas waktu (tanpa cadangan)",
        "One set's capacity until the deadline (reserve excluded)",
    ),
    "equipment.sets_needed": ("Alat dibutuhkan", "Sets needed"),
    "equipment.additional": ("Tambahan", "Additional"),
    "equipment.finish_now": ("Selesai (alat sekarang)", "Finish (sets now)"),
    "equipment.finish_needed": ("Selesai (alat dibutuhkan)", "Finish (sets needed)"),
    "equipment.what_if_needed": ("Jika: dibutuhkan", "What if: needed"),
    "equipment.given": ("Dari anggaran", "From the budget"),
    "equipment.finish_budget": ("Selesai (dengan anggaran)", "Finish (with the budget)"),
    "equipment.simulation": ("Simulasi satu hari di lokasi", "One simulated day at a site"),
    "equipment.site": ("Lokasi", "Site"),
    "equipment.simulate": ("Simulasikan", "Simulate"),
    "equipment.sim_summary": (
        "{sets} alat: {recorded} terekam, {sent_home} dipulangkan, rata-rata menunggu {wait}"
        " menit, alat menganggur {idle} menit.",
        "{sets} sets: {recorded} recorded, {sent_home} sent home, mean wait {wait} minutes,"
        " sets idle {idle} minutes.",
    ),
    "equipment.sim_chart": (
        "Panjang antrean dan lama menunggu per jam",
        "Queue length and waiting time by hour",
    ),
    "equipment.sim_queue": ("Rata-rata antrean", "Mean queue"),
    "equipment.sim_wait": ("Rata-rata menunggu (menit)", "Mean wait (minutes)"),
    "equipment.sim_arrived": ("Datang", "Arrived"),
    "equipment.sim_table": ("Angka per jam", "Figures by hour"),
    "equipment.hour": ("Jam", "Hour"),
    "equipment.no_simulation": (
        "Lokasi ini tidak buka dalam dua minggu ke depan.",
        "This site does not open in the next two weeks.",
    ),
}
