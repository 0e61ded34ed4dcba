"""One writing request at a time per process on SQLite, queued in the event loop.

SQLite has one writer. Each request that writes takes the process's writer lock
(``storage.engine``) at its first statement, in a worker thread, and gives it back at the
commit, in another: FastAPI runs a route's dependencies, the route and the dependencies'
teardown as separate calls into one pool of forty threads. Under load, forty requests could
each take a thread only to wait there for the lock, while the request holding it waited
for a free thread to commit: nothing moved until the 30 s timeout failed them all. Here
writing requests wait for their turn as coroutines, holding no thread, so the one that
runs always finds threads to finish with.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Receive, Scope, Send

READ_METHODS = frozenset({"GET", "HEAD"})
"""Requests that only read: on SQLite they read a snapshot and never take the write lock."""


class WriteGate:
    """ASGI middleware: requests other than GET and HEAD pass one at a time when enabled."""

    def __init__(self, app: ASGIApp, *, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled
        self._turn: asyncio.Lock | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self.enabled or scope["type"] != "http" or scope["method"] in READ_METHODS:
            await self.app(scope, receive, send)
            return
        if self._turn is None:
            # Made on first use, inside the server's event loop.
            self._turn = asyncio.Lock()
        async with self._turn:
            await self.app(scope, receive, send)
