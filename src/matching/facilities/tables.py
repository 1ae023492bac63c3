"""Facilities of Homs governorate and the needs they post."""

from __future__ import annotations

from enum import StrEnum

from piccolo.columns import (
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
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


class FacilityKind(StrEnum):
    HOSPITAL = "hospital"
    PRIMARY_CARE = "primary_care"
    CLINIC = "clinic"
    MOBILE_UNIT = "mobile_unit"


class District(StrEnum):
    HOMS = "homs"
    AL_RASTAN = "al_rastan"
    TALKALAKH = "talkalakh"
    AL_QUSAYR = "al_qusayr"
    AL_MUKHARRAM = "al_mukharram"
    TADMUR = "tadmur"


class FunctionalState(StrEnum):
    """HeRAMS-style functionality."""

    FULL = "full"
    PARTIAL = "partial"
    NONE = "none"


class NeedKind(StrEnum):
    MISSION = "mission"
    MENTORSHIP = "mentorship"
    TRAINING = "training"


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    CRITICAL = "critical"


class NeedStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    PARTLY_FILLED = "partly_filled"
    FILLED = "filled"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class Facility(Table):
    name_en = Varchar(length=200)
    name_ar = Varchar(length=200)
    kind = Varchar(length=20, choices=FacilityKind)
    district = Varchar(length=20, choices=District, index=True)
    sub_district = Varchar(length=100, default="")
    rural = Boolean(default=False)
    latitude = DoublePrecision(null=True, default=None)
    longitude = DoublePrecision(null=True, default=None)
    functional_state = Varchar(length=10, choices=FunctionalState, default=FunctionalState.PARTIAL)
    beds = Integer(default=0)
    staff = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    # What the facility provides a visiting doctor, and who receives them (offer page).
    accommodation = Text(default="")
    transport = Text(default="")
    security = Text(default="")
    receiver_role = Text(default="")


class FacilityHead(Table):
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.cascade)


class Invitation(Table):
    """An emailed link that lets a new facility head join a facility."""

    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.cascade)
    email = Varchar(length=254)
    token_hash = Varchar(length=64, unique=True)
    invited_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    expires_at = Timestamptz()
    accepted_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class Need(Table):
    facility = ForeignKey(Facility, null=False, on_delete=OnDelete.cascade)
    kind = Varchar(length=12, choices=NeedKind, index=True)
    title = Varchar(length=200)
    specialty = Varchar(length=64, index=True)
    description = Text(default="")
    languages = Varchar(length=100, default="ar")  # comma-separated language codes
    requires_licence = Boolean(default=False)
    urgency = Varchar(length=10, choices=Urgency, default=Urgency.ROUTINE, index=True)
    status = Varchar(length=14, choices=NeedStatus, default=NeedStatus.DRAFT, index=True)
    places = SmallInt(default=1)
    starts_on = Date(null=True, default=None)
    ends_on = Date(null=True, default=None)
    min_coverage = DoublePrecision(default=1.0)
    mentee_name = Varchar(length=200, default="")
    weekly_hours = DoublePrecision(default=0.0)
    months = SmallInt(default=0)
    local_timezone = Varchar(length=64, default="Asia/Damascus")
    topic = Varchar(length=200, default="")
    audience_size = SmallInt(default=0)
    remote = Boolean(default=False)
    # The specialty floor: comma-separated codes a head or coordinator chose (empty:
    # the taxonomy's usual list for this specialty and kind); any_specialty: no floor.
    acceptable_specialties = Text(default="")
    any_specialty = Boolean(default=False)
    # Minimum levels of some of ``languages``: comma-separated ``code:level`` (empty:
    # every language at any level).
    language_levels = Text(default="")
    created_by = ForeignKey(User, null=True, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class NeedSkill(Table):
    need = ForeignKey(Need, null=False, on_delete=OnDelete.cascade)
    code = Varchar(length=64)


class LocalSlot(Table):
    """The local mentee's weekly slot, in ``Need.local_timezone``."""

    need = ForeignKey(Need, null=False, on_delete=OnDelete.cascade)
    weekday = SmallInt()
    starts_at = Time()
    ends_at = Time()


class NeedRole(Table):
    """A role of a team mission: ``count`` doctors of ``specialty``, filled all together.

    A mission without roles keeps its single specialty x places.
    """

    need = ForeignKey(Need, null=False, on_delete=OnDelete.cascade)
    specialty = Varchar(length=64)
    count = SmallInt(default=1)
