"""The whole pairing path in Chromium, on the demo data.

A facility head posts a mentorship need; publishing it queues a one-need
ranking (in-process in the embedded default) that proposes the demo
neonatologist; the coordinator approves; the doctor accepts; the head then
sees the confirmed doctor's contact details and can download the calendar.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from tests.browser.live import sign_in

pytestmark = pytest.mark.browser

HEAD = "head@demo.homs-health.org"
COORDINATOR = "coordinator@demo.homs-health.org"
DOCTOR = "doctor@demo.homs-health.org"
TITLE = "Newborn follow-up mentorship (browser test)"


async def _as(page, base_url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    await page.context.clear_cookies()
    await sign_in(page, base_url, email)


async def test_head_posts_coordinator_approves_doctor_accepts_head_sees_contact(
    live_server: str, page, artifacts_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    # 1. The facility head posts a need (published: a one-need ranking is queued).
    await _as(page, live_server, HEAD)
    await page.goto(f"{live_server}/needs/new")
    await page.check("#kind-mentorship")
    await page.fill("#title", TITLE)
    await page.select_option("#specialty", "neonatology")
    await page.select_option("#urgency", "critical")
    await page.fill("#mentee_name", "Dr. Salma Idris")
    await page.fill("#weekly_hours", "1")
    await page.fill("#months", "3")
    await page.select_option("#slot_0_weekday", "1")
    await page.fill("#slot_0_start", "20:00")
    await page.fill("#slot_0_end", "22:00")
    await page.click("button[name=action][value=publish]")
    # Sent by fetch (offline-form.js); a published need lands on the list, newest first.
    await page.wait_for_url("**/needs/?sort=newest&notice=ranking")
    await page.wait_for_load_state("networkidle")
    assert TITLE in await page.inner_text("main tbody tr"), await page.content()
    await page.click(f"main tbody a:has-text('{TITLE}')")
    await page.wait_for_url(re.compile(r"/needs/\d+$"))
    await page.screenshot(path=str(artifacts_dir / "pairing-1-need-posted.png"), full_page=True)

    # 2. The coordinator sees the proposal in the review queue (waits for the run).
    await _as(page, live_server, COORDINATOR)
    assert page.url.rstrip("/").endswith("/coordinator"), "the dashboard is the coordinator's home"
    assert await page.locator("figure.chart svg").count() >= 2
    await page.screenshot(path=str(artifacts_dir / "pairing-2-dashboard.png"), full_page=True)
    group = page.locator("section.need-group", has_text=TITLE)
    deadline = time.monotonic() + 40
    while True:
        await page.goto(f"{live_server}/coordinator/review")
        if await group.count():
            break
        assert time.monotonic() < deadline, "the ranking run proposed nobody for the new need"
        await page.wait_for_timeout(1000)
    proposal = group.locator("article.proposal").first
    await proposal.wait_for()
    assert "Dr. Lina Haddad" in await proposal.inner_text()
    assert await proposal.locator("svg.bar").count() >= 2, "a bar per signal"
    assert "+49" not in await group.inner_text(), "no contact data before confirmation"
    await page.screenshot(path=str(artifacts_dir / "pairing-3-review.png"), full_page=True)
    await proposal.get_by_role("button", name="Approve").click()
    await page.wait_for_load_state("networkidle")
    assert "Pairing approved. The doctor is asked to accept or decline it" in await page.content()

    # 3. The doctor accepts.
    await _as(page, live_server, DOCTOR)
    await page.goto(f"{live_server}/pairings")
    row = page.locator("tr", has_text=TITLE)
    await row.get_by_role("link").click()
    await page.wait_for_load_state("networkidle")
    pairing_url = page.url
    await page.get_by_role("button", name="Accept").click()
    await page.wait_for_load_state("networkidle")
    assert "the pairing is confirmed" in await page.content()
    await page.screenshot(path=str(artifacts_dir / "pairing-4-accepted.png"), full_page=True)

    # 4. The head sees the confirmed doctor's contact details and the calendar link.
    await _as(page, live_server, HEAD)
    await page.goto(pairing_url)
    contact = page.locator("dl.contact")
    await contact.wait_for()
    assert "+49 30 0000 0000" in await contact.inner_text()
    assert await page.locator("a[href$='calendar.ics']").count() == 1
    await page.screenshot(path=str(artifacts_dir / "pairing-5-head-contact.png"), full_page=True)
