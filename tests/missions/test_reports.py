"""After a mission, on both engines: withdrawal (coordinators told, runner-up proposed),
the completion report's rules, the head's confirm or dispute, the pairing completed
(the need closes, or stays open for what remains) and each side's feedback."""

from __future__ import annotations

from pathlib import Path

import pytest

from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.tables import Need
from matching.feedback.schemas import FeedbackDraft
from matching.feedback.services import feedback_of
from matching.mail.tables import Notification, OutboxMail
from matching.missions import checklist, reports
from matching.missions.schemas import ItemDone, ReportDraft
from matching.missions.tables import MissionReport
from matching.pairings import transitions
from matching.pairings.tables import Proposal
from matching.people.schemas import PersonDraft
from matching.people.services import add_person
from tests.factories import make_facility, make_head
from tests.missions.helpers import AFTER, BEFORE, confirmed_mission


def _report(**overrides: object) -> ReportDraft:
    values: dict = {
        "days_on_site": 9,
        "patients": {"emergency": 40, "surgery": 12, "maternal": 7, "paediatric": 30},
        "procedures": "12 caesarean sections",
        "gaps": "no neonatal ventilator",
        "staff_trained": [],
    }
    values.update(overrides)
    return ReportDraft(**values)


async def _state(pairing: int) -> str:
    row = await Proposal.select(Proposal.state).where(Proposal.id == pairing).first().run()
    return row["state"]


async def _need_status(need: int) -> str:
    return (await Need.select(Need.status).where(Need.id == need).first().run())["status"]


async def test_withdrawal_tells_coordinators_and_proposes_the_runner_up(db: str) -> None:
    world = await confirmed_mission(runners_up=True)
    coordinator = world["coordinator"]
    cancelled = await transitions.cancel(
        world["proposal"], world["head"], reason="The road to the facility is closed"
    )
    assert await _state(world["proposal"]) == "cancelled"
    runner = (
        await Proposal.select().where(Proposal.id == cancelled.runner_up_proposal_id).first().run()
    )
    assert (runner["doctor"], runner["state"]) == (world["runner_doctor_id"], "proposed")
    notes = await Notification.select().where(Notification.user == coordinator.id).run()
    assert [n["link"] for n in notes] == [f"/pairings/{runner['id']}"]
    mails = await OutboxMail.select().where(OutboxMail.recipient == coordinator.email).run()
    assert len(mails) == 1
    assert "The road to the facility is closed" in mails[0]["body_text"]
    assert f"/pairings/{runner['id']}" in mails[0]["body_text"]
    # Withdrawn: the mission has no page any more.
    with pytest.raises(Exception) as caught:
        await reports.mission_view(world["doctor"], world["proposal"])
    assert getattr(caught.value, "status_code", None) == 404


async def test_report_rules_refuse_and_store_nothing(db: str) -> None:
    world = await confirmed_mission()
    pairing, doctor = world["proposal"], world["doctor"]
    with pytest.raises(ValidationFailed) as caught:
        await reports.submit_report(doctor, pairing, _report(), today=BEFORE)
    assert set(caught.value.errors) == {"report"}
    assert caught.value.errors["report"] == (
        "the mission has not ended: a completion report can be filed from 2026-03-11"
    )
    with pytest.raises(ValidationFailed) as caught:
        await reports.submit_report(
            doctor,
            pairing,
            _report(days_on_site=-1, patients={"surgery": -3, "chronic": 2}),
            today=AFTER,
        )
    assert set(caught.value.errors) == {"days_on_site", "patients_surgery"}
    assert caught.value.errors["patients_surgery"] == "cannot be negative"
    other_facility = await make_facility(name="Talkalakh clinic")
    stranger = await add_person(
        await make_head(other_facility),
        other_facility,
        PersonDraft(name_en="Rami", name_ar="رامي", clinical_role="nurse"),
    )
    for staff in ([stranger.id], [999_999]):
        with pytest.raises(ValidationFailed) as caught:
            await reports.submit_report(doctor, pairing, _report(staff_trained=staff), today=AFTER)
        assert set(caught.value.errors) == {"staff_trained"}
    with pytest.raises(Forbidden):
        await reports.submit_report(world["head"], pairing, _report(), today=AFTER)
    assert await MissionReport.count().run() == 0


async def test_confirmed_report_completes_the_pairing_and_closes_the_need(
    db: str, tmp_path: Path
) -> None:
    world = await confirmed_mission()
    pairing, doctor, head = world["proposal"], world["doctor"], world["head"]
    nurse = await add_person(
        head, world["facility"], PersonDraft(name_en="Huda", name_ar="هدى", clinical_role="nurse")
    )
    view = await reports.submit_report(
        doctor, pairing, _report(staff_trained=[nurse.id]), today=AFTER
    )
    assert view.state == "submitted" and [p.name_ar for p in view.staff] == ["هدى"]
    with pytest.raises(Conflict):
        await reports.submit_report(doctor, pairing, _report(), today=AFTER)
    # Feedback waits for the confirmation.
    with pytest.raises(Conflict):
        await reports.leave_mission_feedback(doctor, pairing, FeedbackDraft(rating=5))
    # The head says what differs; the doctor amends; the head confirms.
    with pytest.raises(ValidationFailed):
        await reports.dispute_report(head, pairing, "  ")
    with pytest.raises(Forbidden):
        await reports.confirm_report(doctor, pairing)
    disputed = await reports.dispute_report(head, pairing, "We counted 35 emergency patients")
    assert disputed.state == "disputed"
    with pytest.raises(Conflict):
        await reports.confirm_report(head, pairing)
    amended = await reports.submit_report(
        doctor,
        pairing,
        _report(patients={"emergency": 35}, staff_trained=[nurse.id]),
        today=AFTER,
    )
    assert (amended.state, amended.patients["emergency"]) == ("submitted", 35)
    assert await _state(pairing) == "confirmed"
    confirmed = await reports.confirm_report(head, pairing)
    assert confirmed.state == "confirmed"
    assert await _state(pairing) == "completed"
    assert await _need_status(world["need"]) == "closed"
    with pytest.raises(Conflict):
        await reports.confirm_report(head, pairing)
    # The checklist no longer changes; the page still shows.
    with pytest.raises(Conflict):
        await checklist.mark_done(
            doctor, pairing, "insurance", ItemDone(), uploads_dir=tmp_path, today=AFTER
        )
    view_page = await reports.mission_view(doctor, pairing, today=AFTER)
    assert view_page.pairing_state == "completed" and view_page.can_leave_feedback
    # Each side leaves one rating.
    await reports.leave_mission_feedback(doctor, pairing, FeedbackDraft(rating=5, comment="Good"))
    await reports.leave_mission_feedback(head, pairing, FeedbackDraft(rating=4))
    with pytest.raises(Conflict):
        await reports.leave_mission_feedback(head, pairing, FeedbackDraft(rating=1))
    with pytest.raises(Forbidden):
        await reports.leave_mission_feedback(world["coordinator"], pairing, FeedbackDraft(rating=3))
    stored = await feedback_of(pairing)
    assert {side: v.rating for side, v in stored.items()} == {"doctor": 5, "facility": 4}


async def test_a_need_with_places_left_stays_open_for_what_remains(db: str) -> None:
    world = await confirmed_mission(places=2)
    await transitions.refresh_need(world["need"], world["coordinator"])
    assert await _need_status(world["need"]) == "partly_filled"
    await reports.submit_report(world["doctor"], world["proposal"], _report(), today=AFTER)
    await reports.confirm_report(world["head"], world["proposal"])
    assert await _state(world["proposal"]) == "completed"
    # One place served, one still open: the ranking may fill one more, not two.
    assert await _need_status(world["need"]) == "partly_filled"
    assert await transitions.held_count(world["need"]) == 1
