"""A confirmed mission's readiness checklist, on both engines: created once, owners and
due dates, the permission checked against the doctor's licences, done once (409 and
nothing changed the second time, also when two people mark it at once), undo by a
coordinator, "ready" only when every item is done, late items reminded once a day."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from pathlib import Path

import pytest

from matching.audit.tables import AuditEvent
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.mail.tables import Notification
from matching.missions import checklist
from matching.missions.access import load_mission
from matching.missions.schemas import ItemDone
from matching.missions.tables import MissionItem
from tests.factories import make_facility, make_head, make_need, make_proposal
from tests.missions.helpers import BEFORE, add_permit, confirmed_mission

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _items(pairing: int) -> dict[str, dict]:
    rows = await MissionItem.select().where(MissionItem.pairing == pairing).run()
    return {row["kind"]: row for row in rows}


async def test_checklist_created_once_with_owners_and_due_dates(db: str) -> None:
    world = await confirmed_mission()
    mission = await load_mission(world["proposal"])
    await asyncio.gather(*(checklist.ensure_checklist(mission) for _ in range(3)))
    items, ready = await checklist.checklist(world["doctor"], world["proposal"], BEFORE)
    await checklist.checklist(world["head"], world["proposal"], BEFORE)
    assert await MissionItem.count().where(MissionItem.pairing == world["proposal"]) == 6
    assert [(i.kind, i.owner) for i in items] == [
        ("permission", "coordinator"),
        ("travel_documents", "doctor"),
        ("insurance", "doctor"),
        ("emergency_contact", "doctor"),
        ("accommodation", "head"),
        ("briefing", "coordinator"),
    ]
    assert {i.due_on for i in items} == {date(2026, 2, 16)}
    assert not ready
    assert [i.kind for i in items if i.can_mark] == [
        "travel_documents",
        "insurance",
        "emergency_contact",
    ]


async def test_strangers_and_other_needs_see_no_checklist(db: str) -> None:
    world = await confirmed_mission()
    stranger = await make_head(await make_facility())
    with pytest.raises(NotFound):
        await checklist.checklist(stranger, world["proposal"], BEFORE)
    mentorship = await confirmed_mission()
    from matching.facilities.tables import Need

    await Need.update({Need.kind: "mentorship"}).where(Need.id == mentorship["need"]).run()
    with pytest.raises(NotFound):
        await checklist.checklist(mentorship["doctor"], mentorship["proposal"], BEFORE)


async def test_permission_is_checked_against_the_doctors_licences(db: str, tmp_path: Path) -> None:
    world = await confirmed_mission()
    coordinator, pairing = world["coordinator"], world["proposal"]
    await checklist.checklist(coordinator, pairing, BEFORE)

    async def attempt() -> None:
        await checklist.mark_done(
            coordinator, pairing, "permission", ItemDone(), uploads_dir=tmp_path, today=BEFORE
        )

    with pytest.raises(ValidationFailed) as caught:
        await attempt()
    assert set(caught.value.errors) == {"permission"}
    assert "2026-03-11" in caught.value.errors["permission"]
    # A foreign licence, an unverified permit, a permit ending before the mission: no.
    await add_permit(world["doctor_id"], scope="foreign", country="DE")
    await add_permit(world["doctor_id"], state="pending")
    await add_permit(world["doctor_id"], expires_on=date(2026, 3, 5))
    with pytest.raises(ValidationFailed):
        await attempt()
    assert (await _items(pairing))["permission"]["state"] == "open"
    # The doctor cannot mark it (a coordinator's item).
    with pytest.raises(Forbidden):
        await checklist.mark_done(
            world["doctor"], pairing, "permission", ItemDone(), uploads_dir=tmp_path, today=BEFORE
        )
    good = await add_permit(world["doctor_id"], scope="syria_registration")
    await attempt()
    item = (await _items(pairing))["permission"]
    assert (item["state"], item["licence"], item["done_by"]) == ("done", good, coordinator.id)


async def test_item_done_twice_is_refused_and_changes_nothing(db: str, tmp_path: Path) -> None:
    world = await confirmed_mission()
    pairing = world["proposal"]
    view = await checklist.mark_done(
        world["doctor"],
        pairing,
        "insurance",
        ItemDone(
            done_on=BEFORE - timedelta(days=2), note="Policy 77", document=PDF, filename="p.pdf"
        ),
        uploads_dir=tmp_path,
        today=BEFORE,
    )
    assert view.state == "done" and view.has_document
    before = await _items(pairing)
    with pytest.raises(Conflict) as caught:
        await checklist.mark_done(
            world["coordinator"],
            pairing,
            "insurance",
            ItemDone(note="other"),
            uploads_dir=tmp_path,
            today=BEFORE,
        )
    assert "already marked done (on 2026-02-08)" in caught.value.message
    assert await _items(pairing) == before
    events = await AuditEvent.count().where(AuditEvent.action == "mission_item.done").run()
    assert events == 1
    assert len(list((tmp_path / "licences").iterdir())) == 1  # the refused one stored nothing


async def test_bad_input_names_the_field(db: str, tmp_path: Path) -> None:
    world = await confirmed_mission()
    with pytest.raises(ValidationFailed) as caught:
        await checklist.mark_done(
            world["doctor"],
            world["proposal"],
            "travel_documents",
            ItemDone(done_on=BEFORE + timedelta(days=1), note="x" * 1001, document=b"hello"),
            uploads_dir=tmp_path,
            today=BEFORE,
        )
    assert set(caught.value.errors) == {"done_on", "note", "document"}
    with pytest.raises(NotFound):
        await checklist.mark_done(
            world["doctor"], world["proposal"], "visa", ItemDone(), uploads_dir=tmp_path
        )
    assert (await _items(world["proposal"]))["travel_documents"]["state"] == "open"


async def test_ready_only_when_every_item_is_done_and_undo(db: str, tmp_path: Path) -> None:
    world = await confirmed_mission()
    pairing = world["proposal"]
    await add_permit(world["doctor_id"])
    owners = {
        "permission": world["coordinator"],
        "travel_documents": world["doctor"],
        "insurance": world["doctor"],
        "emergency_contact": world["doctor"],
        "accommodation": world["head"],
        "briefing": world["coordinator"],
    }
    for n, (kind, who) in enumerate(owners.items()):
        _, ready = await checklist.checklist(world["doctor"], pairing, BEFORE)
        assert not ready, f"ready after {n} items"
        await checklist.mark_done(
            who, pairing, kind, ItemDone(), uploads_dir=tmp_path, today=BEFORE
        )
    items, ready = await checklist.checklist(world["head"], pairing, BEFORE)
    assert ready and all(i.state == "done" for i in items)
    with pytest.raises(Forbidden):
        await checklist.undo(world["doctor"], pairing, "insurance", uploads_dir=tmp_path)
    await checklist.undo(world["coordinator"], pairing, "insurance", uploads_dir=tmp_path)
    _, ready = await checklist.checklist(world["doctor"], pairing, BEFORE)
    assert not ready
    with pytest.raises(Conflict):
        await checklist.undo(world["coordinator"], pairing, "insurance", uploads_dir=tmp_path)


async def test_two_people_marking_the_same_item_at_once(db: str, tmp_path: Path) -> None:
    """On PostgreSQL each call has its own connection: the conditional UPDATE lets one win."""
    world = await confirmed_mission()
    for _ in range(20):
        need = await make_need(world["facility"])
        pairing = await make_proposal(need, world["doctor_id"], state="confirmed")
        await checklist.ensure_checklist(await load_mission(pairing))
        results = await asyncio.gather(
            checklist.mark_done(
                world["doctor"],
                pairing,
                "insurance",
                ItemDone(note="doctor"),
                uploads_dir=tmp_path,
                today=BEFORE,
            ),
            checklist.mark_done(
                world["coordinator"],
                pairing,
                "insurance",
                ItemDone(note="coordinator"),
                uploads_dir=tmp_path,
                today=BEFORE,
            ),
            return_exceptions=True,
        )
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        assert sum(not isinstance(r, BaseException) for r in results) == 1
        events = (
            await AuditEvent.count()
            .where(AuditEvent.action == "mission_item.done", AuditEvent.subject_id == pairing)
            .run()
        )
        assert events == 1
        item = (await _items(pairing))["insurance"]
        winner = next(r for r in results if not isinstance(r, BaseException))
        assert item["note"] == winner.note


async def test_late_items_reach_their_owners_once_a_day(db: str, tmp_path: Path) -> None:
    world = await confirmed_mission()
    pairing = world["proposal"]
    await checklist.mark_done(
        world["doctor"], pairing, "insurance", ItemDone(), uploads_dir=tmp_path, today=BEFORE
    )
    late_day = date(2026, 2, 20)
    # Nobody looked at another confirmed mission: late_items creates its checklist.
    other = await confirmed_mission()
    late = await checklist.late_items(late_day)
    mine = [i for i in late if i.pairing_id == pairing]
    assert sorted(i.kind for i in mine) == sorted(
        ["permission", "travel_documents", "emergency_contact", "accommodation", "briefing"]
    )
    assert {i.pairing_id for i in late} == {pairing, other["proposal"]}
    by_kind = {i.kind: i for i in mine}
    assert by_kind["travel_documents"].user_ids == [world["doctor"].id]
    assert by_kind["accommodation"].user_ids == [world["head"].id]
    assert world["coordinator"].id in by_kind["briefing"].user_ids
    assert await checklist.late_items(date(2026, 2, 16)) == []  # due that day: not late yet
    first = await checklist.remind_late(late_day)
    assert first > 0
    assert await checklist.remind_late(late_day) == 0
    doctor_notes = await Notification.count().where(Notification.user == world["doctor"].id)
    assert doctor_notes == 2  # travel documents, emergency contact
    assert await checklist.remind_late(late_day + timedelta(days=1)) == first
