"""A head keeps the service grid and posts the suggested mission; a coordinator reads the
grid by district and the map: in Chromium, on the live demo server, at desktop and phone
width, in English and Arabic. Screenshots go to ``test-artifacts/services/``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.browser.live import LIVE_VAR_DIRS, sign_in

pytestmark = pytest.mark.browser

HEAD = "head@demo.homs-health.org"
COORDINATOR = "coordinator@demo.homs-health.org"
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "services"
CHECK_PAGE = (Path(__file__).parents[1] / "browser" / "phone_check.js").read_text("utf-8")


def _one(base_url: str, sql: str, *args: object) -> list[tuple]:
    database = LIVE_VAR_DIRS[base_url] / "platform.sqlite3"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return db.execute(sql, args).fetchall()


async def _language(page, language: str) -> None:
    button = page.locator(f"form[action='/language'] button[name=language][value={language}]")
    if await button.count():
        await button.first.click()
        await page.wait_for_load_state("networkidle")


async def _shoot(page, name: str, part: str = "main") -> None:
    """Screenshots of ``part`` at desktop and phone width; at the phone's, nothing on the
    page is wider than the screen."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.set_viewport_size(DESKTOP)
    await page.locator(part).screenshot(path=str(SHOTS / f"{name}-1280.png"))
    await page.set_viewport_size(PHONE)
    await page.locator(part).screenshot(path=str(SHOTS / f"{name}-360.png"))
    language = await page.evaluate("document.documentElement.lang")
    found = await page.evaluate(
        CHECK_PAGE, {"dir": "rtl" if language == "ar" else "ltr", "width": 360}
    )
    assert found["width"] <= 360 and not found["overflow"], (name, found)
    await page.set_viewport_size(DESKTOP)


async def test_head_keeps_the_grid_and_coordinator_reads_the_map(live_server, page) -> None:
    (facility,) = _one(
        live_server, "SELECT id FROM facility WHERE name_en = ?", "Homs National Hospital"
    )[0]
    await sign_in(page, live_server, HEAD)
    await _language(page, "en")
    await page.goto(f"{live_server}/facilities/{facility}/services")
    await page.select_option("#status_surgery", "partly")
    await page.select_option("#status_emergency_care", "available")
    await page.click("form.service-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    problem = page.locator("#cause_surgery-error")
    assert "choose the main cause" in await problem.inner_text()
    assert await page.input_value("#status_surgery") == "partly"  # kept
    await page.select_option("#cause_surgery", "no_staff")
    await page.select_option("#status_mental_health", "not_available")
    await page.select_option("#cause_mental_health", "no_training")
    await page.select_option("#status_maternal_newborn", "partly")
    await page.select_option("#cause_maternal_newborn", "no_equipment")
    await page.click("form.service-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "Service grid saved." in await page.inner_text("body")
    await _shoot(page, "services-grid-en")
    await _language(page, "ar")
    assert "الجراحة" in await page.inner_text("#row-surgery")
    await _shoot(page, "services-grid-ar")
    await _language(page, "en")
    # The suggested mission, in one step: it lands on the head's needs list.
    await page.click("form.inline-form:has(input[value=surgery]) button")
    await page.wait_for_load_state("networkidle")
    assert "/needs/" in page.url
    assert "In-person mission: General Surgery for Surgery" in await page.inner_text("body")
    kinds = _one(
        live_server,
        "SELECT kind, specialty, status FROM need WHERE facility = ? ORDER BY id DESC LIMIT 1",
        facility,
    )
    assert kinds == [("mission", "general_surgery", "open")]

    await page.context.clear_cookies()
    await sign_in(page, live_server, COORDINATOR)
    await _language(page, "en")
    await page.goto(f"{live_server}/coordinator/")
    placed = _one(live_server, "SELECT COUNT(*) FROM facility WHERE latitude IS NOT NULL")[0][0]
    assert (
        await page.locator("svg.service-map-svg:not(.service-map-detail) circle.map-point").count()
        == placed
    )
    circle = page.locator(f"svg.service-map-detail circle[data-facility='{facility}']")
    assert await circle.get_attribute("class") == "map-point map-gap_and_need"
    homs = page.locator("tr[data-district=homs]")
    assert await homs.locator("td.partly").inner_text() == "2"
    await page.locator("#services-map").scroll_into_view_if_needed()
    await _shoot(page, "services-by-district-en", "#services-by-district")
    await _shoot(page, "services-map-en", "#services-map")
    await _language(page, "ar")
    assert "خريطة محافظة حمص" in await page.inner_text("#services-map")
    await _shoot(page, "services-map-ar", "#services-map")
