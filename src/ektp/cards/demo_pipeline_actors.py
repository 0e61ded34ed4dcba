"""Who works the demo's card pipeline, and the tally of what it did."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select

from ektp.auth.models import User
from ektp.cards.models import Card
from ektp.recording.demo_days_desks import ACCOUNT_PREFIX
from ektp.runtime import Runtime


@dataclass(frozen=True)
class Actors:
    """Who does each step: the centre, the city office, each kecamatan's operator."""

    centre: str = "pusat"
    city: str = "admin"
    kecamatan: Mapping[str, str] = field(default_factory=dict)
    fallback: str = "simulasi"


@dataclass
class PipelineTally:
    """What the pipeline did over its days (cards unless the name says batches)."""

    batches_sent: int = 0
    batches_accepted: int = 0
    accepted: int = 0
    printed: int = 0
    print_failed: int = 0
    shipped_central: int = 0
    shipped_local: int = 0
    received: int = 0
    lost: int = 0
    reprints: int = 0
    handed_over: int = 0
    by_representative: int = 0
    returned: int = 0
    days: int = 0

    def line(self) -> str:
        """Return the tally as the demo prints it."""
        return (
            f"card pipeline: {self.batches_sent} batches sent, {self.batches_accepted} accepted "
            f"({self.accepted} cards); {self.printed} printed ({self.print_failed} spoiled, "
            f"{self.reprints} reprints queued); {self.shipped_central} shipped to the city, "
            f"{self.shipped_local} to the kecamatan; {self.received} received by scanning "
            f"({self.lost} lost); {self.handed_over} handed over "
            f"({self.by_representative} to a representative); {self.returned} returned uncollected"
        )


def demo_actors(
    runtime: Runtime, *, centre: str, city: str, operators: Mapping[str, str]
) -> Actors:
    """Return the actors: ``operators`` (kecamatan → username) first, else the simulation's
    ``perekam.<code>`` account of the kecamatan when it exists, else "simulasi"."""
    with runtime.transaction() as session:
        names = set(
            session.scalars(select(User.username).where(User.username.like(f"{ACCOUNT_PREFIX}%")))
        )
        kecamatan = sorted(
            {str(k) for k in session.scalars(select(Card.kode_kecamatan).distinct())}
        )
    chosen = {
        kode: username
        for kode in kecamatan
        if (username := ACCOUNT_PREFIX + kode.replace(".", "")) in names
    }
    chosen.update(operators)
    return Actors(centre=centre, city=city, kecamatan=chosen)
