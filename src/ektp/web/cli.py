"""``ektp serve``: run the web application with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

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
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

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
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[listener]).run()


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
