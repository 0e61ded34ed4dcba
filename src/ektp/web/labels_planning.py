"""Labels of the campaign plan pages: plan, sessions, RT schedule, follow-up."""

from __future__ import annotations

# key -> (Bahasa Indonesia, English). Placeholders use str.format names.
LABELS: dict[str, tuple[str, str]] = {
    "plan.title": ("Rencana perekaman per kecamatan", "Recording plan per kecamatan"),
    "plan.no_campaign": (
        "Belum ada kampanye perekaman. Jalankan: ektp campaign create --scenario palembang-2011",
        "No recording campaign yet. Run: ektp campaign create --scenario palembang-2011",
    ),
    "plan.no_plan": (
        "Belum ada undangan yang direncanakan.",
        "No invitations have been planned yet.",
    ),
    "plan.start": ("Mulai", "Start"),
    "plan.deadline": ("Batas waktu", "Deadline"),
    "plan.planned_residents": ("Wajib KTP direncanakan", "Wajib KTP planned"),
    "plan.on_time": ("Kecamatan tepat waktu", "Kecamatan on time"),
    "plan.on_time_of": ("{met} dari {total}", "{met} of {total}"),
    "plan.table": (
        "Rencana per kecamatan terhadap batas waktu {deadline}",
        "Plan per kecamatan against the deadline {deadline}",
    ),
    "plan.kecamatan": ("Kecamatan", "Kecamatan"),
    "plan.residents": ("Wajib KTP", "Wajib KTP"),
    "plan.sets": ("Set alat", "Sets"),
    "plan.daily_capacity": ("Kapasitas per hari", "Capacity per day"),
    "plan.first_day": ("Hari pertama", "First day"),
    "plan.last_day": ("Hari terakhir", "Last day"),
    "plan.lower_bound": ("Batas bawah hari terakhir", "Earliest possible last day"),
    "plan.deadline_met": ("Tepat waktu", "On time"),
    "plan.extra_sets": ("Tambahan set", "Extra sets"),
    "plan.extra_sets_impossible": (
        "Tidak dapat dicapai dengan menambah set",
        "Cannot be reached by adding sets",
    ),
    "plan.city_total": ("Seluruh kota", "Whole city"),
    "plan.run": ("Jalankan perencanaan", "Run the planner"),
    "plan.run_hint": (
        "Memberi giliran kepada setiap wajib KTP yang belum direkam dan belum memiliki "
        "undangan. Undangan yang sudah ada tidak diubah.",
        "Gives a turn to every wajib KTP resident not yet recorded and without an "
        "invitation. Existing invitations stay as they are.",
    ),
    "plan.run_done": (
        "Perencanaan selesai: {invited} undangan baru.",
        "Planning finished: {invited} new invitations.",
    ),
    "plan.run_failed": ("Perencanaan gagal: {reason}", "Planning failed: {reason}"),
    "plan.unserved": (
        "{n} wajib KTP tinggal di kelurahan yang tidak dilayani tempat perekaman mana pun.",
        "{n} wajib KTP live in kelurahan that no recording site serves.",
    ),
    "plan.chart": ("Perekaman direncanakan per hari", "Planned recordings per day"),
    "plan.chart_of": ("Tampilkan untuk", "Show for"),
    "plan.chart_label": (
        "Grafik: perekaman direncanakan per hari dibandingkan kapasitas; "
        "angkanya ada pada tabel di bawah.",
        "Chart: planned recordings per day against capacity; the figures are in the table below.",
    ),
    "plan.chart_hint": (
        "Angka rencana sebagaimana dibuat oleh perencanaan terakhir; pindah jadwal, tidak "
        "hadir dan undangan ulang sesudahnya tampak di sesi kecamatan dan masuk ke sini pada "
        "perencanaan berikutnya. Kapasitas mengikuti perubahan alat saat ini.",
        "The figures as the latest plan made them; moves, missed turns and re-invitations "
        "since show on the kecamatan's sessions and come in here with the next plan. "
        "Capacity follows the equipment changes as of now.",
    ),
    "plan.chart_table": ("Angka per hari", "Figures per day"),
    "plan.day": ("Tanggal", "Date"),
    "plan.planned": ("Direncanakan", "Planned"),
    "plan.bookable": ("Kapasitas dapat dipesan", "Bookable capacity"),
    "plan.capacity": ("Kapasitas", "Capacity"),
    "plan.no_days": ("Belum ada hari yang direncanakan.", "No days are planned yet."),
    "plan.yes_met": ("Ya", "Yes"),
    "plan.no_met": ("Tidak", "No"),
    "sessions.title": ("Sesi perekaman", "Recording sessions"),
    "sessions.from": ("Mulai tanggal", "From"),
    "sessions.days": ("Jumlah hari", "Days"),
    "sessions.show": ("Tampilkan", "Show"),
    "sessions.today": ("Hari ini", "Today"),
    "sessions.earlier": ("Sebelumnya", "Earlier"),
    "sessions.later": ("Berikutnya", "Later"),
    "sessions.outside": (
        "Hari ini di luar masa kampanye; ditampilkan sejak tanggal mulai {start}.",
        "Today lies outside the campaign; showing from its start, {start}.",
    ),
    "sessions.sets_on": ("{n} set alat pada {date}", "{n} sets on {date}"),
    "sessions.date": ("Tanggal", "Date"),
    "sessions.session": ("Sesi", "Session"),
    "sessions.time": ("Jam", "Time"),
    "sessions.capacity": ("Kapasitas", "Capacity"),
    "sessions.reserve": ("Cadangan", "Reserve"),
    "sessions.bookable": ("Dapat dipesan", "Bookable"),
    "sessions.planned": ("Diundang", "Invited"),
    "sessions.attended": ("Hadir", "Attended"),
    "sessions.missed": ("Tidak hadir", "Missed"),
    "sessions.none": ("Tidak ada sesi pada hari-hari ini.", "No sessions on these days."),
    "sessions.no_sites": (
        "Kecamatan ini belum memiliki tempat perekaman dalam kampanye.",
        "This kecamatan has no recording site in the campaign.",
    ),
    "sessions.total": ("Jumlah", "Total"),
    "sessions.kelurahan": ("Kelurahan: jadwal RT dan surat", "Kelurahan: RT dates and letters"),
    "sessions.bad_date": (
        "Tanggal tidak sah; ditampilkan hari ini.",
        "Invalid date; showing today.",
    ),
    "rt.title": ("Jadwal RT dan surat panggilan", "RT dates and call-up letters"),
    "rt.letters": ("Surat panggilan untuk dicetak", "Call-up letters to print"),
    "rt.letters_all": ("Semua surat kelurahan (PDF)", "All letters of the kelurahan (PDF)"),
    "rt.delivery_csv": ("Daftar antar (CSV)", "Delivery list (CSV)"),
    "rt.delivery_pdf": ("Daftar antar (PDF)", "Delivery list (PDF)"),
    "rt.letters_hint": (
        "Surat yang diunduh tercatat sebagai sudah dicetak; setiap unduhan dicatat. Ketua RT "
        "membagikan surat dan meminta tanda tangan penerima pada daftar antar.",
        "Downloaded letters count as printed; every download is logged. The Ketua RT hands "
        "out the letters and has each recipient sign the delivery list.",
    ),
    "rt.table": (
        "RT menurut urutan acak yang tercatat (acak sesuai per RT)",
        "RTs in the recorded random order (acak sesuai per RT)",
    ),
    "rt.position": ("Urutan", "Position"),
    "rt.rw": ("RW", "RW"),
    "rt.rt": ("RT", "RT"),
    "rt.first_day": ("Hari pertama", "First day"),
    "rt.last_day": ("Hari terakhir", "Last day"),
    "rt.invited": ("Diundang", "Invited"),
    "rt.letters_printed": ("Surat dicetak", "Letters printed"),
    "rt.delivered": ("Diantar", "Delivered"),
    "rt.download": ("Unduh", "Download"),
    "rt.letters_short": ("Surat (PDF)", "Letters (PDF)"),
    "rt.delivery_short": ("Daftar antar (PDF)", "Delivery list (PDF)"),
    "rt.letters_of": ("Surat RT {rt}/RW {rw} (PDF)", "Letters RT {rt}/RW {rw} (PDF)"),
    "rt.delivery_of": ("Daftar antar RT {rt}/RW {rw} (PDF)", "Delivery list RT {rt}/RW {rw} (PDF)"),
    "rt.none": ("Belum ada RT yang dijadwalkan di kelurahan ini.", "No RT is scheduled here yet."),
    "rt.follow_up": ("Daftar tindak lanjut", "Follow-up list"),
    "rt.follow_up_hint": (
        "Penduduk yang berulang kali tidak datang; berisi data pribadi, setiap pembukaan dicatat.",
        "Residents who missed their turn repeatedly; personal data, every view is logged.",
    ),
    "followup.title": ("Daftar tindak lanjut", "Follow-up list"),
    "followup.lead_any": (
        "Penduduk yang berulang kali tidak hadir: kunjungi dan undang kembali.",
        "Residents who repeatedly missed their turn: visit them and invite them again.",
    ),
    "followup.misses": ("Tidak hadir", "Missed"),
    "followup.none": ("Tidak ada penduduk dalam daftar tindak lanjut.", "Nobody to follow up."),
    "followup.back": ("Kembali ke jadwal RT", "Back to the RT dates"),
}
