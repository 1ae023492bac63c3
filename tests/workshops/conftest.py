"""The browser fixtures (a live demo server, a Chromium page) for the workshop walk."""

from tests.browser.conftest import live_server, page

__all__ = ["live_server", "page"]
