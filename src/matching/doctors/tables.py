"""Doctor profiles: specialties, skills, languages, licences and availability."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Date,
    ForeignKey,
    OnDelete,
    SmallInt,
    Text,
    Time,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from matching.accounts.tables import User


class Level(StrEnum):
    RESIDENT = "resident"
    SPECIALIST = "specialist"
    CONSULTANT = "consultant"


class LicenceState(StrEnum):
    """Stored states; ``expired`` is derived from the expiry date, never stored."""

    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class LicenceScope(StrEnum):
    """What a licence permits: any licence serves remote work; in-person work in Syria
    needs a registration with the Syrian authorities or a temporary permit."""

    FOREIGN = "foreign"
    SYRIA_REGISTRATION = "syria_registration"
    SYRIA_TEMPORARY_PERMIT = "syria_temporary_permit"


#: Scopes valid for in-person practice in Syria.
SYRIA_SCOPES = (LicenceScope.SYRIA_REGISTRATION, LicenceScope.SYRIA_TEMPORARY_PERMIT)


class DoctorProfile(Table):
    user = ForeignKey(User, null=False, unique=True, on_delete=OnDelete.cascade)
    country = Varchar(length=2, default="")
    city = Varchar(length=120, default="")
    timezone = Varchar(length=64, default="UTC")
    phone = Varchar(length=40, default="")
    contact_email = Varchar(length=254, default="")
    years_experience = SmallInt(default=0)
    bio = Text(default="")
    offers_mission = Boolean(default=False)
    offers_mentorship = Boolean(default=False)
    offers_training = Boolean(default=False)
    max_mentees = SmallInt(default=0)
    hours_per_month = SmallInt(default=0)
    can_travel = Boolean(default=False)
    free_text_skills = Text(default="")
    updated_at = Timestamptz(default=TimestamptzNow())


class DoctorLanguage(Table):
    doctor = ForeignKey(DoctorProfile, null=False, on_delete=OnDelete.cascade)
    code = Varchar(length=8)
    level = Varchar(length=12, default="fluent")


class DoctorSpecialty(Table):
    doctor = ForeignKey(DoctorProfile, null=False, on_delete=OnDelete.cascade)
    code = Varchar(length=64, index=True)
    level = Varchar(length=12, choices=Level, default=Level.SPECIALIST)


class DoctorSkill(Table):
    doctor = ForeignKey(DoctorProfile, null=False, on_delete=OnDelete.cascade)
    code = Varchar(length=64, index=True)


class Licence(Table):
    doctor = ForeignKey(DoctorProfile, null=False, on_delete=OnDelete.cascade)
    issuer_country = Varchar(length=2)
    authority = Varchar(length=200)
    number = Varchar(length=80)
    expires_on = Date()
    document_name = Varchar(length=200, default="")
    document_path = Varchar(length=300, default="")
    document_mime = Varchar(length=80, default="")
    state = Varchar(length=12, choices=LicenceState, default=LicenceState.UNVERIFIED)
    review_note = Text(default="")
    reviewed_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    reviewed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    scope = Varchar(length=24, choices=LicenceScope, default=LicenceScope.FOREIGN)


class TravelWindow(Table):
    doctor = ForeignKey(DoctorProfile, null=False, on_delete=OnDelete.cascade)
    starts_on = Date()
    ends_on = Date()


class WeeklySlot(Table):
    """A weekly remote slot in the doctor's own time zone (end <= start crosses midnight)."""

    doctor = ForeignKey(DoctorProfile, null=False, on_delete=OnDelete.cascade)
    weekday = SmallInt()
    starts_at = Time()
    ends_at = Time()
