"""Labels of the batches pages: key -> (Bahasa Indonesia, English)."""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    "centre.title": ("Kotak masuk pusat", "Centre inbox"),
    "centre.print_queue": ("Antrean cetak →", "Print queue →"),
    "centre.count.waiting": ("Batch dalam perjalanan", "Batches on their way"),
    "centre.count.accepted": ("Batch diterima", "Batches accepted"),
    "centre.count.records": ("Rekaman diterima", "Records accepted"),
    "centre.count.refused": ("Paket ditolak", "Packages refused"),
    "centre.count.withdrawn": ("Batch ditarik", "Batches withdrawn"),
    "centre.upload": ("Terima berkas batch", "Receive a batch file"),
    "centre.file": ("Berkas paket (.zip)", "Package file (.zip)"),
    "centre.receive": ("Periksa dan terima", "Verify and receive"),
    "centre.upload_hint": (
        "Tanda tangan, setiap hash dan jumlah rekaman diperiksa dulu; paket yang rusak, "
        "terpotong atau diputar ulang ditolak tanpa mengubah apa pun.",
        "The signature, every hash and the counts are checked first; a damaged, truncated "
        "or replayed package is refused and nothing changes.",
    ),
    "centre.waiting": ("Dikirim, belum diterima", "Sent, not yet received"),
    "centre.receipts": ("Paket yang masuk", "Packages handed in"),
    "centre.received_at": ("Diterima pada", "Received at"),
    "centre.batch": ("Batch", "Batch"),
    "centre.kecamatan": ("Kecamatan", "Kecamatan"),
    "centre.records": ("Rekaman", "Records"),
    "centre.result": ("Hasil", "Result"),
    "centre.reason": ("Keterangan", "Reason"),
    "centre.result.accepted": ("diterima", "accepted"),
    "centre.result.refused": ("ditolak", "refused"),
    "centre.result.duplicate": ("sudah diterima (ganda)", "already accepted (duplicate)"),
    "centre.none": ("Belum ada paket yang masuk.", "No package has been handed in yet."),
    "centre.sent_at": ("Dikirim pada", "Sent at"),
    "centre.accepted": (
        "Batch {uid} diterima: {records} rekaman masuk antrean cetak.",
        "Batch {uid} accepted: {records} records into the print queue.",
    ),
    "centre.duplicate": (
        "Batch {uid} sudah diterima sebelumnya; tidak ada yang berubah.",
        "Batch {uid} was already accepted; nothing changed.",
    ),
    "centre.refused": ("Paket ditolak: {reason}", "Package refused: {reason}"),
    "centre.send_title": ("Kirim batch ke pusat", "Send a batch to the centre"),
    "centre.recorded_on": ("Tanggal rekam", "Recorded on"),
    "centre.cards_waiting": ("Kartu menunggu", "Cards waiting"),
    "centre.send": ("Buat dan unduh batch", "Build and download the batch"),
    "centre.send_hint": (
        "Tanpa tanggal: semua rekaman yang belum dikirim. Berkas ditandatangani dengan kunci "
        "kecamatan; serahkan ke pusat.",
        "Without a date: every recording not yet sent. The file is signed with the "
        "kecamatan's key; hand it to the centre.",
    ),
    "centre.nothing_waiting": (
        "Tidak ada rekaman yang menunggu dikirim.",
        "No recording is waiting to be sent.",
    ),
    "centre.sent": ("Batch terkirim", "Batches sent"),
    "centre.none_sent": ("Belum ada batch.", "No batch yet."),
    "centre.status": ("Status", "Status"),
    "centre.status.dikirim": ("dikirim", "sent"),
    "centre.status.diterima": ("diterima pusat", "accepted by the centre"),
    "centre.status.ditolak": ("ditarik", "withdrawn"),
    "centre.withdraw": ("Tarik kembali", "Withdraw"),
    "centre.withdraw_hint": (
        "Tarik kembali batch yang berkasnya hilang atau rusak: kartunya kembali menunggu "
        "dan ikut batch berikutnya; berkas lama akan ditolak pusat.",
        "Withdraw a batch whose file was lost or damaged: its cards wait again and go in "
        "the next batch; the old file will be refused by the centre.",
    ),
    "centre.withdrawn": (
        "Batch {uid} ditarik; kartunya bisa dikirim lagi.",
        "Batch {uid} withdrawn; its cards can be sent again.",
    ),
}
