"""``ektp serve --workers 2``: two processes behind one port share the session secret."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

EKTP = [str(Path(sys.executable).with_name("ektp"))]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_two_workers_accept_a_session_made_by_either(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.sqlite3'}"
    env = {**os.environ, "EKTP_BIOMETRIC_KEY_FILE": str(tmp_path / "bio.key")}
    env.pop("EKTP_SECRET_KEY", None)
    subprocess.run([*EKTP, "--db", url, "init"], check=True, env=env, capture_output=True)
    subprocess.run(
        [*EKTP, "--db", url, "users", "create", "--username", "admin", "--role", "pengamat",
         "--full-name", "Admin", "--password", "rahasia-sekali-2011"],
        check=True, env=env, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    server = subprocess.Popen(
        [*EKTP, "--db", url, "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.3)
        with httpx.Client(base_url=base) as client:
            answer = client.post(
                "/api/v1/auth/login", json={"username": "admin", "password": "rahasia-sekali-2011"}
            )
            assert answer.status_code == 200, answer.text
            # New connections each time, so the kernel spreads them over both processes.
            statuses = {
                httpx.get(f"{base}/api/v1/auth/me", cookies=client.cookies).status_code
                for _ in range(30)
            }
        assert statuses == {200}
        assert len(server_pids(server.pid)) == 2
    finally:
        server.terminate()
        server.wait(timeout=30)


def server_pids(parent: int) -> list[int]:
    """Return the process ids of ``parent``'s server children (from /proc), leaving out
    multiprocessing's resource tracker."""
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [
        int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
