"""The people paired: doctor answers, head sees contact after confirmation, calendars,
interests."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from icalendar import Calendar
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.facilities.tables import Need
from matching.mail.tables import Notification, OutboxMail
from matching.pairings import transitions
from matching.pairings.tables import NeedInterest, Proposal
from tests.factories import (
    api_headers,
    login,
    make_account,
    make_facility,
    make_head,
    make_need,
    post_form,
    scene,
)


async def test_doctor_accepts_and_head_then_sees_contact(client: AsyncTestClient) -> None:
    s = await scene()
    await login(client, s["doctor"])
    assert (await client.get(f"/pairings/{s['proposal']}")).status_code == 404, (
        "an unreviewed proposal is not shown to the doctor"
    )
    await transitions.approve(s["proposal"], s["coordinator"])
    mine = await client.get("/pairings")
    assert "Neonatal mission" in mine.text and "Approved" in mine.text
    assert "You are offered a pairing: <bdi>Neonatal mission</bdi>" in mine.text
    accepted = await post_form(client, f"/pairings/{s['proposal']}/accept", {})
    assert accepted.status_code == 200
    assert "the pairing is confirmed" in accepted.text
    assert 'class="contact"' not in accepted.text
    again = await post_form(client, f"/pairings/{s['proposal']}/accept", {})
    assert again.status_code == 409 and "cannot be accepted: it is confirmed" in again.text
    assert await Notification.count().where(Notification.user == s["head"].id) == 2

    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await login(client, s["head"])
    page = await client.get(f"/pairings/{s['proposal']}")
    assert page.status_code == 200
    assert "+49 30 1234 5678" in page.text and "lina.private@example.org" in page.text
    need = await Need.select(Need.status).where(Need.id == s["need"]).first()
    assert need["status"] == "filled"


async def test_head_sees_no_contact_before_confirmation_and_not_other_facilities(
    client: AsyncTestClient,
) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    await login(client, s["head"])
    page = await client.get(f"/pairings/{s['proposal']}")
    assert page.status_code == 200
    assert "+49 30 1234 5678" not in page.text and "lina.private" not in page.text
    assert 'class="contact"' not in page.text
    stranger = await make_head(await make_facility(name="Other"))
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await login(client, stranger)
    assert (await client.get(f"/pairings/{s['proposal']}")).status_code == 404


async def test_api_accept_decline_and_calendar_for_a_mission(client: AsyncTestClient) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    await login(client, s["doctor"])
    headers = await api_headers(client)
    early = await client.get(f"/api/proposals/{s['proposal']}/calendar.ics")
    assert early.status_code == 403
    response = await client.post(f"/api/proposals/{s['proposal']}/accept", headers=headers)
    assert response.status_code == 200 and response.json()["state"] == "confirmed"
    declined = await client.post(f"/api/proposals/{s['proposal']}/decline", headers=headers)
    assert declined.status_code == 409
    ics = await client.get(f"/api/proposals/{s['proposal']}/calendar.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    event = next(iter(Calendar.from_ical(ics.content).walk("VEVENT")))
    assert str(event.decoded("dtstart")) == "2026-03-02"
    assert str(event.decoded("dtend")) == "2026-03-12", "all-day DTEND is exclusive"


async def test_mentorship_calendar_in_each_persons_zone(client: AsyncTestClient) -> None:
    s = await scene(kind="mentorship")
    await transitions.approve(s["proposal"], s["coordinator"])
    await transitions.accept(s["proposal"], s["doctor"])
    await login(client, s["doctor"])
    doctor_ics = Calendar.from_ical(
        (await client.get(f"/pairings/{s['proposal']}/calendar.ics")).content
    )
    event = next(iter(doctor_ics.walk("VEVENT")))
    start = event.decoded("dtstart")
    # In the zone the slot was defined in (so the weekly rule survives a DST switch):
    # Tuesday 19:00 in Damascus (UTC+3) is 17:00 in Berlin (UTC+1 in March).
    assert (start.weekday(), start.hour, str(start.tzinfo)) == (1, 19, "Asia/Damascus")
    assert start.astimezone(ZoneInfo("Europe/Berlin")).hour == 17
    assert str(doctor_ics["x-wr-timezone"]) == "Europe/Berlin"
    assert event["rrule"]["FREQ"] == ["WEEKLY"] and "UNTIL" in event["rrule"]
    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await login(client, s["head"])
    head_ics = Calendar.from_ical(
        (await client.get(f"/pairings/{s['proposal']}/calendar.ics")).content
    )
    head_start = next(iter(head_ics.walk("VEVENT"))).decoded("dtstart")
    assert (head_start.hour, str(head_start.tzinfo)) == (19, "Asia/Damascus")


async def test_doctor_orders_interests_in_open_needs(client: AsyncTestClient) -> None:
    s = await scene()
    facility = await make_facility(name="Talbiseh")
    second = await make_need(facility, title="Second neonatal need")
    await make_need(facility, title="Surgery need", specialty="general_surgery")
    await login(client, s["doctor"])
    page = await client.get("/pairings/needs")
    assert "Second neonatal need" in page.text and "Surgery need" not in page.text
    await post_form(client, f"/pairings/needs/{s['need']}/add", {})
    await post_form(client, f"/pairings/needs/{second}/add", {})
    await post_form(client, f"/pairings/needs/{second}/up", {})

    async def order() -> list[int]:
        rows = await NeedInterest.select(NeedInterest.need).order_by(NeedInterest.position)
        return [r["need"] for r in rows]

    assert await order() == [second, s["need"]]
    await post_form(client, f"/pairings/needs/{second}/remove", {})
    assert await order() == [s["need"]]
    bad = await post_form(client, "/pairings/needs/999999/add", {})
    assert bad.status_code == 422 and "is not an open need that fits you" in bad.text


async def test_facility_head_cannot_accept(client: AsyncTestClient) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    await login(client, s["head"])
    response = await client.post(
        f"/api/proposals/{s['proposal']}/accept", headers=await api_headers(client)
    )
    assert response.status_code == 403
    row = await Proposal.select(Proposal.state).where(Proposal.id == s["proposal"]).first()
    assert row["state"] == "approved"
    assert s["head"].role == Role.FACILITY_HEAD


async def test_coordinator_opens_any_pairing_but_cannot_answer_for_the_doctor(
    client: AsyncTestClient,
) -> None:
    s = await scene()
    await login(client, s["coordinator"])
    page = await client.get(f"/pairings/{s['proposal']}")
    assert page.status_code == 200 and "Neonatal mission" in page.text
    response = await post_form(client, f"/pairings/{s['proposal']}/accept", {})
    assert response.status_code == 403


async def test_decline_tells_the_coordinators_in_their_language(client: AsyncTestClient) -> None:
    s = await scene()
    arabic = await make_account(Role.COORDINATOR, name="منسقة سلمى", language="ar")
    await transitions.approve(s["proposal"], s["coordinator"])
    before = max(m["id"] for m in await OutboxMail.select(OutboxMail.id))
    await login(client, s["doctor"])
    declined = await post_form(
        client, f"/pairings/{s['proposal']}/decline", {"note": "mission dates clash with exams"}
    )
    assert declined.status_code == 200
    assert "You declined this pairing. The coordinators will look for another" in declined.text

    mails = {
        m["recipient"]: m
        for m in await OutboxMail.select().where(OutboxMail.id > before).order_by(OutboxMail.id)
    }
    assert set(mails) == {s["coordinator"].email, arabic.email}, "every coordinator, nobody else"
    ar = mails[arabic.email]
    assert ar["language"] == "ar"
    assert ar["subject"] == "اعتذار عن المطابقة: Neonatal mission"
    assert "منسقة سلمى" in ar["body_text"] and "مشفى الرستن الوطني" in ar["body_text"]
    assert "mission dates clash with exams" in ar["body_text"]
    assert "اعتذر Dr. Lina Haddad عن المطابقة" in ar["body_text"]
    assert f"/pairings/{s['proposal']}" in ar["body_html"]
    en = mails[s["coordinator"].email]
    assert en["subject"] == "Pairing declined: Neonatal mission"
    assert "Al-Rastan National Hospital" in en["body_text"]
    assert "The doctor's reason: mission dates clash with exams" in en["body_text"]

    await client.post("/logout", data={"_csrf_token": client.cookies.get("csrftoken")})
    await login(client, s["coordinator"])
    queue = await client.get("/coordinator/review")
    assert (
        "<bdi>Dr. Lina Haddad</bdi> declined <bdi>Neonatal mission</bdi> at "
        "<bdi>Al-Rastan National Hospital</bdi> (reason: <bdi>mission dates clash with "
        "exams</bdi>). Please find another doctor." in queue.text
    )
    assert f'href="/pairings/{s["proposal"]}"' in queue.text


async def test_decline_without_a_reason_still_tells_the_coordinators(
    client: AsyncTestClient,
) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    await login(client, s["doctor"])
    response = await client.post(
        f"/api/proposals/{s['proposal']}/decline", headers=await api_headers(client)
    )
    assert response.status_code == 200 and response.json()["state"] == "declined"
    mail = await OutboxMail.select().where(OutboxMail.recipient == s["coordinator"].email).first()
    assert mail["subject"] == "Pairing declined: Neonatal mission"
    assert "reason" not in mail["body_text"]
    notice = await Notification.select().where(Notification.user == s["coordinator"].id).first()
    assert notice["message"].endswith("at %(facility)s. Please find another doctor.")
