"""A real server and Debian's chromium, for tests that click through pages.

The server is ``python -m web serve`` in its own process, on a fresh SQLite
database with the demo data, on a free port. Chromium is driven by Playwright
with ``executable_path=/usr/bin/chromium`` (``playwright install`` cannot
download here; ``.ci/run`` installs Debian's chromium when it is missing).
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"VAR_DIR": str(var_dir), "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}", "APP_ENV": "demo"})
    return env


LIVE_VAR_DIRS: dict[str, Path] = {}


def mailed_link(base_url: str, recipient: str, path: str) -> str:
    """The newest link starting with ``path`` mailed to ``recipient`` by the live server
    (read from its SQLite outbox, as the person would from their mailbox)."""
    database = LIVE_VAR_DIRS[base_url] / "platform.sqlite3"
    deadline = time.monotonic() + 10  # mail is queued just after the answer is sent
    while True:
        with sqlite3.connect(database) as connection:
            rows = connection.execute(
                "SELECT body_text FROM outbox_mail WHERE recipient = ? ORDER BY id DESC",
                (recipient,),
            ).fetchall()
        for (body,) in rows:
            if match := re.search(rf"https?://\S+?({re.escape(path)}\S+)", body):
                return match.group(1)
        if time.monotonic() > deadline:
            raise AssertionError(f"no mail to {recipient} with a link to {path}")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of a freshly migrated server with the demo data loaded."""
    with demo_server(tmp_path_factory.mktemp("live-server")) as base_url:
        yield base_url


@contextlib.contextmanager
def demo_server(var_dir: Path) -> Iterator[str]:
    """A demo server on a free port whose files (SQLite database) live in ``var_dir``."""
    env = _server_env(var_dir)
    for command in ("migrate", "demo-data"):
        subprocess.run(
            [sys.executable, "-m", "web", command],
            env=env,
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
    port = _free_port()
    log = (var_dir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "web", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=ROOT,
    )
    base_url = f"http://127.0.0.1:{port}"
    LIVE_VAR_DIRS[base_url] = var_dir
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base_url}/health", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"server did not start: {(var_dir / 'server.log').read_text()}")
        time.sleep(0.2)
    try:
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


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


DEMO_PASSWORD = "homs-demo-2026"


async def sign_in(page: object, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    await page.goto(f"{base_url}/login")  # type: ignore[attr-defined]
    await page.fill("#email", email)  # type: ignore[attr-defined]
    await page.fill("#password", password)  # type: ignore[attr-defined]
    await page.click("form[action='/login'] button[type=submit]")  # type: ignore[attr-defined]
    await page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
