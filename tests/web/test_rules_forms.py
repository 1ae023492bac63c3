"""Language levels on needs and licence scopes through every input channel, and the
pages that show them (English and Arabic)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from litestar.testing import AsyncTestClient

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.doctors.tables import DoctorLanguage, Licence
from matching.facilities.tables import Need
from matching.pairings import runs
from tests.factories import (
    api_headers,
    csrf_token,
    login,
    make_account,
    make_facility,
    make_head,
    make_rankable_doctor,
    make_rankable_need,
    post_form,
)
from tests.forms import MENTORSHIP
from tests.pages import switch_language

SYRIA = "syria_registration"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
API_MENTORSHIP = {
    "kind": "mentorship",
    "title": "ICU nursing mentorship",
    "specialty": "critical_care",
    "mentee_name": "Dr. Hala",
    "weekly_hours": 2,
    "months": 4,
    "languages": ["ar", "en"],
    "slots": [{"weekday": 2, "start": "18:00", "end": "20:00"}],
}


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_api_takes_a_level_per_language_and_names_a_bad_one(client) -> None:
    facility = await make_facility()
    await login(client, await make_head(facility))
    headers = await api_headers(client)
    body = {**API_MENTORSHIP, "facility_id": facility}
    bad = await client.post(
        "/api/needs", json={**body, "language_levels": {"ar": "expert"}}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"]["language_levels"] == (
        "unknown level for ar: choose basic, working, fluent or native"
    )
    unasked = await client.post(
        "/api/needs", json={**body, "language_levels": {"fr": "fluent"}}, headers=headers
    )
    assert unasked.status_code == 422
    assert "fr, a language the need does not ask for" in unasked.json()["errors"]["language_levels"]
    assert await Need.count() == 0
    created = await client.post(
        "/api/needs", json={**body, "language_levels": {"ar": "fluent"}}, headers=headers
    )
    assert created.status_code == 201, created.text
    shown = (await client.get(f"/api/needs/{created.json()['id']}")).json()
    assert shown["language_minimums"] == {"ar": "fluent"}
    assert shown["languages_list"] == ["ar", "en"]


async def test_form_level_select_beside_each_language(client) -> None:
    facility = await make_facility()
    await login(client, await make_head(facility))
    page = await client.get(f"/needs/new?facility={facility}")
    assert 'name="level_ar"' in page.text and 'name="level_en"' in page.text
    bad = {**MENTORSHIP, "facility": facility, "action": "publish", "level_ar": "expert"}
    response = await post_form(client, "/needs/new", bad)
    assert response.status_code == 422
    assert 'id="language_levels-error"' in response.text
    assert "unknown level for ar" in response.text
    assert await Need.count() == 0
    good = {**MENTORSHIP, "facility": facility, "action": "publish", "level_ar": "fluent"}
    # A level beside a language not ticked is not a requirement.
    response = await post_form(client, "/needs/new", {**good, "level_en": "native"})
    assert response.status_code == 200, response.text
    need = await Need.select().first().run()
    assert need["language_levels"] == "ar:fluent"
    shown = await client.get(f"/needs/{need['id']}")
    assert "Arabic (at least Fluent)" in _text(shown.text)
    edit = await client.get(f"/needs/{need['id']}/edit")
    assert re.search(r'<option value="fluent"\s+selected>', edit.text), "the edit form keeps it"
    await switch_language(client, "ar")
    shown = await client.get(f"/needs/{need['id']}")
    assert "على الأقل" in shown.text


HEADER = (
    "facility_id,kind,title,specialty,skills,languages,urgency,places,starts_on,ends_on,"
    "mentee_name,weekly_hours,months,slots,topic,audience_size,remote,status,language_levels"
)


async def test_csv_import_reads_and_checks_levels(client) -> None:
    facility = await make_facility()
    await login(client, await make_account(Role.COORDINATOR))
    rows = [
        f"{facility},mission,Fluent mission,orthopaedics_trauma,,ar;en,urgent,2,"
        "2027-01-01,2027-01-10,,,,,,,,open,ar:fluent; en:working",
        f"{facility},mission,Bad level,orthopaedics_trauma,,ar,urgent,2,"
        "2027-01-01,2027-01-10,,,,,,,,open,ar:expert",
        f"{facility},mission,No colon,orthopaedics_trauma,,ar,urgent,2,"
        "2027-01-01,2027-01-10,,,,,,,,open,ar fluent",
    ]
    text = HEADER + "\n" + "\n".join(rows) + "\n"
    response = await post_form(
        client,
        "/needs/import",
        {"mode": "import"},
        files={"file": ("needs.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert '<td>3</td><td class="ltr">language_levels</td>' in response.text
    assert '<td>4</td><td class="ltr">language_levels</td>' in response.text
    assert "<td>2</td>" not in response.text
    clean = HEADER + "\n" + rows[0] + "\n"
    done = await post_form(
        client,
        "/needs/import",
        {"mode": "import"},
        files={"file": ("needs.csv", clean.encode(), "text/csv")},
    )
    assert done.status_code == 200 and "1 row imported" in done.text
    need = await Need.select(Need.language_levels).first().run()
    assert need["language_levels"] == "ar:fluent,en:working"


async def _upload(client: AsyncTestClient, **fields: str):
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
        files={"document": ("licence.pdf", PDF, "application/pdf")},
    )


async def test_doctor_states_the_scope_and_the_coordinator_verifies_it(client) -> None:
    doctor = await make_account(Role.DOCTOR)
    await login(client, doctor)
    page = await client.get("/doctors/me/licences")
    assert 'name="scope"' in page.text
    foreign_permit = await _upload(client, scope="syria_registration")
    assert foreign_permit.status_code == 422 and 'id="scope-error"' in foreign_permit.text
    assert "choose Syria as the issuing country" in foreign_permit.text
    unknown = await _upload(client, scope="everywhere")
    assert unknown.status_code == 422 and 'id="scope-error"' in unknown.text
    assert await Licence.count() == 0
    created = await _upload(
        client,
        issuer_country="SY",
        authority="Syrian Medical Association",
        scope="syria_registration",
    )
    assert created.status_code == 200
    assert "Registration with the Syrian authorities" in created.text
    licence = await Licence.select().first().run()
    assert licence["scope"] == "syria_registration" and licence["state"] == "pending"

    await login(client, await make_account(Role.COORDINATOR))
    review = await client.get("/coordinator/licences")
    assert 'name="scope"' in review.text and "The doctor states:" in review.text
    wrong = await post_form(
        client, f"/coordinator/licences/{licence['id']}/verify", {"scope": "nowhere"}
    )
    assert wrong.status_code == 422 and f'id="scope_{licence["id"]}-error"' in wrong.text
    # The coordinator finds a temporary permit, not a registration.
    done = await post_form(
        client,
        f"/coordinator/licences/{licence['id']}/verify",
        {"scope": "syria_temporary_permit"},
    )
    assert done.status_code == 200
    stored = await Licence.select().first().run()
    assert stored["state"] == "verified" and stored["scope"] == "syria_temporary_permit"
    event = await AuditEvent.select().where(AuditEvent.action == "licence.verified").first()
    assert '"syria_temporary_permit"' in str(event["after"])


async def test_unfillable_report_names_the_rules_in_both_languages(client) -> None:
    doctor = await make_rankable_doctor(languages=("ar",))
    await (
        DoctorLanguage.update({DoctorLanguage.level: "working"})
        .where(DoctorLanguage.doctor == doctor)
        .run()
    )
    fluent = await make_rankable_need()
    await Need.update({Need.language_levels: "ar:fluent"}).where(Need.id == fluent).run()
    in_person = await make_rankable_need(requires_licence=True)
    run = await runs.execute_run(await runs.create_run("full"))
    reasons = {u["need_id"]: u["reasons"] for u in run["outcome"]["unfillable"]}
    assert reasons == {fluent: ["language_level"], in_person: ["syria_permission"]}
    await login(client, await make_account(Role.COORDINATOR))
    await switch_language(client, "en")
    page = _text((await client.get(f"/coordinator/runs/{run['id']}")).text)
    assert "No doctor speaks a language this need asks for at the level it asks" in page
    assert "Needs Fluent Arabic; the doctors who speak it: Working at best." in page
    assert "No doctor holds a verified permission to practise in Syria" in page
    assert "1 of 1 doctors hold no verified permission to practise in Syria for it" in page
    await switch_language(client, "ar")
    page = _text((await client.get(f"/coordinator/runs/{run['id']}")).text)
    assert "No doctor speaks" not in page and "Needs Fluent" not in page
    assert "سوريا" in page
