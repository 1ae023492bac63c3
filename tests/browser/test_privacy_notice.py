"""The privacy notice at sign-up on a 360 px phone, in English and Arabic (screenshots
saved under test-artifacts/; the README's copies are in docs/screenshots/)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_signup_notice_on_a_phone(  # type: ignore[no-untyped-def]
    live_server: str, page, language: str, artifacts_dir: Path
) -> None:
    await page.set_viewport_size({"width": 360, "height": 780})
    await page.set_extra_http_headers({"Accept-Language": language})
    await page.goto(f"{live_server}/signup")
    await page.wait_for_load_state("networkidle")
    assert await page.get_attribute("html", "dir") == ("rtl" if language == "ar" else "ltr")
    notice = page.locator(".privacy-notice")
    text = await notice.inner_text()
    headings = await notice.locator("h3").all_inner_texts()
    assert len(headings) == 4, headings
    if language == "ar":
        assert re.search(r"[\u0621-\u064A]", text) and not re.search(r"[A-Za-z]{4,}", text), text
    # Nothing wider than the phone: no sideways scrolling.
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{overflow}px of sideways scrolling"
    box = page.locator("label:has(#privacy_notice)")
    assert await box.is_visible()
    await notice.scroll_into_view_if_needed()
    await page.locator("main .card").screenshot(
        path=str(artifacts_dir / f"privacy-notice-{language}-360.png")
    )
