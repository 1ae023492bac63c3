"""Guard decisions that matter, by role."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role, User
from tests.factories import PASSWORD, login, make_account, post_form


async def test_anonymous_is_sent_to_login(client: AsyncTestClient) -> None:
    response = await client.get("/admin/users", follow_redirects=False)
    assert response.status_code in (302, 303)
    assert response.headers["location"] == "/login?next=/admin/users"


async def test_api_answers_401_json_to_anonymous(client: AsyncTestClient) -> None:
    response = await client.get("/api/session")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/json")


async def test_doctor_cannot_open_admin_pages(client: AsyncTestClient) -> None:
    await login(client, await make_account(Role.DOCTOR))
    response = await client.get("/admin/users")
    assert response.status_code == 403
    assert "You do not have access to this page" in response.text


async def test_coordinator_cannot_create_staff(client: AsyncTestClient) -> None:
    await login(client, await make_account(Role.COORDINATOR))
    response = await post_form(
        client,
        "/admin/users",
        {"full_name": "X", "email": "x@example.org", "password": PASSWORD, "role": "admin"},
    )
    assert response.status_code == 403
    assert await User.count().where(User.email == "x@example.org") == 0


async def test_admin_creates_a_coordinator(client: AsyncTestClient) -> None:
    await login(client, await make_account(Role.ADMIN))
    response = await post_form(
        client,
        "/admin/users",
        {
            "full_name": "Sara",
            "email": "sara@example.org",
            "password": PASSWORD,
            "role": "coordinator",
        },
    )
    assert response.status_code == 200
    assert "Account created: sara@example.org" in response.text
    row = await User.select(User.role).where(User.email == "sara@example.org").first()
    assert row["role"] == "coordinator"


async def test_admin_cannot_create_a_doctor_through_staff_form(client: AsyncTestClient) -> None:
    await login(client, await make_account(Role.ADMIN))
    response = await post_form(
        client,
        "/admin/users",
        {"full_name": "D", "email": "d@example.org", "password": PASSWORD, "role": "doctor"},
    )
    assert response.status_code == 422 and "choose coordinator or admin" in response.text
