"""The deduplication gate (pure): an interface that decides, per accepted record, whether
the card may be printed or is held as a duplicate.

The centre calls the gate once per accepted batch with all its records. A real gate
(probabilistic linkage on the demographic fields, an ABIS search on the templates named by
their hashes) replaces ``NotCheckedGate``, which checks nothing, says so in each card's
``dedup_status`` and lets every card through.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

NOT_CHECKED = "not_checked"
PASSED = "passed"
DUPLICATE = "duplicate"
STATUSES = (NOT_CHECKED, PASSED, DUPLICATE)


@dataclass(frozen=True)
class GateRecord:
    """One accepted record as the gate sees it: who, and which templates (by hash)."""

    card_id: int
    recording_id: int
    nik: str
    nama: str
    tanggal_lahir: str
    jenis_kelamin: str
    kode_kelurahan: str
    # modality -> hex SHA-256 of the encrypted template
    templates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class GateDecision:
    """The gate's word on one card: ``status`` is one of STATUSES."""

    card_id: int
    status: str
    detail: str | None = None

    @property
    def passes(self) -> bool:
        """Return whether the card goes on to the print queue."""
        return self.status != DUPLICATE


class DedupGate(Protocol):
    """Decides every record of an accepted batch; one decision per record, same order."""

    def decide(self, records: Sequence[GateRecord]) -> list[GateDecision]:
        """Return one decision per record."""
        ...


class NotCheckedGate:
    """The gate until matching exists: every card passes as ``not_checked``."""

    def decide(self, records: Sequence[GateRecord]) -> list[GateDecision]:
        """Return a passing ``not_checked`` decision for every record."""
        return [GateDecision(record.card_id, NOT_CHECKED) for record in records]
