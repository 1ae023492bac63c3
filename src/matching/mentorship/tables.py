"""Table ``mentorship``: one row per confirmed mentorship pairing (written by
``matching.mentorship`` only); the mentee is a person of the facility."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import Date, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

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
