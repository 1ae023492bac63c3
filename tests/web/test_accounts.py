"""Accounts as a user meets them: sign up, sign in, sign out, reset, sessions."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.mail.tables import OutboxMail
from tests.factories import PASSWORD, login, make_account, post_form

# Sign-up (which no longer says whether an address has an account): tests/web/test_signup.py.


async def test_wrong_password_is_refused_without_saying_which(client: AsyncTestClient) -> None:
    account = await make_account(Role.DOCTOR)
    response = await post_form(
        client, "/login", {"email": account.email, "password": "wrong-password-1"}
    )
    assert response.status_code == 422
    assert "Wrong email or password." in response.text
    unknown = await post_form(
        client, "/login", {"email": "nobody@example.org", "password": "x" * 12}
    )
    assert "Wrong email or password." in unknown.text


async def test_planted_session_cookie_is_replaced_at_login(client: AsyncTestClient) -> None:
    """Session fixation: an id the attacker chose must never carry a login."""
    account = await make_account(Role.DOCTOR)
    planted = "a" * 64
    client.cookies.set("session", planted, domain="127.0.0.1")
    await login(client, account)
    assert client.cookies.get("session") not in (None, planted)
    # The planted id is worth nothing to the attacker.
    attacker = AsyncTestClient(app=client.app, base_url="http://127.0.0.1:8000")
    async with attacker:
        attacker.cookies.set("session", planted, domain="127.0.0.1")
        response = await attacker.get("/admin/users", follow_redirects=False)
        assert response.status_code in (302, 303)
        assert "/login" in response.headers["location"]


async def test_session_id_changes_at_login_and_is_cleared_at_logout(
    client: AsyncTestClient,
) -> None:
    account = await make_account(Role.DOCTOR)
    await post_form(client, "/login", {"email": "nobody@example.org", "password": "x" * 12})
    await login(client, account)
    first = client.cookies.get("session")
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    home = await client.get("/")
    assert account.full_name not in home.text
    await login(client, account)
    assert client.cookies.get("session") != first


async def test_session_cookie_flags(client: AsyncTestClient) -> None:
    account = await make_account(Role.DOCTOR)
    response = await post_form(
        client, "/login", {"email": account.email, "password": PASSWORD}, follow_redirects=False
    )
    cookie = next(h for h in response.headers.get_list("set-cookie") if h.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "samesite=lax" in cookie.lower()


async def test_forms_without_csrf_token_are_refused(client: AsyncTestClient) -> None:
    account = await make_account(Role.DOCTOR)
    await client.get("/login")
    response = await client.post("/login", data={"email": account.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "CSRF" in response.text


async def test_login_is_rate_limited_with_a_clear_429(client: AsyncTestClient) -> None:
    statuses = []
    for _ in range(12):
        response = await post_form(
            client, "/login", {"email": "x@example.org", "password": "y" * 12}
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    assert "Too many attempts. Please wait a minute and try again." in response.text


async def test_password_reset_by_emailed_link(client: AsyncTestClient) -> None:
    account = await make_account(Role.DOCTOR)
    response = await post_form(client, "/password/forgot", {"email": account.email})
    assert "a reset link is on its way" in response.text
    mail = await OutboxMail.select().where(OutboxMail.recipient == account.email).first()
    assert mail is not None and mail["body_html"] and mail["body_text"]
    link = re.search(r"http://\S+/password/reset/(\S+)", mail["body_text"])
    assert link, mail["body_text"]
    path = "/password/reset/" + link.group(1)
    response = await post_form(client, path, {"password": "a-brand-new-password"})
    assert response.status_code == 200
    fresh = AsyncTestClient(app=client.app, base_url="http://127.0.0.1:8000")
    async with fresh:
        await login(fresh, account.email, "a-brand-new-password")
    again = await post_form(client, path, {"password": "yet-another-password"})
    assert (
        again.status_code == 409
        and "This reset link is not valid or was already used." in again.text
    )
    assert await AuditEvent.count().where(AuditEvent.action == "account.password_reset") == 1


async def test_reset_for_unknown_email_says_the_same_and_sends_nothing(
    client: AsyncTestClient,
) -> None:
    response = await post_form(client, "/password/forgot", {"email": "ghost@example.org"})
    assert "a reset link is on its way" in response.text
    assert await OutboxMail.count() == 0


async def test_api_session_login_and_me(client: AsyncTestClient) -> None:
    account = await make_account(Role.COORDINATOR)
    await client.get("/login")
    headers = {"x-csrftoken": client.cookies.get("csrftoken")}
    bad = await client.post(
        "/api/session", json={"email": account.email, "password": "nope-nope-nope"}, headers=headers
    )
    assert bad.status_code == 400 and bad.json()["field"] == "password"
    ok = await client.post(
        "/api/session", json={"email": account.email, "password": PASSWORD}, headers=headers
    )
    assert ok.status_code == 200 and ok.json()["role"] == "coordinator"
    me = await client.get("/api/session")
    assert me.json()["email"] == account.email
    missing = await client.post("/api/session", json={"email": account.email}, headers=headers)
    assert missing.status_code == 422 and missing.json()["field"] == "password"
