"""The offer page gives a doctor what they need to decide, in both languages.

Where the facility is (district, rural or not, its functional state), what it
provides on site (accommodation, transport, security: the head's own words), who
receives the doctor (role), and for a mentorship the mentee and the weekly times
in the doctor's own zone. Screenshots of it and of the audit trail, in both
languages at desktop width and at 360 px, go to test-artifacts/ (the copies shown in
the README are in docs/screenshots/, taken from there; a test run leaves the tree clean).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import AsyncTestClient

from matching.demo import DEMO_LOGINS, DEMO_PASSWORD
from matching.pairings.offer import slot_moments
from tests.factories import login, post_form
from tests.pages import demo_world, english_on_page, switch_language
from web.static_assets import find_asset

CHROMIUM = "/usr/bin/chromium"


def test_weekly_times_follow_both_zones_on_the_real_dates() -> None:
    slots = [{"weekday": 1, "starts_at": time(19), "ends_at": time(21)}]
    ((start, end),) = slot_moments(slots, date(2027, 1, 4), today=date(2026, 12, 1))
    assert start == datetime(2027, 1, 5, 19, tzinfo=ZoneInfo("Asia/Damascus"))
    berlin = start.astimezone(ZoneInfo("Europe/Berlin"))
    assert (berlin.hour, end.astimezone(ZoneInfo("Europe/Berlin")).hour) == (17, 19)


async def test_offer_page_in_english(client: AsyncTestClient) -> None:
    values = await demo_world()
    await login(client, DEMO_LOGINS[3].email, DEMO_PASSWORD)  # Dr. Lina Haddad, Berlin
    await switch_language(client, "en")
    page = await client.get(f"/pairings/{values['proposal_id']}")
    text = re.sub(r"<[^>]+>", "", page.text)
    assert "Where you would work" in text
    assert "Al-Rastan" in text and "Rural" in text and "Partially functioning" in text
    assert "Head of the newborn unit" in text, "who receives the doctor"
    assert "Who you would mentor" in text and "Dr. Ahmad Shami" in text
    assert "Weekly times in your zone (Germany (Berlin) Time)" in text
    # Tuesday 19:00-21:00 in Homs is 17:00-19:00 (winter) or 18:00-20:00 (summer) in Berlin
    assert re.search(r"Tuesday\s+(5|6):00\s*PM", text.replace("\u202f", " ")), text
    assert "7:00 PM" in text.replace("\u202f", " ") and "in Homs" in text


async def test_mission_offer_names_what_the_facility_provides(client: AsyncTestClient) -> None:
    from matching.facilities.tables import Facility

    await demo_world()
    head = DEMO_LOGINS[2]
    await login(client, head.email, DEMO_PASSWORD)
    facility = (
        await Facility.select(Facility.id)
        .where(Facility.name_en == "Homs National Hospital")
        .first()
    )
    form = await client.get(f"/facilities/{facility['id']}/edit")
    assert 'name="accommodation"' in form.text and 'name="receiver_role"' in form.text
    too_long = await post_form(
        client,
        f"/facilities/{facility['id']}/edit",
        {
            "name_en": "Homs National Hospital",
            "name_ar": "مشفى حمص الوطني",
            "kind": "hospital",
            "district": "homs",
            "functional_state": "partial",
            "security": "x" * 1001,
        },
    )
    assert too_long.status_code == 422
    assert "يجب ألا يتجاوز 1000 حرفاً" in too_long.text, "the rule, in the head's language"
    saved = await post_form(
        client,
        f"/facilities/{facility['id']}/edit",
        {
            "name_en": "Homs National Hospital",
            "name_ar": "مشفى حمص الوطني",
            "kind": "hospital",
            "district": "homs",
            "functional_state": "partial",
            "security": "Call the duty manager",
            "receiver_role": "Head of surgery",
        },
    )
    assert saved.status_code == 200
    row = (
        await Facility.select(Facility.security, Facility.receiver_role)
        .where(Facility.id == facility["id"])
        .first()
    )
    assert row == {"security": "Call the duty manager", "receiver_role": "Head of surgery"}


def _server(html: str):  # type: ignore[no-untyped-def]
    """A Playwright route handler: ``html`` for the page, static files from the source."""

    async def serve(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if "/static/" in url:
            asset = find_asset(url.split("/static/", 1)[1].split("?")[0])
            assert asset is not None, url
            await route.fulfill(body=asset.content, content_type=asset.media_type)
        elif route.request.resource_type == "document":
            await route.fulfill(body=html, content_type="text/html; charset=utf-8")
        else:
            await route.abort()

    return serve


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_offer_page_and_audit_trail_screenshots(
    client: AsyncTestClient, database_url: str, language: str, artifacts_dir: Path
) -> None:
    """Both pages at 1280 px and 360 px: no horizontal overflow; screenshots kept."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the layout does not depend on the database; screenshots once")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.async_api import async_playwright

    values = await demo_world()
    pages: dict[str, str] = {}
    await login(client, DEMO_LOGINS[3].email, DEMO_PASSWORD)
    await switch_language(client, language)
    offer = await client.get(f"/pairings/{values['proposal_id']}")
    if language == "ar":
        assert english_on_page(offer.text) == []
        assert "أين ستعمل" in offer.text and "المواعيد الأسبوعية بتوقيتك" in offer.text
    pages["offer"] = offer.text
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken", "")})
    client.cookies.clear()
    await login(client, DEMO_LOGINS[0].email, DEMO_PASSWORD)
    await switch_language(client, language)
    pages["audit"] = (await client.get("/coordinator/audit")).text

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for name, html in pages.items():
                for width, height, suffix in ((1280, 900, "desktop"), (360, 740, "phone")):
                    context = await browser.new_context(viewport={"width": width, "height": height})
                    page = await context.new_page()

                    await page.route("**/*", _server(html))
                    await page.goto("http://app.test/page")
                    await page.evaluate("document.fonts.ready")
                    overflow = await page.evaluate(
                        "document.documentElement.scrollWidth"
                        " - document.documentElement.clientWidth"
                    )
                    assert overflow <= 0, f"{name} {language} {width}px overflows by {overflow}px"
                    await page.screenshot(
                        path=str(artifacts_dir / f"{name}-{language}-{suffix}.png"),
                        full_page=suffix == "phone" or name == "offer",
                    )
                    await context.close()
        finally:
            await browser.close()
