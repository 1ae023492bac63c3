"""A need's acceptable specialties (the specialty floor) on the form and the JSON API."""

from __future__ import annotations

from matching.facilities.tables import Need
from tests.factories import (
    api_headers,
    login,
    make_account,
    make_facility,
    make_head,
    make_rankable_doctor,
    make_rankable_need,
    post_form,
)

MISSION = {
    "kind": "mission",
    "title": "Trauma theatre mission",
    "specialty": "orthopaedics_trauma",
    "languages": "ar",
    "urgency": "urgent",
    "places": "2",
    "starts_on": "2027-03-01",
    "ends_on": "2027-03-14",
}


async def test_form_widens_narrows_and_keeps_the_choice(client) -> None:
    facility = await make_facility()
    await login(client, await make_head(facility))
    page = await client.get(f"/needs/new?facility={facility}")
    assert 'name="specialty_scope" value="usual" checked' in page.text
    assert 'name="acceptable_specialties" value="general_surgery"' in page.text
    widened = {
        **MISSION,
        "facility": facility,
        "action": "publish",
        "specialty_scope": "chosen",
        "acceptable_specialties": ["general_surgery", "plastic_reconstructive_surgery"],
    }
    response = await post_form(client, "/needs/new", widened)
    assert response.status_code == 200, response.text
    need = await Need.select().first().run()
    assert need["acceptable_specialties"] == (
        "orthopaedics_trauma,general_surgery,plastic_reconstructive_surgery"
    )
    assert need["any_specialty"] is False
    edit = await client.get(f"/needs/{need['id']}/edit")
    assert 'name="specialty_scope" value="chosen" checked' in edit.text
    assert 'value="plastic_reconstructive_surgery" checked' in edit.text
    # Back to the usual list: stored empty, so it follows the taxonomy.
    response = await post_form(
        client, f"/needs/{need['id']}/edit", {**MISSION, "specialty_scope": "usual"}
    )
    assert response.status_code == 200, response.text
    need = await Need.select().first().run()
    assert need["acceptable_specialties"] == "" and need["any_specialty"] is False
    edit = await client.get(f"/needs/{need['id']}/edit")
    assert "Orthopaedic and Trauma Surgery" in edit.text


async def test_form_refuses_an_unknown_specialty_at_the_field(client) -> None:
    facility = await make_facility()
    await login(client, await make_head(facility))
    bad = {
        **MISSION,
        "facility": facility,
        "action": "publish",
        "specialty_scope": "chosen",
        "acceptable_specialties": ["general_surgery", "surgeryy"],
    }
    response = await post_form(client, "/needs/new", bad)
    assert response.status_code == 422
    assert "unknown specialty: surgeryy" in response.text
    assert 'value="general_surgery" checked' in response.text  # the input is kept
    response = await post_form(
        client, "/needs/new", {**MISSION, "facility": facility, "specialty_scope": "some"}
    )
    assert response.status_code == 422
    assert "choose the usual specialties, the ones ticked, or any specialty" in response.text
    assert await Need.count() == 0


async def test_api_sets_and_shows_the_floor(client) -> None:
    facility = await make_facility()
    await login(client, await make_head(facility))
    headers = await api_headers(client)
    body = {**MISSION, "places": 2, "languages": ["ar"], "facility_id": facility}
    created = await client.post(
        "/api/needs", json={**body, "acceptable_specialties": ["general_surgery"]}, headers=headers
    )
    assert created.status_code == 201, created.text
    shown = (await client.get(f"/api/needs/{created.json()['id']}")).json()
    assert shown["acceptable_specialties"] == "orthopaedics_trauma,general_surgery"
    assert shown["acceptable_list"] == ["orthopaedics_trauma", "general_surgery"]
    usual = await client.post("/api/needs", json=body, headers=headers)
    shown = (await client.get(f"/api/needs/{usual.json()['id']}")).json()
    assert shown["acceptable_list"] == ["orthopaedics_trauma"]
    workshop = {
        **body,
        "kind": "training",
        "topic": "First aid",
        "audience_size": 20,
        "any_specialty": True,
    }
    anyone = await client.post("/api/needs", json=workshop, headers=headers)
    assert anyone.status_code == 201, anyone.text
    shown = (await client.get(f"/api/needs/{anyone.json()['id']}")).json()
    assert shown["any_specialty"] is True and shown["acceptable_list"] is None
    bad = await client.post(
        "/api/needs", json={**body, "acceptable_specialties": ["dentist"]}, headers=headers
    )
    assert bad.status_code == 422
    assert bad.json()["errors"]["acceptable_specialties"] == "unknown specialty: dentist"


async def test_run_page_shows_the_places_left_open_with_the_specialty_rule(client) -> None:
    """The trauma mission asks for two surgeons; one orthopaedic surgeon and one
    neonatologist travel: one proposal, one place open, the report says why."""
    from matching.accounts.tables import Role
    from matching.pairings import runs

    await make_rankable_doctor(specialty="orthopaedics_trauma")
    await make_rankable_doctor(specialty="neonatology")
    need = await make_rankable_need(places=2, specialty="orthopaedics_trauma")
    run_id = await runs.create_run("full")
    run = await runs.execute_run(run_id)
    assert run["proposals_made"] == 1
    await login(client, await make_account(Role.COORDINATOR))
    page = await client.get(f"/coordinator/runs/{run_id}")
    assert "1 of 2 places stay open" in page.text
    assert "Not enough doctors of a specialty acceptable for this need" in page.text
    shown = (await client.get(f"/api/runs/{run_id}")).json()
    (report,) = shown["unfillable"]
    assert report["need_id"] == need and report["places_left"] == 2 and report["eligible"] == 1
    assert report["reasons"] == ["specialty"]
