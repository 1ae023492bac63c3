"""The one writer of ``mentorship`` and ``mentorship_goal`` (sessions:
:mod:`matching.mentorship.sessions`): start, read, goals, completion, feedback.

* :func:`start_mentorship`: a head of the facility (or a coordinator) chooses the
  mentee among the facility's people for a confirmed mentorship pairing; the row,
  its sessions planned from the weekly slot and its goals are one transaction. A
  second start is a 409 (the unique ``pairing`` column decides, also at once).
* :func:`mark_done`: each side says the mentorship is complete (the doctor; a head
  or the mentee for the facility); when both have, it completes.
  :func:`complete_due` completes every active mentorship past its end date (the
  daily cron job calls it).
* :func:`review_goals` once the end date is reached or the mentorship completed;
  :func:`leave_mentorship_feedback` only once it completed.

Every access check goes through :func:`matching.mentorship.parties.check_parties`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.db import write_transaction
from matching.doctors.tables import WeeklySlot
from matching.errors import Conflict, Forbidden, ValidationFailed
from matching.facilities.tables import LocalSlot, Need
from matching.feedback.schemas import FeedbackDraft, FeedbackView
from matching.feedback.services import feedback_of, leave_feedback
from matching.i18n import N_
from matching.mentorship.parties import MentorshipParties, Viewer, check_parties
from matching.mentorship.planning import Slot, plan_sessions
from matching.mentorship.schemas import (
    GoalsReview,
    GoalView,
    MentorshipPage,
    MentorshipStart,
    SessionView,
)
from matching.mentorship.tables import (
    GoalOutcome,
    Mentorship,
    MentorshipGoal,
    MentorshipSession,
    MentorshipStatus,
    SessionStatus,
)
from matching.pairings.tables import Proposal
from matching.people.services import check_people_in_facility, people_by_id, people_of_facility

MAX_GOALS = 10
GOAL_MAX = 300
NOTE_MAX = 1000
#: A mentorship lasts at most this long (and so plans at most ~two years of sessions).
MAX_DAYS = 731
DEFAULT_MONTHS = 3


def side_of_viewer(viewer: Viewer) -> str:
    """ "doctor", "facility" (a head acting for the mentee, or the mentee) or ""."""
    if viewer.is_doctor:
        return "doctor"
    if viewer.is_head or viewer.is_mentee:
        return "facility"
    return ""


def _actor_as(viewer: Viewer) -> str:
    if viewer.is_doctor:
        return "doctor"
    if viewer.is_mentee:
        return "mentee"
    if viewer.is_head:
        return "head"
    return "coordinator"


async def _need(parties: MentorshipParties) -> dict[str, Any]:
    row = (
        await Need.select(
            Need.id, Need.title, Need.starts_on, Need.ends_on, Need.months, Need.local_timezone
        )
        .where(Need.id == parties.need_id)
        .first()
        .run()
    )
    assert row is not None
    return row


def _default_dates(need: dict[str, Any], today: date) -> tuple[date, date]:
    start = need["starts_on"] or today
    end = need["ends_on"] or start + timedelta(days=30 * max(int(need["months"] or 0), 1))
    return start, end


def _clean_goals(goals: list[str], errors: dict[str, str], params: dict[str, Any]) -> list[str]:
    kept = [text.strip() for text in goals if text.strip()]
    if len(kept) > MAX_GOALS:
        errors["goals"] = N_("give at most %(max)s goals")
        params["goals"] = {"max": MAX_GOALS}
    elif any(len(text) > GOAL_MAX for text in kept):
        errors["goals"] = N_("each goal must be at most %(max)s characters")
        params["goals"] = {"max": GOAL_MAX}
    return kept


async def _slots(parties: MentorshipParties, need: dict[str, Any]) -> tuple[list[Slot], str]:
    """The weekly slot(s) sessions follow, and the zone they are wall-clock times in."""
    local = (
        await LocalSlot.select(LocalSlot.weekday, LocalSlot.starts_at, LocalSlot.ends_at)
        .where(LocalSlot.need == parties.need_id)
        .run()
    )
    if local:
        return [Slot(r["weekday"], r["starts_at"], r["ends_at"]) for r in local], need[
            "local_timezone"
        ] or "Asia/Damascus"
    doctor = (
        await Proposal.select(Proposal.doctor, Proposal.doctor.timezone.as_alias("zone"))
        .where(Proposal.id == parties.pairing_id)
        .first()
        .run()
    )
    if doctor is None or doctor["doctor"] is None:
        return [], "Asia/Damascus"
    rows = (
        await WeeklySlot.select(WeeklySlot.weekday, WeeklySlot.starts_at, WeeklySlot.ends_at)
        .where(WeeklySlot.doctor == doctor["doctor"])
        .run()
    )
    return [Slot(r["weekday"], r["starts_at"], r["ends_at"]) for r in rows], doctor["zone"] or "UTC"


async def start_mentorship(
    account: Account, pairing_id: int, command: MentorshipStart, *, today: date | None = None
) -> int:
    """Create the mentorship (mentee, dates, goals) and plan its sessions; its id."""
    parties, viewer = await check_parties(account, pairing_id)
    if not (viewer.is_head or viewer.is_staff):
        raise Forbidden(N_("Only a head of the facility chooses the mentee."))
    if parties.mentorship_id is not None:
        raise Conflict(N_("This mentorship has already started."))
    today = today or datetime.now(UTC).date()
    need = await _need(parties)
    default_start, default_end = _default_dates(need, today)
    starts_on = command.starts_on or default_start
    ends_on = command.ends_on or default_end
    errors: dict[str, str] = dict(command.unreadable)
    params: dict[str, Any] = {}
    try:
        await check_people_in_facility(parties.facility_id, [command.mentee_id])
    except ValidationFailed:
        errors["mentee_id"] = N_("choose a person of this facility")
    if "ends_on" not in errors and ends_on <= starts_on:
        errors["ends_on"] = N_("must be after the start date")
    elif "ends_on" not in errors and (ends_on - starts_on).days > MAX_DAYS:
        errors["ends_on"] = N_("a mentorship lasts at most two years")
    goals = _clean_goals(command.goals, errors, params)
    if errors:
        raise ValidationFailed(errors, params=params)
    slots, zone = await _slots(parties, need)
    moments = plan_sessions(slots, zone, starts_on, ends_on)
    async with write_transaction():
        rows = (
            await Mentorship.insert(
                Mentorship(
                    pairing=pairing_id,
                    mentee=command.mentee_id,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    started_by=account.id,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(Mentorship.id)
            .run()
        )
        if not rows:
            raise Conflict(N_("This mentorship has already started."))
        mentorship_id = int(rows[0]["id"])
        if moments:
            await MentorshipSession.insert(
                *(
                    MentorshipSession(mentorship=mentorship_id, starts_at=start, ends_at=end)
                    for start, end in moments
                )
            ).run()
        if goals:
            await MentorshipGoal.insert(
                *(
                    MentorshipGoal(mentorship=mentorship_id, position=n, text=text)
                    for n, text in enumerate(goals)
                )
            ).run()
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="mentorship.start",
            subject_type="proposal",
            subject_id=pairing_id,
            after={
                "mentee": command.mentee_id,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "sessions": len(moments),
                "goals": len(goals),
                "as": _actor_as(viewer),
            },
        )
    return mentorship_id


async def sessions_of(mentorship_id: int) -> list[SessionView]:
    rows = (
        await MentorshipSession.select(
            MentorshipSession.all_columns(),
            MentorshipSession.entered_by.full_name.as_alias("entered_by_name"),
        )
        .where(MentorshipSession.mentorship == mentorship_id)
        .order_by(MentorshipSession.starts_at)
        .order_by(MentorshipSession.id)
        .run()
    )
    return [
        SessionView(
            id=r["id"],
            starts_at=_aware(r["starts_at"]),
            ends_at=_aware(r["ends_at"]),
            status=r["status"],
            minutes=r["minutes"],
            missed_by=r["missed_by"],
            moved_to=r["moved_to"],
            moved_from=r["moved_from"],
            entered_by_name=r["entered_by_name"] or "",
            entered_at=_aware(r["entered_at"]) if r["entered_at"] else None,
        )
        for r in rows
    ]


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


async def goals_of(mentorship_id: int) -> list[GoalView]:
    rows = (
        await MentorshipGoal.select(
            MentorshipGoal.all_columns(),
            MentorshipGoal.reviewed_by.full_name.as_alias("reviewer"),
        )
        .where(MentorshipGoal.mentorship == mentorship_id)
        .order_by(MentorshipGoal.position)
        .order_by(MentorshipGoal.id)
        .run()
    )
    return [
        GoalView(
            id=r["id"],
            position=r["position"],
            text=r["text"],
            outcome=r["outcome"],
            note=r["note"],
            reviewed_by_name=r["reviewer"] or "",
        )
        for r in rows
    ]


async def mentorship_page(
    account: Account, pairing_id: int, *, today: date | None = None
) -> MentorshipPage:
    """What the mentorship page shows ``account`` (``NotFound`` for a stranger)."""
    parties, viewer = await check_parties(account, pairing_id)
    today = today or datetime.now(UTC).date()
    head = (
        await Proposal.select(
            Proposal.need.title.as_alias("title"),
            Proposal.need.facility.name_en.as_alias("facility_en"),
            Proposal.need.facility.name_ar.as_alias("facility_ar"),
            Proposal.doctor.user.full_name.as_alias("doctor_name"),
        )
        .where(Proposal.id == pairing_id)
        .first()
        .run()
    )
    assert head is not None
    sessions: list[SessionView] = []
    goals: list[GoalView] = []
    done = {"doctor_done_at": None, "facility_done_at": None}
    mentee = None
    if parties.mentorship_id is not None:
        sessions = await sessions_of(parties.mentorship_id)
        goals = await goals_of(parties.mentorship_id)
        done = (
            await Mentorship.select(Mentorship.doctor_done_at, Mentorship.facility_done_at)
            .where(Mentorship.id == parties.mentorship_id)
            .first()
            .run()
        ) or done
        if parties.mentee_person_id is not None:
            mentee = (await people_by_id([parties.mentee_person_id])).get(parties.mentee_person_id)
    started = parties.mentorship_id is not None
    may_start = not started and (viewer.is_head or viewer.is_staff)
    held = [s for s in sessions if s.status == SessionStatus.HELD]
    return MentorshipPage(
        pairing_id=pairing_id,
        need_title=head["title"],
        facility_id=parties.facility_id,
        facility_name_en=head["facility_en"] or "",
        facility_name_ar=head["facility_ar"] or "",
        doctor_name=head["doctor_name"] or "",
        started=started,
        status=parties.status,
        starts_on=parties.starts_on,
        ends_on=parties.ends_on,
        mentee=mentee,
        sessions=sessions,
        goals=goals,
        feedback=await feedback_of(pairing_id) if started else {},
        doctor_done=done["doctor_done_at"] is not None,
        facility_done=done["facility_done_at"] is not None,
        is_doctor=viewer.is_doctor,
        is_head=viewer.is_head,
        is_mentee=viewer.is_mentee,
        is_staff=viewer.is_staff,
        may_start=may_start,
        may_mark=started
        and parties.status == MentorshipStatus.ACTIVE
        and bool(side_of_viewer(viewer)),
        my_side=side_of_viewer(viewer),
        candidates=await people_of_facility(parties.facility_id) if may_start else [],
        held_count=len(held),
        held_minutes=sum(s.minutes or 0 for s in held),
        missed_count=sum(s.status == SessionStatus.MISSED for s in sessions),
        planned_count=sum(s.status == SessionStatus.PLANNED for s in sessions),
        today=today,
    )


def _require_side(viewer: Viewer) -> str:
    side = side_of_viewer(viewer)
    if not side:
        raise Forbidden(N_("Only the doctor, a head of the facility or the mentee can do this."))
    return side


def _require_started(parties: MentorshipParties) -> int:
    if parties.mentorship_id is None:
        raise Conflict(N_("This mentorship has not started yet: a head chooses the mentee."))
    return parties.mentorship_id


async def mark_done(account: Account, pairing_id: int) -> bool:
    """Record that the account's side considers the mentorship complete; True when
    that completed it (both sides have said so)."""
    parties, viewer = await check_parties(account, pairing_id)
    side = _require_side(viewer)
    mentorship_id = _require_started(parties)
    column = Mentorship.doctor_done_at if side == "doctor" else Mentorship.facility_done_at
    now = datetime.now(UTC)
    async with write_transaction():
        marked = (
            await Mentorship.update({column: now})
            .where(
                Mentorship.id == mentorship_id,
                Mentorship.status == MentorshipStatus.ACTIVE,
                column.is_null(),
            )
            .returning(Mentorship.id)
            .run()
        )
        if not marked:
            if parties.status != MentorshipStatus.ACTIVE:
                raise Conflict(N_("This mentorship is already completed."))
            raise Conflict(N_("Your side has already marked this mentorship complete."))
        completed = (
            await Mentorship.update(
                {Mentorship.status: MentorshipStatus.COMPLETED, Mentorship.completed_at: now}
            )
            .where(
                Mentorship.id == mentorship_id,
                Mentorship.status == MentorshipStatus.ACTIVE,
                Mentorship.doctor_done_at.is_not_null(),
                Mentorship.facility_done_at.is_not_null(),
            )
            .returning(Mentorship.id)
            .run()
        )
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="mentorship.done",
            subject_type="proposal",
            subject_id=pairing_id,
            after={"side": side, "as": _actor_as(viewer), "completed": bool(completed)},
        )
    return bool(completed)


async def complete_due(today: date | None = None) -> list[int]:
    """Complete every active mentorship whose end date has passed; their pairing ids.

    Safe to run twice (each row moves only from ``active``)."""
    today = today or datetime.now(UTC).date()
    now = datetime.now(UTC)
    async with write_transaction():
        rows = (
            await Mentorship.update(
                {Mentorship.status: MentorshipStatus.COMPLETED, Mentorship.completed_at: now}
            )
            .where(Mentorship.status == MentorshipStatus.ACTIVE, Mentorship.ends_on < today)
            .returning(Mentorship.pairing)
            .run()
        )
        for row in rows:
            await record_event(
                actor_id=None,
                actor_label="system",
                action="mentorship.completed",
                subject_type="proposal",
                subject_id=row["pairing"],
                after={"reason": "end date passed"},
            )
    return sorted(int(row["pairing"]) for row in rows)


async def add_goal(account: Account, pairing_id: int, text: str) -> None:
    """Add a goal to an active mentorship (at most :data:`MAX_GOALS`)."""
    parties, viewer = await check_parties(account, pairing_id)
    _require_side(viewer)
    mentorship_id = _require_started(parties)
    if parties.status != MentorshipStatus.ACTIVE:
        raise Conflict(N_("This mentorship is already completed."))
    errors: dict[str, str] = {}
    params: dict[str, Any] = {}
    kept = _clean_goals([text], errors, params)
    if not kept and not errors:
        errors["goals"] = N_("write the goal")
    async with write_transaction():
        count = await MentorshipGoal.count().where(MentorshipGoal.mentorship == mentorship_id)
        if count >= MAX_GOALS and "goals" not in errors:
            errors["goals"] = N_("give at most %(max)s goals")
            params["goals"] = {"max": MAX_GOALS}
        if errors:
            raise ValidationFailed(errors, params=params)
        await MentorshipGoal.insert(
            MentorshipGoal(mentorship=mentorship_id, position=count, text=kept[0])
        ).run()
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="mentorship.goal_add",
            subject_type="proposal",
            subject_id=pairing_id,
            after={"text": kept[0], "as": _actor_as(viewer)},
        )


async def review_goals(
    account: Account, pairing_id: int, review: GoalsReview, *, today: date | None = None
) -> None:
    """Record each goal's outcome (achieved, partly, not) with a note, at the end."""
    parties, viewer = await check_parties(account, pairing_id)
    _require_side(viewer)
    mentorship_id = _require_started(parties)
    today = today or datetime.now(UTC).date()
    if parties.status != MentorshipStatus.COMPLETED and (
        parties.ends_on is None or parties.ends_on > today
    ):
        raise Conflict(N_("Goals are reviewed at the end of the mentorship."))
    own = {g.id for g in await goals_of(mentorship_id)}
    errors: dict[str, str] = dict(review.unreadable)
    params: dict[str, Any] = {}
    for item in review.reviews:
        if item.goal_id not in own:
            errors["goals"] = N_("choose goals of this mentorship")
        elif item.outcome not in GoalOutcome.__members__.values():
            errors[f"outcome_{item.goal_id}"] = N_("choose achieved, partly or not achieved")
        elif len(item.note.strip()) > NOTE_MAX:
            errors[f"note_{item.goal_id}"] = N_("must be at most %(max)s characters")
            params[f"note_{item.goal_id}"] = {"max": NOTE_MAX}
    if not review.reviews and not errors:
        errors["goals"] = N_("review at least one goal")
    if errors:
        raise ValidationFailed(errors, params=params)
    now = datetime.now(UTC)
    async with write_transaction():
        for item in review.reviews:
            await (
                MentorshipGoal.update(
                    {
                        MentorshipGoal.outcome: item.outcome,
                        MentorshipGoal.note: item.note.strip(),
                        MentorshipGoal.reviewed_by: account.id,
                        MentorshipGoal.reviewed_at: now,
                    }
                )
                .where(MentorshipGoal.id == item.goal_id)
                .run()
            )
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="mentorship.goals_review",
            subject_type="proposal",
            subject_id=pairing_id,
            after={
                "outcomes": {str(i.goal_id): i.outcome for i in review.reviews},
                "as": _actor_as(viewer),
            },
        )


async def leave_mentorship_feedback(
    account: Account, pairing_id: int, draft: FeedbackDraft
) -> FeedbackView:
    """One side's rating, once the mentorship completed (409 before, or twice)."""
    parties, viewer = await check_parties(account, pairing_id)
    _require_side(viewer)
    _require_started(parties)
    if parties.status != MentorshipStatus.COMPLETED:
        raise Conflict(N_("Feedback is left once the mentorship is completed."))
    return await leave_feedback(
        account, pairing_id, draft, mentee_person_id=parties.mentee_person_id
    )
