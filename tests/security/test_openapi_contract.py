"""The OpenAPI document states what the validation accepts (issue 13, item 11)."""

from __future__ import annotations

from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.facilities.need_queries import SORTS
from tests.factories import api_headers, login, make_account


def _parameter(document: dict, path: str, name: str) -> dict:
    (parameter,) = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == name]
    schema = parameter["schema"]
    return next((s for s in schema.get("oneOf", [schema]) if s.get("type") == "string"), schema)


async def test_query_choices_are_documented_as_enums(client: AsyncTestClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    assert _parameter(document, "/api/needs", "sort")["enum"] == list(SORTS)
    assert "00" not in _parameter(document, "/api/needs", "kind")["enum"]
    assert _parameter(document, "/api/taxonomy/search", "kind")["enum"] == ["specialty", "skill"]


async def test_free_texts_document_the_control_character_rule(client: AsyncTestClient) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    schemas = document["components"]["schemas"]
    login_body = schemas["LoginBody"]
    assert login_body["properties"]["email"]["pattern"] == r"^[^\u0000-\u001f]*$"
    need = next(s for name, s in schemas.items() if name.startswith("NeedIn"))
    assert "\\u000a" not in need["properties"]["description"]["pattern"]  # line breaks allowed
    assert need["properties"]["title"]["pattern"] == r"^[^\u0000-\u001f]*$"


async def test_a_boolean_must_be_a_boolean(client: AsyncTestClient) -> None:
    await make_account(Role.DOCTOR, email="bool@example.org")
    await login(client, "bool@example.org")
    headers = await api_headers(client)
    refused = await client.put("/api/doctors/me", json={"can_travel": 0}, headers=headers)
    assert refused.status_code == 422 and refused.json()["field"] == "can_travel"
    accepted = await client.put("/api/doctors/me", json={"can_travel": False}, headers=headers)
    assert accepted.status_code == 200 and accepted.json()["can_travel"] is False


async def test_options_allow_lists_every_method_of_the_path(client: AsyncTestClient) -> None:
    """/api/needs answered ``Allow: OPTIONS, POST`` though it also serves GET."""
    await make_account(Role.COORDINATOR, email="allow@example.org")
    await login(client, "allow@example.org")
    app = client.app
    checked = 0
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or "{" in route.path:
            continue
        response = await client.options(route.path)
        if response.status_code == 204:
            allow = {m.strip() for m in response.headers["allow"].split(",")}
            assert allow == set(route.methods), (route.path, allow, route.methods)
            checked += 1
    assert checked > 20
    needs = await client.options("/api/needs")
    assert {"GET", "POST", "OPTIONS"} <= {m.strip() for m in needs.headers["allow"].split(",")}
