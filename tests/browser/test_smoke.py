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
