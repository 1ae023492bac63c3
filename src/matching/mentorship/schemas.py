"""What crosses the mentorship domain's seams: commands in, views out."""

from __future__ import annotations

from datetime import date, datetime

from msgspec import Struct

from matching.feedback.schemas import FeedbackView
from matching.people.schemas import PersonView


class MentorshipStart(Struct, kw_only=True):
    """The head's choice of mentee, the dates (from the need unless changed) and goals."""

    mentee_id: int
    starts_on: date | None = None
    ends_on: date | None = None
    goals: list[str] = []
    unreadable: dict[str, str] = {}


class HeldMark(Struct, kw_only=True):
    minutes: int
    unreadable: dict[str, str] = {}


class MissedMark(Struct, kw_only=True):
    missed_by: str
    unreadable: dict[str, str] = {}


class MoveMark(Struct, kw_only=True):
    """A moved session's new start (aware); it keeps its length."""

    starts_at: datetime | None
    unreadable: dict[str, str] = {}


class GoalReview(Struct, kw_only=True):
    goal_id: int
    outcome: str
    note: str = ""


class GoalsReview(Struct, kw_only=True):
    reviews: list[GoalReview]
    unreadable: dict[str, str] = {}


class SessionView(Struct, kw_only=True):
    id: int
    starts_at: datetime
    ends_at: datetime
    status: str
    minutes: int | None
    missed_by: str
    moved_to: int | None
    moved_from: int | None
    entered_by_name: str
    entered_at: datetime | None

    @property
    def length_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class GoalView(Struct, kw_only=True):
    id: int
    position: int
    text: str
    outcome: str
    note: str
    reviewed_by_name: str


class MentorshipPage(Struct, kw_only=True):
    """Everything the mentorship page shows one reader."""

    pairing_id: int
    need_title: str
    facility_id: int
    facility_name_en: str
    facility_name_ar: str
    doctor_name: str
    started: bool
    status: str
    starts_on: date | None
    ends_on: date | None
    mentee: PersonView | None
    sessions: list[SessionView]
    goals: list[GoalView]
    feedback: dict[str, FeedbackView]
    doctor_done: bool
    facility_done: bool
    #: What the reader is to it, and may do.
    is_doctor: bool
    is_head: bool
    is_mentee: bool
    is_staff: bool
    may_start: bool
    may_mark: bool
    my_side: str  # "doctor", "facility", or "" (coordinators)
    candidates: list[PersonView]
    held_count: int
    held_minutes: int
    missed_count: int
    planned_count: int
    today: date
