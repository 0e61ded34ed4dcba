"""Roles and area scopes, without a database."""

from __future__ import annotations

import pytest

from ektp.auth import roles


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("admin_kota", True),
        ("operator_kecamatan", True),
        ("petugas_kelurahan", True),
        ("petugas_pusat", False),
        ("pengamat", False),
    ],
)
def test_only_city_kecamatan_and_kelurahan_staff_see_personal_data(
    role: str, allowed: bool
) -> None:
    assert roles.may_see_personal_data(role) is allowed


def test_only_the_city_admin_reads_the_audit_log() -> None:
    assert [role for role in roles.ROLES if roles.may_search_audit(role)] == ["admin_kota"]


def test_an_unknown_role_is_refused_by_name() -> None:
    with pytest.raises(roles.UnknownRoleError, match="superuser"):
        roles.may_see_personal_data("superuser")


def test_each_area_role_is_assigned_to_its_own_level() -> None:
    assert roles.area_level("admin_kota") == "kabupaten_kota"
    assert roles.area_level("operator_kecamatan") == "kecamatan"
    assert roles.area_level("petugas_kelurahan") == "kelurahan"
    assert roles.area_level("petugas_pusat") is None


@pytest.mark.parametrize(
    ("area", "kode", "covered"),
    [
        ("16.71", "16.71.07.1001", True),
        ("16.71.07", "16.71.07.1001", True),
        ("16.71.07", "16.71.07", True),
        ("16.71.07.1001", "16.71.07.1001", True),
        ("16.71.07.1001", "16.71.07.1001.RW003.RT005", True),
        ("16.71.07", "16.71.06.1001", False),
        ("16.71.07.1001", "16.71.07.1002", False),
        ("16.7", "16.71.07.1001", False),
        ("16.71.0", "16.71.07.1001", False),
        ("16.71.07.1001", "16.71.07", False),
    ],
)
def test_an_area_covers_the_codes_below_it_at_a_dot(area: str, kode: str, covered: bool) -> None:
    assert roles.area_covers(area, kode) is covered


def test_a_kecamatan_operator_covers_residents_of_its_kecamatan_only() -> None:
    def covers(kelurahan: str) -> bool:
        return roles.covers_resident(
            role="operator_kecamatan", area_kode="16.71.07", kode_kelurahan=kelurahan
        )

    assert covers("16.71.07.1002")
    assert not covers("16.71.06.1001")


def test_roles_without_personal_data_cover_no_resident_even_with_an_area() -> None:
    for role in ("petugas_pusat", "pengamat"):
        assert not roles.covers_resident(
            role=role, area_kode="16.71", kode_kelurahan="16.71.07.1002"
        )


def test_a_personal_data_role_without_an_area_covers_nothing() -> None:
    assert not roles.covers_resident(
        role="admin_kota", area_kode=None, kode_kelurahan="16.71.07.1002"
    )
