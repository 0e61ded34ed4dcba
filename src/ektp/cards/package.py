"""A central batch as a file (pure): build a signed package, open and verify one.

A package is a deterministic ZIP of three members:

``manifest.json``
    the batch (``batch_uid``, ``site_code``, ``kode_kecamatan``, ``tanggal``, the site's
    sequence number ``seq``, ``created_at``, ``key_id``), the record count, the SHA-256 of
    ``records.jsonl``, and per record its card id, recording id and the SHA-256 of its line.
``records.jsonl``
    one JSON object per card: recording and card id, NIK, name, birth date, sex,
    kode_kelurahan, when and at which set it was recorded, and per modality the quality and
    the SHA-256 of the *encrypted* template. The templates themselves never travel in a
    package: the hashes let the centre's matcher ask for exactly the stored template later,
    and a lost file leaks no biometric data.
``signature``
    the site's Ed25519 signature over the exact bytes of ``manifest.json``.

Verification checks the signature first (so nothing unsigned is trusted), then the hash of
the records file, every record's hash and the counts; each refusal names what failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "ektp-batch/1"
MANIFEST = "manifest.json"
RECORDS = "records.jsonl"
SIGNATURE = "signature"
MEMBERS = (MANIFEST, RECORDS, SIGNATURE)
# Fixed member timestamps make the same batch give the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# A day's batch of one kecamatan at ten times the target is a few MB; far more is an attack.
MAX_MEMBER_BYTES = 256 * 1024 * 1024
_HEADER_FIELDS = ("batch_uid", "site_code", "kode_kecamatan", "tanggal", "seq", "created_at")


class PackageRefused(ValueError):
    """Raised when a package cannot be opened or verified; the message says precisely why."""


@dataclass(frozen=True)
class Header:
    """What a batch is: whose, which day, which number of the site."""

    batch_uid: str
    site_code: str
    kode_kecamatan: str
    tanggal: dt.date
    seq: int
    created_at: dt.datetime


@dataclass(frozen=True)
class Entry:
    """One record as the manifest lists it."""

    card_id: int
    recording_id: int
    sha256: str


@dataclass(frozen=True)
class Opened:
    """A package's members, read but not yet trusted."""

    manifest_bytes: bytes
    manifest: dict[str, Any]
    signature: bytes
    records_bytes: bytes

    @property
    def key_id(self) -> str:
        """Return the key id the manifest claims it was signed with."""
        return str(self.manifest.get("key_id", ""))

    @property
    def batch_uid(self) -> str | None:
        """Return the batch uid the manifest claims (not yet verified)."""
        value = self.manifest.get("batch_uid")
        return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Verified:
    """A package whose signature, hashes and counts all hold."""

    header: Header
    key_id: str
    manifest_sha256: str
    entries: tuple[Entry, ...]
    records: tuple[dict[str, Any], ...]


def _line(record: Mapping[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def manifest_digest(manifest_bytes: bytes) -> str:
    """Return the hex SHA-256 of a manifest's bytes (what the batches table keeps)."""
    return hashlib.sha256(manifest_bytes).hexdigest()


def build(
    *,
    header: Header,
    records: Sequence[Mapping[str, Any]],
    key_id: str,
    sign: Callable[[bytes], bytes],
) -> tuple[bytes, bytes]:
    """Return (package bytes, manifest bytes) for ``records``, signed with ``sign``.

    Each record must hold ``card_id`` and ``recording_id``.
    """
    lines = [_line(record) for record in records]
    records_bytes = b"".join(line + b"\n" for line in lines)
    manifest = {
        "format": FORMAT,
        "batch_uid": header.batch_uid,
        "site_code": header.site_code,
        "kode_kecamatan": header.kode_kecamatan,
        "tanggal": header.tanggal.isoformat(),
        "seq": header.seq,
        "created_at": header.created_at.isoformat(),
        "key_id": key_id,
        "records": len(lines),
        "records_sha256": hashlib.sha256(records_bytes).hexdigest(),
        "entries": [
            {
                "card_id": int(record["card_id"]),
                "recording_id": int(record["recording_id"]),
                "sha256": hashlib.sha256(line).hexdigest(),
            }
            for record, line in zip(records, lines, strict=True)
        ],
    }
    manifest_bytes = json.dumps(manifest, sort_keys=True, indent=1).encode() + b"\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, body in (
            (MANIFEST, manifest_bytes),
            (RECORDS, records_bytes),
            (SIGNATURE, sign(manifest_bytes)),
        ):
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, body, compresslevel=1)
    return out.getvalue(), manifest_bytes


def open_package(data: bytes) -> Opened:
    """Return the members of ``data``, or raise PackageRefused (truncated, damaged, not ours)."""
    if not data:
        raise PackageRefused("the file is empty")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = {info.filename: info for info in archive.infolist()}
            names = sorted(infos)
            if names != sorted(MEMBERS):
                raise PackageRefused(
                    f"the package holds {names or 'nothing'}; a batch holds exactly "
                    f"{', '.join(MEMBERS)}"
                )
            for info in infos.values():
                if info.file_size > MAX_MEMBER_BYTES:
                    raise PackageRefused(f"{info.filename} is larger than a batch can be")
            bodies = {name: _read(archive, name) for name in MEMBERS}
    except zipfile.BadZipFile as error:
        raise PackageRefused(
            f"the file is not a complete package (truncated, or not a batch ZIP): {error}"
        ) from None
    try:
        manifest = json.loads(bodies[MANIFEST])
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise PackageRefused(f"{MANIFEST} is not valid JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise PackageRefused(f"{MANIFEST} is not a JSON object")
    return Opened(bodies[MANIFEST], manifest, bodies[SIGNATURE], bodies[RECORDS])


def _read(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        return archive.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        # The ZIP's own CRC-32 catches a changed or cut byte before our hashes do.
        raise PackageRefused(
            f"{name} is damaged in the file (changed or truncated in transit): {error}"
        ) from None


def verify(opened: Opened, public_key: bytes) -> Verified:
    """Return the verified package, or raise PackageRefused naming the first failure.

    Order: the signature over the manifest, the manifest's fields, the records file's hash
    (naming the first record that differs), then the counts.
    """
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            opened.signature, opened.manifest_bytes
        )
    except (InvalidSignature, ValueError):
        raise PackageRefused(
            f"the signature does not match {MANIFEST}: the manifest was changed after "
            f"signing, or it was not signed with key {opened.key_id[:16]}…"
        ) from None
    header, entries = _manifest_fields(opened.manifest)
    records = _checked_records(opened, entries)
    return Verified(
        header=header,
        key_id=opened.key_id,
        manifest_sha256=manifest_digest(opened.manifest_bytes),
        entries=entries,
        records=records,
    )


def _manifest_fields(manifest: Mapping[str, Any]) -> tuple[Header, tuple[Entry, ...]]:
    if manifest.get("format") != FORMAT:
        raise PackageRefused(f"the manifest's format is {manifest.get('format')!r}, not {FORMAT}")
    missing = [name for name in (*_HEADER_FIELDS, "records", "entries") if name not in manifest]
    if missing:
        raise PackageRefused(f"the manifest lacks {', '.join(missing)}")
    try:
        header = Header(
            batch_uid=str(manifest["batch_uid"]),
            site_code=str(manifest["site_code"]),
            kode_kecamatan=str(manifest["kode_kecamatan"]),
            tanggal=dt.date.fromisoformat(manifest["tanggal"]),
            seq=int(manifest["seq"]),
            created_at=dt.datetime.fromisoformat(manifest["created_at"]),
        )
        entries = tuple(
            Entry(int(item["card_id"]), int(item["recording_id"]), str(item["sha256"]))
            for item in manifest["entries"]
        )
    except (TypeError, ValueError, KeyError) as error:
        raise PackageRefused(f"the manifest has a malformed field: {error}") from None
    if int(manifest["records"]) != len(entries):
        raise PackageRefused(
            f"the manifest says {manifest['records']} records but lists {len(entries)}"
        )
    seen: set[int] = set()
    for entry in entries:
        if entry.card_id in seen:
            raise PackageRefused(f"the manifest lists card {entry.card_id} twice")
        seen.add(entry.card_id)
    return header, entries


def _checked_records(opened: Opened, entries: tuple[Entry, ...]) -> tuple[dict[str, Any], ...]:
    data = opened.records_bytes
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for number, (entry, line) in enumerate(zip(entries, lines, strict=False), start=1):
        if hashlib.sha256(line).hexdigest() != entry.sha256:
            raise PackageRefused(
                f"record {number} (card {entry.card_id}, recording {entry.recording_id}) "
                "does not match its SHA-256 in the manifest"
            )
    if len(lines) != len(entries):
        raise PackageRefused(
            f"{RECORDS} holds {len(lines)} records; the manifest lists {len(entries)}"
        )
    if hashlib.sha256(data).hexdigest() != opened.manifest.get("records_sha256"):
        raise PackageRefused(f"{RECORDS} does not match the records_sha256 of the manifest")
    records = []
    for number, (entry, line) in enumerate(zip(entries, lines, strict=True), start=1):
        try:
            record = json.loads(line)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise PackageRefused(f"record {number} is not valid JSON") from None
        if (record.get("card_id"), record.get("recording_id")) != (
            entry.card_id,
            entry.recording_id,
        ):
            raise PackageRefused(
                f"record {number} names card {record.get('card_id')}, recording "
                f"{record.get('recording_id')}; the manifest lists card {entry.card_id}, "
                f"recording {entry.recording_id}"
            )
        records.append(record)
    return tuple(records)
