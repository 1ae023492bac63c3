"""The browser fixtures (a live demo server, a Chromium page) for the service grid's walk."""

from tests.browser.conftest import live_server, page  # noqa: F401
