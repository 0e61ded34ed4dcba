"""Central batches on SQLite and PostgreSQL: send, receive once, refuse tampered, truncated,
wrongly signed and replayed packages with a precise reason and nothing changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ektp.auth.models import AuditEvent
from ektp.cards import batches, keys, lifecycle, package, recorded_city
from ektp.cards.models import Batch, BatchReceipt, Card, CardEvent, CardStageCount
from ektp.recording.crypto import BiometricCipher
from ektp.runtime import Runtime

DAY = dt.date(2011, 10, 3)
AT = dt.datetime(2011, 10, 3, 10, tzinfo=dt.UTC)
LATER = AT + dt.timedelta(hours=8)
IT2 = "16.71.06"
SUKARAMI = "16.71.07"
CIPHER = BiometricCipher(b"k" * 32)


@pytest.fixture
def city(runtime: Runtime) -> Runtime:
    with runtime.transaction() as session:
        recorded_city.build(
            session=session,
            kecamatan=[IT2, SUKARAMI],
            per_kecamatan=5,
            tanggal=DAY,
            at=AT,
            modalities=("photo", "r_thumb"),
            template_bytes=40,
        )
    return runtime


def _send(runtime: Runtime, kecamatan: str = IT2) -> tuple[str, bytes]:
    with runtime.transaction() as session:
        batch, data = batches.send_batch(
            session=session, kode_kecamatan=kecamatan, tanggal=DAY, now=AT, by="op", cipher=CIPHER
        )
        return batch.batch_uid, data


def _receive(runtime: Runtime, data: bytes) -> batches.ReceiveResult:
    with runtime.transaction() as session:
        return batches.receive_batch(session=session, data=data, now=LATER, by="pusat")


def _snapshot(session: Session) -> dict[str, Any]:
    return {
        "cards": sorted(session.execute(select(Card.id, Card.state, Card.batch_id)).all()),
        "events": session.scalar(select(func.count()).select_from(CardEvent)),
        "batches": sorted(session.execute(select(Batch.batch_uid, Batch.status)).all()),
        "stages": sorted(
            session.execute(
                select(CardStageCount.kode_kecamatan, CardStageCount.state, CardStageCount.cards)
            ).all()
        ),
    }


def _refused_changes_nothing(runtime: Runtime, data: bytes, needle: str) -> None:
    with runtime.transaction() as session:
        before = _snapshot(session)
        receipts = session.scalar(select(func.count()).select_from(BatchReceipt))
    result = _receive(runtime, data)
    assert not result.accepted and not result.duplicate
    assert needle in result.reason
    with runtime.transaction() as session:
        assert _snapshot(session) == before
        assert session.scalar(select(func.count()).select_from(BatchReceipt)) == receipts + 1
        last = session.scalars(select(BatchReceipt).order_by(BatchReceipt.id.desc())).first()
        assert last is not None and not last.accepted and last.reason == result.reason
        audited = session.scalars(
            select(AuditEvent).where(AuditEvent.action == batches.ACTION_RECEIVED)
        ).all()
        assert audited and result.reason in (audited[-1].detail or "")


def _rezip(data: bytes, **replace: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in package.MEMBERS:
            target.writestr(name, replace.get(name, source.read(name)))
    return out.getvalue()


def _states(session: Session, kecamatan: str) -> set[str]:
    return set(session.scalars(select(Card.state).where(Card.kode_kecamatan == kecamatan)))


def test_sent_batch_is_accepted_once_into_the_print_queue(city: Runtime) -> None:
    uid, data = _send(city)
    with city.transaction() as session:
        assert _states(session, IT2) == {lifecycle.DIKIRIM_PUSAT}
        assert _states(session, SUKARAMI) == {lifecycle.DIREKAM}
    result = _receive(city, data)
    assert (result.accepted, result.duplicate, result.records, result.batch_uid) == (
        True,
        False,
        5,
        uid,
    )
    again = _receive(city, data)
    assert (again.accepted, again.duplicate, again.records) == (True, True, 5)
    with city.transaction() as session:
        assert _states(session, IT2) == {lifecycle.ANTRIAN_CETAK}
        statuses = set(session.scalars(select(Card.dedup_status).where(Card.kode_kecamatan == IT2)))
        assert statuses == {"not_checked"}
        assert session.scalar(select(Batch.status).where(Batch.batch_uid == uid)) == "diterima"
        counts = dict(
            session.execute(
                select(CardStageCount.state, CardStageCount.cards).where(
                    CardStageCount.kode_kecamatan == IT2
                )
            ).all()
        )
        assert counts[lifecycle.ANTRIAN_CETAK] == 5 and counts[lifecycle.DIREKAM] == 0


def test_package_records_hashes_and_never_templates(city: Runtime) -> None:
    _, data = _send(city)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        records = archive.read(package.RECORDS).decode()
    assert "template_sha256" in records and "template_encrypted" not in records
    assert records.count("\n") == 5


def test_one_changed_record_is_refused_naming_it_and_changes_nothing(city: Runtime) -> None:
    _, data = _send(city)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        lines = archive.read(package.RECORDS).split(b"\n")
    lines[2] = lines[2].replace(b'"jenis_kelamin":"', b'"jenis_kelamin":"X')
    tampered = _rezip(data, **{package.RECORDS: b"\n".join(lines)})
    _refused_changes_nothing(city, tampered, "record 3 (card")


def test_a_byte_flipped_in_the_file_is_refused_and_changes_nothing(city: Runtime) -> None:
    _, data = _send(city)
    for offset in (40, len(data) // 2, len(data) - 30):
        flipped = bytearray(data)
        flipped[offset] ^= 0x01
        _refused_changes_nothing(city, bytes(flipped), "")
    assert _receive(city, data).accepted


def test_changed_manifest_fails_the_signature(city: Runtime) -> None:
    _, data = _send(city)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        manifest = archive.read(package.MANIFEST)
    forged = _rezip(data, **{package.MANIFEST: manifest.replace(b'"seq": 1', b'"seq": 7')})
    _refused_changes_nothing(city, forged, "signature does not match")


def test_truncated_file_is_refused_and_changes_nothing(city: Runtime) -> None:
    _, data = _send(city)
    _refused_changes_nothing(city, data[: len(data) // 2], "not a complete package")
    _refused_changes_nothing(city, b"", "empty")


def test_unknown_key_and_another_sites_key_are_refused(city: Runtime) -> None:
    _, data = _send(city)
    opened = package.open_package(data)
    with city.transaction() as session:
        records = _records(opened)
        other = keys.signing_key(session=session, site_code=SUKARAMI, cipher=CIPHER, now=AT)
    header = _header(opened)
    stranger = Ed25519PrivateKey.generate()
    strange, _ = package.build(header=header, records=records, key_id="ab" * 32, sign=stranger.sign)
    _refused_changes_nothing(city, strange, "unknown key")
    borrowed, _ = package.build(
        header=header, records=records, key_id=other.key_id, sign=other.sign
    )
    _refused_changes_nothing(city, borrowed, f"signed with the key of site {SUKARAMI}")


def test_other_contents_under_an_accepted_uid_or_seq_are_replays(city: Runtime) -> None:
    uid, data = _send(city)
    assert _receive(city, data).accepted
    opened = package.open_package(data)
    with city.transaction() as session:
        key = keys.signing_key(session=session, site_code=IT2, cipher=CIPHER, now=AT)
    records = _records(opened)[:3]
    header = _header(opened)
    same_uid, _ = package.build(header=header, records=records, key_id=key.key_id, sign=key.sign)
    _refused_changes_nothing(city, same_uid, f"replayed: batch {uid}")
    new_uid = dataclasses.replace(header, batch_uid="16.71.06-other")
    same_seq, _ = package.build(header=new_uid, records=records, key_id=key.key_id, sign=key.sign)
    _refused_changes_nothing(city, same_seq, "replayed: sequence 1")


def test_records_already_accepted_in_another_batch_are_a_replay(city: Runtime) -> None:
    _, first = _send(city)
    assert _receive(city, first).accepted
    opened = package.open_package(first)
    with city.transaction() as session:
        key = keys.signing_key(session=session, site_code=IT2, cipher=CIPHER, now=AT)
        last = session.scalar(select(func.max(Batch.seq)))
        # A batch row the site recorded, whose package reuses accepted records.
        header = dataclasses.replace(_header(opened), batch_uid="16.71.06-x", seq=int(last) + 1)
        data, manifest = package.build(
            header=header, records=_records(opened), key_id=key.key_id, sign=key.sign
        )
        session.add(
            Batch(
                batch_uid=header.batch_uid,
                kode_kecamatan=IT2,
                site_code=IT2,
                tanggal=DAY,
                seq=header.seq,
                records=5,
                manifest_sha256=package.manifest_digest(manifest),
                key_id=key.key_id,
                status="dikirim",
                created_at=AT,
                created_by="op",
            )
        )
    _refused_changes_nothing(city, data, "replayed: record 1")


def test_withdrawn_batch_returns_its_cards_and_its_old_package_is_refused(city: Runtime) -> None:
    uid, data = _send(city)
    with city.transaction() as session:
        batches.withdraw_batch(session=session, batch_uid=uid, now=AT, by="op")
        assert _states(session, IT2) == {lifecycle.DIREKAM}
    _refused_changes_nothing(city, data, "withdrawn")
    second_uid, second = _send(city)
    assert second_uid.endswith("00002")
    assert _receive(city, second).accepted


def test_withdrawing_an_accepted_batch_is_refused(city: Runtime) -> None:
    uid, data = _send(city)
    assert _receive(city, data).accepted
    with city.transaction() as session, pytest.raises(batches.BatchError, match="diterima"):
        batches.withdraw_batch(session=session, batch_uid=uid, now=AT, by="op")


def test_sending_with_nothing_recorded_says_so(city: Runtime) -> None:
    _send(city)
    with city.transaction() as session, pytest.raises(batches.BatchError, match="no recorded"):
        batches.send_batch(
            session=session, kode_kecamatan=IT2, tanggal=None, now=AT, by="op", cipher=CIPHER
        )


def test_private_key_is_sealed_at_rest(city: Runtime) -> None:
    _send(city)
    from ektp.cards.models import SiteKey

    with city.transaction() as session:
        row = session.scalars(select(SiteKey)).one()
        assert row.private_key_sealed is not None and len(row.public_key) == 32
        assert keys.key_id_of(row.public_key) == row.key_id
        key = keys.signing_key(session=session, site_code=IT2, cipher=CIPHER, now=AT)
        assert key.key_id == row.key_id
        with pytest.raises(ValueError, match="does not open"):
            keys.signing_key(
                session=session, site_code=IT2, cipher=BiometricCipher(b"z" * 32), now=AT
            )


def _records(opened: package.Opened) -> list[dict[str, Any]]:
    import json

    return [json.loads(line) for line in opened.records_bytes.splitlines()]


def _header(opened: package.Opened) -> package.Header:
    m = opened.manifest
    return package.Header(
        batch_uid=m["batch_uid"],
        site_code=m["site_code"],
        kode_kecamatan=m["kode_kecamatan"],
        tanggal=dt.date.fromisoformat(m["tanggal"]),
        seq=m["seq"],
        created_at=dt.datetime.fromisoformat(m["created_at"]),
    )
