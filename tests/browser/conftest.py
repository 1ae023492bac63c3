"""Fixtures for the tests that click through pages: a live demo server and a chromium page.

The server and chromium are started by ``benchmarks/browser.py`` (the slow-link benchmark
uses them too); signing in and reading mailed links are in ``live.py``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from benchmarks.browser import CHROMIUM, CHROMIUM_ARGS, demo_server
from tests.browser.live import LIVE_VAR_DIRS

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a freshly migrated server with the demo data loaded."""
    var_dir = tmp_path_factory.mktemp("live-server")
    with demo_server(var_dir) as base_url:
        LIVE_VAR_DIRS[base_url] = var_dir
        yield base_url


@pytest.fixture
async def page() -> AsyncIterator[object]:
    """A fresh Chromium page (Playwright async API)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            yield await context.new_page()
        finally:
            await context.close()
            await browser.close()
