"""A district closed while a mission is held, in Chromium on the demo data: the
coordinator closes it (everyone is mailed and notified), the doctor's pairing page
warns, the coordinator turns the mission into a remote mentorship (the need is ranked
again), the doctor accepts the change. Screenshots of the districts page in English and
Arabic, at desktop and phone width, go to docs/screenshots/."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.browser.live import LIVE_VAR_DIRS, sign_in

pytestmark = pytest.mark.browser

HEAD = "head@demo.homs-health.org"
COORDINATOR = "coordinator@demo.homs-health.org"
DOCTOR = "doctor@demo.homs-health.org"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _db(base_url: str) -> sqlite3.Connection:
    return sqlite3.connect(LIVE_VAR_DIRS[base_url] / "platform.sqlite3")


def _held_mission(base_url: str) -> dict:
    """A confirmed pairing of the demo doctor on the first demo mission, whose facility the
    demo head heads (written as a coordinator's approval and the doctor's yes leave it)."""
    with _db(base_url) as db:
        need_id, facility_id, district = db.execute(
            "SELECT need.id, facility.id, facility.district FROM need "
            "JOIN facility ON facility.id = need.facility "
            "WHERE need.kind = 'mission' ORDER BY need.id LIMIT 1"
        ).fetchone()
        (head_id,) = db.execute("SELECT id FROM app_user WHERE email = ?", (HEAD,)).fetchone()
        if not db.execute(
            "SELECT 1 FROM facility_head WHERE user = ? AND facility = ?", (head_id, facility_id)
        ).fetchone():  # the demo head heads this facility too
            db.execute(
                "INSERT INTO facility_head (user, facility) VALUES (?, ?)", (head_id, facility_id)
            )
        (doctor_id,) = db.execute(
            "SELECT doctor_profile.id FROM doctor_profile JOIN app_user "
            "ON app_user.id = doctor_profile.user WHERE app_user.email = ?",
            (DOCTOR,),
        ).fetchone()
        db.execute("UPDATE need SET status = 'open' WHERE id = ?", (need_id,))
        cursor = db.execute(
            "INSERT INTO proposal (need, doctor, score, rank, explanation, state, "
            "decision_reason, created_at) VALUES (?, ?, 0.8, 1, '{}', 'confirmed', '', ?)",
            (need_id, doctor_id, datetime.now(UTC).isoformat()),
        )
        return {"need": need_id, "district": district, "proposal": cursor.lastrowid}


async def _as(page, base_url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    await page.context.clear_cookies()
    await sign_in(page, base_url, email)


async def _shoot(page, base_url: str, language: str) -> None:  # type: ignore[no-untyped-def]
    await page.goto(f"{base_url}/coordinator/districts")
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(f"{base_url}/coordinator/districts")
        scroll = await page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"horizontal scroll at {width}px ({language}): {scroll}"
        await page.screenshot(
            path=str(SCREENSHOTS / f"districts-{language}-{width}.png"), full_page=True
        )
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_district_closed_mission_turned_remote(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    held = _held_mission(live_server)
    with _db(live_server) as db:
        mails_before = db.execute("SELECT COUNT(*) FROM outbox_mail").fetchone()[0]

    # 1. The coordinator closes the district.
    await _as(page, live_server, COORDINATOR)
    await page.goto(f"{live_server}/coordinator/districts")
    await page.select_option("#district", held["district"])
    await page.check("input[name=status][value=closed]")
    await page.fill("#effective_on", date.today().isoformat())
    await page.fill("#note", "Road cut at the bridge; armed clashes reported.")
    await page.click("form[action='/coordinator/districts'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "Missions flagged: 1." in await page.content()
    row = page.locator(f"tr[data-district={held['district']}]")
    assert "Closed" in await row.inner_text()
    await _shoot(page, live_server, "en")

    # Everyone is mailed, each in their language: the doctor, the head(s), the coordinators.
    with _db(live_server) as db:
        mails = db.execute(
            "SELECT recipient, language, subject FROM outbox_mail ORDER BY id LIMIT -1 OFFSET ?",
            (mails_before,),
        ).fetchall()
        coordinators = {
            r[0]
            for r in db.execute(
                "SELECT email FROM app_user WHERE role = 'coordinator' AND is_active"
            )
        }
    recipients = {r[0] for r in mails}
    assert {DOCTOR, HEAD} | coordinators <= recipients
    languages = {r[0]: r[1] for r in mails}
    assert languages[HEAD] == "ar" and "مغلقة" in next(r[2] for r in mails if r[0] == HEAD)
    assert languages[DOCTOR] == "en" and "District closed" in next(
        r[2] for r in mails if r[0] == DOCTOR
    )

    # 2. The doctor's pairing page warns while the district is closed.
    await _as(page, live_server, DOCTOR)
    await page.goto(f"{live_server}/pairings/{held['proposal']}")
    assert await page.locator(".district-warning").count() == 1
    assert "Do not travel" in await page.inner_text(".district-warning")
    await page.goto(f"{live_server}/")
    assert "is on hold" in await page.content()  # the notification

    # 3. The coordinator turns the mission into a remote mentorship.
    await _as(page, live_server, COORDINATOR)
    await page.goto(f"{live_server}/needs/{held['need']}")
    await page.click("a.make-remote")
    await page.check("input[name=kind][value=mentorship]")
    await page.fill("#mentee_name", "Dr. Salma Idris")
    await page.fill("#weekly_hours", "2")
    await page.fill("#months", "3")
    await page.select_option("#slot_0_weekday", "1")
    await page.fill("input[name=slot_0_start]", "18:00")
    await page.fill("input[name=slot_0_end]", "20:00")
    await page.fill("#note", "The district is closed; the work goes on online.")
    await page.screenshot(path=str(SCREENSHOTS / "make-remote-en-1280.png"), full_page=True)
    await page.click("form button[type=submit]:has-text('Make it remote')")
    await page.wait_for_url(f"**/needs/{held['need']}")
    assert "Remote mentorship" in await page.content() or "mentorship" in await page.content()
    # ... and ranked again: a one-need run for it (run in-process by the embedded default).
    deadline = time.monotonic() + 30
    while True:
        with _db(live_server) as db:
            runs = db.execute(
                "SELECT status FROM ranking_run WHERE need = ? AND kind = 'one_need'",
                (held["need"],),
            ).fetchall()
        if any(r[0] == "succeeded" for r in runs):
            break
        assert time.monotonic() < deadline, f"no finished ranking of the need: {runs}"
        await page.wait_for_timeout(300)

    # 4. The doctor accepts the change.
    await _as(page, live_server, DOCTOR)
    await page.goto(f"{live_server}/pairings/{held['proposal']}")
    assert "This work becomes remote mentorship" in await page.content()
    assert await page.locator(".district-warning").count() == 1  # until the doctor answers
    await page.set_viewport_size({"width": 390, "height": 900})
    await page.reload()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.screenshot(path=str(SCREENSHOTS / "pairing-remote-offer-en-390.png"), full_page=True)
    await page.set_viewport_size({"width": 1280, "height": 900})
    await page.click("form[action$='/remote/accept'] button")
    await page.wait_for_load_state("networkidle")
    assert "You accepted the change" in await page.content()
    assert await page.locator(".district-warning").count() == 0  # the work is remote now
    with _db(live_server) as db:
        (state,) = db.execute(
            "SELECT state FROM remote_offer WHERE proposal = ?", (held["proposal"],)
        ).fetchone()
    assert state == "accepted"

    # The districts page in Arabic.
    await _as(page, live_server, COORDINATOR)
    await page.goto(f"{live_server}/coordinator/districts")
    await page.click("button[name=language][value=ar]")
    await page.wait_for_load_state("networkidle")
    await _shoot(page, live_server, "ar")
    assert "الوصول حسب المنطقة" in await page.content()
