"""Helpers for the browser tests: sign in on the live demo server, and read the links it
mailed (from its SQLite outbox, as the person would from their mailbox)."""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from matching.demo import DEMO_PASSWORD

#: base URL of a live server -> its files (filled by the ``live_server`` fixture).
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


async def sign_in(page: object, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    await page.goto(f"{base_url}/login")  # type: ignore[attr-defined]
    await page.fill("#email", email)  # type: ignore[attr-defined]
    await page.fill("#password", password)  # type: ignore[attr-defined]
    await page.click("form[action='/login'] button[type=submit]")  # type: ignore[attr-defined]
    await page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
