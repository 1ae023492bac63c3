"""The doctor JSON API: same checks as the pages, 4xx naming the field."""

from __future__ import annotations

from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role, User
from matching.doctors.tables import DoctorProfile
from tests.factories import api_headers, login, make_account, make_facility, make_head

PDF = b"%PDF-1.4\n%%EOF\n"


async def _doctor(client: AsyncTestClient) -> dict[str, str]:
    await login(client, await make_account(Role.DOCTOR))
    return await api_headers(client)


async def test_get_and_put_profile(client: AsyncTestClient) -> None:
    headers = await _doctor(client)
    empty = await client.get("/api/doctors/me")
    assert empty.status_code == 200 and empty.json()["specialties"] == {}
    response = await client.put(
        "/api/doctors/me",
        json={
            "timezone": "Europe/Paris",
            "country": "FR",
            "phone": "+33 1 23 45 67 89",
            "languages": {"ar": "native", "fr": "fluent"},
            "specialties": {"general_surgery": "specialist"},
            "skills": ["laparoscopy"] if False else [],
            "modes": ["mission"],
            "can_travel": True,
        },
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["timezone"] == "Europe/Paris" and body["specialties"] == {
        "general_surgery": "specialist"
    }
    partial = await client.put("/api/doctors/me", json={"city": "Lyon"}, headers=headers)
    assert partial.json()["timezone"] == "Europe/Paris", "absent fields keep their value"
    assert partial.json()["city"] == "Lyon"


async def test_put_errors_name_the_field(client: AsyncTestClient) -> None:
    headers = await _doctor(client)
    response = await client.put(
        "/api/doctors/me", json={"timezone": "Nowhere/Land"}, headers=headers
    )
    assert response.status_code == 422
    assert response.json()["field"] == "timezone"
    assert "timezone" in response.json()["errors"]
    wrong_type = await client.put(
        "/api/doctors/me", json={"years_experience": "lots"}, headers=headers
    )
    # Decoded strictly at the edge (web.input_guard): a 422 naming the field.
    assert wrong_type.status_code == 422
    assert wrong_type.json()["field"] == "years_experience"


async def test_licences_api(client: AsyncTestClient) -> None:
    headers = await _doctor(client)
    fields = {
        "issuer_country": "GB",
        "authority": "General Medical Council",
        "number": "7654321",
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
    }
    wrong = await client.post(
        "/api/doctors/me/licences",
        data=fields,
        files={"document": ("x.pdf", b"GIF89a-not-allowed", "application/pdf")},
        headers=headers,
    )
    assert wrong.status_code == 422 and wrong.json()["field"] == "document"
    missing = await client.post(
        "/api/doctors/me/licences", data={**fields, "number": ""}, headers=headers
    )
    assert missing.status_code == 422 and missing.json()["field"] == "number"
    created = await client.post(
        "/api/doctors/me/licences",
        data=fields,
        files={"document": ("gmc.pdf", PDF, "application/pdf")},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    licence = created.json()
    assert licence["state"] == "pending" and licence["document_url"]
    document = await client.get(licence["document_url"])
    assert document.status_code == 200 and document.content == PDF
    deleted = await client.delete(f"/api/doctors/me/licences/{licence['id']}", headers=headers)
    assert deleted.status_code == 204
    assert (await client.get(licence["document_url"])).status_code == 404


async def test_windows_and_slots_api(client: AsyncTestClient) -> None:
    headers = await _doctor(client)
    bad = await client.post(
        "/api/doctors/me/travel-windows",
        json={"starts_on": "2030-02-10", "ends_on": "2030-02-01"},
        headers=headers,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "ends_on"
    window = await client.post(
        "/api/doctors/me/travel-windows",
        json={"starts_on": "2030-02-01", "ends_on": "2030-02-10"},
        headers=headers,
    )
    assert window.status_code == 201
    slot = await client.post(
        "/api/doctors/me/slots",
        json={"weekday": 1, "starts_at": "18:00", "ends_at": "20:00"},
        headers=headers,
    )
    assert slot.status_code == 201 and slot.json()["starts_at"] == "18:00"
    bad_slot = await client.post(
        "/api/doctors/me/slots",
        json={"weekday": 9, "starts_at": "18:00", "ends_at": "20:00"},
        headers=headers,
    )
    assert bad_slot.status_code == 422 and bad_slot.json()["field"] == "weekday"
    profile = (await client.get("/api/doctors/me")).json()
    assert len(profile["travel_windows"]) == 1 and len(profile["slots"]) == 1
    for url in (
        f"/api/doctors/me/travel-windows/{window.json()['id']}",
        f"/api/doctors/me/slots/{slot.json()['id']}",
    ):
        assert (await client.delete(url, headers=headers)).status_code == 204
        assert (await client.delete(url, headers=headers)).status_code == 404


async def test_other_roles_cannot_use_the_doctor_api(client: AsyncTestClient) -> None:
    await login(client, await make_head(await make_facility()))
    headers = await api_headers(client)
    assert (await client.get("/api/doctors/me")).status_code == 403
    assert (await client.get("/api/doctors/me/export")).status_code == 403
    assert (await client.delete("/api/doctors/me", headers=headers)).status_code == 403


async def test_another_doctor_cannot_touch_my_rows(client: AsyncTestClient) -> None:
    headers = await _doctor(client)
    slot = await client.post(
        "/api/doctors/me/slots",
        json={"weekday": 2, "starts_at": "09:00", "ends_at": "10:00"},
        headers=headers,
    )
    await login(client, await make_account(Role.DOCTOR))
    headers = await api_headers(client)
    gone = await client.delete(f"/api/doctors/me/slots/{slot.json()['id']}", headers=headers)
    assert gone.status_code == 404


async def test_export_and_delete(client: AsyncTestClient) -> None:
    account = await make_account(Role.DOCTOR, name="Rana Al-Homsi")
    await login(client, account)
    headers = await api_headers(client)
    await client.put("/api/doctors/me", json={"phone": "+44 20 7946 0000"}, headers=headers)
    export = await client.get("/api/doctors/me/export")
    assert export.status_code == 200
    assert export.json()["account"]["email"] == account.email
    assert export.json()["profile"]["phone"] == "+44 20 7946 0000"
    assert (await client.delete("/api/doctors/me", headers=headers)).status_code == 204
    assert await User.count().where(User.email == account.email) == 0
    assert await DoctorProfile.count() == 0
    assert (await client.get("/api/doctors/me")).status_code == 401


async def test_nul_bytes_are_a_field_error_not_a_crash(client: AsyncTestClient) -> None:
    headers = await _doctor(client)
    for field in ("city", "bio", "contact_email", "free_text_skills", "full_name"):
        response = await client.put("/api/doctors/me", json={field: "a\x00b"}, headers=headers)
        assert response.status_code == 422 and response.json()["field"] == field
