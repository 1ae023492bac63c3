"""Doctor pages through the real app: profile, licences, availability, privacy, data."""

from __future__ import annotations

import re
from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role, User
from matching.doctors.profile import my_profile
from matching.doctors.tables import DoctorProfile, Licence
from matching.facilities.tables import Need
from matching.pairings.tables import Proposal
from tests.factories import csrf_token, login, make_account, make_facility, make_head, post_form
from tests.forms import PROFILE_FORM

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _signed_in_doctor(client: AsyncTestClient):
    account = await make_account(Role.DOCTOR)
    await login(client, account)
    return account


async def _upload(client: AsyncTestClient, content: bytes, name: str = "licence.pdf", **fields):
    data = {
        "issuer_country": "DE",
        "authority": "Ärztekammer Berlin",
        "number": "BE-2024-77",
        "expires_on": (date.today() + timedelta(days=365)).isoformat(),
        **fields,
        "_csrf_token": csrf_token(client),
    }
    return await client.post(
        "/doctors/me/licences",
        data=data,
        files={"document": (name, content, "application/pdf")},
    )


async def test_first_visit_creates_profile_and_suggests_browser_zone(
    client: AsyncTestClient,
) -> None:
    account = await _signed_in_doctor(client)
    response = await client.get("/doctors/me/profile")
    assert response.status_code == 200
    assert await DoctorProfile.count().where(DoctorProfile.user == account.id) == 1
    assert 'data-browser-default="true"' in response.text
    assert '<option value="" selected' not in response.text  # empty option, none selected
    assert re.search(r"/static/js/doctor-profile\.[0-9a-f]{10}\.js", response.text)
    assert "Neonatology" in response.text
    assert "search-specialty" not in response.text, "the search box is added by the script"


async def test_profile_form_saves_and_reports_errors_next_to_fields(
    client: AsyncTestClient,
) -> None:
    await _signed_in_doctor(client)
    bad = {**PROFILE_FORM, "timezone": "Europe/Atlantis", "years_experience": "-3"}
    response = await post_form(client, "/doctors/me/profile", bad)
    assert response.status_code == 422
    assert 'id="timezone-error"' in response.text
    assert "is not a known time zone; choose one from the list" in response.text
    assert 'id="years_experience-error"' in response.text
    assert 'value="+49 30 1234567"' in response.text, "what was typed is kept"
    response = await post_form(client, "/doctors/me/profile", PROFILE_FORM)
    assert response.status_code == 200 and "Your profile is saved." in response.text
    assert '<option value="Europe/Berlin" selected' in response.text
    assert '<option value="consultant" selected' in response.text


async def test_licence_upload_checks_the_content(client: AsyncTestClient) -> None:
    await _signed_in_doctor(client)
    await client.get("/doctors/me/licences")
    response = await _upload(client, b"<html>hello</html>", "fake.pdf")
    assert response.status_code == 422
    assert 'id="document-error"' in response.text
    assert "must be a PDF, PNG or JPEG file" in response.text
    response = await _upload(client, PDF + b" " * (5 * 1024 * 1024), "big.pdf")
    assert response.status_code == 422 and "the file is too large (at most 5 MB)" in response.text
    response = await _upload(client, PDF, expires_on="")
    assert response.status_code == 422 and 'id="expires_on-error"' in response.text
    assert await Licence.count() == 0
    response = await _upload(client, PDF)
    assert response.status_code == 200
    assert "badge-pending" in response.text and "licence.pdf" in response.text


async def test_expired_licence_is_saved_only_when_confirmed(client: AsyncTestClient) -> None:
    account = await _signed_in_doctor(client)
    await client.get("/doctors/me/licences")
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    refused = await _upload(client, PDF, expires_on=yesterday)
    assert refused.status_code == 422 and await Licence.count() == 0
    assert f"expired on {yesterday}, so it would never count as valid" in refused.text
    assert 'name="confirm_expired"' in refused.text, "the warning offers to save it anyway"
    assert 'value="BE-2024-77"' in refused.text, "what was typed is kept"
    response = await _upload(client, PDF, expires_on=yesterday, confirm_expired="1")
    assert response.status_code == 200 and "badge-expired" in response.text
    assert "saved as expired: it will not count as valid" in response.text
    licence = await Licence.select().first()
    assert licence["state"] == "pending"
    profile = await my_profile(account)
    assert profile.licence_verified_until() is None, "an expired licence never counts valid"


async def test_licence_document_privacy_and_coordinator_verification(
    client: AsyncTestClient,
) -> None:
    doctor = await _signed_in_doctor(client)
    await client.get("/doctors/me/licences")
    await _upload(client, PDF)
    licence = await Licence.select().first()
    url = f"/doctors/licences/{licence['id']}/document"
    own = await client.get(url)
    assert own.status_code == 200 and own.content == PDF
    assert own.headers["content-type"].startswith("application/pdf")

    await login(client, await make_account(Role.DOCTOR))
    assert (await client.get(url)).status_code == 403
    await login(client, await make_head(await make_facility()))
    assert (await client.get(url)).status_code == 403

    await login(client, await make_account(Role.COORDINATOR))
    assert (await client.get(url)).status_code == 200
    page = await client.get("/coordinator/licences")
    assert page.status_code == 200 and "BE-2024-77" in page.text
    response = await post_form(client, f"/coordinator/licences/{licence['id']}/reject", {})
    assert response.status_code == 422 and f'id="note_{licence["id"]}-error"' in response.text
    response = await post_form(
        client,
        f"/coordinator/licences/{licence['id']}/reject",
        {"note": "The scan is unreadable; please upload a clearer copy."},
    )
    assert response.status_code == 200 and "No licence is waiting" in response.text
    again = await post_form(client, f"/coordinator/licences/{licence['id']}/verify", {})
    assert again.status_code == 409

    await login(client, doctor)
    mine = await client.get("/doctors/me/licences")
    assert "badge-rejected" in mine.text and "The scan is unreadable" in mine.text


async def test_doctor_cannot_open_coordinator_licences(client: AsyncTestClient) -> None:
    await _signed_in_doctor(client)
    assert (await client.get("/coordinator/licences")).status_code == 403


async def test_availability_forms(client: AsyncTestClient) -> None:
    await _signed_in_doctor(client)
    await post_form(client, "/doctors/me/profile", {**PROFILE_FORM, "timezone": "America/Chicago"})
    response = await post_form(
        client,
        "/doctors/me/availability/windows",
        {"starts_on": "2030-06-10", "ends_on": "2030-06-01"},
    )
    assert response.status_code == 422
    assert 'id="ends_on-error"' in response.text and "must not be before the start date" in (
        response.text
    )
    response = await post_form(
        client,
        "/doctors/me/availability/windows",
        {"starts_on": "2030-06-01", "ends_on": "2030-06-10"},
    )
    assert response.status_code == 200
    response = await post_form(
        client,
        "/doctors/me/availability/slots",
        {"weekday": "1", "starts_at": "18:00", "ends_at": "20:00"},
    )
    assert response.status_code == 200
    assert "Your coming week in Damascus time" in response.text
    assert "18:00–20:00" in response.text
    # Damascus is 8 or 9 hours ahead of Chicago: Wednesday 02:00 or 03:00.
    assert "02:00–04:00" in response.text or "03:00–05:00" in response.text
    bad = await post_form(
        client,
        "/doctors/me/availability/slots",
        {"weekday": "1", "starts_at": "18:10", "ends_at": "18:10"},
    )
    assert bad.status_code == 422 and 'id="starts_at-error"' in bad.text


async def test_public_profile_hides_contact_until_confirmed(client: AsyncTestClient) -> None:
    doctor = await _signed_in_doctor(client)
    await post_form(client, "/doctors/me/profile", PROFILE_FORM)
    profile_id = (await DoctorProfile.select().first())["id"]
    url = f"/doctors/{profile_id}"
    own = await client.get(url)
    assert own.status_code == 200 and "+49 30 1234567" in own.text

    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    page = await client.get(url)
    assert page.status_code == 200
    assert "Neonatology" in page.text and "Germany" in page.text
    for private in ("+49 30 1234567", "omar.private@example.de", doctor.email):
        assert private not in page.text

    await login(client, await make_account(Role.DOCTOR))
    assert (await client.get(url)).status_code == 403

    await login(client, await make_account(Role.COORDINATOR))
    assert "omar.private@example.de" in (await client.get(url)).text

    need = await Need.insert(
        Need(facility=facility, kind="mission", title="NICU", specialty="neonatology")
    ).returning(Need.id)
    await Proposal.insert(Proposal(need=need[0]["id"], doctor=profile_id, state="confirmed"))
    await login(client, head)
    assert "omar.private@example.de" in (await client.get(url)).text


async def test_export_and_delete_account_pages(client: AsyncTestClient) -> None:
    doctor = await _signed_in_doctor(client)
    await post_form(client, "/doctors/me/profile", PROFILE_FORM)
    export = await client.get("/doctors/me/export")
    assert export.status_code == 200 and "attachment" in export.headers["content-disposition"]
    assert export.json()["profile"]["phone"] == "+49 30 1234567"
    response = await post_form(client, "/doctors/me/delete", {})
    assert response.status_code == 422 and 'id="confirm-error"' in response.text
    response = await post_form(client, "/doctors/me/delete", {"confirm": "1"})
    assert response.status_code == 200 and "Account deleted" in response.text
    assert await User.count().where(User.email == doctor.email) == 0
    after = await client.get("/doctors/me", follow_redirects=False)
    assert after.status_code in (302, 303)


async def test_taxonomy_search_in_both_languages(client: AsyncTestClient) -> None:
    await _signed_in_doctor(client)
    english = await client.get("/api/taxonomy/search", params={"q": "neonat", "kind": "specialty"})
    assert english.status_code == 200 and english.json()[0]["code"] == "neonatology"
    arabic = await client.get("/api/taxonomy/search", params={"q": "حديثي", "kind": "specialty"})
    assert "neonatology" in [hit["code"] for hit in arabic.json()]
    bad = await client.get("/api/taxonomy/search", params={"q": "x", "kind": "planet"})
    assert bad.status_code == 422 and bad.json()["field"] == "kind"


async def test_service_layer_sees_the_page_changes(client: AsyncTestClient) -> None:
    doctor = await _signed_in_doctor(client)
    await post_form(client, "/doctors/me/profile", PROFILE_FORM)
    profile = await my_profile(doctor)
    assert profile.languages == {"ar": "native", "de": "fluent"}
    assert set(profile.modes) == {"mission", "mentorship"}
