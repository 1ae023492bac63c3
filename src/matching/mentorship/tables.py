"""Tables ``mentorship`` (one row per confirmed mentorship pairing; the mentee is a
person of the facility), ``mentorship_session`` and ``mentorship_goal``: written by
``matching.mentorship`` only."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User
from matching.pairings.tables import Proposal
from matching.people.tables import FacilityPerson


class MentorshipStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"


class Mentorship(Table):
    pairing = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, unique=True)
    mentee = ForeignKey(FacilityPerson, null=True, on_delete=OnDelete.set_null)
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)
    status = Varchar(length=12, choices=MentorshipStatus, default=MentorshipStatus.ACTIVE)
    completed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    #: Each side's "we are done" (the mentorship completes when both said it).
    doctor_done_at = Timestamptz(null=True, default=None)
    facility_done_at = Timestamptz(null=True, default=None)
    started_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)


class SessionStatus(StrEnum):
    PLANNED = "planned"
    HELD = "held"
    MISSED = "missed"
    MOVED = "moved"


class MissedBy(StrEnum):
    DOCTOR = "doctor"
    MENTEE = "mentee"
    BOTH = "both"
    OTHER = "other"


class GoalOutcome(StrEnum):
    ACHIEVED = "achieved"
    PARTLY = "partly"
    NOT_ACHIEVED = "not_achieved"


class MentorshipSession(Table, tablename="mentorship_session"):
    """One session of a mentorship, planned from the weekly slot (or a moved one's
    replacement); times in UTC, shown in each reader's zone."""

    mentorship = ForeignKey(Mentorship, null=False, on_delete=OnDelete.cascade)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    status = Varchar(length=10, choices=SessionStatus, default=SessionStatus.PLANNED)
    minutes = SmallInt(null=True, default=None)
    missed_by = Varchar(length=10, default="")
    #: The replacement of a moved session, and the session a replacement stands for.
    moved_to = Integer(null=True, default=None)
    moved_from = Integer(null=True, default=None)
    #: Who marked it (held, missed or moved) and when.
    entered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    entered_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class MentorshipGoal(Table, tablename="mentorship_goal"):
    """A goal set at the start of a mentorship, reviewed at its end."""

    mentorship = ForeignKey(Mentorship, null=False, on_delete=OnDelete.cascade)
    position = SmallInt(default=0)
    text = Text(default="")
    outcome = Varchar(length=14, default="")  # a GoalOutcome, or empty before the review
    note = Text(default="")
    reviewed_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    reviewed_at = Timestamptz(null=True, default=None)
