"""Benchmark central batches: build, sign, verify and accept one day of all 16 kecamatan.

Ten times the target (300 a kecamatan a day) is 3,000 records per kecamatan, 48,000 in all.
The script creates its own recorded city set-wise (``ektp.cards.recorded_city``: residents,
recordings with 14 accepted captures of 541 bytes each, cards in ``direkam``) in a fresh
database, then times per phase, over all 16 kecamatan:

- build + sign: ``send_batch`` (read cards and template hashes, build the ZIP, sign, move the
  cards to ``dikirim_pusat``), committed;
- verify: ``open_package`` + ``verify`` alone (signature, every hash, counts), no database;
- accept: ``receive_batch`` (verify again, check the batch and cards, move them through the
  gate to the print queue), committed.

    .venv/bin/python benchmarks/batches.py --records 300            # quick, SQLite
    .venv/bin/python benchmarks/batches.py                          # 48,000 records
    .venv/bin/python benchmarks/batches.py --db postgresql://postgres@127.0.0.1/bench
Use a throwaway database: SQLite files are created in a temporary folder when ``--db`` is
not given; a PostgreSQL database given with ``--db`` must be empty (it is migrated here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from ektp.cards import batches, keys, package, recorded_city
from ektp.recording.crypto import BiometricCipher, new_key, parse_key
from ektp.runtime import Runtime
from ektp.settings import Settings
from ektp.storage.migrate import upgrade

DAY = dt.date(2011, 10, 3)
AT = dt.datetime(2011, 10, 3, 12, tzinfo=dt.UTC)


def main() -> None:
    """Run the benchmark and print seconds and records/s per phase."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=48_000, help="records in all")
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    parser.add_argument("--kecamatan", type=int, default=16, help="kecamatan sending")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'batches.sqlite3'}"
        runtime = Runtime(Settings(database_url=url, secret_key="bench"))
        upgrade(runtime.engine)
        run(runtime, args.records, args.kecamatan)
        runtime.dispose()


def run(runtime: Runtime, records: int, count: int) -> None:
    """Set up the city, then time each phase over every kecamatan."""
    cipher = BiometricCipher(parse_key(new_key()))
    per = max(1, records // count)
    kecamatan = [f"16.71.{n:02d}" for n in range(1, count + 1)]
    started = time.perf_counter()
    with runtime.transaction() as session:
        recorded_city.build(
            session=session, kecamatan=kecamatan, per_kecamatan=per, tanggal=DAY, at=AT
        )
    total = per * len(kecamatan)
    setup = time.perf_counter() - started
    print(f"{runtime.engine.dialect.name}: {total} records, setup {setup:.1f} s")
    files: list[bytes] = []
    started = time.perf_counter()
    for kec in kecamatan:
        with runtime.transaction() as session:
            _, data = batches.send_batch(
                session=session, kode_kecamatan=kec, tanggal=DAY, now=AT, by="bench", cipher=cipher
            )
        files.append(data)
    _report("build + sign", total, time.perf_counter() - started)
    with runtime.transaction() as session:
        public = {
            kec: keys.signing_key(session=session, site_code=kec, cipher=cipher, now=AT)
            for kec in kecamatan
        }
    started = time.perf_counter()
    for kec, data in zip(kecamatan, files, strict=True):
        key = public[kec].private.public_key().public_bytes_raw()
        package.verify(package.open_package(data), key)
    _report("verify", total, time.perf_counter() - started)
    started = time.perf_counter()
    for data in files:
        with runtime.transaction() as session:
            result = batches.receive_batch(session=session, data=data, now=AT, by="bench")
        assert result.accepted and not result.duplicate, result.reason
    _report("accept", total, time.perf_counter() - started)
    print(f"package size: {sum(len(f) for f in files) / 1e6:.1f} MB in all")


def _report(phase: str, records: int, seconds: float) -> None:
    print(f"{phase:>14}: {seconds:7.2f} s  {records / seconds:10,.0f} records/s")


if __name__ == "__main__":
    main()
