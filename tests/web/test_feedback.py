"""Issue 14, items 5 and 7: bad input refused with its rule; every action says what
happened and what comes next, in the reader's language (both engines)."""

from __future__ import annotations

from datetime import date, timedelta

from icalendar import Calendar
from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.consent.notice import NOTICE_VERSION
from matching.doctors.tables import Licence
from matching.facilities.need_rules import today_utc
from matching.facilities.tables import Need
from matching.pairings import transitions
from tests.factories import (
    api_headers,
    invite_head,
    login,
    make_account,
    make_facility,
    make_head,
    post_form,
    scene,
)
from tests.forms import MENTORSHIP

YESTERDAY = (date.today() - timedelta(days=2)).isoformat()
MISSION = {
    **MENTORSHIP,
    "kind": "mission",
    "title": "Neonatal mission",
    "starts_on": YESTERDAY,
    "ends_on": (date.today() + timedelta(days=10)).isoformat(),
}


async def _head(client: AsyncTestClient, language: str = "en"):
    facility = await make_facility()
    head = await make_head(facility, language=language)
    await login(client, head)
    return facility, head


# --------------------------------------------------------------- item 5: bad input


async def test_new_need_form_has_no_silent_default(client: AsyncTestClient) -> None:
    facility, _ = await _head(client)
    page = await client.get(f"/needs/new?facility={facility}")
    assert "checked" not in page.text.split('name="kind"', 1)[1].split("</fieldset>", 1)[0]
    assert '<option value="" selected>Choose a specialty…</option>' in page.text
    missing = {k: v for k, v in MENTORSHIP.items() if k not in ("kind", "specialty")}
    response = await post_form(client, "/needs/new", {**missing, "facility": facility})
    assert response.status_code == 422 and await Need.count() == 0
    assert "choose a mission, a mentorship or a training workshop" in response.text
    assert "choose a specialty from the list" in response.text
    assert 'value="Neonatal mentorship"' in response.text, "the title typed is kept"


async def test_new_need_dated_in_the_past_is_refused(client: AsyncTestClient) -> None:
    facility, _ = await _head(client)
    response = await post_form(
        client, "/needs/new", {**MISSION, "facility": facility, "action": "publish"}
    )
    assert response.status_code == 422 and await Need.count() == 0
    today = today_utc().isoformat()
    assert f"must be today ({today}) or later" in response.text
    assert 'id="starts_on-error"' in response.text and f'value="{YESTERDAY}"' in response.text

    body = {  # the JSON API's types (the form's strings are refused by its strict decoding)
        "kind": "mission",
        "title": "Neonatal mission",
        "specialty": "neonatology",
        "urgency": "critical",
        "facility_id": facility,
        "places": 1,
        "skills": [],
        "languages": ["ar"],
        "starts_on": YESTERDAY,
        "ends_on": MISSION["ends_on"],
    }
    api = await client.post("/api/needs", json=body, headers=await api_headers(client))
    assert api.status_code == 422 and api.json()["field"] == "starts_on"
    assert f"must be today ({today}) or later" in api.json()["errors"]["starts_on"]


async def test_edit_keeps_the_past_dates_a_need_already_had(client: AsyncTestClient) -> None:
    facility, _ = await _head(client)
    start = date.today() - timedelta(days=5)
    ok = {**MISSION, "starts_on": (date.today() + timedelta(days=1)).isoformat()}
    created = await post_form(client, "/needs/new", {**ok, "facility": facility})
    assert created.status_code == 200
    need = await Need.select(Need.id).first()
    await Need.update({Need.starts_on: start}).where(Need.id == need["id"])  # time passed
    edited = await post_form(
        client, f"/needs/{need['id']}/edit", {**ok, "starts_on": start.isoformat(), "places": "2"}
    )
    assert edited.status_code == 200, "its own start date stays valid"
    moved = await post_form(
        client, f"/needs/{need['id']}/edit", {**ok, "starts_on": YESTERDAY, "places": "2"}
    )
    assert moved.status_code == 422 and "or later" in moved.text, "a new past date is not"


async def test_field_messages_give_the_allowed_range(client: AsyncTestClient) -> None:
    doctor = await make_account(Role.DOCTOR)
    await login(client, doctor)
    headers = await api_headers(client)
    response = await client.put("/api/doctors/me", json={"years_experience": 500}, headers=headers)
    assert response.status_code == 422 and response.json()["field"] == "years_experience"
    assert response.json()["errors"]["years_experience"] == "must be between 0 and 70"
    long = await client.put("/api/doctors/me", json={"city": "x" * 500}, headers=headers)
    assert long.status_code == 422, long.text
    assert long.json()["errors"]["city"].startswith("must be at most ")
    await login(client, await make_account(Role.DOCTOR, language="ar"))
    arabic = await client.put(
        "/api/doctors/me", json={"years_experience": 500}, headers=await api_headers(client)
    )
    assert "يجب أن يكون بين 0 و70" in arabic.json()["errors"]["years_experience"]


async def test_expired_licence_api_needs_confirmation(client: AsyncTestClient) -> None:
    await login(client, await make_account(Role.DOCTOR))
    headers = await api_headers(client)
    fields = {
        "issuer_country": "GB",
        "authority": "General Medical Council",
        "number": "7654321",
        "expires_on": YESTERDAY,
    }
    refused = await client.post("/api/doctors/me/licences", data=fields, headers=headers)
    assert refused.status_code == 422 and refused.json()["field"] == "expires_on"
    assert await Licence.count() == 0
    saved = await client.post(
        "/api/doctors/me/licences", data={**fields, "confirm_expired": "true"}, headers=headers
    )
    assert saved.status_code == 201 and await Licence.count() == 1


# --------------------------------------------------------------- item 7: feedback


async def test_posting_a_need_says_what_comes_next_once(client: AsyncTestClient) -> None:
    facility, _ = await _head(client)
    posted = await post_form(
        client, "/needs/new", {**MENTORSHIP, "facility": facility, "action": "publish"}
    )
    assert "Need posted and open to doctors. A coordinator reviews" in posted.text
    again = await client.get(posted.url.path)
    assert "Need posted and open" not in again.text, "said once"
    draft = await post_form(client, "/needs/new", {**MENTORSHIP, "facility": facility})
    assert "Need saved as a draft: doctors do not see it yet." in draft.text


async def test_feedback_is_in_arabic_for_an_arabic_reader(client: AsyncTestClient) -> None:
    facility, _ = await _head(client, language="ar")
    client.cookies.set("lang", "ar")
    posted = await post_form(
        client, "/needs/new", {**MENTORSHIP, "facility": facility, "action": "publish"}
    )
    assert "نُشرت الحاجة" in posted.text
    assert "Need posted" not in posted.text


async def test_coordinator_verifying_a_licence_is_told_what_follows(
    client: AsyncTestClient,
) -> None:
    doctor = await make_account(Role.DOCTOR)
    await login(client, doctor)
    added = await client.post(
        "/doctors/me/licences",
        data={
            "issuer_country": "DE",
            "authority": "Ärztekammer Berlin",
            "number": "BE-9",
            "expires_on": (date.today() + timedelta(days=300)).isoformat(),
            "_csrf_token": client.cookies.get("csrftoken"),
        },
        files={"document": ("l.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert "Licence <bdi>BE-9</bdi> added. A coordinator will check its document" in added.text
    await login(client, await make_account(Role.COORDINATOR))
    licence = await Licence.select(Licence.id).first()
    verified = await post_form(client, f"/coordinator/licences/{licence['id']}/verify", {})
    assert "Licence <bdi>BE-9</bdi> is verified. The doctor is told" in verified.text


async def test_joining_by_invitation_welcomes_the_head(client: AsyncTestClient) -> None:

    facility = await make_facility()
    await login(client, await make_account(Role.COORDINATOR))
    token = await invite_head(client, facility, "joiner@example.org")
    await post_form(client, "/logout", {})
    client.cookies.set("lang", "ar")
    done = await post_form(
        client,
        f"/invitations/{token}",
        {
            "full_name": "Dr. Joiner",
            "password": "a long enough pass 9",
            "language": "ar",
            "privacy_notice": NOTICE_VERSION,
        },
    )
    assert done.status_code == 200 and done.url.path == f"/facilities/{facility}"
    assert "مشفى الرستن الوطني" in done.text.split('class="alert alert-success flash"')[1]


async def test_need_page_names_and_links_confirmed_doctors(client: AsyncTestClient) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    await transitions.accept(s["proposal"], s["doctor"])
    await login(client, s["head"])
    page = await client.get(f"/needs/{s['need']}")
    assert f'<a href="/pairings/{s["proposal"]}"><bdi>Dr. Lina Haddad</bdi></a>' in page.text


async def test_calendar_names_the_facility_in_the_readers_language(
    client: AsyncTestClient,
) -> None:
    s = await scene()
    await transitions.approve(s["proposal"], s["coordinator"])
    await transitions.accept(s["proposal"], s["doctor"])
    await login(client, s["head"])  # an Arabic reader
    client.cookies.set("lang", "ar")
    event = Calendar.from_ical(
        (await client.get(f"/pairings/{s['proposal']}/calendar.ics")).content
    ).walk("VEVENT")[0]
    assert str(event["location"]) == "مشفى الرستن الوطني"
    assert "Al-Rastan" not in str(event["summary"])
    await login(client, s["doctor"])
    client.cookies.set("lang", "en")
    event = Calendar.from_ical(
        (await client.get(f"/pairings/{s['proposal']}/calendar.ics")).content
    ).walk("VEVENT")[0]
    assert str(event["location"]) == "Al-Rastan National Hospital"
