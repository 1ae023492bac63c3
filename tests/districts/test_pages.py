"""The districts page and API, the make-remote page and the doctor's answer, through the
real app (both engines), in English and Arabic."""

from __future__ import annotations

from datetime import date

from litestar.testing import AsyncTestClient

from matching.districts.tables import DistrictAccess
from matching.facilities.tables import Need
from matching.mail.tables import Notification
from matching.pairings.tables import Proposal, RemoteOffer
from tests.districts.helpers import held_mission
from tests.factories import api_headers, login, post_form
from tests.pages import arabic_on_page, english_on_page, switch_language


async def test_districts_page_both_languages_bad_input_kept_and_nothing_stored(
    db: str, client: AsyncTestClient
) -> None:
    s = await held_mission("confirmed")
    await login(client, s["coordinator"])
    page = await client.get("/coordinator/districts")
    assert page.status_code == 200 and "Access by district" in page.text
    assert not arabic_on_page(page.text)
    # A district that does not exist: 422, the field named, the note kept, nothing stored.
    bad = await post_form(
        client,
        "/coordinator/districts",
        {
            "district": "aleppo",
            "status": "closed",
            "effective_on": "2026-02-20",
            "note": "kept note",
        },
    )
    assert bad.status_code == 422
    assert "choose a district of Homs governorate from the list" in bad.text
    assert "kept note" in bad.text
    unreadable = await post_form(
        client,
        "/coordinator/districts",
        {"district": "homs", "status": "shut", "effective_on": "20/02/2026"},
    )
    assert unreadable.status_code == 422
    assert "choose open, restricted or closed" in unreadable.text
    assert "must be a date (YYYY-MM-DD)" in unreadable.text
    assert await DistrictAccess.count() == 0 and await Notification.count() == 0
    # Closing Al-Rastan flags the held mission.
    done = await post_form(
        client,
        "/coordinator/districts",
        {
            "district": "al_rastan",
            "status": "closed",
            "effective_on": date.today().isoformat(),
            "note": "road cut",
        },
        follow_redirects=True,
    )
    assert done.status_code == 200 and "Missions flagged: 1." in done.text
    assert await Notification.count() == 4
    await switch_language(client, "ar")
    arabic = await client.get("/coordinator/districts")
    assert "الوصول حسب المنطقة" in arabic.text and "مغلقة" in arabic.text
    assert not english_on_page(arabic.text)
    bad_ar = await post_form(
        client,
        "/coordinator/districts",
        {"district": "x", "status": "closed", "effective_on": "2026-02-20"},
    )
    assert bad_ar.status_code == 422 and "اختر منطقة من مناطق محافظة حمص من القائمة" in bad_ar.text


async def test_districts_api(db: str, client: AsyncTestClient) -> None:
    s = await held_mission("approved")
    await login(client, s["coordinator"])
    headers = await api_headers(client)
    bad = await client.post(
        "/api/coordinator/districts",
        json={"district": "raqqa", "status": "closed", "effective_on": "tomorrow"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"district", "effective_on"}
    assert await DistrictAccess.count() == 0
    made = await client.post(
        "/api/coordinator/districts",
        json={"district": "al_rastan", "status": "closed", "effective_on": "2026-02-20"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    assert made.json()["flagged_pairings"] == [s["proposal"]] and made.json()["before"] == "open"
    listed = (await client.get("/api/coordinator/districts")).json()
    assert {c["district"]: c["status"] for c in listed["current"]}["al_rastan"] == "closed"
    assert len(listed["history"]) == 1


async def test_make_remote_page_and_the_doctors_answer(db: str, client: AsyncTestClient) -> None:
    s = await held_mission("confirmed")
    await login(client, s["coordinator"])
    await post_form(
        client,
        "/coordinator/districts",
        {"district": "al_rastan", "status": "closed", "effective_on": date.today().isoformat()},
    )
    form = await client.get(f"/coordinator/needs/{s['need']}/make-remote")
    assert form.status_code == 200
    # Mentorship without the mentee: 422 naming the field, the hours kept, nothing changed.
    bad = await post_form(
        client,
        f"/coordinator/needs/{s['need']}/make-remote",
        {
            "kind": "mentorship",
            "weekly_hours": "2",
            "months": "3",
            "slot_0_weekday": "1",
            "slot_0_start": "18:00",
            "slot_0_end": "20:00",
        },
    )
    assert bad.status_code == 422
    assert "name the local doctor who will be mentored" in bad.text
    assert (await Need.select(Need.kind).where(Need.id == s["need"]).first())["kind"] == "mission"
    ok = await post_form(
        client,
        f"/coordinator/needs/{s['need']}/make-remote",
        {
            "kind": "mentorship",
            "mentee_name": "Dr. Ahmad Shami",
            "weekly_hours": "2",
            "months": "3",
            "slot_0_weekday": "1",
            "slot_0_start": "18:00",
            "slot_0_end": "20:00",
        },
        follow_redirects=False,
    )
    assert ok.status_code in (302, 303) and ok.headers["location"] == f"/needs/{s['need']}"
    assert await RemoteOffer.count() == 1
    # The doctor sees the offer (and no district warning: the work is remote now) and accepts.
    client.cookies.clear()
    await login(client, s["doctor"])
    pairing = await client.get(f"/pairings/{s['proposal']}")
    assert "This work becomes remote mentorship" in pairing.text
    answered = await post_form(
        client, f"/pairings/{s['proposal']}/remote/accept", {}, follow_redirects=True
    )
    assert answered.status_code == 200 and "You accepted the change" in answered.text
    again = await post_form(client, f"/pairings/{s['proposal']}/remote/accept", {})
    assert again.status_code == 409
    state = await Proposal.select(Proposal.state).where(Proposal.id == s["proposal"]).first()
    assert state["state"] == "confirmed"


async def test_pairing_page_warns_while_the_district_is_closed(
    db: str, client: AsyncTestClient
) -> None:
    s = await held_mission("confirmed")
    await login(client, s["coordinator"])
    await post_form(
        client,
        "/coordinator/districts",
        {"district": "al_rastan", "status": "closed", "effective_on": date.today().isoformat()},
    )
    client.cookies.clear()
    await login(client, s["head"])
    page = await client.get(f"/pairings/{s['proposal']}")
    assert "district-warning" in page.text and "مغلقة" in page.text
    assert not english_on_page(page.text)


async def test_make_remote_api(db: str, client: AsyncTestClient) -> None:
    s = await held_mission("approved")
    await login(client, s["coordinator"])
    headers = await api_headers(client)
    url = f"/api/coordinator/needs/{s['need']}/make-remote"
    bad = await client.post(url, json={"kind": "training", "audience_size": 5000}, headers=headers)
    assert bad.status_code == 422 and "audience_size" in bad.json()["errors"]
    assert await RemoteOffer.count() == 0
    made = await client.post(
        url, json={"kind": "training", "topic": "Triage online"}, headers=headers
    )
    assert made.status_code == 200, made.text
    assert made.json()["kind"] == "training" and len(made.json()["offers"]) == 1
    again = await client.post(url, json={"kind": "training"}, headers=headers)
    assert again.status_code == 409
