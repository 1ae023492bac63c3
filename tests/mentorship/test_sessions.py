"""A session's life and its refusals, completion, goals, feedback and the calendar file,
on both engines; two sides marking one session at once on PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar

from matching.audit.tables import AuditEvent
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.feedback.schemas import FeedbackDraft
from matching.feedback.tables import PairingFeedback
from matching.mentorship.calendar import build_mentorship_calendar
from matching.mentorship.schemas import (
    GoalReview,
    GoalsReview,
    HeldMark,
    MentorshipStart,
    MissedMark,
    MoveMark,
)
from matching.mentorship.services import (
    complete_due,
    goals_of,
    leave_mentorship_feedback,
    mark_done,
    mentorship_page,
    review_goals,
    sessions_of,
    start_mentorship,
)
from matching.mentorship.sessions import mark_held, mark_missed, move_session
from matching.mentorship.tables import Mentorship, MentorshipSession
from tests.factories import make_facility, make_head
from tests.mentorship.helpers import confirmed_mentorship

#: After every session of the scene's mentorship (2026-03-03 .. 2026-04-28).
LATER = datetime(2026, 6, 1, tzinfo=UTC)


async def _snapshot(mentorship_id: int) -> list[tuple]:
    return [
        (s.id, s.status, s.minutes, s.missed_by, s.moved_to, s.starts_at)
        for s in await sessions_of(mentorship_id)
    ]


async def test_held_missed_moved_each_by_its_side(db: str) -> None:
    world = await confirmed_mentorship()
    pairing = world["proposal"]
    first, second, third, fourth, *_ = await sessions_of(world["mentorship"])
    await mark_held(world["doctor"], pairing, first.id, HeldMark(minutes=55), now=LATER)
    await mark_held(world["clinician"], pairing, second.id, HeldMark(minutes=90), now=LATER)
    await mark_missed(world["head"], pairing, third.id, MissedMark(missed_by="mentee"), now=LATER)
    new_time = datetime(2026, 6, 3, 16, 0, tzinfo=UTC)
    new_id = await move_session(
        world["doctor"], pairing, fourth.id, MoveMark(starts_at=new_time), now=LATER
    )
    by_id = {s.id: s for s in await sessions_of(world["mentorship"])}
    assert (by_id[first.id].status, by_id[first.id].minutes) == ("held", 55)
    assert by_id[first.id].entered_by_name == world["doctor"].full_name
    assert by_id[second.id].entered_by_name == world["clinician"].full_name
    assert (by_id[third.id].status, by_id[third.id].missed_by) == ("missed", "mentee")
    assert by_id[third.id].entered_by_name == world["head"].full_name
    assert (by_id[fourth.id].status, by_id[fourth.id].moved_to) == ("moved", new_id)
    replacement = by_id[new_id]
    assert (replacement.status, replacement.moved_from) == ("planned", fourth.id)
    assert replacement.starts_at == new_time
    assert replacement.ends_at - replacement.starts_at == timedelta(hours=2)
    # Both sides see the replacement.
    for account in (world["doctor"], world["head"], world["clinician"]):
        page = await mentorship_page(account, pairing)
        assert new_id in {s.id for s in page.sessions}
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.after).where(
        AuditEvent.subject_type == "mentorship_session"
    )
    assert sorted(e["action"] for e in events) == [
        "session.held",
        "session.held",
        "session.missed",
        "session.moved",
    ]


async def test_refusals_change_nothing(db: str) -> None:
    world = await confirmed_mentorship()
    pairing, mentorship_id = world["proposal"], world["mentorship"]
    first, second, *_ = await sessions_of(mentorship_id)
    await mark_held(world["doctor"], pairing, first.id, HeldMark(minutes=60), now=LATER)
    before = await _snapshot(mentorship_id)
    with pytest.raises(Conflict) as twice:  # held twice
        await mark_held(world["head"], pairing, first.id, HeldMark(minutes=30), now=LATER)
    assert "already held" in twice.value.message
    assert twice.value.status_code == 409
    for minutes in (0, 601, -5):
        with pytest.raises(ValidationFailed) as caught:
            await mark_held(
                world["doctor"], pairing, second.id, HeldMark(minutes=minutes), now=LATER
            )
        assert set(caught.value.errors) == {"minutes"}
    with pytest.raises(ValidationFailed) as caught:  # into the past
        await move_session(
            world["doctor"],
            pairing,
            second.id,
            MoveMark(starts_at=LATER - timedelta(hours=1)),
            now=LATER,
        )
    assert set(caught.value.errors) == {"starts_at"}
    with pytest.raises(ValidationFailed):  # who missed it?
        await mark_missed(
            world["doctor"], pairing, second.id, MissedMark(missed_by="cat"), now=LATER
        )
    with pytest.raises(ValidationFailed):  # not started yet
        await mark_held(
            world["doctor"],
            pairing,
            second.id,
            HeldMark(minutes=30),
            now=second.starts_at - timedelta(minutes=1),
        )
    stranger = await make_head(await make_facility())
    with pytest.raises(NotFound):
        await mark_held(stranger, pairing, second.id, HeldMark(minutes=30), now=LATER)
    with pytest.raises(Forbidden):  # coordinators read, the sides mark
        await mark_held(world["coordinator"], pairing, second.id, HeldMark(minutes=30), now=LATER)
    other = await confirmed_mentorship()
    with pytest.raises(NotFound):  # a session of another mentorship
        await mark_held(
            world["doctor"],
            pairing,
            (await sessions_of(other["mentorship"]))[0].id,
            HeldMark(minutes=30),
            now=LATER,
        )
    assert await _snapshot(mentorship_id) == before


async def test_two_sides_mark_one_session_at_once(db: str) -> None:
    if not db.startswith("postgres"):
        pytest.skip("a race needs two connections: PostgreSQL")
    world = await confirmed_mentorship()
    sessions = await sessions_of(world["mentorship"])
    assert len(sessions) >= 8
    # 20 trials over fresh sessions (each mentorship has 9), two connections each time.
    trials = 0
    while trials < 20:
        extra = await confirmed_mentorship()
        for session in (await sessions_of(extra["mentorship"]))[:5]:
            results = await asyncio.gather(
                mark_held(
                    extra["doctor"], extra["proposal"], session.id, HeldMark(minutes=60), now=LATER
                ),
                mark_missed(
                    extra["head"],
                    extra["proposal"],
                    session.id,
                    MissedMark(missed_by="doctor"),
                    now=LATER,
                ),
                return_exceptions=True,
            )
            assert sum(r is None for r in results) == 1, results
            assert sum(isinstance(r, Conflict) for r in results) == 1, results
            row = (
                await MentorshipSession.select()
                .where(MentorshipSession.id == session.id)
                .first()
                .run()
            )
            assert row["status"] in ("held", "missed")
            assert (row["minutes"] is not None) == (row["status"] == "held")
            assert (row["missed_by"] != "") == (row["status"] == "missed")
            trials += 1
    events = await AuditEvent.count().where(AuditEvent.subject_type == "mentorship_session")
    assert events == trials


async def test_start_is_for_heads_and_only_once(db: str) -> None:
    world = await confirmed_mentorship(start=False)
    command = MentorshipStart(mentee_id=world["person"].id, goals=["a"] * 11)
    with pytest.raises(Forbidden):
        await start_mentorship(world["doctor"], world["proposal"], command)
    with pytest.raises(ValidationFailed) as caught:
        await start_mentorship(world["head"], world["proposal"], command)
    assert set(caught.value.errors) == {"goals"}
    other = await confirmed_mentorship(start=False)  # a person of another facility
    with pytest.raises(ValidationFailed) as caught:
        await start_mentorship(
            world["head"],
            world["proposal"],
            MentorshipStart(
                mentee_id=other["person"].id,
                starts_on=date(2026, 5, 1),
                ends_on=date(2026, 4, 1),
            ),
        )
    assert set(caught.value.errors) == {"mentee_id", "ends_on"}
    assert await Mentorship.count().run() == 0
    good = MentorshipStart(mentee_id=world["person"].id, goals=[" Triage ", ""])
    results = await asyncio.gather(
        start_mentorship(world["head"], world["proposal"], good),
        start_mentorship(world["coordinator"], world["proposal"], good),
        return_exceptions=True,
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert await Mentorship.count().run() == 1
    mentorship_id = next(r for r in results if isinstance(r, int))
    assert [g.text for g in await goals_of(mentorship_id)] == ["Triage"]
    # 2026-03-02 .. 2026-05-01, Tuesdays: 9 sessions, each planned once.
    assert await MentorshipSession.count().run() == 9


async def test_completion_goals_and_feedback(db: str) -> None:
    world = await confirmed_mentorship()
    pairing = world["proposal"]
    with pytest.raises(Conflict):  # feedback waits for completion
        await leave_mentorship_feedback(world["doctor"], pairing, FeedbackDraft(rating=5))
    with pytest.raises(Conflict):  # goals are reviewed at the end
        await review_goals(
            world["doctor"], pairing, GoalsReview(reviews=[]), today=date(2026, 3, 10)
        )
    assert await mark_done(world["doctor"], pairing) is False
    with pytest.raises(Conflict):
        await mark_done(world["doctor"], pairing)
    assert await mark_done(world["clinician"], pairing) is True
    with pytest.raises(Conflict):
        await mark_done(world["head"], pairing)
    page = await mentorship_page(world["head"], pairing)
    assert page.status == "completed" and not page.may_mark
    first = page.sessions[0]
    with pytest.raises(Conflict):  # a completed mentorship's log is closed
        await mark_held(world["doctor"], pairing, first.id, HeldMark(minutes=30), now=LATER)
    goals = page.goals
    with pytest.raises(ValidationFailed) as caught:
        await review_goals(
            world["head"],
            pairing,
            GoalsReview(reviews=[GoalReview(goal_id=goals[0].id, outcome="great")]),
        )
    assert set(caught.value.errors) == {f"outcome_{goals[0].id}"}
    await review_goals(
        world["clinician"],
        pairing,
        GoalsReview(
            reviews=[
                GoalReview(goal_id=goals[0].id, outcome="achieved", note="Did it alone in May"),
                GoalReview(goal_id=goals[1].id, outcome="partly"),
            ]
        ),
    )
    reviewed = await goals_of(world["mentorship"])
    assert [(g.outcome, g.reviewed_by_name) for g in reviewed] == [
        ("achieved", world["clinician"].full_name),
        ("partly", world["clinician"].full_name),
    ]
    await leave_mentorship_feedback(world["doctor"], pairing, FeedbackDraft(rating=5))
    await leave_mentorship_feedback(
        world["clinician"], pairing, FeedbackDraft(rating=4, comment="Clear and patient")
    )
    with pytest.raises(Conflict):  # the head speaks for the same side as the mentee
        await leave_mentorship_feedback(world["head"], pairing, FeedbackDraft(rating=1))
    page = await mentorship_page(world["coordinator"], pairing)
    assert {side: f.rating for side, f in page.feedback.items()} == {"doctor": 5, "facility": 4}
    assert await PairingFeedback.count().run() == 2


async def test_completes_at_its_end_date(db: str) -> None:
    world = await confirmed_mentorship()
    assert await complete_due(date(2026, 5, 1)) == []  # the last day is still on
    assert await complete_due(date(2026, 5, 2)) == [world["proposal"]]
    assert await complete_due(date(2026, 5, 3)) == []  # once
    page = await mentorship_page(world["doctor"], world["proposal"])
    assert page.status == "completed"


async def test_calendar_follows_the_sessions(db: str) -> None:
    world = await confirmed_mentorship()
    pairing = world["proposal"]
    first, second, *_ = await sessions_of(world["mentorship"])
    new_time = datetime(2026, 6, 3, 16, 0, tzinfo=UTC)
    new_id = await move_session(
        world["head"], pairing, second.id, MoveMark(starts_at=new_time), now=LATER
    )
    await mark_held(world["doctor"], pairing, first.id, HeldMark(minutes=60), now=LATER)
    page = await mentorship_page(world["doctor"], pairing)
    calendar = Calendar.from_ical(build_mentorship_calendar(page, language="ar"))
    events = {str(e["uid"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 9  # 9 planned, one moved away, its replacement in
    assert f"session-{second.id}@homs-health-bridge" not in events
    moved = events[f"session-{new_id}@homs-health-bridge"]
    assert moved.decoded("dtstart") == new_time
    assert moved.decoded("dtend") == new_time + timedelta(hours=2)
    held = events[f"session-{first.id}@homs-health-bridge"]
    assert held.decoded("dtstart") == first.starts_at
    assert "أحمد" in str(held["description"])
