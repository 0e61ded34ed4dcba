"""Shipment manifests: a CSV for systems and a PDF for the courier, one section per box.

What a manifest holds, and why no more: the shipment number, origin and destination (codes
and names), the box numbers, and per card its serial, its box and the kecamatan it goes to.
No name, NIK, address or photo: a manifest travels in a courier's bag and is signed at
offices, and the serial alone lets the receiving office check the box against the system,
where the link from serial to resident stays behind the usual role and area checks.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from itertools import groupby

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from ektp.cards.models import Shipment
from ektp.cards.shipping import manifest_rows
from ektp.regions.service import region_names
from ektp.scheduling.letters import html_to_pdf, local_date

CSV_COLUMNS = ("nomor_pengiriman", "asal", "tujuan", "kotak", "no_urut", "serial", "kecamatan")
SERIALS_PER_ROW = 4


@dataclass(frozen=True)
class Manifest:
    """A shipment's manifest: header facts and the cards box by box."""

    number: str
    leg: str
    origin: str
    origin_name: str
    destination: str
    destination_name: str
    sent_on: str
    sent_by: str
    boxes: list[tuple[int, list[tuple[str, str]]]]  # (box, [(serial, kecamatan)])
    cards: int
    kecamatan_names: dict[str, str]


def manifest_of(*, session: Session, shipment: Shipment) -> Manifest:
    """Return the manifest of ``shipment``."""
    rows = manifest_rows(session=session, shipment_id=shipment.id)
    codes = {shipment.origin, shipment.destination, *(kec for _, _, kec in rows)}
    names = region_names(session=session, codes=codes)
    boxes = [
        (box, [(serial, kec) for _, serial, kec in members])
        for box, members in groupby(rows, key=lambda row: row[0])
    ]
    return Manifest(
        number=shipment.number,
        leg=shipment.leg,
        origin=shipment.origin,
        origin_name=names.get(shipment.origin, "Pusat (Kemendagri)"),
        destination=shipment.destination,
        destination_name=names.get(shipment.destination, shipment.destination),
        sent_on=local_date(shipment.destination, shipment.sent_at).isoformat(),
        sent_by=shipment.sent_by,
        boxes=boxes,
        cards=len(rows),
        kecamatan_names=names,
    )


def manifest_csv(manifest: Manifest) -> str:
    """Return the manifest as CSV text, one row per card."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for box, cards in manifest.boxes:
        for number, (serial, kec) in enumerate(cards, start=1):
            writer.writerow(
                (manifest.number, manifest.origin, manifest.destination, box, number, serial, kec)
            )
    return buffer.getvalue()


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("ektp.cards", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def manifest_html(manifest: Manifest) -> str:
    """Return the courier's manifest as HTML: a cover with the boxes, then a page per box."""
    boxes = [
        (
            box,
            len(cards),
            [cards[i : i + SERIALS_PER_ROW] for i in range(0, len(cards), SERIALS_PER_ROW)],
        )
        for box, cards in manifest.boxes
    ]
    return _environment().get_template("manifest.html").render(m=manifest, boxes=boxes)


def manifest_pdf(manifest: Manifest) -> bytes:
    """Return the courier's manifest as a PDF (WeasyPrint)."""
    return html_to_pdf(manifest_html(manifest))
