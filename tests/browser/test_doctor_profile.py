"""A new doctor signs up and completes a profile in Debian's chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.live import mailed_link, sign_in

pytestmark = pytest.mark.browser

# A minimal but valid one-page PDF.
PDF = b"""%PDF-1.4
1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj
2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj
3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj
xref
0 4
0000000000 65535 f 
0000000009 00000 n 
0000000052 00000 n 
0000000101 00000 n 
trailer<</Size 4/Root 1 0 R>>
startxref
165
%%EOF
"""


async def test_new_doctor_completes_profile(
    live_server: str, page, artifacts_dir: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # Sign up.
    await page.goto(f"{live_server}/signup")
    await page.fill("#full_name", "Lina Browser-Test")
    await page.fill("#email", "lina.browser@example.org")
    await page.fill("#password", "a-long-password-2026")
    await page.check("#privacy_notice")
    await page.click("form[action='/signup'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "Check your mail" in await page.inner_text("main")
    # The account is created by the link mailed to the address.
    await page.goto(live_server + mailed_link(live_server, "lina.browser@example.org", "/signup/"))
    await page.click("main form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "Lina Browser-Test" in await page.inner_text("header")
    # A new doctor lands on the overview, which lists the steps left.
    assert "5 steps left" in await page.inner_text("main")
    await page.screenshot(path=str(artifacts_dir / "doctor-overview-new.png"), full_page=True)

    # Profile: the browser's zone is preselected by the script.
    await page.click("nav.main-nav >> text=My profile")
    await page.wait_for_load_state("networkidle")
    browser_zone = await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    assert await page.input_value("#timezone") == browser_zone
    await page.select_option("#timezone", "America/Chicago")
    await page.select_option("#country", "US")
    await page.fill("#city", "Chicago")
    await page.fill("#phone", "+1 312 555 0100")
    await page.fill("#years_experience", "11")
    await page.check("input[name=modes][value=mentorship]")
    await page.fill("#max_mentees", "2")
    await page.select_option("#lang_ar", "native")
    await page.select_option("#lang_en", "fluent")
    # Search-as-you-type in Arabic narrows the specialty list.
    await page.fill("#search-specialty", "أطفال")
    await page.wait_for_selector("#spec_cardiology", state="hidden")
    assert await page.is_visible("#spec_pediatrics")
    assert not await page.is_visible("#spec_cardiology")
    await page.select_option("#spec_pediatrics", "consultant")
    await page.locator("fieldset[data-kind=specialty]").scroll_into_view_if_needed()
    await page.screenshot(path=str(artifacts_dir / "doctor-profile-search.png"), full_page=False)
    await page.click("#doctor-profile-form button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "Your profile is saved." in await page.inner_text("main")
    assert await page.input_value("#spec_pediatrics") == "consultant"
    await page.screenshot(path=str(artifacts_dir / "doctor-profile-saved.png"), full_page=True)

    # Licence with a real PDF file.
    pdf_path = tmp_path / "licence.pdf"
    pdf_path.write_bytes(PDF)
    await page.click("nav.main-nav >> text=Licences")
    await page.select_option("#issuer_country", "US")
    await page.fill("#authority", "Illinois IDFPR")
    await page.fill("#number", "036-142857")
    await page.fill("#expires_on", "2029-12-31")
    await page.set_input_files("#document", str(pdf_path))
    await page.click("form[action='/doctors/me/licences'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    main = await page.inner_text("main")
    assert "036-142857" in main and "Awaiting verification" in main and "licence.pdf" in main
    await page.screenshot(path=str(artifacts_dir / "doctor-licences.png"), full_page=True)

    # Weekly slot in Chicago time, shown also in Damascus time.
    await page.click("nav.main-nav >> text=Availability")
    await page.select_option("#weekday", "1")
    await page.fill("#starts_at", "18:00")
    await page.fill("#ends_at", "20:00")
    await page.click("form[action='/doctors/me/availability/slots'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    week = await page.inner_text("table.damascus-week")
    assert "18:00–20:00" in week
    assert "02:00–04:00" in week or "03:00–05:00" in week
    await page.screenshot(path=str(artifacts_dir / "doctor-availability.png"), full_page=True)

    # The same profile in Arabic, right to left.
    await page.click("header button[name=language][value=ar]")
    await page.goto(f"{live_server}/doctors/me/profile")
    assert await page.get_attribute("html", "dir") == "rtl"
    assert await page.input_value("#spec_pediatrics") == "consultant"
    await page.screenshot(path=str(artifacts_dir / "doctor-profile-ar.png"), full_page=False)
    await page.goto(f"{live_server}/doctors/me")
    assert "نظرة عامة" in await page.inner_text("main")
    await page.screenshot(path=str(artifacts_dir / "doctor-overview-ar.png"), full_page=True)

    # A coordinator sees the licence waiting for verification.
    await page.click("header form[action='/logout'] button")
    await sign_in(page, live_server, "coordinator@demo.homs-health.org")
    await page.goto(f"{live_server}/coordinator/licences")
    assert "036-142857" in await page.inner_text("main")
    await page.screenshot(path=str(artifacts_dir / "coordinator-licences.png"), full_page=True)
