"""Facilities: coordinators create them and invite heads; a head edits only their own."""

from __future__ import annotations

from matching.accounts.tables import Role, User
from matching.audit.tables import AuditEvent
from matching.consent.notice import NOTICE_VERSION
from matching.facilities.tables import Facility, FacilityHead, Invitation
from tests.factories import (
    PASSWORD,
    api_headers,
    invite_head,
    login,
    make_account,
    make_facility,
    make_head,
    post_form,
)

FACILITY = {
    "name_en": "Talbiseh Health Centre",
    "name_ar": "مركز تلبيسة الصحي",
    "kind": "primary_care",
    "district": "al_rastan",
    "sub_district": "Talbiseh",
    "rural": "1",
    "latitude": "34.8383",
    "longitude": "36.73",
    "functional_state": "partial",
    "beds": "0",
    "staff": "18",
}


async def test_coordinator_creates_a_facility_and_errors_are_at_the_fields(client) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    bad = {**FACILITY, "name_ar": "", "district": "damascus", "latitude": "51.5", "beds": "-3"}
    response = await post_form(client, "/facilities/new", bad)
    assert response.status_code == 422
    for field in ("name_ar", "district", "latitude", "beds"):
        assert f'id="{field}-error"' in response.text, field
    assert await Facility.count() == 0
    response = await post_form(client, "/facilities/new", FACILITY)
    assert response.status_code == 200
    assert "مركز تلبيسة الصحي" in response.text or "Talbiseh Health Centre" in response.text
    row = await Facility.select().first().run()
    assert row["rural"] is True and row["staff"] == 18
    assert await AuditEvent.count().where(AuditEvent.action == "facility.created") == 1


async def test_head_edits_own_facility_only(client) -> None:
    mine = await make_facility(name="Mine")
    theirs = await make_facility(name="Theirs")
    head = await make_head(mine)
    await login(client, head)
    listing = await client.get("/facilities")
    assert "<bdi>Mine</bdi>" in listing.text and "<bdi>Theirs</bdi>" not in listing.text
    assert f'/facilities/{theirs}"' not in listing.text
    response = await post_form(client, f"/facilities/{mine}/edit", {**FACILITY, "staff": "25"})
    assert response.status_code == 200
    assert (await Facility.select(Facility.staff).where(Facility.id == mine).first().run()) == {
        "staff": 25
    }
    response = await post_form(client, f"/facilities/{theirs}/edit", FACILITY)
    assert response.status_code == 403
    assert (await client.get(f"/facilities/{theirs}")).status_code == 403
    assert (await client.get("/facilities/new")).status_code == 403
    api = await client.get(f"/api/facilities/{theirs}")
    assert api.status_code == 403


async def test_invited_person_creates_a_head_account(client) -> None:
    facility = await make_facility()
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    bad = await post_form(client, f"/facilities/{facility}/invitations", {"email": "not-an-email"})
    assert bad.status_code == 422 and 'id="email-error"' in bad.text
    token = await invite_head(client, facility, "new.head@example.org")
    stored = await Invitation.select(Invitation.token_hash).first().run()
    assert token not in stored["token_hash"]
    await post_form(client, "/logout", {})
    page = await client.get(f"/invitations/{token}")
    assert page.status_code == 200 and "new.head@example.org" in page.text
    short = await post_form(
        client, f"/invitations/{token}", {"full_name": "Dr. New", "password": "short"}
    )
    assert short.status_code == 422 and 'id="password-error"' in short.text
    done = await post_form(
        client,
        f"/invitations/{token}",
        {
            "full_name": "Dr. New",
            "password": PASSWORD,
            "language": "ar",
            "privacy_notice": NOTICE_VERSION,
        },
    )
    assert done.status_code == 200
    user = await User.select(User.id, User.role).where(User.email == "new.head@example.org").first()
    assert user["role"] == "facility_head"
    assert await FacilityHead.exists().where(
        FacilityHead.user == user["id"], FacilityHead.facility == facility
    )
    again = await client.get(f"/invitations/{token}")
    assert again.status_code == 409


async def test_existing_head_joins_another_facility(client) -> None:
    first = await make_facility(name="First")
    second = await make_facility(name="Second")
    head = await make_head(first, email="existing.head@example.org")
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)
    token = await invite_head(client, second, "existing.head@example.org")
    await post_form(client, "/logout", {})
    await login(client, head)
    response = await post_form(client, f"/invitations/{token}", {})
    assert response.status_code == 200
    assert await FacilityHead.count().where(FacilityHead.user == head.id) == 2
    doctor_invite = await make_account(Role.DOCTOR, email="doc@example.org")
    await post_form(client, "/logout", {})
    await login(client, coordinator)
    response = await post_form(
        client, f"/facilities/{second}/invitations", {"email": doctor_invite.email}
    )
    assert response.status_code == 422
    assert "another role" in response.text


async def test_facility_api(client) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)

    headers = await api_headers(client)
    body = {k: v for k, v in FACILITY.items() if k not in ("rural", "latitude", "longitude")}
    body.update(rural=True, latitude=34.8, longitude=36.7, beds=0, staff=18)
    created = await client.post("/api/facilities", json=body, headers=headers)
    assert created.status_code == 201, created.text
    bad = await client.post("/api/facilities", json={**body, "district": "aleppo"}, headers=headers)
    assert bad.status_code == 422 and "district" in bad.text
    shown = await client.get(f"/api/facilities/{created.json()['id']}")
    assert shown.json()["name_ar"] == "مركز تلبيسة الصحي" and shown.json()["heads"] == []


async def test_facility_list_is_paginated_filtered_and_searchable(client) -> None:
    for n in range(30):
        await make_facility(name=f"Clinic {n:02d}", district="homs" if n % 3 else "talkalakh")
    coordinator = await make_account(Role.COORDINATOR)
    await login(client, coordinator)

    first = await client.get("/facilities")
    assert first.status_code == 200
    assert "30 facilities" in first.text and "Showing 1–25 of 30" in first.text
    assert first.text.count('class="button button-small" href="/needs/new?facility=') == 25
    second = await client.get("/facilities?page=2")
    assert "Showing 26–30 of 30" in second.text and 'rel="prev"' in second.text
    beyond = await client.get("/facilities?page=99")
    assert beyond.status_code == 200 and "Showing 26–30 of 30" in beyond.text

    talkalakh = await client.get("/facilities?district=talkalakh")
    assert "10 facilities" in talkalakh.text and "<bdi>Clinic 00</bdi>" in talkalakh.text
    assert "<bdi>Clinic 01</bdi>" not in talkalakh.text
    searched = await client.get("/facilities?q=clinic 2")
    assert "10 facilities" in searched.text  # Clinic 20 … Clinic 29, case-insensitive
    arabic = await client.get("/facilities?q=الرستن")
    assert "30 facilities" in arabic.text
    none = await client.get("/facilities?q=nowhere")
    assert "No facility matches these filters." in none.text

    bad = await client.get("/facilities?district=aleppo")
    assert bad.status_code == 422 and 'id="district-error"' in bad.text
    assert "30 facilities" in bad.text, "the unfiltered list is still shown"
    page = await client.get("/facilities?page=two")
    assert page.status_code == 422 and "The page number must be a whole number." in page.text
