"""Labels of the pipeline pages: key -> (Bahasa Indonesia, English).

``card_state.<state>`` names every lifecycle state; other card pages use them too.
"""

from __future__ import annotations

LABELS: dict[str, tuple[str, str]] = {
    # Every state of the card lifecycle (ektp.cards.lifecycle.STATES).
    "card_state.direkam": ("Direkam", "Recorded"),
    "card_state.dikirim_pusat": ("Dikirim ke pusat", "Sent to the centre"),
    "card_state.diterima_pusat": ("Diterima pusat", "Received at the centre"),
    "card_state.antrian_cetak": ("Antrean cetak", "Print queue"),
    "card_state.dicetak": ("Dicetak", "Printed"),
    "card_state.dikirim_daerah": ("Dikirim ke daerah", "Shipped to the city"),
    "card_state.diterima_kota": ("Diterima kota", "At the city office"),
    "card_state.dikirim_kecamatan": ("Dikirim ke kecamatan", "Shipped to the kecamatan"),
    "card_state.diterima_kecamatan": ("Siap diambil", "Ready for pickup"),
    "card_state.diserahkan": ("Diserahkan", "Handed over"),
    "card_state.duplikat": ("Duplikat", "Duplicate"),
    "card_state.gagal_cetak": ("Gagal cetak", "Print failed"),
    "card_state.rusak": ("Rusak", "Damaged"),
    "card_state.hilang": ("Hilang", "Lost"),
    "card_state.dikembalikan_kota": ("Dikembalikan ke kota", "Returned to the city office"),
    # The pipeline page.
    "pipeline.title": ("Alur kartu e-KTP", "e-KTP card pipeline"),
    "pipeline.area_city": ("Seluruh kota", "Whole city"),
    "pipeline.area_all": ("Semua wilayah", "All areas"),
    "pipeline.choose": ("Wilayah", "Area"),
    "pipeline.show": ("Tampilkan", "Show"),
    "pipeline.as_of": ("Per {moment}", "As of {moment}"),
    "pipeline.total": ("Kartu seluruhnya", "Cards in all"),
    "pipeline.median": ("Median hari rekam → serah", "Median days recording → handover"),
    "pipeline.uncollected_total": (
        "Belum diambil > {days} hari",
        "Not collected > {days} days",
    ),
    "pipeline.stages": ("Kartu per tahap", "Cards per stage"),
    "pipeline.stages_caption": (
        "Jalur utama dari kiri ke kanan, lalu jalur samping",
        "Main path left to right, then the side paths",
    ),
    "pipeline.stage": ("Tahap", "Stage"),
    "pipeline.cards": ("Kartu", "Cards"),
    "pipeline.oldest": ("Terlama sejak", "Oldest since"),
    "pipeline.oldest_days": ("Hari", "Days"),
    "pipeline.side": ("jalur samping", "side path"),
    "pipeline.chart": ("Grafik kartu per tahap", "Chart of cards per stage"),
    "pipeline.chart_label": (
        "Grafik batang jumlah kartu di setiap tahap",
        "Bar chart of the number of cards at each stage",
    ),
    "pipeline.per_kecamatan": ("Per kecamatan", "Per kecamatan"),
    "pipeline.kecamatan": ("Kecamatan", "Kecamatan"),
    "pipeline.handed_over": ("Sudah diserahkan", "Handed over"),
    "pipeline.median_days": ("Median hari", "Median days"),
    "pipeline.uncollected": ("Belum diambil", "Not collected"),
    "pipeline.uncollected_title": (
        "Kartu belum diambil lebih dari {days} hari",
        "Cards not collected for more than {days} days",
    ),
    "pipeline.uncollected_hint": (
        "Kartu ini dikembalikan ke kantor kota oleh tugas harian (ektp cards return-uncollected).",
        "These cards go back to the city office with the daily job (ektp cards "
        "return-uncollected).",
    ),
    "pipeline.uncollected_counts_only": (
        "Peran Anda hanya melihat jumlah, tanpa data pribadi.",
        "Your role sees counts only, no personal data.",
    ),
    "pipeline.none_uncollected": ("Tidak ada kartu yang terlambat diambil.", "No card is overdue."),
    "pipeline.nik": ("NIK (disamarkan)", "NIK (masked)"),
    "pipeline.kelurahan": ("Kelurahan", "Kelurahan"),
    "pipeline.since": ("Sejak", "Since"),
    "pipeline.days": ("Hari", "Days"),
    "pipeline.serial": ("No. seri kartu", "Card serial"),
    "pipeline.more": ("Halaman berikutnya", "Next page"),
    "pipeline.export": ("Unduh:", "Download:"),
    "pipeline.empty": ("Belum ada kartu.", "No cards yet."),
    "pipeline.list_title": (
        "{stage} di Kecamatan {kecamatan}",
        "{stage} in Kecamatan {kecamatan}",
    ),
    "pipeline.list_empty": ("Tidak ada kartu di tahap ini.", "No card at this stage."),
    "pipeline.back": ("Kembali ke alur kartu", "Back to the card pipeline"),
    "pipeline.city_total": ("Seluruhnya", "Total"),
}
