"""The mission page through the real app, on both engines: the checklist with its done
buttons, bad input re-rendered with the field named and the input kept (never a 500),
the report form and the head's confirmation, both languages with no foreign words."""

from __future__ import annotations

from datetime import date

from litestar.testing import AsyncTestClient

from matching.missions.tables import MissionItem, MissionReport
from matching.pairings.tables import Proposal
from tests.factories import login, post_form
from tests.missions.helpers import add_permit, confirmed_mission
from tests.pages import arabic_on_page, english_on_page, switch_language


async def _future(world: dict) -> None:
    """Move the need's dates ahead so that the checklist is live (not ended)."""
    from matching.facilities.tables import Need

    await (
        Need.update({Need.starts_on: date(2031, 5, 1), Need.ends_on: date(2031, 5, 10)})
        .where(Need.id == world["need"])
        .run()
    )


async def test_checklist_page_marks_items_and_refuses_twice(client: AsyncTestClient) -> None:
    world = await confirmed_mission()
    await _future(world)
    url = f"/missions/{world['proposal']}"
    await login(client, world["doctor"])
    page = await client.get(url)
    assert page.status_code == 200
    assert "Readiness checklist" in page.text and "Not ready yet" in page.text
    assert page.text.count('action="' + url + "/items/") == 3  # the doctor's three items
    # A date in the future: 422, the field named, the note kept.
    bad = await post_form(
        client, f"{url}/items/insurance/done", {"done_on": "2099-01-01", "note": "Policy 77"}
    )
    assert bad.status_code == 422
    assert "cannot be in the future" in bad.text and 'value="Policy 77"' in bad.text
    unreadable = await post_form(client, f"{url}/items/insurance/done", {"done_on": "soon"})
    assert unreadable.status_code == 422 and "must be a date" in unreadable.text
    done = await post_form(
        client, f"{url}/items/insurance/done", {"note": "Policy 77"}, follow_redirects=False
    )
    assert done.status_code in (302, 303)
    again = await post_form(client, f"{url}/items/insurance/done", {"note": "other"})
    assert again.status_code == 409
    assert "already marked done" in again.text
    row = (
        await MissionItem.select()
        .where(MissionItem.pairing == world["proposal"], MissionItem.kind == "insurance")
        .first()
        .run()
    )
    assert (row["state"], row["note"]) == ("done", "Policy 77")
    # The head cannot mark the doctor's item; a stranger's checklist is not found.
    head_try = await post_form(client, f"{url}/items/accommodation/done", {})
    assert head_try.status_code == 403
    assert (await client.get(f"/missions/{world['proposal'] + 999}")).status_code == 404


async def test_document_upload_is_checked_and_served_to_the_parties(
    client: AsyncTestClient,
) -> None:
    world = await confirmed_mission()
    await _future(world)
    url = f"/missions/{world['proposal']}"
    await login(client, world["doctor"])
    token = client.cookies.get("csrftoken", "")
    wrong = await client.post(
        f"{url}/items/travel_documents/done",
        data={"_csrf_token": token},
        files={"document": ("visa.pdf", b"not a pdf", "application/pdf")},
    )
    assert wrong.status_code == 422 and "must be a PDF, PNG or JPEG file" in wrong.text
    pdf = b"%PDF-1.4\n%%EOF\n"
    ok = await client.post(
        f"{url}/items/travel_documents/done",
        data={"_csrf_token": token},
        files={"document": ("visa.pdf", pdf, "application/pdf")},
        follow_redirects=False,
    )
    assert ok.status_code in (302, 303)
    document = await client.get(f"{url}/items/travel_documents/document")
    assert document.status_code == 200 and document.content == pdf
    assert (await client.get(f"{url}/items/insurance/document")).status_code == 404


async def test_report_page_before_and_after_the_end(client: AsyncTestClient) -> None:
    world = await confirmed_mission()
    await _future(world)
    url = f"/missions/{world['proposal']}"
    await login(client, world["doctor"])
    early = await post_form(client, f"{url}/report", {"days_on_site": "9"})
    assert early.status_code == 422 and "the mission has not ended" in early.text
    # The factories' mission ended on 2026-03-11.
    from matching.facilities.tables import Need

    await (
        Need.update({Need.starts_on: date(2026, 3, 2), Need.ends_on: date(2026, 3, 11)})
        .where(Need.id == world["need"])
        .run()
    )
    negative = await post_form(
        client,
        f"{url}/report",
        {"days_on_site": "9", "patients_surgery": "-4", "procedures": "Caesareans"},
    )
    assert negative.status_code == 422
    assert "cannot be negative" in negative.text and "Caesareans</textarea>" in negative.text
    assert await MissionReport.count().run() == 0
    filed = await post_form(
        client,
        f"{url}/report",
        {"days_on_site": "9", "patients_surgery": "4", "gaps": "No oxygen concentrator"},
        follow_redirects=False,
    )
    assert filed.status_code in (302, 303)
    await login(client, world["head"])
    await switch_language(client, "ar")
    page = await client.get(url)
    assert page.status_code == 200
    assert "تأكيد التقرير" in page.text
    assert english_on_page(page.text) == []
    confirmed = await post_form(client, f"{url}/report/confirm", {}, follow_redirects=False)
    assert confirmed.status_code in (302, 303)
    state = await Proposal.select(Proposal.state).where(Proposal.id == world["proposal"]).first()
    assert state["state"] == "completed"
    page = await client.get(url)
    assert "أرسل تقييمك" in page.text
    rated = await post_form(client, f"{url}/feedback", {"rating": "4"}, follow_redirects=False)
    assert rated.status_code in (302, 303)
    twice = await post_form(client, f"{url}/feedback", {"rating": "2"})
    assert twice.status_code == 409


async def test_permission_refused_without_a_permit_then_ready(client: AsyncTestClient) -> None:
    world = await confirmed_mission()
    await _future(world)
    url = f"/missions/{world['proposal']}"
    await login(client, world["coordinator"])
    refused = await post_form(client, f"{url}/items/permission/done", {})
    assert refused.status_code == 422
    assert "no verified permission to practise in Syria" in refused.text
    await add_permit(world["doctor_id"], expires_on=date(2032, 1, 1))
    for kind in (
        "permission",
        "travel_documents",
        "insurance",
        "emergency_contact",
        "accommodation",
        "briefing",
    ):
        response = await post_form(client, f"{url}/items/{kind}/done", {}, follow_redirects=False)
        assert response.status_code in (302, 303), (kind, response.text[:300])
    page = await client.get(url)
    assert "Ready to depart" in page.text
    await switch_language(client, "ar")
    page = await client.get(url)
    assert "جاهزة للانطلاق" in page.text and english_on_page(page.text) == []
    await switch_language(client, "en")
    page = await client.get(url)
    assert arabic_on_page(page.text) == []
    pairing_page = await client.get(f"/pairings/{world['proposal']}")
    assert f'href="/missions/{world["proposal"]}"' in pairing_page.text
