"""Every visible label of the web pages in Bahasa Indonesia (first) and English (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

LANGUAGES = ("id", "en")
LANGUAGE_COOKIE = "ektp_lang"

# key -> (Bahasa Indonesia, English). Placeholders use str.format names.
MESSAGES: dict[str, tuple[str, str]] = {
    "app.name": ("e-KTP Kota", "e-KTP City"),
    "app.footer": (
        "Data kependudukan bersifat rahasia; setiap pencarian dan pembukaan data dicatat.",
        "Population data is confidential; every search and record view is logged.",
    ),
    "nav.skip": ("Langsung ke isi", "Skip to content"),
    "nav.label": ("Menu utama", "Main menu"),
    "nav.home": ("Beranda", "Home"),
    "nav.search": ("Cari penduduk", "Find residents"),
    "nav.audit": ("Log akses", "Access log"),
    "nav.logout": ("Keluar", "Log out"),
    "nav.back_home": ("Kembali ke beranda", "Back to the home page"),
    "nav.breadcrumbs": ("Lokasi", "You are here"),
    "role.admin_kota": ("Admin kota", "City admin"),
    "role.operator_kecamatan": ("Operator kecamatan", "Kecamatan operator"),
    "role.petugas_kelurahan": ("Petugas kelurahan", "Kelurahan officer"),
    "role.petugas_pusat": ("Petugas pusat", "Central office"),
    "role.pengamat": ("Pengamat", "Observer"),
    "login.title": ("Masuk", "Log in"),
    "login.username": ("Nama pengguna", "Username"),
    "login.password": ("Kata sandi", "Password"),
    "login.submit": ("Masuk", "Log in"),
    "login.failed": (
        "Nama pengguna atau kata sandi salah.",
        "Wrong username or password.",
    ),
    "login.locked": (
        "Akun dikunci karena terlalu banyak percobaan gagal. Coba lagi setelah {time}.",
        "The account is locked after too many failed attempts. Try again after {time}.",
    ),
    "login.csrf": (
        "Formulir kedaluwarsa. Silakan coba lagi.",
        "The form has expired. Please try again.",
    ),
    "home.title": ("Wilayah", "Regions"),
    "home.my_area": ("Wilayah saya", "My area"),
    "home.no_cities": (
        "Belum ada wilayah yang dimuat. Jalankan: ektp regions load",
        "No regions are loaded yet. Run: ektp regions load",
    ),
    "level.provinsi": ("Provinsi", "Province"),
    "level.kabupaten_kota": ("Kabupaten/Kota", "Regency/City"),
    "level.kecamatan": ("Kecamatan", "Kecamatan (district)"),
    "level.kelurahan": ("Kelurahan/Desa", "Kelurahan (village)"),
    "level.rw": ("RW", "RW (neighbourhood)"),
    "level.rt": ("RT", "RT (block)"),
    "region.as_of": ("Per tanggal", "As of"),
    "region.show": ("Tampilkan", "Show"),
    "region.residents": ("Penduduk", "Residents"),
    "region.wajib_ktp": ("Wajib KTP", "Wajib KTP"),
    "region.list_residents": ("Daftar penduduk di sini", "List residents here"),
    "region.children_kabupaten_kota": ("Kabupaten/kota", "Regencies/cities"),
    "region.children_kecamatan": ("Kecamatan", "Kecamatan"),
    "region.children_kelurahan": ("Kelurahan/desa", "Kelurahan"),
    "region.children_rw": ("RW", "RW"),
    "region.children_rt": ("RT", "RT"),
    "region.code": ("Kode", "Code"),
    "region.name": ("Nama", "Name"),
    "region.total": ("Jumlah", "Total"),
    "region.no_children": ("Belum ada data di bawah wilayah ini.", "Nothing is recorded below."),
    "region.bad_date": ("Tanggal tidak sah; ditampilkan hari ini.", "Invalid date; showing today."),
    "search.title": ("Cari penduduk", "Find residents"),
    "search.q": ("NIK atau nama", "NIK or name"),
    "search.q_placeholder": ("mis. SITI AM atau 167107", "e.g. SITI AM or 167107"),
    "search.kelurahan": ("Kelurahan", "Kelurahan"),
    "search.everywhere": ("Seluruh wilayah saya", "All of my area"),
    "search.submit": ("Cari", "Search"),
    "search.hint": (
        "NIK lengkap atau minimal 6 digit awal; atau awal nama lengkap. "
        "Dalam satu kelurahan, bagian mana pun dari nama.",
        "A full NIK or at least its first 6 digits; or the start of the full name. "
        "Within one kelurahan, any part of the name.",
    ),
    "search.results": ("Hasil pencarian", "Search results"),
    "search.none": ("Tidak ada penduduk yang cocok.", "No resident matches."),
    "search.next": ("Halaman berikutnya", "Next page"),
    "search.unit": ("{kelurahan}, RW {rw}", "{kelurahan}, RW {rw}"),
    "search.unit_rt": ("{kelurahan}, RW {rw}, RT {rt}", "{kelurahan}, RW {rw}, RT {rt}"),
    "search.error.empty": (
        "Ketik NIK atau nama, atau pilih kelurahan.",
        "Type a NIK or a name, or choose a kelurahan.",
    ),
    "search.error.nik_too_short": (
        "Ketik minimal 6 digit awal NIK.",
        "Type at least the first 6 digits of a NIK.",
    ),
    "search.error.nik_too_long": ("NIK terdiri dari 16 digit.", "A NIK has 16 digits."),
    "search.error.name_too_short": (
        "Ketik minimal 2 huruf nama.",
        "Type at least 2 letters of the name.",
    ),
    "search.error.bad_kelurahan": ("Kode kelurahan tidak sah.", "Invalid kelurahan code."),
    "search.error.bad_cursor": (
        "Tautan halaman rusak; silakan cari lagi.",
        "The page link is damaged; please search again.",
    ),
    "person.back": ("Kembali ke pencarian", "Back to search"),
    "person.nama": ("Nama", "Name"),
    "person.no_kk": ("No. KK", "Family card no."),
    "person.jenis_kelamin": ("Jenis kelamin", "Sex"),
    "person.tanggal_lahir": ("Tanggal lahir", "Date of birth"),
    "person.lahir": ("Tempat, tanggal lahir", "Place, date of birth"),
    "person.age": ("{n} tahun", "{n} years"),
    "person.status_kawin": ("Status perkawinan", "Marital status"),
    "person.wajib_ktp": ("Wajib KTP hari ini", "Wajib KTP today"),
    "person.agama": ("Agama", "Religion"),
    "person.pekerjaan": ("Pekerjaan", "Occupation"),
    "person.alamat": ("Alamat", "Address"),
    "person.rt_rw": ("RT/RW", "RT/RW"),
    "person.kelurahan": ("Kelurahan", "Kelurahan"),
    "person.kecamatan": ("Kecamatan", "Kecamatan"),
    "person.updated_at": ("Terakhir diperbarui", "Last updated"),
    "person.nik_warning": ("Catatan NIK", "NIK note"),
    "sex.L": ("Laki-laki", "Male"),
    "sex.P": ("Perempuan", "Female"),
    "kawin.BELUM KAWIN": ("Belum kawin", "Never married"),
    "kawin.KAWIN": ("Kawin", "Married"),
    "kawin.CERAI HIDUP": ("Cerai hidup", "Divorced"),
    "kawin.CERAI MATI": ("Cerai mati", "Widowed"),
    "yes": ("Ya", "Yes"),
    "no": ("Tidak", "No"),
    "audit.title": ("Log akses data pribadi", "Personal data access log"),
    "audit.username": ("Pengguna", "User"),
    "audit.action": ("Tindakan", "Action"),
    "audit.any_action": ("Semua", "Any"),
    "audit.subject": ("Subjek", "Subject"),
    "audit.at": ("Waktu", "Time"),
    "audit.detail": ("Rincian", "Detail"),
    "audit.client": ("Alamat klien", "Client address"),
    "audit.older": ("Lebih lama", "Older"),
    "audit.none": ("Tidak ada catatan yang cocok.", "No matching entries."),
    "error.400": ("Permintaan tidak sah", "Bad request"),
    "error.403": ("Akses ditolak", "Access denied"),
    "error.403.text": (
        "Peran Anda tidak berhak membuka halaman ini.",
        "Your role may not open this page.",
    ),
    "error.404": ("Tidak ditemukan", "Not found"),
    "error.404.text": (
        "Halaman atau data ini tidak ada, atau berada di luar wilayah Anda.",
        "This page or record does not exist, or lies outside your area.",
    ),
    "error.other.text": ("Terjadi kesalahan.", "Something went wrong."),
    # Campaign plan pages (plan_pages.py, templates/plan/).
    "nav.plan": ("Rencana perekaman", "Recording plan"),
    "nav.report": ("Laporan harian", "Daily report"),
    "report.title": ("Laporan harian perekaman", "Daily recording report"),
    "report.day": ("Tanggal", "Day"),
    "report.show": ("Tampilkan", "Show"),
    "report.caption": (
        "Hasil perekaman per kecamatan pada {date}, dibekukan saat penutupan hari",
        "Recordings per kecamatan on {date}, frozen when the day was closed",
    ),
    "report.recorded": ("Direkam", "Recorded"),
    "report.target": ("Target", "Target"),
    "report.verdict": ("Capaian", "Result"),
    "report.below": ("di bawah target", "below target"),
    "report.met": ("tercapai", "met"),
    "report.below_count": ("{n} dari {total} di bawah target", "{n} of {total} below target"),
    "report.failed": ("Gagal", "Failed"),
    "report.walk_ins": ("Datang langsung", "Walk-ins"),
    "report.missed": ("Tidak hadir", "Missed"),
    "report.sets": ("Set alat", "Sets"),
    "report.mean_minutes": ("Menit per orang", "Minutes per person"),
    "report.idle_minutes": ("Menit alat menganggur", "Idle set-minutes"),
    "report.csv": ("Unduh CSV", "Download CSV"),
    "report.hint": (
        "Menit alat menganggur: jam buka tanpa perekaman, dijumlahkan atas semua set.",
        "Idle set-minutes: open hours with no recording running, summed over the sets.",
    ),
    "report.none": (
        "Belum ada hari yang ditutup untuk tanggal ini.",
        "No day has been closed for this date yet.",
    ),
    "report.close_title": ("Tutup hari", "Close a day"),
    "report.site": ("Lokasi", "Site"),
    "report.close": ("Tutup hari", "Close the day"),
    "report.close_hint": (
        "Yang belum hadir dicatat tidak hadir dan diundang ulang; antrean yang tersisa pulang. "
        "Menutup dua kali tidak mengubah apa pun.",
        "Invitees who did not come are marked missed and re-invited; the queue left goes "
        "home. Closing twice changes nothing.",
    ),
    "report.closed": (
        "Hari di {site} ditutup: {recorded} direkam.",
        "The day at {site} is closed: {recorded} recorded.",
    ),
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
    # The perekaman desk (web/desk_pages.py, templates/desk/).
    "nav.desk": ("Meja perekaman", "Recording desks"),
    "desk.list_title": ("Meja perekaman", "Recording desks"),
    "desk.title": ("Meja perekaman", "Recording desk"),
    "desk.set": ("Set {n}", "Set {n}"),
    "desk.open": ("Buka meja", "Open the desk"),
    "desk.set_status.broken": ("Rusak", "Broken"),
    "desk.set_status.moved_out": ("Dipindahkan", "Moved out"),
    "desk.no_sites": (
        "Tidak ada lokasi perekaman di wilayah Anda.",
        "There is no recording site in your area.",
    ),
    "desk.nobody": (
        "Belum ada nomor antrean yang dipanggil ke set ini.",
        "No queue number is called to this set yet.",
    ),
    "desk.call_next": ("Panggil nomor berikutnya", "Call the next number"),
    "desk.queue_empty": ("Antrean kosong.", "The queue is empty."),
    "desk.number": ("No.", "No."),
    "desk.session": ("sesi", "session"),
    "desk.kind.invited": ("Undangan", "Invited"),
    "desk.kind.walk_in": ("Datang langsung", "Walk-in"),
    "desk.kind.reinvited": ("Undangan ulang", "Re-invited"),
    "desk.verify": ("Periksa biodata", "Verify the biodata"),
    "desk.verify_hint": (
        "Cocokkan dengan penduduk di depan Anda. Kesalahan dicatat sebagai permintaan "
        "perbaikan untuk Dinas; data registrasi tidak diubah di sini.",
        "Compare with the resident in front of you. Errors are recorded as a change request "
        "for the Dinas; the registry is not edited here.",
    ),
    "desk.correction": ("Permintaan perbaikan data", "Correction request"),
    "desk.corrections_open": ("Permintaan perbaikan terbuka", "Open correction requests"),
    "desk.field": ("Data", "Field"),
    "desk.field.nama": ("Nama", "Name"),
    "desk.field.tempat_lahir": ("Tempat lahir", "Place of birth"),
    "desk.field.tanggal_lahir": ("Tanggal lahir (TTTT-BB-HH)", "Date of birth (YYYY-MM-DD)"),
    "desk.field.jenis_kelamin": ("Jenis kelamin (L/P)", "Sex (L/P)"),
    "desk.field.status_kawin": ("Status perkawinan", "Marital status"),
    "desk.field.agama": ("Agama", "Religion"),
    "desk.field.pekerjaan": ("Pekerjaan", "Occupation"),
    "desk.field.alamat": ("Alamat", "Address"),
    "desk.new_value": ("Nilai yang benar", "Correct value"),
    "desk.submit_correction": ("Catat permintaan perbaikan", "Record the correction request"),
    "desk.correction_saved": (
        "Permintaan perbaikan dicatat untuk Dinas.",
        "The correction request is recorded for the Dinas.",
    ),
    "desk.capture": ("Perekaman biometrik", "Biometric capture"),
    "desk.start": ("Mulai perekaman", "Start recording"),
    "desk.start_hint": (
        "Mulai di sini atau dari alat; hasil pengambilan muncul sendiri.",
        "Start here or from the device; the captures appear by themselves.",
    ),
    "desk.steps": ("Langkah perekaman", "Capture steps"),
    "desk.modality": ("Jenis", "Modality"),
    "desk.status": ("Status", "Status"),
    "desk.attempts": ("Percobaan", "Attempts"),
    "desk.quality": ("Kualitas terbaik / batas", "Best quality / threshold"),
    "desk.retakes_left": ("Sisa ulang", "Retakes left"),
    "desk.missing": ("{n} langkah belum selesai.", "{n} steps still to do."),
    "desk.all_done": (
        "Semua langkah selesai: tandai terekam.",
        "Every step is done: mark the resident recorded.",
    ),
    "desk.exception": ("Pengecualian", "Exception"),
    "desk.exception_hint": (
        "Untuk penduduk yang tidak dapat memberikan suatu data (mis. jari hilang).",
        "For a resident who cannot give a modality (e.g. missing fingers).",
    ),
    "desk.reason": ("Alasan", "Reason"),
    "desk.reason_placeholder": ("mis. jari hilang", "e.g. finger missing"),
    "desk.note_exception": ("Catat pengecualian", "Note the exception"),
    "desk.complete": ("Selesai: tandai terekam", "Complete: mark recorded"),
    "desk.completed": (
        "Perekaman selesai: {nama} terekam.",
        "Recording complete: {nama} is recorded.",
    ),
    "desk.fail": ("Tandai gagal", "Mark failed"),
    "desk.fail_reason": ("Alasan gagal", "Why it failed"),
    "desk.fail_hint": (
        "Penduduk yang gagal direkam diundang kembali ke sesi malam berikutnya saat sesi ditutup.",
        "A resident whose recording failed is re-invited to a coming evening session at closing.",
    ),
    "desk.failed": ("Perekaman gagal: {reason}", "Recording failed: {reason}"),
    "modality.photo": ("Foto wajah", "Face photo"),
    "modality.signature": ("Tanda tangan", "Signature"),
    "modality.r_thumb": ("Ibu jari kanan", "Right thumb"),
    "modality.r_index": ("Telunjuk kanan", "Right index finger"),
    "modality.r_middle": ("Jari tengah kanan", "Right middle finger"),
    "modality.r_ring": ("Jari manis kanan", "Right ring finger"),
    "modality.r_little": ("Kelingking kanan", "Right little finger"),
    "modality.l_thumb": ("Ibu jari kiri", "Left thumb"),
    "modality.l_index": ("Telunjuk kiri", "Left index finger"),
    "modality.l_middle": ("Jari tengah kiri", "Left middle finger"),
    "modality.l_ring": ("Jari manis kiri", "Left ring finger"),
    "modality.l_little": ("Kelingking kiri", "Left little finger"),
    "modality.r_iris": ("Iris kanan", "Right iris"),
    "modality.l_iris": ("Iris kiri", "Left iris"),
    "capture.pending": ("Belum", "Not yet"),
    "capture.retake": ("Ulangi", "Retake"),
    "capture.accepted": ("Diterima", "Accepted"),
    "capture.exhausted": ("Tidak terbaca: catat pengecualian", "Unreadable: note an exception"),
    "capture.excepted": ("Pengecualian", "Excepted"),
    "nav.queue": ("Antrean", "Queue"),
    "queue.sites_title": ("Antrean perekaman", "Recording queues"),
    "queue.no_sites": (
        "Tidak ada tempat perekaman di wilayah Anda.",
        "No recording site in your area.",
    ),
    "queue.operator_title": ("Antrean", "Queue"),
    "queue.checkin_title": ("Pendaftaran kedatangan", "Check-in"),
    "queue.display_title": ("Layar ruang tunggu", "Waiting-room display"),
    "queue.qr": ("Pindai kode QR surat panggilan", "Scan the letter's QR code"),
    "queue.qr_hint": (
        "Klik kolom ini lalu arahkan pemindai ke kode QR; formulir terkirim sendiri.",
        "Click this field, then point the scanner at the QR code; the form sends itself.",
    ),
    "queue.or_type": ("Atau ketik NIK:", "Or type the NIK:"),
    "queue.nik": ("NIK", "NIK"),
    "queue.code": ("Kode kehadiran (pada surat)", "Attendance code (on the letter)"),
    "queue.code_hint": (
        "Kosongkan bila penduduk datang tanpa surat (walk-in).",
        "Leave empty when the resident came without a letter (walk-in).",
    ),
    "queue.submit": ("Daftarkan", "Check in"),
    "queue.your_number": ("Nomor antrean", "Queue number"),
    "queue.already": (
        "Sudah terdaftar hari ini: nomor antrean tetap sama.",
        "Already checked in today: the queue number stays the same.",
    ),
    "queue.kind": ("Jenis", "Kind"),
    "queue.kind.invited": ("Diundang", "Invited"),
    "queue.kind.walk_in": ("Datang langsung", "Walk-in"),
    "queue.kind.reinvited": ("Diundang ulang", "Re-invited"),
    "queue.session": ("Sesi", "Session"),
    "queue.refused_title": ("Tidak dapat didaftarkan", "Cannot be checked in"),
    "queue.refused.wrong_code": (
        "Kode kehadiran tidak cocok dengan surat penduduk ini.",
        "The attendance code does not match this resident's letter.",
    ),
    "queue.refused.other_site": (
        "Penduduk ini dilayani di tempat perekaman lain.",
        "This resident is served at another recording site.",
    ),
    "queue.refused.unknown": ("NIK atau surat tidak ditemukan.", "No such NIK or letter."),
    "queue.refused.bad_qr": (
        "Pindai kode QR surat atau ketik NIK 16 angka.",
        "Scan the letter's QR code or type a 16-digit NIK.",
    ),
    "queue.refused.full": (
        "Tempat walk-in sesi ini sudah penuh.",
        "This session's walk-in places are taken.",
    ),
    "queue.refused.closed": ("Sesi hari ini sudah selesai.", "Today's sessions are over."),
    "queue.refused.recorded": ("Penduduk ini sudah direkam.", "This resident is already recorded."),
    "queue.refused.not_wajib": (
        "Penduduk ini belum wajib KTP.",
        "This resident is not wajib KTP yet.",
    ),
    "queue.next_free": (
        "Sesi berikutnya yang masih ada tempat: {when}.",
        "The next session with room: {when}.",
    ),
    "queue.waiting": ("Menunggu", "Waiting"),
    "queue.served": ("Sudah dipanggil hari ini", "Called today"),
    "queue.none_waiting": ("Tidak ada nomor yang menunggu.", "No number is waiting."),
    "queue.nobody_waiting": ("Tidak ada nomor yang menunggu.", "No number is waiting."),
    "queue.number": ("Nomor", "Number"),
    "queue.minutes": ("Perkiraan menit", "Minutes (estimate)"),
    "queue.sets_title": ("Loket perekaman", "Recording sets"),
    "queue.set": ("Loket {n}", "Set {n}"),
    "queue.last_called": ("terakhir dipanggil", "last called"),
    "queue.call_next": ("Panggil berikutnya ke loket {n}", "Call next to set {n}"),
    "queue.mark_broken": ("Tandai loket {n} rusak", "Mark set {n} broken"),
    "queue.mark_working": ("Tandai loket {n} sudah diperbaiki", "Mark set {n} repaired"),
    "queue.status.working": ("Berfungsi", "Working"),
    "queue.status.broken": ("Rusak", "Broken"),
    "queue.status.moved_out": ("Dipindahkan", "Moved out"),
    "queue.called": (
        "Nomor {number} dipanggil ke loket {set_no}.",
        "Number {number} called to set {set_no}.",
    ),
    "queue.set_broken": (
        "Loket {set_no} rusak. Hari ini {sets} loket berfungsi; {moved} giliran dijadwalkan ulang.",
        "Set {set_no} is broken. {sets} sets work today; {moved} turns were re-planned.",
    ),
    "queue.set_working": (
        "Loket {set_no} berfungsi. Hari ini {sets} loket berfungsi; {moved} giliran dijadwalkan "
        "ulang.",
        "Set {set_no} works. {sets} sets work today; {moved} turns were re-planned.",
    ),
    "queue.sets_working": ("Loket berfungsi", "Sets working"),
    "queue.estimated_wait": ("Perkiraan waktu tunggu", "Estimated wait"),
    "queue.minutes_value": ("± {n} menit", "about {n} min"),
    "queue.no_estimate": ("Belum dapat diperkirakan", "No estimate yet"),
    "queue.walk_in_room": ("Sisa tempat walk-in, sesi {session}", "Walk-in places left, {session}"),
    "queue.closed_today": ("Sesi hari ini sudah selesai", "Today's sessions are over"),
    "queue.now_serving": ("Nomor yang dipanggil", "Now serving"),
    "queue.next_numbers": ("Berikutnya", "Next"),
    "queue.per_person": ("± {n} menit per orang", "about {n} minutes per person"),
    "queue.refreshes": ("Diperbarui setiap {n} detik", "Refreshes every {n} seconds"),
}

_MONTHS = {
    "id": (
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def pick_language(*candidates: str | None, default: str = "id") -> str:
    """Return the first candidate that is a supported language code, else ``default``."""
    for candidate in candidates:
        if candidate in LANGUAGES:
            return candidate
    return default if default in LANGUAGES else LANGUAGES[0]


def translate(lang: str, key: str, **params: object) -> str:
    """Return the text of ``key`` in ``lang``; an unknown key shows as itself (easy to spot)."""
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    text = texts[LANGUAGES.index(lang)] if lang in LANGUAGES else texts[0]
    return text.format(**params) if params else text


def translator(lang: str) -> Callable[..., str]:
    """Return ``t(key, **params)`` bound to ``lang``, for templates."""

    def t(key: str, **params: object) -> str:
        return translate(lang, key, **params)

    return t


def format_number(lang: str, value: int) -> str:
    """Return ``value`` with thousands grouped: ``1.234.567`` (id) or ``1,234,567`` (en)."""
    grouped = f"{value:,}"
    return grouped.replace(",", ".") if lang == "id" else grouped


def format_date(lang: str, value: dt.date) -> str:
    """Return a date the way readers of ``lang`` write it: ``17 Agustus 1945``."""
    month = _MONTHS["en" if lang == "en" else "id"][value.month - 1]
    return f"{value.day} {month} {value.year}"


def format_datetime(lang: str, value: dt.datetime) -> str:
    """Return a moment in UTC to the second, e.g. ``17 Agustus 1945 03:00:00 UTC``."""
    # SQLite returns stored UTC moments without a zone; PostgreSQL returns them aware.
    utc = value.astimezone(dt.UTC) if value.tzinfo is not None else value
    return f"{format_date(lang, utc.date())} {utc:%H:%M:%S} UTC"


def format_day_month(lang: str, value: dt.date) -> str:
    """Return a short day and month for chart axes: ``3 Okt`` (id) or ``3 Oct`` (en)."""
    month = _MONTHS["en" if lang == "en" else "id"][value.month - 1]
    return f"{value.day} {month[:3]}"
