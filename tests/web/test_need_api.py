"""The needs JSON API, and pages that keep working when the job queue does not."""

from __future__ import annotations

import logging

from matching.audit.tables import AuditEvent
from matching.facilities.tables import Need
from tests.factories import api_headers, login, make_facility, make_head, post_form
from web.app import _UnreachableQueue

MENTORSHIP = {
    "kind": "mentorship",
    "title": "ICU nursing mentorship",
    "specialty": "critical_care",
    "urgency": "urgent",
    "mentee_name": "Dr. Hala",
    "weekly_hours": 2,
    "months": 4,
    "slots": [{"weekday": 2, "start": "18:00", "end": "20:00"}],
}


async def test_api_creates_validates_and_changes_status(client) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    headers = await api_headers(client)
    bad = await client.post(
        "/api/needs",
        json={**MENTORSHIP, "facility_id": facility, "weekly_hours": 0},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"]["weekly_hours"] == "a mentorship needs weekly hours above zero"
    wrong_type = await client.post(
        "/api/needs", json={**MENTORSHIP, "facility_id": "x"}, headers=headers
    )
    assert wrong_type.status_code == 422 and wrong_type.json()["field"] == "facility_id"
    created = await client.post(
        "/api/needs", json={**MENTORSHIP, "facility_id": facility}, headers=headers
    )
    assert created.status_code == 201, created.text
    need_id = created.json()["id"]
    shown = (await client.get(f"/api/needs/{need_id}")).json()
    assert shown["status"] == "draft" and shown["slots"][0]["starts_at"] == "18:00:00"
    published = await client.post(
        f"/api/needs/{need_id}/status", json={"status": "open"}, headers=headers
    )
    assert published.json() == {"status": "open", "withdrawn": 0}
    updated = await client.post(
        f"/api/needs/{need_id}",
        json={**MENTORSHIP, "facility_id": facility, "title": "ICU mentorship"},
        headers=headers,
    )
    assert updated.status_code == 200 and updated.json()["status"] == "open"
    illegal = await client.post(
        f"/api/needs/{need_id}/status", json={"status": "filled"}, headers=headers
    )
    assert illegal.status_code == 409
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.before, AuditEvent.after).where(
        AuditEvent.subject_type == "need"
    )
    actions = [e["action"] for e in events]
    assert actions.count("need.created") == 1 and actions.count("need.updated") == 1
    change = next(e for e in events if e["action"] == "need.status_changed")
    assert '"draft"' in str(change["before"]) and '"open"' in str(change["after"])


async def test_page_works_when_the_queue_is_down(client, app, caplog) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    app.state.queue = _UnreachableQueue()
    data = {
        "facility": facility,
        "action": "publish",
        "kind": "training",
        "title": "Psychological first aid",
        "specialty": "psychiatry",
        "topic": "PFA",
        "audience_size": "20",
        "remote": "1",
    }
    with caplog.at_level(logging.WARNING, logger="web.facilities"):
        response = await post_form(client, "/needs/new", data)
    assert response.status_code == 200
    assert "Proposals for your new need will be computed shortly." in response.text
    assert "job queue unreachable" in caplog.text
    assert (await Need.select(Need.status).first().run())["status"] == "open"
