"""Ranking runs, the proposals they make and the doctors' stated interests."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    JSON,
    DoublePrecision,
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
from matching.doctors.tables import DoctorProfile
from matching.facilities.tables import Need


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    #: A newer completed run ranked the same needs first: this one wrote nothing.
    OVERTAKEN = "overtaken"


class RunKind(StrEnum):
    FULL = "full"
    ONE_NEED = "one_need"
    SCHEDULED = "scheduled"
    STABLE = "stable"


class ProposalState(StrEnum):
    PROPOSED = "proposed"
    SUPERSEDED = "superseded"
    APPROVED = "approved"
    REJECTED = "rejected"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CONFIRMED = "confirmed"
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    #: A mission done: its completion report confirmed by the facility.
    COMPLETED = "completed"


class RankingRun(Table):
    kind = Varchar(length=12, choices=RunKind, default=RunKind.FULL)
    need = ForeignKey(Need, null=True, on_delete=OnDelete.set_null)
    parameters = JSON(default="{}")
    status = Varchar(length=10, choices=RunStatus, default=RunStatus.QUEUED, index=True)
    progress = SmallInt(default=0)
    doctors_considered = Integer(default=0)
    needs_considered = Integer(default=0)
    proposals_made = Integer(default=0)
    # What the run found beyond its proposals, e.g. {"unfillable": [...]}
    # (shape documented in matching.pairings.runs).
    outcome = JSON(default="{}")
    error = Text(default="")
    job_id = Varchar(length=100, default="", index=True)
    requested_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class Proposal(Table):
    run = ForeignKey(RankingRun, null=True, on_delete=OnDelete.set_null)
    need = ForeignKey(Need, null=False, on_delete=OnDelete.cascade)
    doctor = ForeignKey(DoctorProfile, null=True, on_delete=OnDelete.set_null)
    score = DoublePrecision(default=0.0)
    rank = SmallInt(default=1)
    explanation = JSON(default="{}")
    state = Varchar(length=12, choices=ProposalState, default=ProposalState.PROPOSED, index=True)
    decision_reason = Text(default="")
    decided_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    decided_at = Timestamptz(null=True, default=None)
    responded_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class NeedInterest(Table):
    """A doctor's ranked interest in an open need (input of the stable mode)."""

    doctor = ForeignKey(DoctorProfile, null=False, on_delete=OnDelete.cascade)
    need = ForeignKey(Need, null=False, on_delete=OnDelete.cascade)
    position = SmallInt(default=1)


class OfferState(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class RemoteOffer(Table, tablename="remote_offer"):
    """A held pairing of a mission turned remote, offered the change: the doctor
    accepts (the pairing goes on, remotely) or declines (the pairing ends with the
    reason). Written only by :mod:`matching.pairings.remote_offers`."""

    proposal = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade)
    need = ForeignKey(Need, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=12)  # the need's new kind: mentorship or training
    state = Varchar(length=10, choices=OfferState, default=OfferState.OFFERED)
    offered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    note = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)
