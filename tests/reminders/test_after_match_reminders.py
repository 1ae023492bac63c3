"""Reminders of the work after the match, in the daily digest: a mentorship session
tomorrow in the reader's own zone, a post-test not taken, a late readiness item."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from matching.accounts.tables import Role, User
from matching.mail.tables import OutboxMail
from matching.mentorship.tables import Mentorship, MentorshipSession
from matching.people.tables import FacilityPerson
from matching.reminders.digest import send_digests
from matching.reminders.sources import (
    late_mission_items,
    post_tests_not_taken,
    sessions_tomorrow,
)
from matching.workshops.tables import Workshop, WorkshopAttendee, WorkshopTest
from tests.factories import (
    make_account,
    make_doctor,
    make_facility,
    make_head,
    make_need,
    make_proposal,
)

#: Friday 27 November 2026, 08:00 UTC (09:00 in Berlin, 11:00 in Damascus).
NOW = datetime(2026, 11, 27, 8, tzinfo=UTC)


async def _insert(table: type, **values: object) -> int:
    rows = await table.insert(table(**values)).returning(table.id).run()
    return rows[0]["id"]


async def test_a_session_tomorrow_reaches_mentor_and_mentee_in_their_zones(db: str) -> None:
    facility = await make_facility()
    await make_head(facility)
    doctor, doctor_id = await make_doctor(tz="Europe/Berlin")
    await User.update({User.timezone: "Europe/Berlin"}).where(User.id == doctor.id).run()
    mentee = await make_account(Role.LOCAL_CLINICIAN, language="ar")
    await User.update({User.timezone: "Asia/Damascus"}).where(User.id == mentee.id).run()
    person = await _insert(
        FacilityPerson,
        facility=facility,
        name_en="Sami",
        name_ar="سامي",
        clinical_role="resident",
        user=mentee.id,
    )
    pairing = await make_proposal(
        await make_need(facility, kind="mentorship"), doctor_id, state="confirmed"
    )
    mentorship = await _insert(Mentorship, pairing=pairing, mentee=person)
    # Saturday 22:30 UTC: still Saturday in Berlin (23:30), Sunday in Damascus (01:30).
    late = datetime(2026, 11, 28, 22, 30, tzinfo=UTC)
    session = await _insert(
        MentorshipSession, mentorship=mentorship, starts_at=late, ends_at=late + timedelta(hours=1)
    )
    items = await sessions_tomorrow(NOW)
    assert [(i.user_id, i.key) for i in items] == [(doctor.id, f"session:{session}")]
    assert items[0].params["time"] == "23:30"
    # A day later the mentee's Sunday is tomorrow for them.
    later = await sessions_tomorrow(NOW + timedelta(days=1))
    assert [(i.user_id, i.params["time"]) for i in later] == [(mentee.id, "01:30")]

    report = await send_digests(NOW, "http://127.0.0.1:8000")
    assert report.digests == 1
    (mail,) = await OutboxMail.select().run()
    assert "A mentorship session tomorrow at 23:30, your time" in mail["body_text"]


async def test_a_post_test_not_taken_and_a_late_readiness_item(db: str) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    _, doctor_id = await make_doctor()
    clinician = await make_account(Role.LOCAL_CLINICIAN)
    person = await _insert(
        FacilityPerson,
        facility=facility,
        name_en="Huda",
        name_ar="هدى",
        clinical_role="nurse",
        user=clinician.id,
    )
    training = await make_proposal(
        await make_need(facility, kind="training", title="Triage workshop"),
        doctor_id,
        state="confirmed",
    )
    workshop = await _insert(Workshop, pairing=training, days="2026-11-25,2026-11-26")
    await _insert(WorkshopAttendee, workshop=workshop, person=person)
    await _insert(WorkshopTest, workshop=workshop, phase="post", questions="[]")
    (item,) = await post_tests_not_taken(NOW)
    assert item.user_id == clinician.id
    assert item.params["title"] == "Triage workshop"
    assert item.link == f"/workshops/{training}/tests/post"

    # A confirmed mission starting in a week: its items were due 14 days before.
    mission_need = await make_need(facility, title="Trauma mission")
    from matching.facilities.tables import Need

    start = date(2026, 12, 4)
    await (
        Need.update({Need.starts_on: start, Need.ends_on: start + timedelta(days=9)})
        .where(Need.id == mission_need)
        .run()
    )
    await make_proposal(mission_need, doctor_id, state="confirmed")
    late = await late_mission_items(NOW)
    owners = {i.user_id for i in late}
    assert head.id in owners
    head_items = [i for i in late if i.user_id == head.id]
    assert [i.params["item"] for i in head_items] == ["Accommodation and transport arranged"]
    assert head_items[0].params["item_ar"] != "Accommodation and transport arranged"
