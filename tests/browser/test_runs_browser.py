"""The runs page in a real browser: 'Run ranking now', live progress, Arabic layout."""

from __future__ import annotations

import pytest

from tests.browser.live import sign_in

pytestmark = pytest.mark.browser


async def test_run_ranking_now_shows_the_finished_run(live_server: str, page, artifacts_dir):
    await sign_in(page, live_server, "coordinator@demo.homs-health.org")
    await page.click("nav >> text=Ranking runs")
    await page.click("button:has-text('Run ranking now')")
    await page.wait_for_url("**/coordinator/runs/*")
    # runs.js polls /api/runs/{id} and reloads the page once the run is done.
    await page.wait_for_selector(".badge-succeeded", timeout=30000)
    body = await page.inner_text("main")
    assert "Pairings proposed" in body
    assert await page.get_attribute("progress", "value") == "100"
    await page.screenshot(path=str(artifacts_dir / "runs-finished.png"), full_page=True)

    await page.goto(f"{live_server}/coordinator/runs")
    assert await page.locator("tr[data-run-id]").count() >= 1
    await page.click("button:has-text('العربية')")
    await page.wait_for_selector("html[dir=rtl]")
    await page.screenshot(path=str(artifacts_dir / "runs-arabic.png"), full_page=True)

    await page.goto(f"{live_server}/coordinator/outbox")
    await page.screenshot(path=str(artifacts_dir / "outbox.png"), full_page=True)
