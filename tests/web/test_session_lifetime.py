"""Session lifetime: an idle timeout and an absolute lifetime (issue 13, item 4).

Both are honoured while the session is in use: a session idle longer than
SESSION_IDLE_MINUTES ends, a session older than SESSION_ABSOLUTE_HOURS ends
even when used every few minutes, and with SESSION_IDLE_MINUTES=1 a session
in use never expires. The tests drive the sessions' clock and look at what the
user sees: the sign-in page, saying the session ended.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.settings import ConfigError, Settings, load_settings
from tests.factories import login, make_account
from web.sessions import TOUCHED_KEY


class Clock:
    """The sessions' clock, moved by the test."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


async def _app_and_clock(settings: Settings, **changes: int) -> tuple[Litestar, Clock]:
    from web.app import create_app

    app = create_app(replace(settings, **changes))
    clock = Clock()
    app.state.session_config.clock = clock
    return app, clock


@pytest.fixture
async def short(settings: Settings) -> AsyncIterator[tuple[AsyncTestClient, Clock]]:
    """Idle timeout 60 minutes, absolute lifetime 12 hours."""
    app, clock = await _app_and_clock(settings, session_idle_minutes=60, session_absolute_hours=12)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        yield client, clock


async def _signed_in(client: AsyncTestClient) -> bool:
    page = await client.get("/needs", follow_redirects=False)
    if page.status_code == 200:
        return True
    assert page.status_code in (302, 303) and "/login" in page.headers["location"]
    shown = await client.get(page.headers["location"])
    assert "Your session has ended. Please sign in again." in shown.text
    return False


async def test_an_idle_session_ends_after_the_idle_timeout(
    short: tuple[AsyncTestClient, Clock],
) -> None:
    client, clock = short
    await login(client, await make_account(Role.COORDINATOR))
    clock.advance(59 * 60)
    assert await _signed_in(client), "59 minutes idle: still signed in"
    clock.advance(61 * 60)
    assert not await _signed_in(client), "61 minutes idle: signed out, with a message"


async def test_a_session_in_use_ends_at_its_absolute_lifetime(
    short: tuple[AsyncTestClient, Clock],
) -> None:
    client, clock = short
    await login(client, await make_account(Role.COORDINATOR))
    used = 0
    while used < 12 * 60 - 30:  # a request every 30 minutes for 11.5 hours
        clock.advance(30 * 60)
        used += 30
        assert await _signed_in(client), f"in use, ended after {used} minutes"
    clock.advance(31 * 60)
    assert not await _signed_in(client), "past 12 hours: signed out though in use"
    # Signing in again starts a new lifetime.
    await login(client, await make_account(Role.DOCTOR))
    clock.advance(30 * 60)
    page = await client.get("/api/session")
    assert page.status_code == 200


async def test_a_one_minute_idle_timeout_keeps_a_session_in_use(settings: Settings) -> None:
    app, clock = await _app_and_clock(settings, session_idle_minutes=1)
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        await login(client, await make_account(Role.COORDINATOR))
        for _ in range(20):  # a request every 40 seconds for over 13 minutes
            clock.advance(40)
            assert await _signed_in(client)
        clock.advance(61)
        assert not await _signed_in(client)


async def test_a_one_minute_idle_timeout_renews_the_store_before_it_expires(
    settings: Settings,
) -> None:
    """The real store expiry: written back well before the minute runs out."""
    from web.app import create_app

    app = create_app(replace(settings, session_idle_minutes=1))
    store = app.stores.get("sessions")
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
        await login(client, await make_account(Role.COORDINATOR))
        session_id = client.cookies.get("session")
        # As if last written 20 seconds ago, with 40 seconds left in the store.
        data = json.loads(await store.get(session_id))
        data[TOUCHED_KEY] -= 20
        await store.set(session_id, json.dumps(data).encode(), expires_in=40)
        assert (await client.get("/needs")).status_code == 200
        assert await store.expires_in(session_id) > 50, "the expiry did not slide in time"


@pytest.mark.parametrize("raw", ["twelve", "0", "-3", "1.5"])
def test_a_bad_absolute_lifetime_stops_start_up_with_one_line(raw: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"SESSION_ABSOLUTE_HOURS": raw})
    message = str(caught.value)
    assert message.startswith("SESSION_ABSOLUTE_HOURS: ") and "\n" not in message


def test_the_absolute_lifetime_is_twelve_hours_unless_set() -> None:
    assert load_settings({}).session_absolute_hours == 12
    assert load_settings({"SESSION_ABSOLUTE_HOURS": "8"}).session_absolute_hours == 8
