"""The card's path from recording to hand (pure): states, legal transitions, refusals.

    direkam → dikirim_pusat → diterima_pusat → antrian_cetak → dicetak → dikirim_daerah
    → diterima_kota → dikirim_kecamatan → diterima_kecamatan → diserahkan

Side paths: a refused batch sends its cards back to ``direkam`` (to be sent again); the
deduplication gate may reject a card as ``duplikat`` (adjudication can return it to the
print queue); a failed print (``gagal_cetak``), a damaged (``rusak``) or lost (``hilang``)
card goes back to the print queue as a reprint; a card not collected in time goes back to
the city office (``dikembalikan_kota``), from where it is sent out again or handed over.
"""

from __future__ import annotations

from dataclasses import dataclass

DIREKAM = "direkam"
DIKIRIM_PUSAT = "dikirim_pusat"
DITERIMA_PUSAT = "diterima_pusat"
DUPLIKAT = "duplikat"
ANTRIAN_CETAK = "antrian_cetak"
GAGAL_CETAK = "gagal_cetak"
DICETAK = "dicetak"
DIKIRIM_DAERAH = "dikirim_daerah"
DITERIMA_KOTA = "diterima_kota"
DIKIRIM_KECAMATAN = "dikirim_kecamatan"
DITERIMA_KECAMATAN = "diterima_kecamatan"
DIKEMBALIKAN_KOTA = "dikembalikan_kota"
DISERAHKAN = "diserahkan"
RUSAK = "rusak"
HILANG = "hilang"

# The main path in order: the pipeline page shows its stages left to right.
MAIN_PATH = (
    DIREKAM,
    DIKIRIM_PUSAT,
    DITERIMA_PUSAT,
    ANTRIAN_CETAK,
    DICETAK,
    DIKIRIM_DAERAH,
    DITERIMA_KOTA,
    DIKIRIM_KECAMATAN,
    DITERIMA_KECAMATAN,
    DISERAHKAN,
)
SIDE_STATES = (DUPLIKAT, GAGAL_CETAK, RUSAK, HILANG, DIKEMBALIKAN_KOTA)
STATES = MAIN_PATH + SIDE_STATES
TERMINAL = frozenset({DISERAHKAN})

# (from, to) -> the event's name: what happened to the card.
TRANSITIONS: dict[tuple[str, str], str] = {
    (DIREKAM, DIKIRIM_PUSAT): "batch_sent",
    (DIKIRIM_PUSAT, DITERIMA_PUSAT): "batch_accepted",
    (DIKIRIM_PUSAT, DIREKAM): "batch_refused",
    (DITERIMA_PUSAT, ANTRIAN_CETAK): "dedup_passed",
    (DITERIMA_PUSAT, DUPLIKAT): "dedup_rejected",
    (DUPLIKAT, ANTRIAN_CETAK): "duplicate_overruled",
    (ANTRIAN_CETAK, DICETAK): "printed",
    (ANTRIAN_CETAK, GAGAL_CETAK): "print_failed",
    (GAGAL_CETAK, ANTRIAN_CETAK): "reprint_queued",
    (DICETAK, DIKIRIM_DAERAH): "shipped_to_city",
    (DICETAK, RUSAK): "damaged",
    (DIKIRIM_DAERAH, DITERIMA_KOTA): "received_at_city",
    (DIKIRIM_DAERAH, HILANG): "lost_in_transit",
    (DIKIRIM_DAERAH, RUSAK): "damaged",
    (DITERIMA_KOTA, DIKIRIM_KECAMATAN): "shipped_to_kecamatan",
    (DITERIMA_KOTA, RUSAK): "damaged",
    (DITERIMA_KOTA, HILANG): "lost",
    (DIKIRIM_KECAMATAN, DITERIMA_KECAMATAN): "received_at_kecamatan",
    (DIKIRIM_KECAMATAN, HILANG): "lost_in_transit",
    (DIKIRIM_KECAMATAN, RUSAK): "damaged",
    (DITERIMA_KECAMATAN, DISERAHKAN): "handed_over",
    (DITERIMA_KECAMATAN, DIKEMBALIKAN_KOTA): "returned_uncollected",
    (DITERIMA_KECAMATAN, RUSAK): "damaged",
    (DITERIMA_KECAMATAN, HILANG): "lost",
    (DIKEMBALIKAN_KOTA, DIKIRIM_KECAMATAN): "shipped_to_kecamatan",
    (DIKEMBALIKAN_KOTA, DISERAHKAN): "handed_over",
    (RUSAK, ANTRIAN_CETAK): "reprint_queued",
    (HILANG, ANTRIAN_CETAK): "reprint_queued",
}

# Why a card cannot yet reach a state, for the most common wrong moves at a desk.
_NEEDS: dict[str, str] = {
    DISERAHKAN: "only a card received at the kecamatan (or returned to the city office) "
    "can be handed over",
    DICETAK: "only a card in the print queue can be printed",
    DITERIMA_KECAMATAN: "only a card shipped to this kecamatan can be received there",
    DITERIMA_KOTA: "only a card shipped from the centre can be received at the city office",
    DIKIRIM_PUSAT: "only a recorded card not yet sent can go into a batch",
}


class IllegalTransition(ValueError):
    """Raised for a move the lifecycle does not allow; the message says why."""

    def __init__(self, from_state: str, to_state: str, reason: str) -> None:
        super().__init__(reason)
        self.from_state = from_state
        self.to_state = to_state
        self.reason = reason


@dataclass(frozen=True)
class Move:
    """One allowed transition: the event's name and the two states."""

    from_state: str
    to_state: str
    event: str


def refusal(from_state: str, to_state: str) -> str | None:
    """Return why ``from_state`` → ``to_state`` is refused, or None when it is allowed."""
    for state in (from_state, to_state):
        if state not in STATES:
            return f"unknown card state {state!r}"
    if (from_state, to_state) in TRANSITIONS:
        return None
    if from_state == to_state:
        return f"the card is already {from_state}"
    if from_state in TERMINAL:
        return f"the card was already handed over ({from_state}); nothing follows"
    allowed = ", ".join(next_states(from_state)) or "none"
    need = _NEEDS.get(to_state)
    if need:
        lead = f"{need}; this card is {from_state}"
    else:
        lead = f"a card {from_state} cannot become {to_state}"
    return f"{lead} (allowed next: {allowed})"


def check(from_state: str, to_state: str) -> Move:
    """Return the move ``from_state`` → ``to_state``, or raise IllegalTransition."""
    reason = refusal(from_state, to_state)
    if reason is not None:
        raise IllegalTransition(from_state, to_state, reason)
    return Move(from_state, to_state, TRANSITIONS[(from_state, to_state)])


def next_states(from_state: str) -> tuple[str, ...]:
    """Return the states a card in ``from_state`` may move to, in lifecycle order."""
    return tuple(to for to in STATES if (from_state, to) in TRANSITIONS)


def sources_of(to_state: str) -> tuple[str, ...]:
    """Return the states from which a card may move to ``to_state``, in lifecycle order."""
    return tuple(source for source in STATES if (source, to_state) in TRANSITIONS)
