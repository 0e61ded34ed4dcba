"""The batch package (pure): deterministic, verified signature first, then hashes and counts."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ektp.cards import package
from ektp.dedup.gate import GateRecord, NotCheckedGate

KEY = Ed25519PrivateKey.from_private_bytes(b"s" * 32)
PUBLIC = KEY.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
HEADER = package.Header(
    batch_uid="16.71.06-20111003-00001",
    site_code="16.71.06",
    kode_kecamatan="16.71.06",
    tanggal=dt.date(2011, 10, 3),
    seq=1,
    created_at=dt.datetime(2011, 10, 3, 12, tzinfo=dt.UTC),
)
RECORDS = [
    {"card_id": n, "recording_id": 100 + n, "nik": f"16710{n:011d}", "captures": {}}
    for n in range(1, 6)
]


def _build(records: list[dict[str, object]] = RECORDS) -> bytes:
    return package.build(header=HEADER, records=records, key_id="k", sign=KEY.sign)[0]


def _rezip(data: bytes, **replace: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for name in package.MEMBERS:
            target.writestr(name, replace.get(name, source.read(name)))
    return out.getvalue()


def _verify(data: bytes) -> package.Verified:
    return package.verify(package.open_package(data), PUBLIC)


def test_same_batch_gives_the_same_bytes_and_verifies() -> None:
    assert _build() == _build()
    verified = _verify(_build())
    assert verified.header == HEADER
    assert [entry.card_id for entry in verified.entries] == [1, 2, 3, 4, 5]


def test_changed_record_is_named() -> None:
    data = _build()
    lines = package.open_package(data).records_bytes.split(b"\n")
    lines[3] = lines[3].replace(b"1671", b"1672", 1)
    with pytest.raises(package.PackageRefused, match=r"record 4 \(card 4, recording 104\)"):
        _verify(_rezip(data, **{package.RECORDS: b"\n".join(lines)}))


def test_missing_record_is_counted() -> None:
    data = _build()
    lines = package.open_package(data).records_bytes.split(b"\n")
    del lines[4]
    with pytest.raises(package.PackageRefused, match="holds 4 records; the manifest lists 5"):
        _verify(_rezip(data, **{package.RECORDS: b"\n".join(lines)}))


def test_signature_is_checked_before_anything_else() -> None:
    data = _build()
    manifest = package.open_package(data).manifest_bytes.replace(b'"seq": 1', b'"seq": 2')
    with pytest.raises(package.PackageRefused, match="signature does not match"):
        _verify(_rezip(data, **{package.MANIFEST: manifest}))
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    with pytest.raises(package.PackageRefused, match="signature"):
        package.verify(package.open_package(data), other)


def test_truncated_or_foreign_file_is_refused() -> None:
    data = _build()
    for cut in (data[:10], data[: len(data) - 5], b"not a zip"):
        with pytest.raises(package.PackageRefused, match="not a complete package"):
            package.open_package(cut)
    with pytest.raises(package.PackageRefused, match="holds"):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("other.txt", b"x")
        package.open_package(buffer.getvalue())


def test_not_checked_gate_passes_every_card() -> None:
    records = [GateRecord(1, 2, "n", "a", "1990-01-01", "L", "16.71.06.1001")]
    decisions = NotCheckedGate().decide(records)
    assert [(d.card_id, d.status, d.passes) for d in decisions] == [(1, "not_checked", True)]
