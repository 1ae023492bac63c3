"""A password reset or change ends every other session (issue 13, item 3).

The attack: a stolen session cookie survived the victim's password reset. Here
the attacker copies the victim's cookie; after the victim resets (or changes)
the password, the copy is signed out, on the embedded file store and on Redis.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from redis.asyncio import Redis

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.mail.tables import OutboxMail
from matching.settings import Settings
from tests.factories import PASSWORD, login, make_account, post_form
from tests.services import TEST_REDIS_URL

BASE = "http://127.0.0.1:8000"


@pytest.fixture(params=["file", "redis"])
async def any_store_app(request: pytest.FixtureRequest, settings: Settings) -> Litestar:
    """The app with sessions in the embedded file store, then in Redis."""
    from web.app import create_app

    if request.param == "redis":
        client = Redis.from_url(TEST_REDIS_URL)
        try:
            await client.ping()
        except OSError as exc:
            pytest.skip(f"Redis is not reachable at {TEST_REDIS_URL} ({exc})")
        finally:
            await client.aclose()
        return create_app(replace(settings, redis_url=TEST_REDIS_URL))
    return create_app(settings)


class Browser:
    """One browser's cookies, taking turns on the one test client.

    A Redis-backed app is served on the event loop of its test client, so the
    browsers share one client and swap their cookie jars around each request.
    """

    def __init__(self, client: AsyncTestClient) -> None:
        self.client = client
        self.jar: dict[str, str] = {}

    async def __aenter__(self) -> AsyncTestClient:
        self.client.cookies.clear()
        for name, value in self.jar.items():
            self.client.cookies.set(name, value)
        return self.client

    async def __aexit__(self, *exc: object) -> None:
        # Cookies the server set (with a domain) win over the ones set here.
        cookies = sorted(self.client.cookies.jar, key=lambda cookie: bool(cookie.domain))
        self.jar = {cookie.name: cookie.value for cookie in cookies if cookie.value}


@pytest.fixture
async def clients(any_store_app: Litestar) -> AsyncIterator[list[Browser]]:
    """Three browsers on the same app."""
    async with AsyncTestClient(app=any_store_app, base_url=BASE) as client:
        yield [Browser(client), Browser(client), Browser(client)]


async def _steal(victim: Browser, attacker: Browser) -> str:
    stolen = victim.jar["session"]
    attacker.jar = {"session": stolen}
    async with attacker as client:
        assert (await client.get("/api/session")).status_code == 200, "the copy works at first"
    return stolen


async def _signed_out_with_a_message(browser: Browser) -> None:
    """The next page sends the browser to sign in, saying why; the API answers 401."""
    async with browser as client:
        page = await client.get("/needs", follow_redirects=False)
        assert page.status_code in (302, 303)
        assert page.headers["location"].startswith("/login?next=")
        login_page = await client.get(page.headers["location"])
        assert "Your session has ended. Please sign in again." in login_page.text
        assert (await client.get("/api/session")).status_code == 401


async def _stored(app: Litestar, session_id: str) -> bool:
    if app.state.settings.redis_url:  # the app's own client lives on the client's loop
        redis = Redis.from_url(TEST_REDIS_URL)
        try:
            return bool(await redis.keys(f"*{session_id}*"))
        finally:
            await redis.aclose()
    return await app.stores.get("sessions").get(session_id) is not None


async def _signed_in_as(browser: Browser) -> str:
    async with browser as client:
        response = await client.get("/api/session")
        assert response.status_code == 200
        return str(response.json()["email"])


async def test_a_stolen_session_is_dead_after_the_victims_reset(
    any_store_app: Litestar, clients: list[Browser]
) -> None:
    victim, attacker, mailbox = clients
    account = await make_account(Role.COORDINATOR)
    async with victim as client:
        await login(client, account)
    stolen = await _steal(victim, attacker)

    async with mailbox as client:
        await post_form(client, "/password/forgot", {"email": account.email})
        mail = await OutboxMail.select().where(OutboxMail.recipient == account.email).first()
        token = re.search(r"/password/reset/([A-Za-z0-9_-]+)", mail["body_text"]).group(1)  # type: ignore[union-attr,index]
        done = await post_form(
            client,
            f"/password/reset/{token}",
            {"password": "a-fresh-password"},
            follow_redirects=False,
        )
        assert done.status_code in (302, 303)
    assert await _signed_in_as(mailbox) == account.email

    await _signed_out_with_a_message(attacker)
    await _signed_out_with_a_message(victim)  # every other session of the account
    assert not await _stored(any_store_app, stolen), "the ended session is removed from the store"
    assert await AuditEvent.count().where(AuditEvent.action == "account.password_reset") == 1


async def test_a_password_change_ends_every_other_session_but_keeps_this_one(
    clients: list[Browser],
) -> None:
    victim, attacker, other = clients
    account = await make_account(Role.DOCTOR)
    for browser in (victim, other):
        async with browser as client:
            await login(client, account)
    await _steal(victim, attacker)
    before = victim.jar["session"]

    async with victim as client:
        wrong = await post_form(
            client, "/account/password", {"current_password": "not-it-at-all", "password": "x" * 12}
        )
        assert wrong.status_code == 422 and "is not your current password" in wrong.text
        changed = await post_form(
            client,
            "/account/password",
            {"current_password": PASSWORD, "password": "a-changed-password"},
        )
        assert changed.status_code == 200, changed.text
        assert "Every other session of your account was signed out." in changed.text
    assert victim.jar["session"] != before, "this session continues under a new id"
    assert await _signed_in_as(victim) == account.email

    await _signed_out_with_a_message(attacker)
    await _signed_out_with_a_message(other)
    fresh = Browser(victim.client)
    async with fresh as client:
        await login(client, account.email, "a-changed-password")
    assert await AuditEvent.count().where(AuditEvent.action == "account.password_changed") == 1
