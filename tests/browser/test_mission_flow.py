"""A confirmed mission in Chromium, on the demo data: every party settles its checklist
items until the mission shows "ready" (a travel document uploaded, the permission
checked against the doctor's Syrian permit), then, once the mission has ended, the
doctor files the completion report and the head confirms it: the pairing is completed.

Screenshots of the readiness checklist (English and Arabic, desktop and phone) go to
``test-artifacts/missions-*.png``."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.browser.live import LIVE_VAR_DIRS, sign_in

pytestmark = pytest.mark.browser

HEAD = "head@demo.homs-health.org"
COORDINATOR = "coordinator@demo.homs-health.org"
DOCTOR = "doctor@demo.homs-health.org"
PDF = b"%PDF-1.4\n% visa\n%%EOF\n"


def _confirmed_mission(base_url: str) -> tuple[int, int]:
    """Turn one of the head's needs into a mission in 30 days, confirmed for the demo
    doctor (who holds a verified Syrian permit): (pairing id, need id)."""
    database = LIVE_VAR_DIRS[base_url] / "platform.sqlite3"
    starts = date.today() + timedelta(days=30)
    with sqlite3.connect(database) as db:
        need_id = db.execute(
            "SELECT n.id FROM need n JOIN facility_head fh ON fh.facility = n.facility "
            "JOIN app_user u ON u.id = fh.user WHERE u.email = ? ORDER BY n.id LIMIT 1",
            (HEAD,),
        ).fetchone()[0]
        doctor_id = db.execute(
            "SELECT p.id FROM doctor_profile p JOIN app_user u ON u.id = p.user WHERE u.email = ?",
            (DOCTOR,),
        ).fetchone()[0]
        db.execute(
            "UPDATE need SET kind = 'mission', status = 'filled', places = 1, "
            "starts_on = ?, ends_on = ? WHERE id = ?",
            (starts.isoformat(), (starts + timedelta(days=9)).isoformat(), need_id),
        )
        db.execute("DELETE FROM proposal WHERE need = ? AND doctor = ?", (need_id, doctor_id))
        pairing = db.execute(
            "INSERT INTO proposal (need, doctor, score, rank, explanation, state, created_at) "
            "VALUES (?, ?, 0.8, 1, '{}', 'confirmed', CURRENT_TIMESTAMP) RETURNING id",
            (need_id, doctor_id),
        ).fetchone()[0]
        db.execute(
            "INSERT INTO licence (doctor, issuer_country, authority, number, expires_on, "
            "document_name, document_path, document_mime, state, review_note, created_at, "
            "scope) VALUES (?, 'SY', 'Ministry of Health', 'SY-PERMIT-1', ?, '', '', '', "
            "'verified', '', CURRENT_TIMESTAMP, 'syria_temporary_permit')",
            (doctor_id, (starts + timedelta(days=365)).isoformat()),
        )
    return pairing, need_id


def _end_mission(base_url: str, need_id: int) -> None:
    with sqlite3.connect(LIVE_VAR_DIRS[base_url] / "platform.sqlite3") as db:
        db.execute(
            "UPDATE need SET starts_on = ?, ends_on = ? WHERE id = ?",
            (
                (date.today() - timedelta(days=10)).isoformat(),
                (date.today() - timedelta(days=1)).isoformat(),
                need_id,
            ),
        )


async def _as(page, base_url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    await page.context.clear_cookies()
    await sign_in(page, base_url, email)
    await page.wait_for_load_state("networkidle")


async def _mark(page, kind: str) -> None:  # type: ignore[no-untyped-def]
    item = page.locator(f"#item-{kind}")
    await item.get_by_role("button", name="Mark done").click()
    await page.wait_for_load_state("networkidle")
    assert "Done on" in await page.locator(f"#item-{kind}").inner_text(), await page.content()


async def _shots(page, artifacts_dir: Path, url: str, language: str) -> None:  # type: ignore[no-untyped-def]
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(url)
        await page.wait_for_load_state("networkidle")
        overflow = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"horizontal scroll at {width} px ({language})"
        await page.screenshot(
            path=str(artifacts_dir / f"missions-checklist-{language}-{width}.png"),
            full_page=True,
        )
    await page.set_viewport_size({"width": 1280, "height": 900})


async def test_checklist_to_ready_then_report_confirmed(
    live_server: str, page, artifacts_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    pairing, need_id = _confirmed_mission(live_server)
    url = f"{live_server}/missions/{pairing}"

    # The coordinator checks the permission against the licences, and briefs.
    await _as(page, live_server, COORDINATOR)
    await page.goto(url)
    assert "Not ready yet" in await page.inner_text("main")
    await _mark(page, "permission")
    await _mark(page, "briefing")

    # The doctor: the pairing page links the mission; travel documents with a visa.
    await _as(page, live_server, DOCTOR)
    await page.goto(f"{live_server}/pairings/{pairing}")
    await page.click(f"a[href='/missions/{pairing}']")
    await page.wait_for_load_state("networkidle")
    await page.set_input_files(
        "#document-travel_documents",
        files=[{"name": "visa.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    await page.fill("#note-travel_documents", "Visa and passport")
    await _mark(page, "travel_documents")
    assert await page.locator("#item-travel_documents a", has_text="Document").count() == 1
    await _shots(page, artifacts_dir, url, "en")
    await page.click("form[action='/language'] button[name=language][value=ar]")
    await page.wait_for_load_state("networkidle")
    await _shots(page, artifacts_dir, url, "ar")
    await page.click("form[action='/language'] button[name=language][value=en]")
    await page.wait_for_load_state("networkidle")
    await page.goto(url)
    await _mark(page, "insurance")
    await _mark(page, "emergency_contact")
    assert "Not ready yet" in await page.inner_text("main")

    # The head arranges accommodation: the mission is ready, for everyone.
    await _as(page, live_server, HEAD)
    await page.goto(url)
    item = page.locator("#item-accommodation")
    await item.locator("button[type=submit]").click()
    await page.wait_for_load_state("networkidle")
    assert await page.locator("#ready-badge").inner_text() == "جاهزة للانطلاق"
    await page.screenshot(path=str(artifacts_dir / "missions-ready-ar-1280.png"), full_page=True)

    # After the mission: the doctor files the report, the head confirms it.
    _end_mission(live_server, need_id)
    await _as(page, live_server, DOCTOR)
    await page.goto(url)
    await page.fill("#days_on_site", "9")
    await page.fill("#patients_surgery", "-2")
    # The browser would refuse it (min=0); the server must too, with the field named.
    await page.evaluate("document.querySelector('form.report-form').noValidate = true")
    await page.click("form.report-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "cannot be negative" in await page.inner_text("#report")
    assert await page.input_value("#days_on_site") == "9"
    await page.fill("#patients_surgery", "14")
    await page.fill("#patients_emergency", "52")
    await page.fill("#gaps", "No oxygen concentrator in the theatre")
    await page.click("form.report-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "Waiting for the facility to confirm it." in await page.inner_text("#report")

    await _as(page, live_server, HEAD)
    await page.goto(url)
    await page.click("#confirm-report")
    await page.wait_for_load_state("networkidle")
    main = await page.inner_text("main")
    assert "مكتملة" in main and "أكّدته المنشأة" in main
    await page.screenshot(path=str(artifacts_dir / "missions-report-ar-1280.png"), full_page=True)
    await page.select_option("#rating", "5")
    await page.click("#feedback button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "5/5" in await page.inner_text("#feedback")
