"""Roles and area scopes (pure): who may see personal data, and where."""

from __future__ import annotations

ADMIN_KOTA = "admin_kota"
OPERATOR_KECAMATAN = "operator_kecamatan"
PETUGAS_KELURAHAN = "petugas_kelurahan"
PETUGAS_PUSAT = "petugas_pusat"
PENGAMAT = "pengamat"

ROLES = (ADMIN_KOTA, OPERATOR_KECAMATAN, PETUGAS_KELURAHAN, PETUGAS_PUSAT, PENGAMAT)

# The region level of each role's area; None: the role has no area (it sees no registry rows).
_AREA_LEVEL: dict[str, str | None] = {
    ADMIN_KOTA: "kabupaten_kota",
    OPERATOR_KECAMATAN: "kecamatan",
    PETUGAS_KELURAHAN: "kelurahan",
    PETUGAS_PUSAT: None,
    PENGAMAT: None,
}
_PERSONAL_DATA_ROLES = frozenset({ADMIN_KOTA, OPERATOR_KECAMATAN, PETUGAS_KELURAHAN})


class UnknownRoleError(ValueError):
    """Raised for a role name that is not one of ROLES."""


def check_role(role: str) -> str:
    """Return ``role`` unchanged when it is a known role, else raise UnknownRoleError."""
    if role not in _AREA_LEVEL:
        raise UnknownRoleError(f"unknown role {role!r}; roles: {', '.join(ROLES)}")
    return role


def area_level(role: str) -> str | None:
    """Return the region level a user of ``role`` is assigned to, or None for no area."""
    return _AREA_LEVEL[check_role(role)]


def may_see_personal_data(role: str) -> bool:
    """Return whether ``role`` may search and open residents' records at all."""
    return check_role(role) in _PERSONAL_DATA_ROLES


def may_search_audit(role: str) -> bool:
    """Return whether ``role`` may read the audit log of who saw what."""
    return check_role(role) == ADMIN_KOTA


def area_covers(area_kode: str, kode: str) -> bool:
    """Return whether the area ``area_kode`` contains the region or unit ``kode``.

    Kemendagri codes nest by prefix at a dot (``16.71`` > ``16.71.07`` > ``16.71.07.1001`` >
    ``16.71.07.1001.RW003``); a bare string prefix would let ``16.7`` cover ``16.71``.
    """
    return kode == area_kode or kode.startswith(area_kode + ".")


def covers_resident(*, role: str, area_kode: str | None, kode_kelurahan: str) -> bool:
    """Return whether a user of ``role`` and area may see a resident of ``kode_kelurahan``."""
    if not may_see_personal_data(role) or area_kode is None:
        return False
    return area_covers(area_kode, kode_kelurahan)
