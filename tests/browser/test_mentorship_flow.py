"""A mentorship walked in Chromium on the demo server: the head adds the mentee (a
refused phone number first), starts the mentorship; three sessions held and one
missed; both sides mark it complete; goals reviewed; each side's feedback, seen by
the coordinator. Screenshots of the session log in English and Arabic, at desktop
and phone width (no horizontal scroll at 360 px)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser.live import LIVE_VAR_DIRS, sign_in

pytestmark = pytest.mark.browser

HEAD = "head@demo.homs-health.org"
COORDINATOR = "coordinator@demo.homs-health.org"
DOCTOR = "doctor@demo.homs-health.org"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _confirmed_pairing(base_url: str) -> tuple[int, int]:
    """What an approved and accepted pairing leaves: a confirmed mentorship proposal of
    the demo doctor for a mentorship need of the demo head's facility; (pairing, facility)."""
    with sqlite3.connect(LIVE_VAR_DIRS[base_url] / "platform.sqlite3") as db:
        need_id, facility_id = db.execute(
            "SELECT n.id, n.facility FROM need n "
            "JOIN facility_head fh ON fh.facility = n.facility "
            "JOIN app_user u ON u.id = fh.user "
            "WHERE u.email = ? AND n.kind = 'mentorship' ORDER BY n.id LIMIT 1",
            (HEAD,),
        ).fetchone()
        (doctor_id,) = db.execute(
            "SELECT d.id FROM doctor_profile d JOIN app_user u ON u.id = d.user WHERE u.email = ?",
            (DOCTOR,),
        ).fetchone()
        cursor = db.execute(
            "INSERT INTO proposal (need, doctor, score, rank, explanation, state, "
            "decision_reason, created_at) "
            "VALUES (?, ?, 0.8, 1, '{}', 'confirmed', '', CURRENT_TIMESTAMP)",
            (need_id, doctor_id),
        )
        return int(cursor.lastrowid), int(facility_id)


async def _as(page, base_url: str, email: str, language: str = "en") -> None:  # type: ignore[no-untyped-def]
    await page.context.clear_cookies()
    await sign_in(page, base_url, email)
    switch = page.locator(f"button[name=language][value={language}]")
    if await switch.count():
        await switch.first.click()
        await page.wait_for_load_state("networkidle")


async def _no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    extra = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert extra <= 0, f"{page.url} scrolls sideways by {extra}px"


async def test_mentorship_session_by_session(live_server: str, page, artifacts_dir: Path) -> None:  # type: ignore[no-untyped-def]
    pairing, facility = _confirmed_pairing(live_server)
    url = f"{live_server}/mentorships/{pairing}/"

    # 1. The head adds the mentee: a phone number that is not one is refused, kept.
    await _as(page, live_server, HEAD)
    await page.goto(f"{live_server}/facilities/{facility}/people/")
    await page.fill("#name_en", "Dr. Salma Idris")
    await page.fill("#name_ar", "د. سلمى إدريس")
    await page.select_option("#clinical_role", "resident")
    await page.fill("#phone", "12")
    await page.click("form[action$='/people/'] button[type=submit]")
    assert "is not a phone number" in await page.inner_text("main")
    assert await page.input_value("#name_en") == "Dr. Salma Idris"
    await page.fill("#phone", "0944 123 456")
    await page.click("form[action$='/people/'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "+963944123456" in await page.inner_text("main")

    # 2. The head starts the mentorship (begun five weeks ago), with two goals.
    await page.goto(url)
    mentee = page.locator("#mentee_id option", has_text="Salma Idris")
    await page.select_option("#mentee_id", await mentee.get_attribute("value"))
    today = date.today()
    await page.fill("#starts_on", (today - timedelta(days=35)).isoformat())
    await page.fill("#ends_on", (today + timedelta(days=21)).isoformat())
    await page.fill("#goals", "Manage neonatal resuscitation alone\nRead a neonatal chest X-ray")
    await page.click("form[action$='/start'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    sessions = page.locator("li.session")
    assert await sessions.count() >= 8

    # 3. The doctor marks three sessions held; the head marks one missed by the mentee.
    await _as(page, live_server, DOCTOR)
    await page.goto(url)
    for index in range(3):
        session = page.locator("li.session-planned").first
        session_id = await session.get_attribute("id")
        await session.locator("summary").click()
        await session.locator("input[name=minutes]").fill(str(45 + 15 * index))
        await session.get_by_role("button", name="Mark held").click()
        await page.wait_for_load_state("networkidle")
        assert await page.locator(f"#{session_id}.session-held").count() == 1
    await _as(page, live_server, HEAD)
    await page.goto(url)
    session = page.locator("li.session-planned").first
    await session.locator("summary").click()
    await session.locator("select[name=missed_by]").select_option("mentee")
    await session.get_by_role("button", name="Mark missed").click()
    await page.wait_for_load_state("networkidle")
    assert await page.locator("li.session-held").count() == 3
    assert await page.locator("li.session-missed").count() == 1
    summary = await page.inner_text(".mentorship-summary")
    assert "Held: 3 sessions, 180 minutes" in summary and "Missed: 1" in summary

    # Screenshots of the session log: English and Arabic, desktop and phone.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("en", "ar"):
        await _as(page, live_server, DOCTOR, language)
        for width in (1280, 390, 360):
            await page.set_viewport_size({"width": width, "height": 900})
            await page.goto(url)
            await page.locator("li.session-planned summary").first.click()
            await _no_horizontal_scroll(page)
            if width != 360:
                # The log around the last session held and the next one to mark.
                await page.locator("li.session-missed").first.scroll_into_view_if_needed()
                await page.evaluate("window.scrollBy(0, -260)")
                shot = artifacts_dir / f"mentorship-session-log-{language}-{width}.png"
                await page.screenshot(path=str(shot))
                shutil.copy(shot, SCREENSHOTS / shot.name)
        await page.set_viewport_size({"width": 1280, "height": 900})

    # 4. Both sides mark it complete; goals reviewed; each side's feedback.
    await _as(page, live_server, DOCTOR)
    await page.goto(url)
    await page.click("form[action$='/done'] button")
    await page.wait_for_load_state("networkidle")
    await _as(page, live_server, HEAD)
    await page.goto(url)
    await page.click("form[action$='/done'] button")
    await page.wait_for_load_state("networkidle")
    assert "The mentorship is completed" in await page.inner_text("main")
    outcomes = page.locator("select[name^=outcome_]")
    await outcomes.nth(0).select_option("achieved")
    await outcomes.nth(1).select_option("partly")
    await page.click("form[action$='/goals/review'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    await page.click("form[action$='/feedback'] button[type=submit]")  # no rating chosen
    assert "choose a rating from 1 to 5" in await page.inner_text("#feedback")
    await page.check("input[name=rating][value='4']")
    await page.fill("#comment", "Clear and patient")
    await page.click("form[action$='/feedback'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    await _as(page, live_server, DOCTOR)
    await page.goto(url)
    await page.check("input[name=rating][value='5']")
    await page.click("form[action$='/feedback'] button[type=submit]")
    await page.wait_for_load_state("networkidle")

    # 5. The coordinator sees both sides' feedback; the pairing page links the log.
    await _as(page, live_server, COORDINATOR)
    await page.goto(url)
    feedback = await page.inner_text("#feedback")
    assert "4 of 5" in feedback and "5 of 5" in feedback and "Clear and patient" in feedback
    goals = await page.inner_text("#goals")
    assert "Achieved" in goals and "Partly achieved" in goals
    await page.screenshot(
        path=str(artifacts_dir / "mentorship-completed-coordinator.png"), full_page=True
    )
    await page.goto(f"{live_server}/pairings/{pairing}")
    assert await page.locator(f"a[href='/mentorships/{pairing}']").count() == 1
