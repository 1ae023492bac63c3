"""Facility heads post needs; ownership, status rules, ranking enqueue, closing."""

from __future__ import annotations

from matching.accounts.tables import Role
from matching.audit.tables import AuditEvent
from matching.errors import ValidationFailed
from matching.facilities.membership import heads_of
from matching.facilities.tables import LocalSlot, Need
from matching.pairings.loader import load_needs
from matching.pairings.need_fill import refresh_need_status
from matching.pairings.need_lifecycle import change_need
from matching.pairings.tables import Proposal, RankingRun
from tests.factories import login, make_account, make_facility, make_head, post_form, post_need
from tests.forms import MENTORSHIP
from web.facilities.forms import need_change_from_form


async def test_head_posts_a_mentorship_and_it_is_queued_for_ranking(client) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    page = await client.get(f"/needs/new?facility={facility}")
    assert page.status_code == 200
    assert "Local doctor to mentor" in page.text
    response = await post_form(
        client, "/needs/new", {**MENTORSHIP, "facility": facility, "action": "publish"}
    )
    assert response.status_code == 200, response.text
    # Published: the head's list of needs, newest first, says proposals follow.
    assert str(response.url).endswith("/needs/?sort=newest&notice=ranking")
    assert "Proposals for your new need will be computed shortly." in response.text
    need = await Need.select().first().run()
    assert need["status"] == "open" and need["facility"] == facility
    assert f'href="/needs/{need["id"]}"' in response.text
    assert "Dr. Ahmad Shami" in (await client.get(f"/needs/{need['id']}")).text
    slots = await LocalSlot.select().where(LocalSlot.need == need["id"]).run()
    assert [(s["weekday"], s["starts_at"].hour) for s in slots] == [(1, 19)]
    actions = [e["action"] for e in await AuditEvent.select(AuditEvent.action).run()]
    assert "need.created" in actions


async def test_form_names_the_problem_at_the_field(client) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    await login(client, head)
    bad = {**MENTORSHIP, "weekly_hours": "0", "facility": facility, "action": "publish"}
    response = await post_form(client, "/needs/new", bad)
    assert response.status_code == 422
    assert 'id="weekly_hours-error"' in response.text
    assert "a mentorship needs weekly hours above zero" in response.text
    mission = {
        **MENTORSHIP,
        "kind": "mission",
        "starts_on": "2027-03-10",
        "ends_on": "2027-03-01",
        "places": "0",
        "facility": facility,
    }
    response = await post_form(client, "/needs/new", mission)
    assert response.status_code == 422
    assert "cannot be before the start date" in response.text
    assert "must be between 1 and 50" in response.text
    assert await Need.count() == 0


async def test_head_cannot_see_or_edit_another_facilitys_needs(client) -> None:
    mine = await make_facility(name="Mine")
    theirs = await make_facility(name="Theirs")
    head = await make_head(mine)
    other_head = await make_head(theirs)
    draft = await post_need(theirs, MENTORSHIP, actor=other_head)
    await login(client, head)
    assert (await client.get(f"/needs/{draft}")).status_code == 404
    assert (await client.get(f"/needs/{draft}/edit")).status_code == 404
    response = await post_form(client, f"/needs/{draft}/edit", {**MENTORSHIP, "title": "hijack"})
    assert response.status_code == 404
    response = await post_form(client, f"/needs/{draft}/status", {"status": "open"})
    assert response.status_code == 403
    response = await post_form(
        client, "/needs/new", {**MENTORSHIP, "facility": theirs, "action": "draft"}
    )
    assert response.status_code == 422
    assert "You can only manage the facilities you head." in response.text
    listing = await client.get("/needs?status=all")
    assert "Neonatal mentorship" not in listing.text
    assert (await client.get(f"/facilities/{theirs}/edit")).status_code == 403
    api = await client.get(f"/api/needs/{draft}")
    assert api.status_code == 404
    row = await Need.select(Need.title, Need.status).where(Need.id == draft).first().run()
    assert row == {"title": "Neonatal mentorship", "status": "draft"}


async def _proposals(need_id: int, states: list[str]) -> None:
    run = await RankingRun.insert(RankingRun()).returning(RankingRun.id).run()
    for state in states:
        await Proposal.insert(Proposal(run=run[0]["id"], need=need_id, state=state)).run()


async def test_status_follows_confirmed_proposals(db) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    need = await post_need(facility, {**MENTORSHIP, "places": "2"}, actor=head, publish=True)
    assert await refresh_need_status(need) == "open"
    await _proposals(need, ["confirmed"])
    assert await refresh_need_status(need) == "partly_filled"
    await _proposals(need, ["confirmed", "proposed"])
    assert await refresh_need_status(need) == "filled"
    events = await AuditEvent.select().where(AuditEvent.action == "need.status_changed").run()
    assert len(events) == 2
    # A draft stays a draft whatever the proposals say.
    draft = await post_need(facility, MENTORSHIP, actor=head)
    await _proposals(draft, ["confirmed"])
    assert await refresh_need_status(draft) == "draft"


async def test_places_cannot_drop_below_confirmed(db) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    need = await post_need(facility, {**MENTORSHIP, "places": "2"}, actor=head, publish=True)
    await _proposals(need, ["confirmed", "confirmed"])
    await refresh_need_status(need)
    try:
        await change_need(need, need_change_from_form({**MENTORSHIP, "places": "1"}), actor=head)
    except ValidationFailed as exc:
        assert "places" in exc.errors
    else:
        raise AssertionError("places below confirmed was accepted")


async def test_closing_withdraws_pending_proposals_after_confirmation(client) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    need = await post_need(facility, MENTORSHIP, actor=head, publish=True)
    await _proposals(need, ["proposed", "approved", "rejected", "proposed"])
    await login(client, head)
    page = await client.get(f"/needs/{need}/close")
    assert "3 proposals waiting for review will be withdrawn" in page.text
    response = await post_form(client, f"/needs/{need}/close", {"reason": "found a doctor"})
    assert response.status_code == 200
    states = sorted(r["state"] for r in await Proposal.select(Proposal.state).run())
    assert states == ["rejected", "withdrawn", "withdrawn", "withdrawn"]
    assert (await Need.select(Need.status).first().run())["status"] == "closed"
    withdrawn = await AuditEvent.count().where(AuditEvent.action == "proposal.withdrawn")
    assert withdrawn == 3
    # A closed need cannot be cancelled or edited.
    response = await post_form(client, f"/needs/{need}/close", {"to": "cancelled"})
    assert response.status_code == 409


async def test_doctor_cannot_open_need_pages(client) -> None:
    doctor = await make_account(Role.DOCTOR)
    await login(client, doctor)
    assert (await client.get("/needs")).status_code == 403
    assert (await client.get("/needs/new")).status_code == 403
    assert (await client.get("/api/needs")).status_code == 403


async def test_cancel_goes_through_the_confirmation_page(client) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    need = await post_need(facility, MENTORSHIP, actor=head, publish=True)
    await _proposals(need, ["approved"])
    await login(client, head)
    response = await post_form(client, f"/needs/{need}/status", {"status": "cancelled"})
    assert response.status_code == 200
    assert "1 proposal waiting for review will be withdrawn" in response.text
    assert (await Need.select(Need.status).first().run())["status"] == "open"
    await post_form(client, f"/needs/{need}/close", {"to": "cancelled"})
    assert (await Need.select(Need.status).first().run())["status"] == "cancelled"
    assert (await Proposal.select(Proposal.state).first().run())["state"] == "withdrawn"


async def test_open_needs_are_loaded_for_ranking(db) -> None:
    facility = await make_facility(district="tadmur", rural=True)
    head = await make_head(facility)
    open_id = await post_need(
        facility, {**MENTORSHIP, "places": "2", "languages": ["ar", "en"]}, actor=head, publish=True
    )
    await post_need(facility, MENTORSHIP, actor=head)  # a draft: not ranked
    await _proposals(open_id, ["confirmed"])
    assert await refresh_need_status(open_id) == "partly_filled"
    needs = await load_needs()
    assert [n.id for n in needs] == [open_id]
    need = needs[0]
    assert need.places_left == 1 and need.rural is True
    assert need.skills == ("neonatal_resuscitation",)
    assert need.required_languages == frozenset({"ar", "en"})
    assert [(s.weekday, s.start.hour, s.end.hour) for s in need.local_slots] == [(1, 19, 21)]
    assert await load_needs([999]) == []
    assert [h.email for h in await heads_of(facility)] == [head.email]
