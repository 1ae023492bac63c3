"""Tables of the workshops domain (written by ``matching.workshops.services`` only).

A workshop is a confirmed pairing on a training need: ``workshop`` holds its agenda
and days; its materials, attendees (people of the facility), attendance per day,
pre/post tests and scores, and certificates hang below it.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
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


class Phase(StrEnum):
    PRE = "pre"
    POST = "post"


class ScoreSource(StrEnum):
    ONLINE = "online"  # the attendee took the test on their phone
    PAPER = "paper"  # the trainer entered the score of a paper test


class Workshop(Table):
    pairing = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, unique=True)
    agenda = Text(default="")
    #: The days it runs, ISO dates separated by commas, in order.
    days = Text(default="")
    #: Days present needed for a certificate; NULL means every day.
    min_days = SmallInt(null=True, default=None)
    updated_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class WorkshopMaterial(Table, tablename="workshop_material"):
    workshop = ForeignKey(Workshop, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=200)
    path = Varchar(length=200)  # relative to uploads_dir
    mime = Varchar(length=40)
    uploaded_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class WorkshopAttendee(Table, tablename="workshop_attendee"):
    workshop = ForeignKey(Workshop, null=False, on_delete=OnDelete.cascade)
    person = ForeignKey(FacilityPerson, null=False, on_delete=OnDelete.cascade)
    registered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class WorkshopAttendance(Table, tablename="workshop_attendance"):
    attendee = ForeignKey(WorkshopAttendee, null=False, on_delete=OnDelete.cascade)
    day = Date()
    present = Boolean(default=False)
    entered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    entered_at = Timestamptz(default=TimestamptzNow())


class WorkshopTest(Table, tablename="workshop_test"):
    workshop = ForeignKey(Workshop, null=False, on_delete=OnDelete.cascade)
    phase = Varchar(length=4, choices=Phase)
    #: JSON list of {"question", "options": [...], "answer": index}.
    questions = Text(default="[]")
    written_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())


class WorkshopScore(Table, tablename="workshop_score"):
    attendee = ForeignKey(WorkshopAttendee, null=False, on_delete=OnDelete.cascade)
    phase = Varchar(length=4, choices=Phase)
    score = SmallInt()  # 0-100
    source = Varchar(length=6, choices=ScoreSource)
    entered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class WorkshopCertificate(Table, tablename="workshop_certificate"):
    attendee = ForeignKey(WorkshopAttendee, null=False, on_delete=OnDelete.cascade, unique=True)
    code = Varchar(length=64, unique=True)
    days_present = Integer(default=0)
    issued_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    issued_at = Timestamptz(default=TimestamptzNow())
