"""Who may print, ship and receive cards, and where (shared by the pages and the JSON API).

``petugas_pusat`` prints and ships centre → city (any city; it has no area) and sees the
shipments of that leg; ``admin_kota`` prints for its city, receives at the city office,
ships to the kecamatan of its city and may stand in at their receiving; ``operator_kecamatan``
receives the shipments to its own kecamatan. Other roles get 403; a shipment outside the
user's area is 404, so nobody learns what exists elsewhere.
"""

from __future__ import annotations

from fastapi import HTTPException

from ektp.auth import roles
from ektp.auth.models import User
from ektp.cards.models import Shipment
from ektp.cards.shipping import KOTA_KECAMATAN, PUSAT_KOTA

PRINT_ROLES = frozenset({roles.PETUGAS_PUSAT, roles.ADMIN_KOTA})
SHIPPING_ROLES = frozenset({roles.PETUGAS_PUSAT, roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN})


def forbidden(what: str) -> HTTPException:
    """Return the 403 for a role that may never do ``what``."""
    return HTTPException(status_code=403, detail=f"this role may not {what}")


def not_here() -> HTTPException:
    """Return the 404 for something outside the user's area."""
    return HTTPException(status_code=404, detail="no such shipment in your area")


def require_printer(user: User, kode_kota: str | None = None) -> None:
    """Raise unless ``user`` may run print runs (for ``kode_kota`` when given)."""
    if user.role not in PRINT_ROLES:
        raise forbidden("run the card printer")
    outside = user.area_kode is None or not roles.area_covers(user.area_kode, kode_kota or "")
    if kode_kota is not None and user.role == roles.ADMIN_KOTA and outside:
        raise HTTPException(status_code=404, detail="no such city in your area")


def print_area(user: User) -> str | None:
    """Return the city whose print queue the user sees (None: every city)."""
    require_printer(user)
    return None if user.role == roles.PETUGAS_PUSAT else user.area_kode


def shipping_scope(user: User) -> tuple[str | None, str | None]:
    """Return (area, leg) of the shipments ``user`` sees: None means any."""
    if user.role not in SHIPPING_ROLES:
        raise forbidden("see shipments")
    if user.role == roles.PETUGAS_PUSAT:
        return None, PUSAT_KOTA
    if user.area_kode is None:
        raise forbidden("see shipments without an area")
    if user.role == roles.OPERATOR_KECAMATAN:
        return user.area_kode, KOTA_KECAMATAN
    return user.area_kode, None


def require_view(user: User, shipment: Shipment | None) -> Shipment:
    """Return the shipment when ``user`` may see it (403, or 404 outside the area)."""
    area, leg = shipping_scope(user)
    if shipment is None:
        raise not_here()
    if leg is not None and shipment.leg != leg:
        raise not_here()
    if area is not None and not roles.area_covers(area, shipment.destination):
        raise not_here()
    return shipment


def may_receive(user: User) -> bool:
    """Return whether the role receives shipments at all (the centre only sends)."""
    return user.role in (roles.ADMIN_KOTA, roles.OPERATOR_KECAMATAN)


def require_receiver(user: User, shipment: Shipment | None) -> Shipment:
    """Return the shipment when ``user`` may scan and close it (403, or 404 elsewhere)."""
    if not may_receive(user):
        raise forbidden("receive shipments")
    return require_view(user, shipment)


def require_sender(user: User, leg: str, destination: str) -> None:
    """Raise unless ``user`` may send a shipment on ``leg`` to ``destination``."""
    if leg == PUSAT_KOTA:
        if user.role != roles.PETUGAS_PUSAT:
            raise forbidden("ship from the centre")
        return
    if leg == KOTA_KECAMATAN:
        if user.role != roles.ADMIN_KOTA or user.area_kode is None:
            raise forbidden("ship from the city office")
        if not roles.area_covers(user.area_kode, destination):
            raise HTTPException(status_code=404, detail="no such kecamatan in your area")
        return
    raise HTTPException(status_code=422, detail=f"leg: {leg!r} is not pusat_kota or kota_kecamatan")


def sendable_legs(user: User) -> tuple[str, ...]:
    """Return the legs ``user`` may send shipments on."""
    if user.role == roles.PETUGAS_PUSAT:
        return (PUSAT_KOTA,)
    if user.role == roles.ADMIN_KOTA:
        return (KOTA_KECAMATAN,)
    return ()
