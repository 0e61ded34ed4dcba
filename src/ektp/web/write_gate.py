"""Requests queue in the event loop, not in request threads: a bounded number of reading
and of writing requests run at once per process, on SQLite one writing request at a time.

FastAPI runs a route's dependencies, the route and the dependencies' teardown (the commit)
as separate calls into one pool of forty threads, and a request holds its database
connection, and on SQLite the process's writer lock (``storage.engine``), across them.
Under load, with every thread taken by requests waiting for a connection or for the lock,
the requests holding them waited for a free thread to finish: nothing moved until the
30 s timeouts failed them all (seen at 10 times Palembang's peak on both databases). Here
the requests beyond ``READERS`` + ``writers`` wait as coroutines, holding neither thread nor
connection, so those inside always find a thread (40) and a pooled connection (40) to go on.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

READ_METHODS = frozenset({"GET", "HEAD"})
"""Requests that only read: on SQLite they read a snapshot and never take the write lock."""
READERS = 8
"""Reading requests in the app at once per process. The work is mostly CPU under one GIL:
more threads only wait for it (30 and 8 gave PostgreSQL at 10× a check-in p95 of 244–272 ms,
8 and 4 gave 179)."""
WRITERS = 4
"""Writing requests in the app at once per process on PostgreSQL (SQLite: one)."""


class RequestGate:
    """ASGI middleware: at most ``readers`` reading and ``writers`` writing HTTP requests
    run at once; the others wait their turn in the event loop, in order of arrival.
    """

    def __init__(self, app: ASGIApp, *, readers: int = READERS, writers: int = WRITERS) -> None:
        self.app = app
        self.readers = readers
        self.writers = writers
        self._turns: tuple[asyncio.Semaphore, asyncio.Semaphore] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self._turns is None:
            # Made on first use, inside the server's event loop.
            self._turns = (asyncio.Semaphore(self.readers), asyncio.Semaphore(self.writers))
        reading, writing = self._turns
        async with reading if scope["method"] in READ_METHODS else writing:
            await self.app(scope, receive, send)
