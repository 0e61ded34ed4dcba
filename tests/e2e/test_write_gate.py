"""Requests queue in the event loop, not in the request threads: more writers than threads
still all finish (before, they waited out the 30 s lock or pool timeouts)."""

from __future__ import annotations

import asyncio
import datetime as dt

import anyio.to_thread
import httpx
import pytest
from sqlalchemy import select

from ektp.app import create_app
from ektp.auth import tokens
from ektp.auth.models import User
from ektp.runtime import Runtime
from ektp.web.write_gate import RequestGate

NOW = dt.datetime(2011, 10, 3, 9, tzinfo=dt.UTC)

WRITERS = 8


async def _write_at_once(runtime: Runtime, token: str, threads: int) -> list[int]:
    # The limiter belongs to the running event loop: shrink it to make the pile-up certain.
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    app = create_app(runtime.settings, runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        answers = await asyncio.wait_for(
            asyncio.gather(
                *(
                    http.post("/api/v1/schedule/plan", json={}, headers=headers)
                    for _ in range(WRITERS)
                )
            ),
            timeout=20,
        )
    return [answer.status_code for answer in answers]


def test_more_writing_requests_than_threads_all_finish(web_runtime: Runtime) -> None:
    # The token is looked up in the route's dependency, in one request thread, which takes
    # the writer lock; the route runs in another and the commit in a third.
    with web_runtime.transaction() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        token = tokens.create_token(session=session, user=admin, name="script", now=NOW)
    statuses = asyncio.run(_write_at_once(web_runtime, token, threads=2))
    assert len(statuses) == WRITERS
    assert len(set(statuses)) == 1 and statuses[0] < 500


def _most_inside(gate_options: dict[str, int], method: str, requests: int) -> int:
    """Return how many of ``requests`` at once were inside a gate made with the options."""
    inside = 0
    most = 0

    async def app(scope: object, receive: object, send: object) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await asyncio.sleep(0.01)
        inside -= 1

    async def run() -> None:
        gate = RequestGate(app, **gate_options)  # type: ignore[arg-type]
        scope = {"type": "http", "method": method}
        await asyncio.gather(*(gate(scope, None, None) for _ in range(requests)))  # type: ignore[arg-type]

    asyncio.run(run())
    return most


def test_reading_requests_pass_the_gate_side_by_side_and_writing_ones_one_by_one() -> None:
    assert _most_inside({"writers": 1}, "GET", 5) == 5
    assert _most_inside({"writers": 1}, "POST", 5) == 1
    assert _most_inside({"writers": 8}, "POST", 5) == 5


def test_reading_requests_take_at_most_their_share_of_threads() -> None:
    assert _most_inside({"readers": 3}, "GET", 10) == 3


def test_websocket_and_lifespan_events_pass_the_gate_untouched() -> None:
    seen: list[str] = []

    async def app(scope: dict[str, str], receive: object, send: object) -> None:
        seen.append(scope["type"])

    async def run() -> None:
        gate = RequestGate(app, readers=0, writers=0)  # type: ignore[arg-type]
        await gate({"type": "lifespan"}, None, None)  # type: ignore[arg-type]

    asyncio.run(run())
    assert seen == ["lifespan"]


def test_a_token_touch_is_skipped_not_waited_for_while_another_process_writes(
    web_runtime: Runtime,
) -> None:
    import sqlite3
    import time

    from sqlalchemy.engine import make_url

    from ektp.auth.models import ApiToken
    from ektp.auth.service import AUDIT_WRITER

    if not web_runtime.single_writer:
        pytest.skip("PostgreSQL has no single writer lock to wait for")
    with web_runtime.transaction() as session:
        admin = session.execute(select(User).where(User.username == "admin")).scalar_one()
        token = tokens.create_token(session=session, user=admin, name="screen", now=NOW)
    database = make_url(web_runtime.settings.database_url).database
    assert database
    other = sqlite3.connect(database, isolation_level=None)
    reader = web_runtime.read_session_factory()
    reader.info[AUDIT_WRITER] = web_runtime.session_factory
    try:
        other.execute("BEGIN IMMEDIATE")  # an import in another process
        started = time.monotonic()
        user = tokens.user_for_token(session=reader, token=token, now=NOW)
        waited = time.monotonic() - started
        reader.commit()
    finally:
        reader.close()
        other.execute("ROLLBACK")
        other.close()
    assert user is not None and user.username == "admin"
    assert waited < 5  # not the 30 s busy timeout, holding a pooled connection
    with web_runtime.transaction() as session:
        touched = session.execute(
            select(ApiToken.last_used_at).where(ApiToken.name == "screen")
        ).scalar_one()
    assert touched is None  # skipped this time; a later call touches it
    assert web_runtime.engine.pool.checkedout() == 0
