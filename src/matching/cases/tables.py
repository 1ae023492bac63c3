"""Tables ``case_discussion`` and ``case_image`` (written by ``matching.cases`` only).

A case belongs to a confirmed mentorship pairing; it holds no name, number or date
that identifies the patient (``matching.cases.deidentify`` refuses them) and is
deleted a configurable time after the mentorship ends (``matching.cases.retention``).
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User
from matching.pairings.tables import Proposal
from matching.people.tables import FacilityPerson


class AgeBand(StrEnum):
    UNDER_1_MONTH = "under_1_month"
    MONTHS_1_11 = "months_1_11"
    YEARS_1_4 = "years_1_4"
    YEARS_5_14 = "years_5_14"
    YEARS_15_24 = "years_15_24"
    YEARS_25_44 = "years_25_44"
    YEARS_45_64 = "years_45_64"
    YEARS_65_UP = "years_65_up"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    NOT_STATED = "not_stated"


class CaseStatus(StrEnum):
    SUBMITTED = "submitted"
    ANSWERED = "answered"
    CLOSED = "closed"


class CaseDiscussion(Table, tablename="case_discussion"):
    pairing = ForeignKey(Proposal, null=False, on_delete=OnDelete.cascade)
    submitted_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    #: The mentee the case is entered for, when a head submits it for them.
    entered_for = ForeignKey(FacilityPerson, null=True, on_delete=OnDelete.set_null)
    age_band = Varchar(length=16, choices=AgeBand)
    sex = Varchar(length=12, choices=Sex)
    presenting_problem = Text()
    history = Text()
    findings = Text()
    question = Text()
    #: The consent statement's text as the submitter ticked it.
    consent_text = Text()
    status = Varchar(length=12, choices=CaseStatus, default=CaseStatus.SUBMITTED)
    recommendations = Text(default="")
    answered_at = Timestamptz(null=True, default=None)
    answered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    closed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class CaseImage(Table, tablename="case_image"):
    case = ForeignKey(CaseDiscussion, null=False, on_delete=OnDelete.cascade)
    #: Relative to the uploads dir (``cases/<random>.<ext>``); re-encoded, no metadata.
    path = Varchar(length=200)
    mime = Varchar(length=20)
    width = Integer(default=0)
    height = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
