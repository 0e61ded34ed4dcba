"""``ektp serve``: run the web application with uvicorn."""

from __future__ import annotations

import socket
import sys
from typing import Annotated, Any

import typer
from uvicorn.supervisors import Multiprocess
from uvicorn.supervisors.multiprocess import Process

from ektp.runtime import Runtime, runtime_of
from ektp.settings import Settings


def serve_command(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    access_log: Annotated[
        bool,
        typer.Option(
            "--access-log/--no-access-log",
            help="Log every request line; off by default because search URLs carry NIKs and "
            "names (the audit log records those accesses instead).",
        ),
    ] = False,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Server processes. More than one uses every CPU core; each process has its "
            "own connection pool and its own rate-limit counters.",
        ),
    ] = 1,
) -> None:
    """Serve the web pages and the JSON API (/api/v1, documented at /docs)."""
    runtime = runtime_of(ctx)
    if workers > 1:
        runtime.dispose()
        serve_workers(runtime.settings, host=host, port=port, access_log=access_log, n=workers)
        return
    serve_app(runtime.settings, host=host, port=port, access_log=access_log, runtime=runtime)


def serve_workers(settings: Settings, *, host: str, port: int, access_log: bool, n: int) -> None:
    """Run ``n`` server processes sharing one port, configured through the environment."""
    import contextlib
    import os

    import uvicorn

    # Every process must sign sessions and seal templates with the same keys: pass them on
    # (the key file is created once, safely, by whichever process comes first).
    os.environ["EKTP_DATABASE_URL"] = settings.database_url
    os.environ["EKTP_SECRET_KEY"] = settings.secret_key
    os.environ["EKTP_BIOMETRIC_KEY_FILE"] = str(settings.biometric_key_file)
    if settings.biometric_key:
        os.environ["EKTP_BIOMETRIC_KEY"] = settings.biometric_key
    config = uvicorn.Config(
        "ektp.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=n,
        access_log=access_log,
        proxy_headers=False,
    )
    # What uvicorn.run does for workers, but with the listener's protocol named: asyncio sets
    # TCP_NODELAY only on accepted sockets whose listener says IPPROTO_TCP, and uvicorn's own
    # bind leaves it 0. Without it every response (headers and body written apart) waited for
    # the client's delayed ACK: about 40 ms a request (issue 5, the status lookup).
    bound = config.bind_socket()
    listener = socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())
    listeners = [listener]
    if sys.platform == "linux":
        # One listener per worker, bound with SO_REUSEPORT: the kernel spreads connections
        # evenly over them. On one shared listener the process that waited last took most
        # of them (65:35 with two workers at ten times Palembang's peak), and devices keep
        # their connection, so one process stayed the busy one. (The port bound, not the
        # one asked for: --port 0 means one free port for all of them.)
        bound_port = int(listener.getsockname()[1])
        listener.close()
        listeners = [_reuse_port_listener(host, bound_port) for _ in range(n)]
    with contextlib.suppress(KeyboardInterrupt):
        _supervisor(config, listeners).run()


def _supervisor(config: Any, listeners: list[socket.socket]) -> Multiprocess:
    if len(listeners) > 1:
        return _OneListenerEach(config, sockets=listeners)
    return Multiprocess(config, sockets=listeners)


def _reuse_port_listener(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind((host, port))
    listener.listen(2048)
    listener.set_inheritable(True)
    return listener


class _OneListenerEach(Multiprocess):
    """uvicorn's supervisor, starting worker ``i`` on listener ``i`` only.

    A worker it restarts later (crash, SIGHUP, SIGTTIN) listens on all of them: still
    correct, only spread less evenly.
    """

    def init_processes(self) -> None:
        for listener in self.sockets:
            process = Process(self.config, [listener])
            process.start()
            self.processes.append(process)


def serve_app(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    access_log: bool = False,
    runtime: Runtime | None = None,
) -> None:
    """Run the application on ``host``:``port`` until interrupted."""
    import uvicorn

    from ektp.app import create_app

    app = create_app(settings, runtime=runtime)
    uvicorn.run(app, host=host, port=port, access_log=access_log, proxy_headers=False)
