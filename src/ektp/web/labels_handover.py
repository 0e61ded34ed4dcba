"""Labels of the handover desk and the public status page: key -> (Bahasa Indonesia, English)."""

from __future__ import annotations

# A card's state is named by the card_state.* labels of labels_pipeline, on every page.
LABELS: dict[str, tuple[str, str]] = {
    # The public status page.
    "status.title": ("Cek status KTP-el", "Check your e-KTP card"),
    "status.intro": (
        "Masukkan NIK dan tanggal lahir Anda untuk melihat di mana kartu e-KTP Anda.",
        "Enter your NIK and birth date to see where your e-KTP card is.",
    ),
    "status.nik": ("NIK (16 angka)", "NIK (16 digits)"),
    "status.birth_date": ("Tanggal lahir", "Date of birth"),
    "status.submit": ("Cek status", "Check"),
    "status.privacy": (
        "Hanya status kartu yang ditampilkan, tanpa data pribadi lain. Setiap pencarian dicatat.",
        "Only the card's status is shown, no other personal data. Every lookup is logged.",
    ),
    "status.expired": (
        "Formulir kedaluwarsa; muat ulang halaman dan coba lagi.",
        "The form has expired; reload the page and try again.",
    ),
    "status.bad_date": (
        "Tanggal lahir tidak valid (gunakan format TTTT-BB-HH).",
        "The birth date is not valid (use YYYY-MM-DD).",
    ),
    "status.too_many": (
        "Terlalu banyak percobaan dari alamat ini. Coba lagi dalam {minutes} menit.",
        "Too many attempts from this address. Try again in {minutes} minutes.",
    ),
    "status.stage.tidak_ada": ("Kartu tidak ditemukan", "No card found"),
    "status.stage.direkam": ("Sudah direkam", "Recorded"),
    "status.stage.di_pusat": ("Diproses di pusat", "At the centre"),
    "status.stage.cetak_ulang": ("Dicetak ulang", "Being reprinted"),
    "status.stage.dalam_perjalanan": ("Dalam perjalanan", "On its way"),
    "status.stage.siap_diambil": ("Siap diambil", "Ready for pickup"),
    "status.stage.diserahkan": ("Sudah diserahkan", "Handed over"),
    # The handover desk.
    "handover.title": ("Penyerahan KTP-el", "Card handover"),
    "handover.search_hint": (
        "Pindai kode QR pada surat panggilan, atau ketik NIK pemilik kartu.",
        "Scan the QR code on the call-up letter, or type the card owner's NIK.",
    ),
    "handover.qr": ("Kode QR surat", "Letter QR code"),
    "handover.nik": ("NIK pemilik", "Owner's NIK"),
    "handover.find": ("Cari kartu", "Find the card"),
    "handover.search_again": ("Cari kartu lain", "Find another card"),
    "handover.not_in_area": (
        "Tidak ada kartu untuk NIK atau QR ini di wilayah Anda.",
        "No card for this NIK or QR in your area.",
    ),
    "handover.photo": ("Foto saat perekaman", "Photo taken at recording"),
    "handover.photo_alt": ("Foto wajah pemilik kartu", "Face photo of the card owner"),
    "handover.photo_none": ("Tidak ada foto tersimpan.", "No photo is stored."),
    "handover.photo_locked": (
        "Foto tidak dapat dibuka (kunci enkripsi lain).",
        "The photo cannot be opened (another encryption key).",
    ),
    "handover.photo_unviewable": (
        "Foto tersimpan tetapi bukan gambar yang dapat ditampilkan (data uji).",
        "A photo is stored but is not a displayable image (test data).",
    ),
    "handover.state": ("Status kartu", "Card state"),
    "handover.serial": ("Nomor seri kartu", "Card serial"),
    "handover.recorded_on": ("Direkam", "Recorded"),
    "handover.ready_at": ("Tiba di kecamatan", "Arrived at the kecamatan"),
    "handover.not_ready": (
        "Kartu ini belum dapat diserahkan.",
        "This card cannot be handed over yet.",
    ),
    "handover.form": ("Serahkan kartu", "Hand over the card"),
    "handover.recipient": ("Penerima", "Recipient"),
    "handover.recipient.pemilik": ("Pemilik kartu sendiri", "The card's owner"),
    "handover.recipient.wakil": ("Wakil yang dikuasakan", "An authorised representative"),
    "handover.wakil": ("Data wakil", "Representative"),
    "handover.wakil_hint": (
        "Isi hanya bila kartu diambil oleh wakil (dengan surat kuasa).",
        "Only when a representative collects the card (with a letter of authority).",
    ),
    "handover.wakil_name": ("Nama wakil", "Representative's name"),
    "handover.wakil_nik": ("NIK wakil", "Representative's NIK"),
    "handover.wakil_relation": ("Hubungan dengan pemilik", "Relation to the owner"),
    "handover.face_confirmed": (
        "Wajah penerima/pemilik sesuai dengan foto perekaman",
        "The face matches the recorded photo",
    ),
    "handover.signature": ("Tanda tangan (PNG dari pad)", "Signature (PNG from the pad)"),
    "handover.acknowledged": (
        "Kartu diterima; dicentang oleh petugas {name}",
        "Card received; ticked by operator {name}",
    ),
    "handover.sign_hint": (
        "Tanda tangan dari pad, atau centang tanda terima.",
        "A signature from the pad, or tick the receipt box.",
    ),
    "handover.submit": ("Serahkan", "Hand over"),
    "handover.done": ("Kartu telah diserahkan.", "The card has been handed over."),
    "handover.done_title": ("Sudah diserahkan", "Handed over"),
    "handover.done_on": ("Diserahkan {when} oleh {name}.", "Handed over {when} by {name}."),
}
