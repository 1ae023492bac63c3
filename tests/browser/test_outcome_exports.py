"""Outcomes for donors in Chromium on the demo data: the coordinator opens the report in
Arabic, narrows it to a district, downloads the workbook and the PDF; both are read
back (openpyxl; the PDF rendered to an image). Screenshots of the page (en/ar, desktop
and phone) and of the PDF's first page go to docs/screenshots/."""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from tests.browser.live import sign_in

pytestmark = pytest.mark.browser

COORDINATOR = "coordinator@demo.homs-health.org"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


async def _language(page, language: str) -> None:  # type: ignore[no-untyped-def]
    switch = page.locator(f"form[action='/language'] button[name=language][value={language}]")
    if await switch.count():  # the switcher offers only the other language
        await switch.first.click()
        await page.wait_for_load_state("networkidle")
    assert await page.get_attribute("html", "lang") == language


async def test_donor_report_downloaded_and_read_back(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await sign_in(page, live_server, COORDINATOR)
    await page.goto(f"{live_server}/coordinator/outcomes")
    for language in ("en", "ar"):
        await _language(page, language)
        for width in (1280, 390):
            await page.set_viewport_size({"width": width, "height": 900})
            await page.goto(f"{live_server}/coordinator/outcomes")
            scroll = await page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width, f"horizontal scroll at {width}px ({language}): {scroll}"
            await page.screenshot(
                path=str(SCREENSHOTS / f"outcomes-{language}-{width}.png"), full_page=True
            )
    await page.set_viewport_size({"width": 1280, "height": 900})

    # A bad period is named next to its field and the choice is kept.
    await page.fill("#starts_on", "2026-06-01")
    await page.fill("#ends_on", "2026-01-01")
    await page.click("form.outcome-filters button[type=submit]")
    assert await page.locator("#ends_on-error").count() == 1
    assert await page.input_value("#starts_on") == "2026-06-01"

    # Homs district, the whole period: the page's count is what the exports carry.
    await page.fill("#starts_on", "")
    await page.fill("#ends_on", "")
    await page.select_option("#district", "homs")
    await page.click("form.outcome-filters button[type=submit]")
    posted = await page.locator("table.outcome-totals td[data-metric=needs_posted]").inner_text()

    async with page.expect_download() as download_info:
        await page.click("a[href^='/coordinator/outcomes/report.xlsx']")
    workbook = load_workbook(
        io.BytesIO(Path(await (await download_info.value).path()).read_bytes())
    )
    summary = workbook[workbook.sheetnames[0]]
    assert workbook.sheetnames[0] == "الملخّص"
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert str(values["الاحتياجات المنشورة"]) == posted.strip()
    assert workbook[workbook.sheetnames[1]].cell(row=2, column=1).value == "حمص"

    async with page.expect_download() as download_info:
        await page.click("a[href^='/coordinator/outcomes/report.pdf']")
    pdf = Path(await (await download_info.value).path()).read_bytes()
    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=1.5).to_pil()
    image.convert("P", palette=1, colors=64).save(SCREENSHOTS / "outcomes-report-pdf-ar.png")
    gray = image.convert("L")
    ink = sum(1 for pixel in gray.getdata() if pixel < 128)
    assert ink > 2_000  # drawn, not a blank page
