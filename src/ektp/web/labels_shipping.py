"""Labels of the shipping pages: key -> (Bahasa Indonesia, English)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "shipping.print_title": ("Antrean dan cetak kartu", "Print queue and card printing"),
    "shipping.queue": ("Antrean cetak per kota", "Print queue per city"),
    "shipping.queue_empty": (
        "Tidak ada kartu dalam antrean cetak.",
        "No card waits to be printed.",
    ),
    "shipping.city": ("Kota", "City"),
    "shipping.queued": ("Dalam antrean", "Queued"),
    "shipping.ready_to_ship": ("Siap dikirim", "Ready to ship"),
    "shipping.run_size": ("Jumlah kartu", "Cards"),
    "shipping.run_failures": ("Gagal cetak", "Print failures"),
    "shipping.start_run": ("Mulai cetak", "Start a print run"),
    "shipping.run_hint": (
        "Kartu tertua dalam antrean dicetak lebih dulu; kartu gagal cetak kembali ke antrean "
        "sebagai cetak ulang.",
        "The oldest queued cards are printed first; failed prints go back to the queue as "
        "reprints.",
    ),
    "shipping.run_done": (
        "Cetak #{id} selesai: {printed} kartu dicetak, {failed} gagal.",
        "Print run #{id} done: {printed} cards printed, {failed} failed.",
    ),
    "shipping.runs": ("Riwayat cetak", "Print runs"),
    "shipping.no_runs": ("Belum ada cetak.", "No print run yet."),
    "shipping.printed": ("Dicetak", "Printed"),
    "shipping.failed": ("Gagal", "Failed"),
    "shipping.started": ("Mulai", "Started"),
    "shipping.by": ("Oleh", "By"),
    "shipping.ship_to_city": ("Kirim ke kota", "Ship to a city"),
    "shipping.list_title": ("Pengiriman kartu", "Card shipments"),
    "shipping.in_transit": ("Dalam perjalanan", "In transit"),
    "shipping.none_in_transit": (
        "Tidak ada pengiriman dalam perjalanan.",
        "No shipment in transit.",
    ),
    "shipping.received_recently": ("Baru diterima", "Recently received"),
    "shipping.send_title.pusat_kota": (
        "Kirim dari pusat ke kota",
        "Ship from the centre to a city",
    ),
    "shipping.send_title.kota_kecamatan": (
        "Kirim dari kantor kota ke kecamatan",
        "Ship from the city office to a kecamatan",
    ),
    "shipping.nothing_ready": ("Tidak ada kartu yang siap dikirim.", "No card is ready to ship."),
    "shipping.cards_ready": ("kartu siap", "cards ready"),
    "shipping.box_size": ("Kartu per kotak", "Cards per box"),
    "shipping.send": ("Kirim", "Send"),
    "shipping.sent": (
        "Pengiriman {number} dibuat: {cards} kartu.",
        "Shipment {number} made: {cards} cards.",
    ),
    "shipping.number": ("Nomor", "Number"),
    "shipping.leg": ("Jalur", "Leg"),
    "shipping.leg.pusat_kota": ("Pusat → kota", "Centre → city"),
    "shipping.leg.kota_kecamatan": ("Kota → kecamatan", "City → kecamatan"),
    "shipping.origin": ("Asal", "From"),
    "shipping.pusat": ("Pusat (Kemendagri)", "Centre (Kemendagri)"),
    "shipping.destination": ("Tujuan", "Destination"),
    "shipping.boxes": ("Kotak", "Boxes"),
    "shipping.cards": ("Kartu", "Cards"),
    "shipping.sent_at": ("Dikirim", "Sent"),
    "shipping.status": ("Status", "Status"),
    "shipping.status.dikirim": ("Dalam perjalanan", "In transit"),
    "shipping.status.diterima": ("Diterima lengkap", "Received in full"),
    "shipping.status.diterima_selisih": ("Diterima dengan selisih", "Received with discrepancies"),
    "shipping.shipment": ("Pengiriman", "Shipment"),
    "shipping.manifest": ("Manifes", "Manifest"),
    "shipping.contents": ("Isi dan penerimaan", "Contents and receipt"),
    "shipping.receive": ("Penerimaan", "Receiving"),
    "shipping.receive_hint": (
        "Pindai atau ketik serial setiap kartu; hasilnya langsung tampil dan kursor tetap di "
        "kolom serial.",
        "Scan or type each card's serial; the answer shows at once and the cursor stays in the "
        "serial field.",
    ),
    "shipping.serial": ("Serial kartu", "Card serial"),
    "shipping.scan": ("Pindai", "Scan"),
    "shipping.close": ("Selesai menerima", "Close receiving"),
    "shipping.close_hint": (
        "Kartu yang belum dipindai dicatat hilang dalam berita acara selisih.",
        "Cards not scanned are recorded as missing in the discrepancy report.",
    ),
    "shipping.closed": (
        "Penerimaan {number} ditutup; {missing} kartu hilang.",
        "Receiving of {number} closed; {missing} cards missing.",
    ),
    "shipping.awaiting": (
        "Menunggu penerimaan: {received} dari {expected} kartu.",
        "Awaiting receipt: {received} of {expected} cards.",
    ),
    "shipping.outcome.matched": ("Cocok", "Matched"),
    "shipping.outcome.extra": ("Lebih", "Extra"),
    "shipping.outcome.wrong_destination": ("Salah tujuan", "Wrong place"),
    "shipping.outcome.already_received": ("Sudah dipindai", "Scanned twice"),
    "shipping.said.matched": (
        "kartu {serial} diterima (kotak {box}).",
        "card {serial} received (box {box}).",
    ),
    "shipping.said.already": (
        "kartu {serial} sudah diterima (kotak {box}); tidak ada yang berubah.",
        "card {serial} was already received (box {box}); nothing changed.",
    ),
    "shipping.said.wrong": (
        "kartu {serial} bukan untuk tempat ini: milik pengiriman {number} ke {place}. "
        "Pisahkan dan teruskan.",
        "card {serial} is not for this place: it belongs to shipment {number} to {place}. "
        "Set it aside and send it on.",
    ),
    "shipping.said.extra": (
        "kartu {serial} tidak ada dalam pengiriman ini.",
        "card {serial} is not in this shipment.",
    ),
    "shipping.received_count": ("{n} dari {total} diterima", "{n} of {total} received"),
    "shipping.missing_count": ("{n} belum", "{n} missing"),
    "shipping.missing": ("Belum dipindai / hilang", "Not scanned / missing"),
    "shipping.box": ("kotak {n}", "box {n}"),
    "shipping.noted": ("Catatan selisih", "Noted discrepancies"),
    "shipping.kind.lebih": ("Lebih", "Extra"),
    "shipping.kind.salah_tujuan": ("Salah tujuan", "Wrong place"),
    "shipping.kind.hilang": ("Hilang", "Missing"),
    "shipping.report": ("Berita acara selisih", "Discrepancy report"),
    "shipping.report_summary": (
        "{received} dari {expected} kartu diterima",
        "{received} of {expected} cards received",
    ),
    "shipping.extra": ("Kartu lebih", "Extra cards"),
    "shipping.wrong": ("Kartu salah tujuan", "Cards for another place"),
    "shipping.complete": (
        "Semua kartu diterima, tanpa selisih.",
        "Every card received, no discrepancy.",
    ),
}
