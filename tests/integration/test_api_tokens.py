"""Per-user API tokens on SQLite and PostgreSQL: shown once, stored as SHA-256, revocable."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from ektp.auth import service, tokens
from ektp.regions.service import load_city
from ektp.runtime import Runtime

NOW = dt.datetime(2011, 10, 3, 1, tzinfo=dt.UTC)


@pytest.fixture
def operator(runtime: Runtime) -> Runtime:
    """Return the runtime of a database holding Palembang's regions and one operator."""
    with runtime.transaction() as session:
        load_city(session=session, city="16.71", edition="2016")
        service.create_user(
            session=session,
            username="camat",
            full_name="Camat",
            role="operator_kecamatan",
            area_kode="16.71.07",
            password="palembang-2011",
            now=NOW,
        )
    return runtime


def _token(runtime: Runtime, name: str = "set-1") -> str:
    with runtime.transaction() as session:
        user = service.get_user(session=session, username="camat")
        assert user is not None
        return tokens.create_token(session=session, user=user, name=name, now=NOW)


def test_a_token_names_its_user_and_only_its_hash_is_stored(operator: Runtime) -> None:
    token = _token(operator)
    assert token.startswith("ektp_") and len(token) > 40
    with operator.transaction() as session:
        user = tokens.user_for_token(session=session, token=token, now=NOW)
        assert user is not None and user.username == "camat"
        stored = session.execute(text("SELECT token_sha256, last_used_at FROM api_tokens")).one()
    assert stored[0] == tokens.token_sha256(token) and token not in stored[0]
    assert stored[1] is not None


def test_an_unknown_or_revoked_token_names_nobody(operator: Runtime) -> None:
    token = _token(operator)
    with operator.transaction() as session:
        assert tokens.user_for_token(session=session, token=token + "x", now=NOW) is None
        assert tokens.user_for_token(session=session, token="Bearer", now=NOW) is None
        user = service.get_user(session=session, username="camat")
        assert user is not None
        assert tokens.revoke_token(session=session, user=user, name="set-1", now=NOW) == 1
    with operator.transaction() as session:
        assert tokens.user_for_token(session=session, token=token, now=NOW) is None


def test_a_user_has_one_live_token_per_name(operator: Runtime) -> None:
    _token(operator, "set-1")
    with pytest.raises(tokens.TokenError, match="already has a token named 'set-1'"):
        _token(operator, "set-1")
    assert _token(operator, "set-2") != _token(operator, "set-3")
    with pytest.raises(tokens.TokenError, match="needs a name"):
        _token(operator, "  ")
