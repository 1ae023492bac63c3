"""Outcomes for coordinators and donors: the numbers by period, district, urban or rural
and specialty; the page, its Excel workbook and its PDF read back; the coverage page
and a facility's page show their own; bad filters named (both engines)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from matching.accounts.tables import Role
from matching.errors import ValidationFailed
from matching.facilities.tables import Need
from matching.outcomes.report import build_report
from matching.outcomes.schemas import OutcomeFilters
from tests.factories import (
    login,
    make_account,
    make_doctor,
    make_facility,
    make_head,
    make_need,
    make_proposal,
)

POSTED = datetime(2026, 3, 10, 9, tzinfo=UTC)


async def _world() -> dict:
    """A rural facility in al-Rastan with two missions (one filled by a confirmed doctor,
    one open) and an urban one in Homs with an open mentorship."""
    rastan = await make_facility(name="Al-Rastan National Hospital")
    homs = await make_facility(name="Al-Waer Clinic", district="homs", rural=False)
    _, doctor = await make_doctor()
    filled = await make_need(rastan, title="Neonatal mission")
    open_mission = await make_need(rastan, title="Second neonatal mission")
    mentorship = await make_need(homs, kind="mentorship", specialty="paediatrics")
    await Need.update({Need.status: "filled"}).where(Need.id == filled).run()
    await Need.update({Need.created_at: POSTED}, force=True).run()
    await make_proposal(filled, doctor, state="confirmed")
    return {"rastan": rastan, "homs": homs, "mentorship": mentorship, "open": open_mission}


async def test_numbers_by_district_setting_and_specialty(db: str) -> None:
    world = await _world()
    report = await build_report(OutcomeFilters())
    assert report.totals["needs_posted"] == 3
    assert report.totals["needs_filled"] == 1
    assert report.totals["needs_unfilled"] == 2
    assert report.totals["doctors_deployed"] == 1
    by_district = {row.key: row.values for row in report.by_district}
    assert by_district["al_rastan"]["needs_posted"] == 2
    assert by_district["homs"]["needs_unfilled"] == 1
    by_setting = {row.key: row.values for row in report.by_setting}
    assert (by_setting["rural"]["needs_filled"], by_setting["urban"]["needs_filled"]) == (1, 0)
    by_specialty = {row.key: row.values for row in report.by_specialty}
    assert by_specialty["paediatrics"]["needs_posted"] == 1
    assert sum(r.needs for r in report.unfilled_reasons) == 2

    urban = await build_report(OutcomeFilters(setting="urban"))
    assert (urban.totals["needs_posted"], urban.totals["doctors_deployed"]) == (1, 0)
    later = await build_report(OutcomeFilters(starts_on=date(2026, 4, 1)))
    assert later.totals["needs_posted"] == 0
    own = await build_report(OutcomeFilters(facility_id=world["rastan"]))
    assert own.totals["needs_posted"] == 2


async def test_bad_filters_are_named(db: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await build_report(
            OutcomeFilters(
                starts_on=date(2026, 5, 1),
                ends_on=date(2026, 4, 1),
                district="atlantis",
                setting="suburban",
                specialty="alchemy",
            )
        )
    assert set(caught.value.errors) == {"ends_on", "district", "setting", "specialty"}


async def test_the_page_and_its_exports(client) -> None:
    await _world()
    coordinator = await make_account(Role.COORDINATOR, language="ar")
    await login(client, coordinator)
    page = await client.get("/coordinator/outcomes?district=al_rastan")
    assert page.status_code == 200
    assert 'data-metric="needs_posted">2<' in page.text
    assert "الرستن" in page.text

    bad = await client.get("/coordinator/outcomes?starts_on=31-03-2026&district=atlantis")
    assert bad.status_code == 422
    assert 'id="starts_on-error"' in bad.text and 'id="district-error"' in bad.text
    assert 'value="31-03-2026"' in bad.text  # the input is kept

    workbook = await client.get("/coordinator/outcomes/report.xlsx?district=al_rastan")
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    assert len(book.sheetnames) == 5
    summary = book[book.sheetnames[0]]
    values = {row[0]: row[1] for row in summary.iter_rows(min_row=2, values_only=True)}
    assert values["الاحتياجات المنشورة"] == 2
    districts = book[book.sheetnames[1]]
    assert districts.sheet_view.rightToLeft
    assert districts.cell(row=2, column=1).value == "الرستن"

    pdf = await client.get("/coordinator/outcomes/report.pdf?district=al_rastan")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    document = pdfium.PdfDocument(pdf.content)
    assert len(document) >= 2  # the summary, then the breakdowns
    image = document[0].render(scale=1).to_pil().convert("L")
    assert image.width > image.height  # A4 landscape
    # Drawn, and right-to-left: the ink of the title and the summary sits on the right.
    width, height = image.size
    ink = [
        x for x in range(width) for y in range(0, height // 3, 4) if image.getpixel((x, y)) < 128
    ]
    assert ink and sum(ink) / len(ink) > width * 0.6


async def test_coverage_and_facility_pages_show_outcomes(client) -> None:
    world = await _world()
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    coverage = await client.get("/coordinator")
    assert "Outcomes so far" in coverage.text
    assert 'data-metric="doctors_deployed">1<' in coverage.text
    head = await make_head(world["homs"])
    await login(client, head)
    own = await client.get(f"/facilities/{world['homs']}")
    assert "This facility&#39;s outcomes" in own.text or "This facility's outcomes" in own.text
    assert 'data-metric="needs_posted">1<' in own.text
    denied = await client.get("/coordinator/outcomes")
    assert denied.status_code in (302, 303, 403)
