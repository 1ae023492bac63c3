"""Tables ``mission_item`` (a readiness checklist's items) and ``mission_report`` (the
completion report), written by ``matching.missions`` only."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User
from matching.doctors.tables import Licence
from matching.pairings.tables import Proposal


class ItemKind(StrEnum):
    """What must be settled before departure, in the checklist's order."""

    PERMISSION = "permission"
    TRAVEL_DOCUMENTS = "travel_documents"
    INSURANCE = "insurance"
    EMERGENCY_CONTACT = "emergency_contact"
    ACCOMMODATION = "accommodation"
    BRIEFING = "briefing"


class ItemOwner(StrEnum):
    DOCTOR = "doctor"
    HEAD = "head"
    COORDINATOR = "coordinator"


class ItemState(StrEnum):
    OPEN = "open"
    DONE = "done"


class ReportState(StrEnum):
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"


class MissionItem(Table, tablename="mission_item"):
    pairing = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=24, choices=ItemKind)
    owner = Varchar(length=12, choices=ItemOwner)
    due_on = Date()
    state = Varchar(length=8, choices=ItemState, default=ItemState.OPEN)
    done_on = Date(null=True, default=None)
    done_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    note = Text(default="")
    #: the permission item: the licence it was checked against
    licence = ForeignKey(Licence, null=True, on_delete=OnDelete.set_null)
    document_name = Varchar(length=200, default="")
    document_path = Varchar(length=300, default="")
    document_mime = Varchar(length=80, default="")
    #: the last day its owner was reminded of it (late items, once a day at most)
    reminded_on = Date(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class MissionReport(Table, tablename="mission_report"):
    pairing = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade, unique=True)
    state = Varchar(length=10, choices=ReportState, default=ReportState.SUBMITTED)
    days_on_site = Integer(default=0)
    #: JSON object: category -> patients seen (see ``schemas.PATIENT_CATEGORIES``)
    patients = Text(default="{}")
    procedures = Text(default="")
    #: JSON list of ``facility_person`` ids
    staff_trained = Text(default="[]")
    gaps = Text(default="")
    head_note = Text(default="")
    submitted_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    submitted_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
