"""Skills on the need form: ticked with one tap each, found by typing; works without JavaScript."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS
from tests.browser.live import sign_in

pytestmark = pytest.mark.browser

HEAD = "head@demo.homs-health.org"
ULTRASOUND = "point_of_care_ultrasound"


async def _until(condition, locator, tries: int = 50) -> None:  # type: ignore[no-untyped-def]
    """Wait (at most 5 s) until ``condition(locator.count())``: the search asks the server."""
    for _ in range(tries):
        if condition(await locator.count()):
            return
        await locator.page.wait_for_timeout(100)
    raise AssertionError(f"still {await locator.count()} after {tries / 10} s")


async def test_skills_are_found_by_typing_and_ticked_by_tapping(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    await sign_in(page, live_server, HEAD)  # the demo head reads Arabic
    await page.goto(f"{live_server}/needs/new")
    items = page.locator("#skills .picker-item")
    total = await items.count()
    assert total > 50
    assert await page.locator("#skills select[multiple]").count() == 0
    await page.fill("#search-skill", "الأمواج فوق الصوتية")  # Arabic, as the head types it
    visible = page.locator("#skills .picker-item:not([hidden])")
    await _until(lambda n: n < 10, visible)
    assert await visible.count() >= 1
    await page.locator(f"#skills input[value={ULTRASOUND}]").click()  # one tap, no modifier
    await page.fill("#search-skill", "")
    await _until(lambda n: n == total, visible)
    assert await page.is_checked(f"#skills input[value={ULTRASOUND}]")


async def test_the_need_form_works_without_javascript(live_server: str) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(java_script_enabled=False)
        page = await context.new_page()
        try:
            await sign_in(page, live_server, HEAD)
            await page.goto(f"{live_server}/needs/new")
            assert await page.locator("#search-skill").count() == 0  # added by the script only
            await page.check("#kind-mission")
            await page.fill("#title", "بعثة تصوير بالأمواج فوق الصوتية")
            await page.select_option("#specialty", "emergency_medicine")
            await page.select_option("#urgency", "urgent")
            await page.check(f"#skills input[value={ULTRASOUND}]")
            starts = date.today() + timedelta(days=40)
            await page.fill("#starts_on", starts.isoformat())
            await page.fill("#ends_on", (starts + timedelta(days=10)).isoformat())
            await page.fill("#places", "1")
            await page.click("button[name=action][value=publish]")
            await page.wait_for_load_state("load")
            # Published: the list, newest first; the need's own page shows the skill.
            assert "/needs/" in page.url, await page.inner_text("main")
            await page.click("main tbody a:has-text('بعثة تصوير بالأمواج فوق الصوتية')")
            await page.wait_for_load_state("load")
            assert "التصوير بالأمواج فوق الصوتية بجانب السرير" in await page.inner_text("main")
        finally:
            await context.close()
            await browser.close()
