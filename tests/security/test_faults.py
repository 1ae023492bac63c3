"""Faults on purpose: Redis killed under a running app, the database unreachable.

Redis: our own ``redis-server`` on a free port (the shared one on 6379 is left
alone), killed mid-test. PostgreSQL: a closed port (127.0.0.1:1).
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import replace

import pytest
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.settings import Settings
from tests.factories import PASSWORD, make_account, post_form
from tests.servers import free_port

NOTICE = "New pairing proposals are delayed"
DEAD_DATABASE = "postgresql://postgres@127.0.0.1:1/unreachable"


@pytest.fixture
def own_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            import time

            time.sleep(0.05)
    try:
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        process.kill()
        process.wait()


async def _page_with_notice(client: AsyncTestClient, url: str, *, seconds: float = 8.0):
    response = None
    for _ in range(int(seconds / 0.25)):
        response = await client.get(url)
        if NOTICE in response.text:
            return response
        await asyncio.sleep(0.25)
    return response


async def test_redis_killed_pages_still_serve_with_a_notice(
    settings: Settings, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    from web.app import create_app

    url, process = own_redis
    app = create_app(replace(settings, redis_url=url))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        before = await client.get("/login")
        assert before.status_code == 200 and NOTICE not in before.text
        assert (await client.get("/health")).json()["queue"] == "ok"

        process.kill()
        process.wait()
        client.cookies.clear()  # a visitor without a session

        health = await client.get("/health")
        assert health.status_code == 200, "the database is fine: /health still answers 200"
        assert health.json() == {"status": "degraded", "database": "ok", "queue": "unreachable"}
        for page in ("/login", "/signup", "/"):
            response = await _page_with_notice(client, page)
            assert response is not None and response.status_code == 200, page
            assert NOTICE in response.text, f"{page} does not say proposals are delayed"
            assert "Traceback" not in response.text


async def test_redis_killed_signed_in_pages_still_serve(
    settings: Settings, own_redis: tuple[str, subprocess.Popen[bytes]]
) -> None:
    from web.app import create_app

    url, process = own_redis
    app = create_app(replace(settings, redis_url=url))
    account = await make_account(Role.COORDINATOR)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        await post_form(client, "/login", {"email": account.email, "password": PASSWORD})
        process.kill()
        process.wait()
        response = await client.get("/", follow_redirects=False)
        assert response.status_code in (200, 302, 303)


async def test_queue_notice_follows_the_real_queue_health(
    own_redis: tuple[str, subprocess.Popen[bytes]],
) -> None:
    """The Jinja global behind the notice, on a real arq queue whose Redis is killed."""
    from web.notices import queue_notice, queue_state
    from workers.queue import ArqQueue

    url, process = own_redis
    queue = await ArqQueue.connect(url)
    context = {"request": type("R", (), {"app": type("A", (), {"state": type("S", (), {})})})}
    context["request"].app.state.queue = queue  # type: ignore[attr-defined]
    try:
        queue_state(queue)
        await asyncio.sleep(0.2)
        assert queue_state(queue) == "ok"
        assert queue_notice(context) is False  # type: ignore[call-arg]
        process.kill()
        process.wait()
        import web.notices

        web.notices._cache.clear()  # skip the 5 s cache instead of sleeping through it
        queue_state(queue)
        await asyncio.sleep(1.5)
        assert queue_state(queue) == "unreachable"
        assert queue_notice(context) is True  # type: ignore[call-arg]
    finally:
        await queue.close()


async def test_database_unreachable_gives_health_503_and_a_503_page(settings: Settings) -> None:
    from web.app import create_app

    await make_account(Role.DOCTOR, email="down@example.org")
    app = create_app(replace(settings, database_url=DEAD_DATABASE), check_migrations=False)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        health = await client.get("/health")
        assert health.status_code == 503
        assert health.json()["database"] == "unreachable"

        page = await post_form(
            client, "/login", {"email": "down@example.org", "password": PASSWORD}
        )
        assert page.status_code == 503
        assert "The database cannot be reached right now" in page.text
        assert "Traceback" not in page.text and "asyncpg" not in page.text
        assert page.headers["content-type"].startswith("text/html")

        api = await client.post(
            "/api/session",
            json={"email": "down@example.org", "password": PASSWORD},
            headers={"x-csrftoken": client.cookies.get("csrftoken", "")},
        )
        assert api.status_code == 503 and api.json()["status_code"] == 503
