"""A facility head (demo, Arabic) posts a remote mentorship in Debian's chromium."""

from __future__ import annotations

import pytest

from tests.browser.live import sign_in

pytestmark = pytest.mark.browser


async def test_head_posts_a_mentorship_need(live_server: str, page, artifacts_dir) -> None:  # type: ignore[no-untyped-def]
    await sign_in(page, live_server, "head@demo.homs-health.org")
    await page.click("nav.main-nav a[href='/needs/new']")
    await page.wait_for_load_state("networkidle")
    assert await page.get_attribute("html", "dir") == "rtl"
    await page.check("#kind-mentorship")
    # The mission and workshop sections hide once a kind is chosen (needs.js).
    assert await page.is_hidden("fieldset[data-kind=training]")
    assert await page.is_visible("fieldset[data-kind=mentorship]")
    await page.screenshot(path=str(artifacts_dir / "post-need-empty.png"), full_page=True)

    # First try without weekly hours: the server names the problem at the field.
    await page.fill("#title", "إرشاد في العناية المركزة لحديثي الولادة")
    await page.select_option("#specialty", "neonatology")
    await page.select_option("#urgency", "urgent")
    await page.fill("#mentee_name", "د. سامر الحمصي")
    await page.fill("#months", "6")
    await page.select_option("#slot_0_weekday", "0")
    await page.fill("#slot_0_start", "18:00")
    await page.fill("#slot_0_end", "20:00")
    await page.click("button[name=action][value=publish]")
    await page.wait_for_selector("#weekly_hours-error")  # the answer, shown by offline-form.js
    assert await page.is_visible("#weekly_hours-error")
    await page.screenshot(path=str(artifacts_dir / "post-need-error.png"), full_page=True)

    await page.fill("#weekly_hours", "2")
    await page.check("#skills input[value=neonatal_resuscitation]")  # one tap, no Ctrl
    await page.fill("#description", "نحتاج دعماً أسبوعياً لطبيب مقيم في وحدة حديثي الولادة.")
    await page.click("button[name=action][value=publish]")
    await page.wait_for_url(
        "**/needs/?sort=newest&notice=ranking"
    )  # sent by fetch (offline-form.js)
    await page.wait_for_load_state("networkidle")
    # Published: the head's list of needs, newest first, says proposals follow.
    assert await page.is_visible(".alert-info[role=status]")
    assert "إرشاد في العناية المركزة لحديثي الولادة" in await page.inner_text("main tbody tr")
    await page.screenshot(path=str(artifacts_dir / "needs-list-head.png"), full_page=True)

    # Its page, one tap away, shows what was typed.
    await page.click("main tbody a:has-text('إرشاد في العناية المركزة لحديثي الولادة')")
    await page.wait_for_load_state("networkidle")
    body = await page.inner_text("main")
    assert "د. سامر الحمصي" in body
    assert "18:00" in body
    await page.screenshot(path=str(artifacts_dir / "post-need-posted.png"), full_page=True)


async def test_coordinator_filters_needs_and_checks_a_bad_csv(  # type: ignore[no-untyped-def]
    live_server: str, page, artifacts_dir, tmp_path
) -> None:
    await sign_in(page, live_server, "coordinator@demo.homs-health.org")
    await page.click("nav.main-nav a[href='/needs']")
    await page.wait_for_load_state("networkidle")
    await page.select_option("#f-area", "rural")
    await page.click("form.filters button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "area=rural" in page.url
    text = await page.inner_text("main")
    assert "Emergency department triage mentorship" not in text  # Homs city: urban
    assert "Trauma surgery mission" in text
    await page.screenshot(path=str(artifacts_dir / "needs-list-coordinator.png"), full_page=True)

    bad = tmp_path / "needs.csv"
    bad.write_text(
        "facility_id,kind,title,specialty,urgency,places,starts_on,ends_on\n"
        "1,mission,Fine,orthopaedics_trauma,urgent,1,2027-01-01,2027-01-05\n"
        "1,mission,Backwards,orthopaedics_trauma,urgent,1,2027-01-05,2027-01-01\n"
        "77,mission,,alchemy,soon,0,,\n",
        encoding="utf-8",
    )
    await page.goto(f"{live_server}/needs/import")
    await page.set_input_files("#file", str(bad))
    await page.click("button[name=mode][value=dry_run]")
    await page.wait_for_load_state("networkidle")
    report = await page.inner_text("#report")
    assert "nothing was imported" in report
    assert "ends_on" in report and "facility_id" in report and "specialty" in report
    await page.screenshot(path=str(artifacts_dir / "needs-import-dry-run.png"), full_page=True)
