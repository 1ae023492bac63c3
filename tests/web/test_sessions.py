"""Sessions write only when they must, and their idle expiry slides.

Litestar's own server-side backend writes the session (and renews it) on every
response and keeps an empty session, under a fresh id, for every anonymous page
view. Ours must not: these tests read the real session store.
"""

from __future__ import annotations

import json
from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from tests.factories import login, make_account
from web.sessions import TOUCH_EVERY, TOUCHED_KEY


def _store(app: Litestar):  # type: ignore[no-untyped-def]
    return app.stores.get("sessions")


async def test_anonymous_page_views_store_nothing_and_set_no_session_cookie(
    app: Litestar, client: AsyncTestClient
) -> None:
    store_dir = Path(str(_store(app).path))
    before = set(store_dir.iterdir()) if store_dir.exists() else set()
    for path in ("/", "/login", "/signup", "/login"):
        response = await client.get(path)
        assert response.status_code == 200
        assert not any(h.startswith("session=") for h in response.headers.get_list("set-cookie"))
    after = set(store_dir.iterdir()) if store_dir.exists() else set()
    assert after == before, f"anonymous views wrote {len(after - before)} session entries"


async def test_unchanged_session_is_not_rewritten_on_every_page(
    app: Litestar, client: AsyncTestClient
) -> None:
    account = await make_account(Role.COORDINATOR)
    await login(client, account)
    session_id = client.cookies.get("session")
    store = _store(app)
    stored = await store.get(session_id)
    assert stored is not None
    idle = app.state.settings.session_idle_minutes * 60
    assert idle - 5 <= await store.expires_in(session_id) <= idle

    # Same data, written just now, but with 100 s left: a rewrite would renew it.
    await store.set(session_id, stored, expires_in=100)
    for _ in range(3):
        page = await client.get("/needs")
        assert page.status_code == 200 and account.full_name in page.text
        assert not any(h.startswith("session=") for h in page.headers.get_list("set-cookie"))
    assert await store.expires_in(session_id) <= 100, "an unchanged session was written again"
    assert await store.get(session_id) == stored


async def test_idle_expiry_slides_once_the_touch_interval_has_passed(
    app: Litestar, client: AsyncTestClient
) -> None:
    account = await make_account(Role.COORDINATOR)
    await login(client, account)
    session_id = client.cookies.get("session")
    store = _store(app)
    data = json.loads(await store.get(session_id))
    # As if the last write was longer ago than the touch interval, with 100 s left.
    data[TOUCHED_KEY] -= TOUCH_EVERY + 1
    await store.set(session_id, json.dumps(data).encode(), expires_in=100)

    page = await client.get("/needs")
    assert page.status_code == 200 and account.full_name in page.text
    idle = app.state.settings.session_idle_minutes * 60
    assert await store.expires_in(session_id) > idle - 5, "the idle expiry did not slide"
    assert json.loads(await store.get(session_id))[TOUCHED_KEY] > data[TOUCHED_KEY]
    assert client.cookies.get("session") == session_id


async def test_an_expired_session_signs_out(app: Litestar, client: AsyncTestClient) -> None:
    account = await make_account(Role.COORDINATOR)
    await login(client, account)
    await _store(app).delete(client.cookies.get("session"))  # what expiry does
    response = await client.get("/needs", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert "/login" in response.headers["location"]
