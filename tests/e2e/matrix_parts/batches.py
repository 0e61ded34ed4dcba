"""Route-matrix part of central batches: the centre's inbox and upload, the kecamatan's
send page, the batch API. Batches hold counts and ids; sending is for the kecamatan's
operator and the city admin, receiving for the centre and the city admin."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ektp.cards.models import Batch
from tests.e2e.matrix_base import MORNING, SUKARAMI, Call, Ids

LINES: dict[str, str] = {
    "GET /pusat":                                                     "A F F A F L",
    "POST /pusat/terima":                                             "A F F A F L",
    "GET /pusat/kirim":                                               "A A F F F L",
    "POST /pusat/kirim":                                              "A A F F F L",
    "POST /pusat/kirim/tarik":                                        "A A F F F L",
    "POST /api/v1/batches/send":                                      "A A F F F L",
    "POST /api/v1/pusat/batches":                                     "A F F A F L",
    "GET /api/v1/pusat/batches":                                      "A F F A F L",
}  # fmt: skip

UID = "16.71.07-matrix-00001"


def build(session: Session, ids: Ids) -> dict[str, Any]:
    """Return the uid of a sent (empty) Sukarami batch that the withdraw form names."""
    session.add(
        Batch(
            batch_uid=UID,
            kode_kecamatan=SUKARAMI,
            site_code=SUKARAMI,
            tanggal=MORNING.date(),
            seq=99,
            records=0,
            manifest_sha256="0" * 64,
            key_id="0" * 64,
            status="dikirim",
            created_at=MORNING,
            created_by="matrix",
        )
    )
    return {"batch_uid": UID}


def calls(ids: Ids) -> dict[str, Call]:
    """Return the request made for each route of LINES."""
    uid = ids.extra.get("batches", {}).get("batch_uid", UID)
    return {
        "GET /pusat": Call("GET", "/pusat"),
        "POST /pusat/terima": Call("POST", "/pusat/terima", form={}),
        "GET /pusat/kirim": Call("GET", "/pusat/kirim"),
        "POST /pusat/kirim": Call("POST", "/pusat/kirim", form={"kode_kecamatan": SUKARAMI}),
        "POST /pusat/kirim/tarik": Call("POST", "/pusat/kirim/tarik", form={"batch_uid": uid}),
        "POST /api/v1/batches/send": Call(
            "POST", "/api/v1/batches/send", json={"kode_kecamatan": SUKARAMI}
        ),
        "POST /api/v1/pusat/batches": Call("POST", "/api/v1/pusat/batches"),
        "GET /api/v1/pusat/batches": Call("GET", "/api/v1/pusat/batches"),
    }
