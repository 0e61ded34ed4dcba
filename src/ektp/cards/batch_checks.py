"""What the centre checks before it accepts a package (see ``batches``): a trusted key of
the site it names, the very batch that site sent (not a replay), and every card still on
its way to the centre in that batch. Each check raises ``PackageRefused`` with the reason.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ektp.cards import keys, lifecycle, package
from ektp.cards.models import Batch, Card
from ektp.cards.transitions import chunks

# A batch's status: sent by the site, accepted by the centre, or withdrawn by the site.
SENT = "dikirim"
ACCEPTED = "diterima"
REFUSED = "ditolak"


def verify(session: Session, opened: package.Opened) -> package.Verified:
    """Return the package verified with the registered key it names (of the site it names,
    not retired before the batch was made)."""
    key = keys.trusted_key(session=session, key_id=opened.key_id)
    if key is None:
        raise package.PackageRefused(
            f"unknown key {opened.key_id[:16] or '(none)'}…: no site registered it here"
        )
    verified = package.verify(opened, key.public_key)
    if key.site_code != verified.header.site_code:
        raise package.PackageRefused(
            f"the package names site {verified.header.site_code} but is signed with the key "
            f"of site {key.site_code}"
        )
    if key.retired_at is not None and key.retired_at <= verified.header.created_at:
        raise package.PackageRefused(
            f"key {key.key_id[:16]}… of site {key.site_code} was retired before the batch was made"
        )
    return verified


def match_batch(session: Session, verified: package.Verified) -> tuple[Batch, bool]:
    """Return (the sent batch this package is, whether it was already accepted as such)."""
    header = verified.header
    batch = session.scalar(select(Batch).where(Batch.batch_uid == header.batch_uid))
    same_seq = session.scalar(
        select(Batch).where(Batch.site_code == header.site_code, Batch.seq == header.seq)
    )
    if same_seq is not None and same_seq.batch_uid != header.batch_uid:
        raise package.PackageRefused(
            f"replayed: sequence {header.seq} of site {header.site_code} belongs to batch "
            f"{same_seq.batch_uid} ({same_seq.status}), not {header.batch_uid}"
        )
    if batch is None:
        raise package.PackageRefused(
            f"batch {header.batch_uid} is unknown here: no site of this database sent it"
        )
    if batch.manifest_sha256 != verified.manifest_sha256:
        state = "accepted" if batch.status == ACCEPTED else batch.status
        raise package.PackageRefused(
            f"replayed: batch {batch.batch_uid} ({state}) was sent with other contents; "
            "this package is not the one the site sent"
        )
    if batch.status == ACCEPTED:
        return batch, True
    if batch.status == REFUSED:
        raise package.PackageRefused(
            f"batch {batch.batch_uid} was withdrawn on {batch.decided_at:%Y-%m-%d}: "
            f"{batch.reason}; its cards go in a later batch"
        )
    return batch, False


def check_cards(session: Session, batch: Batch, verified: package.Verified) -> None:
    """Return when every record is a card of this database, in ``batch``, still on its way
    to the centre; else raise PackageRefused naming the first that is not."""
    ids = [entry.card_id for entry in verified.entries]
    found: dict[int, tuple[str, int | None, int]] = {}
    for part in chunks(ids):
        rows = session.execute(
            select(Card.id, Card.state, Card.batch_id, Card.recording_id).where(Card.id.in_(part))
        )
        found.update({int(i): (str(s), b, int(r)) for i, s, b, r in rows})
    for number, entry in enumerate(verified.entries, start=1):
        row = found.get(entry.card_id)
        if row is None or row[2] != entry.recording_id:
            raise package.PackageRefused(
                f"record {number}: card {entry.card_id} with recording {entry.recording_id} "
                "does not exist here"
            )
        state, batch_id, _ = row
        if batch_id != batch.id:
            other = session.get(Batch, batch_id) if batch_id is not None else None
            where = f"batch {other.batch_uid} ({other.status})" if other else "no batch"
            raise package.PackageRefused(
                f"replayed: record {number} (card {entry.card_id}) belongs to {where}, "
                f"not {batch.batch_uid}"
            )
        if state != lifecycle.DIKIRIM_PUSAT:
            raise package.PackageRefused(
                f"record {number} (card {entry.card_id}) is {state}, not waiting at the centre"
            )
