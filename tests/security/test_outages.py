"""Outages answer 503 and say so, never 500 (issue 13, item 9).

* PostgreSQL made unreachable under a running app (a TCP forwarder in front of
  the real server, cut mid-test: open connections dropped, new ones refused):
  every request is a 503 from the first one, a page in the reader's language
  or the JSON error body; when the database is back, so is the app.
* Redis down (a URL pointing to a closed port): a correct sign-in that cannot
  create a session says so with a 503 and a translated message, instead of a
  302 with no session.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.settings import Settings
from tests.factories import PASSWORD, make_account, post_form
from tests.servers import free_port
from tests.services import TEST_POSTGRES_URL
from tests.workers.forwarder import TcpForwarder

DOWN_EN = "The database cannot be reached right now"
DOWN_AR = "يتعذّر الوصول إلى قاعدة البيانات"


class ThreadedForwarder:
    """A :class:`TcpForwarder` on its own event loop in a thread: the test client
    blocks the test's loop while the app starts, which would stall a forwarder there."""

    def __init__(self, url: str) -> None:
        self.forwarder = TcpForwarder.for_url(url)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def url(self, url: str) -> str:
        return self.forwarder.url(url)

    def _run(self, coroutine: Coroutine[Any, Any, None]) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def open(self) -> None:
        self._run(self.forwarder.open())

    def close(self) -> None:
        """Cut: refuse new connections and drop the open ones."""
        self._run(self.forwarder.close())

    def stop(self) -> None:
        self.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)


@pytest.fixture
def forwarder(db: str) -> Iterator[ThreadedForwarder]:
    if not db.startswith("postgres"):
        pytest.skip("a PostgreSQL server made unreachable (SQLite is a file)")
    forwarder = ThreadedForwarder(db)
    forwarder.open()
    try:
        yield forwarder
    finally:
        forwarder.stop()


async def _terminate_backends(url: str, *, spare: int = 0) -> None:
    """What a fast shutdown does to each backend: FATAL 57P01 ("administrator command")."""
    import asyncpg

    name = urlsplit(url).path.strip("/")
    connection = await asyncpg.connect(TEST_POSTGRES_URL, timeout=5)
    try:
        await connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = $1 AND pid <> pg_backend_pid() AND pid <> $2",
            name,
            spare,
        )
    finally:
        await connection.close()


async def _terminated_mid_query(client: AsyncTestClient, url: str, db: str) -> httpx.Response:
    """A page whose query is running when PostgreSQL terminates the backend: it waits on
    a lock this test holds, and a thread ends the app's backends a second later (the
    test client blocks this loop while the app answers)."""
    import asyncpg

    locker = await asyncpg.connect(db, timeout=5)
    spare = locker.get_server_pid()
    killer = threading.Timer(1.0, lambda: asyncio.run(_terminate_backends(db, spare=spare)))
    try:
        async with locker.transaction():
            await locker.execute("LOCK TABLE audit_event IN ACCESS EXCLUSIVE MODE")
            killer.start()
            return await client.get(url)
    finally:
        killer.join(timeout=10)
        await locker.close()


async def test_postgres_cut_under_a_running_app_is_503_from_the_first_request(
    settings: Settings, forwarder: ThreadedForwarder, db: str
) -> None:
    from web.app import create_app

    account = await make_account(Role.COORDINATOR, email="staff@example.org")
    app = create_app(
        replace(settings, database_url=forwarder.url(db), database_pool=True),
        check_migrations=False,
    )
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        signed_in = await post_form(
            client,
            "/login",
            {"email": account.email, "password": PASSWORD},
            follow_redirects=False,
        )
        # Signed in: the home page itself (web.home.home_in_place) or a redirect to it.
        assert signed_in.status_code in (200, 302, 303), signed_in.text[
            signed_in.text.find("<main") :
        ][:1500]
        assert client.cookies.get("session")
        assert (await client.get("/coordinator/audit")).status_code == 200

        # PostgreSQL stopping while a query runs: the server ends the backend
        # (AdminShutdownError, a PostgresError): 503, the first request included.
        mid_query = await _terminated_mid_query(client, "/coordinator/audit", db)
        assert mid_query.status_code == 503, mid_query.text[:300]
        assert DOWN_EN in mid_query.text

        # PostgreSQL stops as a fast shutdown does: every backend of the app is
        # terminated (FATAL 57P01, "administrator command"), then connections fail.
        # New connections are refused first, then the backends end: the other order
        # leaves a window in which the pool reconnects and the "stopped" server answers.
        forwarder.close()
        await _terminate_backends(db)

        first = await client.get("/coordinator/audit")
        assert first.status_code == 503, first.text[:500]
        assert DOWN_EN in first.text and first.headers["content-type"].startswith("text/html")
        arabic = await client.get("/needs/", headers={"accept-language": "ar"}, cookies={})
        assert arabic.status_code == 503, (arabic.url, arabic.text[:800])
        api = await client.get("/api/needs/")
        assert api.status_code == 503 and api.json()["status_code"] == 503
        assert DOWN_EN in api.json()["detail"]
        client.cookies.clear()
        anonymous = await client.get("/login", headers={"accept-language": "ar"})
        assert anonymous.status_code in (200, 503)  # the sign-in page needs no database
        login = await post_form(
            client,
            "/login",
            {"email": account.email, "password": PASSWORD},
            headers={"accept-language": "ar"},
        )
        assert login.status_code == 503, login.text[:500]
        assert DOWN_AR in login.text and 'dir="rtl"' in login.text
        session_api = await client.post(
            "/api/session/",
            json={"email": account.email, "password": PASSWORD},
            headers={"x-csrftoken": client.cookies.get("csrftoken", "")},
        )
        assert session_api.status_code == 503 and session_api.json()["status_code"] == 503
        health = await client.get("/health")
        assert health.status_code == 503
        for response in (first, arabic, api, login, session_api):
            assert "Traceback" not in response.text and "asyncpg" not in response.text

        forwarder.open()  # back: the pool reconnects, pages serve again
        again = await post_form(
            client,
            "/login",
            {"email": account.email, "password": PASSWORD},
            follow_redirects=False,
        )
        assert again.status_code == 200, again.text[-3000:]  # the home page, served in place
        assert "Dashboard" in again.text
        assert (await client.get("/coordinator/audit")).status_code == 200


async def test_sign_in_with_redis_down_says_so_instead_of_a_sessionless_redirect(
    settings: Settings,
) -> None:
    from web.app import create_app

    account = await make_account(Role.DOCTOR, email="lina@example.org")
    closed = f"redis://127.0.0.1:{free_port()}/0"
    app = create_app(replace(settings, redis_url=closed))
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        page = await post_form(
            client,
            "/login",
            {"email": account.email, "password": PASSWORD},
            headers={"accept-language": "ar"},
            follow_redirects=False,
        )
        assert page.status_code == 503, (page.status_code, page.headers.get("location"))
        assert page.headers["content-type"].startswith("text/html")
        assert "تعذّر تسجيل الدخول" in page.text  # "signing in is not possible", in Arabic
        assert not client.cookies.get("session")

        english = await post_form(
            client,
            "/login",
            {"email": account.email, "password": PASSWORD},
            follow_redirects=False,
        )
        assert english.status_code == 503
        assert "could not be signed in" in english.text

        api = await client.post(
            "/api/session/",
            json={"email": account.email, "password": PASSWORD},
            headers={"x-csrftoken": client.cookies.get("csrftoken", "")},
        )
        assert api.status_code == 503
        assert "could not be signed in" in api.json()["detail"]
        assert not client.cookies.get("session")

        wrong = await post_form(client, "/login", {"email": account.email, "password": "nope"})
        assert wrong.status_code == 422 and "Wrong email or password" in wrong.text
