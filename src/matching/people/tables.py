"""Table ``facility_person``: a local health worker kept by a facility's head.

A person may be linked to an account (role ``local_clinician``) once they accept an
invitation; until then (and when they have no connection) the head acts for them,
and every record that person appears in says who entered it.
"""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User
from matching.facilities.tables import Facility


class ClinicalRole(StrEnum):
    RESIDENT = "resident"
    GENERAL_PRACTITIONER = "general_practitioner"
    SPECIALIST = "specialist"
    NURSE = "nurse"
    MIDWIFE = "midwife"
    PARAMEDIC = "paramedic"
    PHARMACIST = "pharmacist"
    TECHNICIAN = "technician"
    OTHER = "other"


class FacilityPerson(Table, tablename="facility_person"):
    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.cascade)
    name_en = Varchar(length=200)
    name_ar = Varchar(length=200)
    clinical_role = Varchar(length=24, choices=ClinicalRole)
    specialty = Varchar(length=64, default="")  # a taxonomy code, or empty
    phone = Varchar(length=32, default="")  # E.164, or empty
    #: The person's own account (role local_clinician), once they accepted an invitation.
    user = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    entered_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    #: Set when the head removes the person; kept for the records they appear in.
    archived_at = Timestamptz(null=True, default=None)


class PersonInvitation(Table, tablename="person_invitation"):
    """An emailed, single-use link that gives a person their own account (role
    ``local_clinician``). Only the token's SHA-256 is stored."""

    person = ForeignKey(FacilityPerson, null=False, on_delete=OnDelete.cascade)
    email = Varchar(length=254)
    language = Varchar(length=2, default="ar")
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
