"""Web basics, attacked: CSRF, cookie flags, rate limits, headers, static files, uploads.

Routes and pages come from the app's own route table, so new forms and pages
are covered without editing this file.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.doctors.tables import Licence
from matching.settings import Settings
from tests.factories import PASSWORD, make_account, post_form
from tests.security.routes import UNSAFE, html_pages
from tests.security.worlds import RoleClients, Worlds

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py

CSRF_EXEMPT = ("/health", "/static/")
PDF = "application/pdf"
FORM_RE = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def _unsafe_routes(app: Litestar) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or route.path.startswith(CSRF_EXEMPT):
            continue
        for method in route.route_handler_map:
            if method in UNSAFE:
                url = route.path_format
                for name in route.path_parameters:
                    url = url.replace("{" + name + "}", "1" if "int" in str(route.path) else "x")
                found.append((method, url))
    return found


async def test_every_state_changing_route_refuses_a_missing_csrf_token(
    app: Litestar, client: AsyncTestClient
) -> None:
    await client.get("/login")  # holds a CSRF cookie, but sends no token
    routes = _unsafe_routes(app)
    accepted = []
    for method, url in routes:
        response = await client.request(method, url, data={"x": "1"}, follow_redirects=False)
        if response.status_code != 403 or "CSRF" not in response.text:
            accepted.append(f"{method} {url}: {response.status_code}")
        forged = await client.request(
            method, url, data={"_csrf_token": "forged"}, follow_redirects=False
        )
        if forged.status_code != 403:
            accepted.append(f"{method} {url} with a forged token: {forged.status_code}")
    print(f"CSRF: {len(routes)} state-changing route-methods refused without a token")
    assert len(routes) > 10
    assert not accepted, accepted


async def test_every_html_page_has_security_headers_and_csrf_in_forms(
    roomy_app: Litestar, worlds: Worlds, role_clients: RoleClients
) -> None:
    problems: list[str] = []
    pages = forms = 0
    async for role, url, response in html_pages(roomy_app, worlds, role_clients):
        pages += 1
        headers = response.headers
        csp = headers.get("content-security-policy", "")
        if "script-src 'self'" not in csp or "unsafe-inline" in csp:
            problems.append(f"{url} as {role}: CSP {csp!r}")
        if "frame-ancestors 'none'" not in csp or headers.get("x-frame-options") != "DENY":
            problems.append(f"{url} as {role}: framing not denied")
        if headers.get("x-content-type-options") != "nosniff":
            problems.append(f"{url} as {role}: no nosniff")
        if not headers.get("referrer-policy"):
            problems.append(f"{url} as {role}: no Referrer-Policy")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text, re.I):
            problems.append(f"{url} as {role}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", re.sub(r"<(textarea|pre)\b.*?</\1>", "", response.text)):
            problems.append(f"{url} as {role}: inline event handler attribute")
        for form in FORM_RE.findall(response.text):
            if re.search(r'method="post"', form, re.I):
                forms += 1
                if 'name="_csrf_token"' not in form:
                    problems.append(f"{url} as {role}: POST form without _csrf_token")
    print(f"headers: {pages} HTML responses checked; {forms} POST forms carry a CSRF token")
    assert pages > 20
    assert not problems, "\n".join(problems)


async def test_production_cookies_are_secure_httponly_samesite(settings: Settings) -> None:
    from web.app import create_app

    production = replace(settings, environment="production", secret_key="k" * 48)
    account = await make_account(Role.DOCTOR)
    async with AsyncTestClient(app=create_app(production), base_url="https://127.0.0.1") as c:
        page = await c.get("/login")
        csrf = next(h for h in page.headers.get_list("set-cookie") if h.startswith("csrftoken="))
        assert "Secure" in csrf and "samesite=lax" in csrf.lower()
        response = await post_form(
            c, "/login", {"email": account.email, "password": PASSWORD}, follow_redirects=False
        )
        cookie = next(
            h for h in response.headers.get_list("set-cookie") if h.startswith("session=")
        )
        assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
        assert "strict-transport-security" in response.headers


async def test_password_reset_is_rate_limited_with_a_clear_429(client: AsyncTestClient) -> None:
    for url in ("/password/forgot", "/password/reset/not-a-token"):
        statuses = []
        for _ in range(12):
            response = await post_form(
                client, url, {"email": "x@example.org", "password": "a-new-password-1"}
            )
            statuses.append(response.status_code)
        assert 429 in statuses, (url, statuses)
        assert statuses.index(429) <= 10
        assert "Too many attempts. Please wait a minute and try again." in response.text


async def test_static_files_refuse_path_traversal(
    client: AsyncTestClient, settings: Settings
) -> None:
    attempts = [
        "/static/..%2f..%2fapp.py",
        "/static/..%2F..%2F..%2Fpyproject.toml",
        "/static/../app.py",
        "/static/%2e%2e/%2e%2e/app.py",
        "/static/css/..%2f..%2f..%2fapp.py",
        "/static/..%5c..%5capp.py",
        "/static/%252e%252e/app.py",
        "/uploads/licences/worlda.pdf",
        "/var/uploads/licences/worlda.pdf",
    ]
    for url in attempts:
        response = await client.get(url)
        assert response.status_code in (400, 404), (url, response.status_code)
        assert "create_app" not in response.text and "[project]" not in response.text
    ok = await client.get("/static/css/app.css")
    assert ok.status_code == 200


async def test_licence_uploads_are_checked_by_content_and_size(
    roomy_app: Litestar, worlds: Worlds, role_clients: RoleClients
) -> None:
    fields = {
        "issuer_country": "DE",
        "authority": "Ärztekammer Berlin",
        "number": "UPLOAD-1",
        "expires_on": (date.today() + timedelta(days=400)).isoformat(),
    }
    bad_files = {
        "html named .pdf": (
            "licence.pdf",
            b"<html><script>alert(1)</script></html>",
            "application/pdf",
        ),
        "too large": ("big.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10), "application/pdf"),
    }
    before = await Licence.count()
    async with role_clients.as_role("doctor") as client:
        token = client.cookies.get("csrftoken", "")
        for label, upload in bad_files.items():
            response = await client.post(
                "/doctors/me/licences",
                data={**fields, "_csrf_token": token},
                files={"document": upload},
            )
            assert response.status_code in (413, 422), (label, response.status_code)
            assert response.status_code == 413 or 'id="document-error"' in response.text, label
        assert await Licence.count() == before
        good = await client.post(
            "/doctors/me/licences",
            data={**fields, "_csrf_token": token},
            files={"document": ("licence.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        )
        assert good.status_code in (200, 302, 303)
    row = await Licence.select().where(Licence.number == "UPLOAD-1").first()
    assert row is not None and row["document_mime"] == "application/pdf"
    assert not row["document_path"].startswith(("/", "static"))
    anonymous = await role_clients.request("anonymous", "GET", f"/static/{row['document_path']}")
    assert anonymous.status_code == 404, "uploads are never served from the web root"
