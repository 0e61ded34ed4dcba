"""``ektp serve --workers``: the shared listener names TCP, so responses are not delayed."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import uvicorn
import uvicorn.supervisors

from ektp.settings import Settings
from ektp.web import cli


def test_workers_listen_on_a_socket_that_asyncio_will_set_to_nodelay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # asyncio sets TCP_NODELAY on an accepted socket only when the listener's proto is
    # IPPROTO_TCP; a bare socket's 0 cost every response a delayed ACK (about 40 ms).
    for name in ("EKTP_DATABASE_URL", "EKTP_SECRET_KEY", "EKTP_BIOMETRIC_KEY_FILE"):
        monkeypatch.setenv(name, "restored-after-the-test")
    seen: list[socket.socket] = []

    class Supervisor:
        def __init__(self, _config: object, sockets: list[socket.socket]) -> None:
            seen.extend(sockets)

        def run(self) -> None:
            return None

    def bare_listener(*_args: object, **_kwargs: object) -> None:
        pytest.fail("uvicorn.run(workers=n) binds a listener whose proto is 0")

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Supervisor)
    monkeypatch.setattr(uvicorn, "run", bare_listener)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'w.sqlite3'}",
        secret_key="s",
        biometric_key_file=tmp_path / "bio.key",
    )
    cli.serve_workers(settings, host="127.0.0.1", port=0, access_log=False, n=2)
    try:
        assert len(seen) == 1
        assert seen[0].type == socket.SOCK_STREAM
        assert seen[0].proto == socket.IPPROTO_TCP
    finally:
        for listener in seen:
            listener.close()
