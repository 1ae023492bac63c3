"""In chromium on a live server: the mentee submits a case with a phone number, sees the
field refused with the text kept, removes it and submits with an image; the mentor
answers; both pages fit a 360 px phone in English and Arabic."""

from __future__ import annotations

import re

import pytest

from matching.db import make_engine, use_engine
from tests.browser.conftest import live_server, page  # noqa: F401
from tests.browser.live import LIVE_VAR_DIRS, sign_in
from tests.cases.scenes import jpeg_with_gps, mentorship_scene
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


async def _fits(tab: object, width: int = 360) -> None:
    await tab.set_viewport_size({"width": width, "height": 740})  # type: ignore[attr-defined]
    wide = await tab.evaluate("document.documentElement.scrollWidth")  # type: ignore[attr-defined]
    assert wide <= width, f"{tab.url} is {wide} px wide at {width} px"  # type: ignore[attr-defined]
    await tab.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]


async def test_case_refused_then_accepted_then_answered(live_server: str, page: object) -> None:  # noqa: F811
    use_engine(make_engine(f"sqlite:///{LIVE_VAR_DIRS[live_server] / 'platform.sqlite3'}"))
    world = await mentorship_scene()
    cases_url = f"{live_server}/mentorships/{world['proposal']}/cases"

    await sign_in(page, live_server, world["clinician"].email, PASSWORD)
    await page.goto(cases_url)  # type: ignore[attr-defined]
    await page.select_option("#age_band", "years_25_44")  # type: ignore[attr-defined]
    await page.select_option("#sex", "female")  # type: ignore[attr-defined]
    await page.fill("#presenting_problem", "Severe pre-eclampsia at 33 weeks, BP 170/110.")  # type: ignore[attr-defined]
    await page.fill("#history", "First pregnancy. Husband: +963 944 123 456")  # type: ignore[attr-defined]
    await page.fill("#question", "Magnesium regimen without an infusion pump?")  # type: ignore[attr-defined]
    picture = {"name": "ward.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}
    await page.set_input_files("#images", picture)  # type: ignore[attr-defined]
    await page.check("input[name=consent]")  # type: ignore[attr-defined]
    await page.click("form[enctype] button[type=submit]")  # type: ignore[attr-defined]
    await page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    error = await page.inner_text("#history-error")  # type: ignore[attr-defined]
    assert error == "holds a phone number: remove it; a case must not identify the patient"
    assert "+963 944 123 456" in await page.input_value("#history")  # type: ignore[attr-defined]
    assert "Severe pre-eclampsia" in await page.input_value("#presenting_problem")  # type: ignore[attr-defined]
    assert await page.is_checked("input[name=consent]")  # type: ignore[attr-defined]
    await _fits(page)

    await page.fill("#history", "First pregnancy. No seizures yet.")  # type: ignore[attr-defined]
    await page.set_input_files("#images", picture)  # type: ignore[attr-defined]
    await page.click("form[enctype] button[type=submit]")  # type: ignore[attr-defined]
    await page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    assert re.search(r"/cases/\d+$", page.url)  # type: ignore[attr-defined]
    case_url = page.url  # type: ignore[attr-defined]
    body = await page.inner_text("main")  # type: ignore[attr-defined]
    assert "Waiting for the mentor" in body and "Magnesium regimen" in body
    loaded = await page.evaluate(  # type: ignore[attr-defined]
        "[...document.querySelectorAll('.case-images img')].map(i => i.naturalWidth)"
    )
    assert loaded == [64]
    await _fits(page)

    await page.context.clear_cookies()  # type: ignore[attr-defined]
    await sign_in(page, live_server, world["doctor"].email, PASSWORD)
    await page.goto(case_url)  # type: ignore[attr-defined]
    await page.fill("#recommendations", "Zuspan regimen: 4 g IV over 20 min, then 1 g/h.")  # type: ignore[attr-defined]
    await page.click("form[action$='/answer'] button[type=submit]")  # type: ignore[attr-defined]
    await page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    body = await page.inner_text("main")  # type: ignore[attr-defined]
    assert "Recommendations sent." in body and "Zuspan regimen" in body
    assert "Answered" in body

    # the Arabic-reading head sees it right to left, at phone width
    await page.context.clear_cookies()  # type: ignore[attr-defined]
    await sign_in(page, live_server, world["head"].email, PASSWORD)
    await page.goto(case_url)  # type: ignore[attr-defined]
    assert await page.get_attribute("html", "dir") == "rtl"  # type: ignore[attr-defined]
    assert "توصيات المرشد" in await page.inner_text("main")  # type: ignore[attr-defined]
    await _fits(page)
    await page.goto(cases_url)  # type: ignore[attr-defined]
    await _fits(page)
