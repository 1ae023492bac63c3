"""The home and sign-in pages render and sign-in works in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.live import sign_in

pytestmark = pytest.mark.browser


async def test_coordinator_signs_in(live_server: str, page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    await page.goto(live_server)
    assert await page.title() == "Welcome · Homs Health Bridge"
    await sign_in(page, live_server, "coordinator@demo.homs-health.org")
    assert "Sara Coordinator" in await page.inner_text("header")
    await page.screenshot(path=str(artifacts_dir / "home-coordinator.png"), full_page=True)


async def test_signed_in_page_has_its_own_address(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    """Sign-in answers with the home page itself (no redirect); the address bar shows the
    home's address, so a reload asks for the page, not the sign-in again."""
    documents: list[tuple[str, str]] = []
    page.on(
        "request",
        lambda r: (
            documents.append((r.method, r.url.removeprefix(live_server)))
            if r.resource_type == "document"
            else None
        ),
    )
    await sign_in(page, live_server, "head@demo.homs-health.org")
    assert page.url == f"{live_server}/facilities"
    assert documents == [("GET", "/login"), ("POST", "/login")]  # no redirect, no second GET
    assert await page.locator("nav.main-nav a[href='/needs/new']").count() == 1
    await page.reload()
    assert page.url == f"{live_server}/facilities"
    assert documents[-1] == ("GET", "/facilities")  # not the sign-in posted again
