"""A workshop walked in Chromium on the live demo server: twelve attendees registered
by the head, attendance over two days on a phone, pre- and post-tests (two attendees
online on their phones, ten on paper), the change, certificates issued, one downloaded
and checked on the public page. Screenshots go to docs/screenshots/."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from matching.db import make_engine, use_engine
from tests.browser.live import LIVE_VAR_DIRS, sign_in
from tests.factories import PASSWORD
from tests.workshops.scene import NAMES, training_scene

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _as(page, base_url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    await page.context.clear_cookies()
    await sign_in(page, base_url, email, PASSWORD)


async def _language(page, language: str) -> None:  # type: ignore[no-untyped-def]
    button = page.locator(f"form[action='/language'] button[value={language}]")
    if await button.count():
        await button.click()
        await page.wait_for_load_state("networkidle")


async def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways at phone width ({width}px)"


async def test_a_workshop_with_twelve_attendees(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    use_engine(make_engine(f"sqlite:///{LIVE_VAR_DIRS[live_server] / 'platform.sqlite3'}"))
    scene = await training_scene(people=12, accounts=2)
    url = f"{live_server}/workshops/{scene.pairing_id}"
    SHOTS.mkdir(parents=True, exist_ok=True)

    # 1. The head registers the twelve people and takes attendance on a phone.
    await _as(page, live_server, scene.head.email)
    await page.set_viewport_size(PHONE)
    await page.goto(url)
    boxes = page.locator("input[name=people]")
    assert await boxes.count() == 12
    for index in range(12):
        await boxes.nth(index).check()
    await page.click("form[action$='/attendees'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "(12)" in await page.inner_text("#attendees-title")
    for day, absent in ((0, set()), (1, {NAMES[11][0]})):
        details = page.locator("details.attendance-day").nth(day)
        await details.locator("summary").click()
        labels = details.locator("label.checkbox")
        assert await labels.count() == 12
        for index in range(12):
            label = labels.nth(index)
            if (await label.inner_text()).strip() not in absent:
                await label.locator("input").check()
        await details.locator("button[type=submit]").click()
        await page.wait_for_load_state("networkidle")
    summaries = await page.locator("details.attendance-day summary").all_inner_texts()
    assert "12 present" in summaries[0] and "11 present" in summaries[1], summaries
    await _no_sideways_scroll(page)

    # 2. The trainer adds a material and writes both tests.
    await _as(page, live_server, scene.trainer.email)
    await page.set_viewport_size(DESKTOP)
    await page.goto(url)
    await page.set_input_files(
        "#file", files=[{"name": "slides.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    await page.click("form[action$='/materials'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert "slides.pdf" in await page.inner_text("#materials")
    for phase in ("pre", "post"):
        await page.goto(f"{url}/tests/{phase}/questions")
        await page.fill("#q0_question", "First step for a baby who does not breathe?")
        await page.fill("#q0_option0", "Dry and stimulate")
        await page.fill("#q0_option1", "Wait one minute")
        await page.check("input[name=q0_answer][value='0']")
        await page.fill("#q1_question", "Ventilation rate per minute?")
        await page.fill("#q1_option0", "10")
        await page.fill("#q1_option1", "40-60")
        await page.fill("#q1_option2", "120")
        await page.check("input[name=q1_answer][value='1']")
        await page.click("form.question-form button[type=submit]")
        await page.wait_for_url(re.compile(r"/workshops/\d+"))

    # 3. Two attendees take the pre-test on their phones (one right, one half right).
    await page.set_viewport_size(PHONE)
    for clinician, answers in zip(scene.clinicians, (("0", "1"), ("0", "0")), strict=True):
        await _as(page, live_server, clinician.email)
        await page.goto(url)
        await page.click("a[href$='/tests/pre']")
        for index, value in enumerate(answers):
            await page.check(f"input[name=q{index}][value='{value}']")
        await _no_sideways_scroll(page)
        await page.click("form.test-form button[type=submit]")
        await page.wait_for_load_state("networkidle")
        assert "out of 100" in await page.inner_text("main")

    # 4. The trainer enters the other ten pre-test scores from paper, then the post-test
    #    comes back: the two online, ten on paper again.
    async def paper(phase: str, scores: list[int]) -> None:
        await _as(page, live_server, scene.trainer.email)
        await page.goto(url)
        form = page.locator(f"form[action$='/scores/{phase}']")
        await form.locator("xpath=ancestor::details/summary").click()
        inputs = form.locator("input[name^=score_]")
        filled = 0
        for index in range(await inputs.count()):
            if not await inputs.nth(index).input_value():
                await inputs.nth(index).fill(str(scores[filled]))
                filled += 1
        assert filled == 10
        await form.locator("button[type=submit]").click()
        await page.wait_for_load_state("networkidle")

    await paper("pre", [40, 45, 50, 55, 60, 35, 40, 45, 50, 30])
    for clinician in scene.clinicians:
        await _as(page, live_server, clinician.email)
        await page.goto(f"{url}/tests/post")
        await page.check("input[name=q0][value='0']")
        await page.check("input[name=q1][value='1']")
        await page.click("form.test-form button[type=submit]")
        await page.wait_for_load_state("networkidle")
        again = await page.goto(f"{url}/tests/post")
        assert again is not None and again.status == 409  # taken once
    await paper("post", [70, 65, 80, 75, 90, 60, 70, 65, 85, 50])

    # 5. The head issues the certificates: eleven were present both days.
    await _as(page, live_server, scene.head.email)
    await page.set_viewport_size(DESKTOP)
    await page.goto(url)
    await page.click("form[action$='/certificates'] button[type=submit]")
    await page.wait_for_load_state("networkidle")
    assert await page.locator(".certificate-list a[href$='/pdf']").count() == 11
    # Pre: 100, 50 online + 450 paper -> 600 / 12 = 50; post: 100, 100 + 710 -> 910 / 12.
    mean = await page.inner_text(".mean-change")
    assert "Mean change: 25.8 points" in mean, mean
    for language in ("en", "ar"):
        await _language(page, language)
        for name, size in (("1280", DESKTOP), ("390", PHONE)):
            await page.set_viewport_size(size)
            await page.goto(url)
            if name == "390":
                await _no_sideways_scroll(page)
            await page.screenshot(
                path=str(SHOTS / f"workshop-{language}-{name}.png"), full_page=name == "1280"
            )
    await _language(page, "en")

    # 6. A clinician downloads their certificate; anyone checks it on the public page.
    clinician = scene.clinicians[0]
    await _as(page, live_server, clinician.email)
    await page.goto(f"{live_server}/me/workshops")
    async with page.expect_download() as download_info:
        await page.click("a[href$='/pdf']")
    pdf_path = await (await download_info.value).path()
    pdf = Path(pdf_path).read_bytes()
    document = pdfium.PdfDocument(pdf)
    text = document[0].get_textpage().get_text_range()
    assert "Sara Al-Khatib" in text and "Neonatal resuscitation" in text
    code = re.search(r"[A-Za-z0-9_-]{32}", text.split("Verification code", 1)[1]).group(0)
    document[0].render(scale=1).to_pil().save(SHOTS / "certificate-en-ar.png")
    await page.context.clear_cookies()
    for language in ("en", "ar"):
        response = await page.goto(f"{live_server}/certificates/{code}", wait_until="networkidle")
        assert response is not None and response.status == 200
        await _language(page, language)
        main = await page.inner_text("main")
        assert ("Sara Al-Khatib" if language == "en" else "سارة الخطيب") in main
        await page.set_viewport_size(PHONE)
        await _no_sideways_scroll(page)
        await page.screenshot(path=str(SHOTS / f"certificate-check-{language}-390.png"))
    missing = await page.goto(f"{live_server}/certificates/{code[:-2]}xy")
    assert missing is not None and missing.status == 404
