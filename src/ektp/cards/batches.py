"""Central batches: a kecamatan sends its recorded cards as one signed package; the centre
verifies it and accepts it once, or refuses it with a precise reason and changes nothing.

The sender is the kecamatan office: the batch's ``site_code`` is the kecamatan's code, its
key signs, and ``seq`` counts that office's batches. The centre accepts only a package that
(1) opens, (2) is signed by a registered key of the site it names, (3) matches every hash
and count, and (4) is exactly the package recorded in ``batches`` when it was sent (same
manifest digest, status ``dikirim``), with every card still ``dikirim_pusat`` in it. The
same package handed over again answers ``accepted, duplicate`` and changes nothing.

Why a refusal never moves cards back by itself: a refusal of a package that fails (1)–(3)
says nothing trustworthy about which batch it was, since anyone can write a batch uid into
a forged or damaged file; returning that batch's cards would let one bad copy unsend a
genuine batch still on its way (whose intact file the site can simply hand over again).
So every refusal writes only a ``BatchReceipt`` and an audit event. When the site's own
file is lost or damaged too, its operator withdraws the batch (``withdraw_batch``: status
``ditolak``, cards ``dikirim_pusat`` → ``direkam``), which only works for a batch this
database sent and the centre has not accepted; those cards then go in the next batch, and
the old package, if it ever arrives, is refused as withdrawn.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ektp.auth import service as auth_service
from ektp.cards import batch_checks, keys, lifecycle, package
from ektp.cards.batch_records import waiting_records
from ektp.cards.models import Batch, BatchReceipt, Card
from ektp.cards.transitions import ConcurrentChange, TransitionRefused, move
from ektp.dedup.gate import DUPLICATE, DedupGate, GateRecord, NotCheckedGate
from ektp.recording.crypto import BiometricCipher

SENT = batch_checks.SENT
ACCEPTED = batch_checks.ACCEPTED
REFUSED = batch_checks.REFUSED
ACTION_SENT = "batch.sent"
ACTION_RECEIVED = "batch.received"
ACTION_WITHDRAWN = "batch.withdrawn"


class BatchError(ValueError):
    """Raised when a batch cannot be sent or withdrawn; the message says why."""


class BatchDecided(BatchError):
    """Raised when a batch was accepted or withdrawn meanwhile (another process won)."""


@dataclass(frozen=True)
class ReceiveResult:
    """The centre's answer to one package."""

    accepted: bool
    duplicate: bool
    records: int
    reason: str
    batch_uid: str | None

    def as_json(self) -> dict[str, object]:
        """Return the answer as the CLI and the API print it."""
        return {
            "accepted": self.accepted,
            "records": self.records,
            "reason": self.reason,
            "duplicate": self.duplicate,
            "batch_uid": self.batch_uid,
        }


def send_batch(
    *,
    session: Session,
    kode_kecamatan: str,
    tanggal: dt.date | None,
    now: dt.datetime,
    by: str,
    cipher: BiometricCipher,
    client: str | None = None,
) -> tuple[Batch, bytes]:
    """Return the new batch and its package: the kecamatan's ``direkam`` cards (recorded on
    ``tanggal``, or all) signed and moved to ``dikirim_pusat``; BatchError when none wait."""
    records = waiting_records(session=session, kode_kecamatan=kode_kecamatan, tanggal=tanggal)
    if not records:
        on_day = f" recorded on {tanggal.isoformat()}" if tanggal else ""
        raise BatchError(f"kecamatan {kode_kecamatan} has no recorded cards{on_day} waiting")
    site_code = kode_kecamatan
    key = keys.signing_key(session=session, site_code=site_code, cipher=cipher, now=now)
    last = session.scalar(select(func.max(Batch.seq)).where(Batch.site_code == site_code))
    seq = int(last or 0) + 1
    day = tanggal or max(dt.date.fromisoformat(record["recorded_on"]) for record in records)
    header = package.Header(
        batch_uid=f"{site_code}-{day:%Y%m%d}-{seq:05d}",
        site_code=site_code,
        kode_kecamatan=kode_kecamatan,
        tanggal=day,
        seq=seq,
        created_at=now,
    )
    data, manifest_bytes = package.build(
        header=header, records=records, key_id=key.key_id, sign=key.sign
    )
    batch = Batch(
        batch_uid=header.batch_uid,
        kode_kecamatan=kode_kecamatan,
        site_code=site_code,
        tanggal=day,
        seq=seq,
        records=len(records),
        manifest_sha256=package.manifest_digest(manifest_bytes),
        key_id=key.key_id,
        status=SENT,
        created_at=now,
        created_by=by,
    )
    # All or nothing: the batch row goes too when a card was sent meanwhile.
    with session.begin_nested():
        session.add(batch)
        session.flush()
        move(
            session=session,
            card_ids=[record["card_id"] for record in records],
            to_state=lifecycle.DIKIRIM_PUSAT,
            at=now,
            actor=by,
            ref=f"batch:{batch.id}",
            values={"batch_id": batch.id},
        )
    _audit(session, by, ACTION_SENT, batch.batch_uid, {"records": len(records)}, client, now)
    return batch, data


def withdraw_batch(
    *, session: Session, batch_uid: str, now: dt.datetime, by: str, client: str | None = None
) -> Batch:
    """Return the withdrawn batch: status ``ditolak``, its cards back to ``direkam``.

    Only a batch this database sent and the centre has not accepted (BatchError otherwise).
    """
    batch = session.scalar(select(Batch).where(Batch.batch_uid == batch_uid))
    if batch is None:
        raise BatchError(f"no batch {batch_uid} was sent from here")
    if batch.status != SENT:
        raise BatchError(f"batch {batch_uid} is {batch.status}; only a sent batch is withdrawn")
    card_ids = list(
        session.scalars(
            select(Card.id).where(Card.batch_id == batch.id, Card.state == lifecycle.DIKIRIM_PUSAT)
        )
    )
    with session.begin_nested():
        _decide(session, batch, REFUSED, now, by, "withdrawn by the site to be sent again")
        move(
            session=session,
            card_ids=card_ids,
            to_state=lifecycle.DIREKAM,
            at=now,
            actor=by,
            ref=f"batch:{batch.id}",
            detail="batch withdrawn by the site",
            values={"batch_id": None},
        )
    _audit(session, by, ACTION_WITHDRAWN, batch_uid, {"records": len(card_ids)}, client, now)
    return batch


def receive_batch(
    *,
    session: Session,
    data: bytes,
    now: dt.datetime,
    by: str,
    gate: DedupGate | None = None,
    client: str | None = None,
) -> ReceiveResult:
    """Return the centre's answer to ``data``: accepted (cards on to the print queue through
    the gate), accepted again as a duplicate (nothing changed), or refused with the reason
    (nothing changed but the receipt and the audit event)."""
    file_sha = hashlib.sha256(data).hexdigest()
    earlier = session.execute(
        select(BatchReceipt.batch_uid, BatchReceipt.records, BatchReceipt.received_at)
        .where(BatchReceipt.file_sha256 == file_sha, BatchReceipt.accepted.is_(True))
        .limit(1)
    ).first()
    if earlier is not None:
        first_uid, records, at = earlier
        reason = f"batch {first_uid} was already accepted on {at:%Y-%m-%d %H:%M}; nothing changed"
        result = ReceiveResult(True, True, int(records), reason, first_uid)
        return _receipt(session, result, file_sha, now, by, client)
    uid: str | None = None
    try:
        opened = package.open_package(data)
        uid = opened.batch_uid
        verified = batch_checks.verify(session, opened)
        batch, duplicate = batch_checks.match_batch(session, verified)
        if duplicate:
            reason = f"batch {batch.batch_uid} was already accepted; nothing changed"
            result = ReceiveResult(True, True, batch.records, reason, batch.batch_uid)
            return _receipt(session, result, file_sha, now, by, client)
        batch_checks.check_cards(session, batch, verified)
    except package.PackageRefused as refusal:
        return _receipt(
            session, ReceiveResult(False, False, 0, str(refusal), uid), file_sha, now, by, client
        )
    try:
        passed = _accept(session, batch, verified, now, by, gate or NotCheckedGate())
    except (BatchDecided, TransitionRefused, ConcurrentChange) as error:
        # Another receipt of the same batch (or a withdrawal) won the race; the savepoint
        # undid this one's moves, and the receipt says what happened.
        status = session.scalar(select(Batch.status).where(Batch.id == batch.id))
        if status == ACCEPTED:
            reason = (
                f"batch {batch.batch_uid} was accepted meanwhile by another receipt; "
                "nothing changed"
            )
            result = ReceiveResult(True, True, batch.records, reason, batch.batch_uid)
        else:
            reason = f"batch {batch.batch_uid} changed meanwhile: {error}; nothing changed"
            result = ReceiveResult(False, False, 0, reason, batch.batch_uid)
        return _receipt(session, result, file_sha, now, by, client)
    reason = (
        f"accepted {batch.records} records of batch {batch.batch_uid}; "
        f"{passed} to the print queue, {batch.records - passed} held as duplicates"
    )
    result = ReceiveResult(True, False, batch.records, reason, batch.batch_uid)
    return _receipt(session, result, file_sha, now, by, client)


def _accept(
    session: Session,
    batch: Batch,
    verified: package.Verified,
    now: dt.datetime,
    by: str,
    gate: DedupGate,
) -> int:
    """Return how many cards passed the gate; every card of the batch moved on.

    All or nothing, and once: the batch is claimed first by a conditional UPDATE (status
    ``dikirim`` → ``diterima``), so that of two receipts at the same moment the database
    lets exactly one accept it; the other raises BatchDecided and writes nothing.
    """
    ids = [entry.card_id for entry in verified.entries]
    ref = f"batch:{batch.id}"
    decisions = gate.decide([_gate_record(record) for record in verified.records])
    decided = [decision.card_id for decision in decisions]
    if sorted(decided) != sorted(ids):
        raise BatchError(
            f"the deduplication gate decided {len(decided)} cards of batch {batch.batch_uid}, "
            f"which holds {len(ids)}: every card needs exactly one decision"
        )
    with session.begin_nested():
        _decide(session, batch, ACCEPTED, now, by, None)
        move(
            session=session,
            card_ids=ids,
            to_state=lifecycle.DITERIMA_PUSAT,
            at=now,
            actor=by,
            ref=ref,
            values={"location": "pusat"},
        )
        by_status: dict[str, list[int]] = {}
        for decision in decisions:
            by_status.setdefault(decision.status, []).append(decision.card_id)
        passed = 0
        for status, members in by_status.items():
            target = lifecycle.DUPLIKAT if status == DUPLICATE else lifecycle.ANTRIAN_CETAK
            passed += len(members) if target == lifecycle.ANTRIAN_CETAK else 0
            move(
                session=session,
                card_ids=members,
                to_state=target,
                at=now,
                actor=by,
                ref=ref,
                detail=f"dedup: {status}",
                values={"dedup_status": status},
            )
    return passed


def _decide(
    session: Session, batch: Batch, status: str, now: dt.datetime, by: str, reason: str | None
) -> None:
    """Set a sent batch's final ``status``, or raise BatchDecided when it is no longer sent."""
    decided = session.execute(
        update(Batch)
        .where(Batch.id == batch.id, Batch.status == SENT)
        .values(status=status, decided_at=now, decided_by=by, reason=reason)
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        raise BatchDecided(f"batch {batch.batch_uid} was decided meanwhile by another receipt")
    session.refresh(batch)


def _gate_record(record: dict[str, object]) -> GateRecord:
    captures = record.get("captures")
    templates = (
        {str(name): str(value.get("template_sha256")) for name, value in captures.items()}
        if isinstance(captures, dict)
        else {}
    )
    return GateRecord(
        card_id=int(str(record["card_id"])),
        recording_id=int(str(record["recording_id"])),
        nik=str(record.get("nik")),
        nama=str(record.get("nama")),
        tanggal_lahir=str(record.get("tanggal_lahir")),
        jenis_kelamin=str(record.get("jenis_kelamin")),
        kode_kelurahan=str(record.get("kode_kelurahan")),
        templates=templates,
    )


def _receipt(
    session: Session,
    result: ReceiveResult,
    file_sha: str,
    now: dt.datetime,
    by: str,
    client: str | None,
) -> ReceiveResult:
    session.add(
        BatchReceipt(
            batch_uid=None if result.batch_uid is None else result.batch_uid[:80],
            file_sha256=file_sha,
            accepted=result.accepted,
            duplicate=result.duplicate,
            records=result.records,
            reason=result.reason,
            received_at=now,
            received_by=by,
        )
    )
    detail = {
        "accepted": result.accepted,
        "duplicate": result.duplicate,
        "records": result.records,
        "reason": result.reason,
        "file_sha256": file_sha,
    }
    _audit(session, by, ACTION_RECEIVED, result.batch_uid, detail, client, now)
    return result


def _audit(
    session: Session,
    by: str,
    action: str,
    subject: str | None,
    detail: dict[str, object],
    client: str | None,
    now: dt.datetime,
) -> None:
    auth_service.record_audit(
        session=session,
        username=by,
        action=action,
        subject=subject,
        detail=json.dumps(detail, ensure_ascii=False),
        client=client,
        now=now,
    )
