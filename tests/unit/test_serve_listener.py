"""``ektp serve --workers``: listeners that name TCP (responses are not delayed), one per
worker on Linux (connections spread evenly)."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
import uvicorn

from ektp.settings import Settings
from ektp.web import cli


def _listeners_of_serve_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> list[socket.socket]:
    for name in ("EKTP_DATABASE_URL", "EKTP_SECRET_KEY", "EKTP_BIOMETRIC_KEY_FILE"):
        monkeypatch.setenv(name, "restored-after-the-test")
    seen: list[socket.socket] = []

    class Supervisor:
        def run(self) -> None:
            return None

    def supervisor(_config: object, listeners: list[socket.socket]) -> Supervisor:
        seen.extend(listeners)
        return Supervisor()

    def bare_listener(*_args: object, **_kwargs: object) -> None:
        pytest.fail("uvicorn.run(workers=n) binds a listener whose proto is 0")

    monkeypatch.setattr(cli, "_supervisor", supervisor)
    monkeypatch.setattr(uvicorn, "run", bare_listener)
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'w.sqlite3'}",
        secret_key="s",
        biometric_key_file=tmp_path / "bio.key",
    )
    cli.serve_workers(settings, host="127.0.0.1", port=0, access_log=False, n=workers)
    return seen


def test_workers_listen_on_sockets_that_asyncio_will_set_to_nodelay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # asyncio sets TCP_NODELAY on an accepted socket only when the listener's proto is
    # IPPROTO_TCP; a bare socket's 0 cost every response a delayed ACK (about 40 ms).
    seen = _listeners_of_serve_workers(tmp_path, monkeypatch, 2)
    try:
        assert seen
        assert all(listener.type == socket.SOCK_STREAM for listener in seen)
        assert all(listener.proto == socket.IPPROTO_TCP for listener in seen)
    finally:
        for listener in seen:
            listener.close()


@pytest.mark.skipif(sys.platform != "linux", reason="SO_REUSEPORT spreads connections on Linux")
def test_each_worker_gets_its_own_listener_on_the_same_port(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _listeners_of_serve_workers(tmp_path, monkeypatch, 3)
    try:
        assert len(seen) == 3
        assert len({listener.getsockname() for listener in seen}) == 1
        assert all(
            listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1 for listener in seen
        )
    finally:
        for listener in seen:
            listener.close()
