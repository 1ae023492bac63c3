"""What crosses the facilities domain's seams: commands in, views and results out.

Commands (``*Draft`` to create, ``*Change`` to update, with ``UNSET`` for a field
not given) are typed values: every input channel (the HTML form and the JSON body
in ``web.facilities.forms``, a CSV row in ``facilities.csv_io``) decodes its own
text into them, and the domain validates the command once, naming each bad field.
A value a channel could not read at all (``"abc"`` for a number) is named in the
command's ``unreadable`` so that one answer lists every problem of the form.

Views (``*View``) are what the pages and the JSON API show.
"""

from __future__ import annotations

from datetime import date, datetime, time

import msgspec
from msgspec import UNSET, Struct, UnsetType

# ---------------------------------------------------------------- facilities


class FacilityDraft(Struct, kw_only=True):
    """A facility to register (or every field of an edit)."""

    name_en: str
    name_ar: str
    kind: str
    district: str
    sub_district: str = ""
    rural: bool = False
    latitude: float | None = None
    longitude: float | None = None
    functional_state: str = ""  # empty: partially functioning
    beds: int = 0
    staff: int = 0
    accommodation: str = ""
    transport: str = ""
    security: str = ""
    receiver_role: str = ""
    unreadable: dict[str, str] = {}


class FacilityChange(Struct, kw_only=True):
    """An edit of a facility: the fields not given keep their stored value."""

    name_en: str | UnsetType = UNSET
    name_ar: str | UnsetType = UNSET
    kind: str | UnsetType = UNSET
    district: str | UnsetType = UNSET
    sub_district: str | UnsetType = UNSET
    rural: bool | UnsetType = UNSET
    latitude: float | UnsetType | None = UNSET
    longitude: float | UnsetType | None = UNSET
    functional_state: str | UnsetType = UNSET
    beds: int | UnsetType = UNSET
    staff: int | UnsetType = UNSET
    accommodation: str | UnsetType = UNSET
    transport: str | UnsetType = UNSET
    security: str | UnsetType = UNSET
    receiver_role: str | UnsetType = UNSET
    unreadable: dict[str, str] = {}


class FacilityView(Struct, kw_only=True):
    """A facility as its pages and the API show it."""

    id: int
    name_en: str
    name_ar: str
    kind: str
    district: str
    sub_district: str
    rural: bool
    latitude: float | None
    longitude: float | None
    functional_state: str
    beds: int
    staff: int
    created_at: datetime
    accommodation: str
    transport: str
    security: str
    receiver_role: str


class FacilityHeadView(Struct, kw_only=True):
    """A head of a facility (an active account)."""

    id: int
    email: str
    full_name: str
    language: str


class FacilityDetail(FacilityView, kw_only=True):
    """A facility with its heads (the API's one-facility answer)."""

    heads: list[FacilityHeadView] = []


# ---------------------------------------------------------------- needs


class SlotDraft(Struct, kw_only=True):
    """A weekly slot of the local doctor, in the need's time zone.

    ``field`` is the name the channel gave it (``slot_0`` on the form, ``slots.0``
    in JSON and CSV): a problem with the slot is reported there.
    """

    weekday: int
    start: time
    end: time
    field: str = ""


class RoleDraft(Struct, kw_only=True):
    """A role of a team mission: ``count`` doctors of ``specialty``.

    ``field`` is the name the channel gave it (``role_0`` on the form, ``roles.0`` in
    JSON and CSV): a problem with the role is reported there.
    """

    specialty: str
    count: int = 1
    field: str = ""


class NeedDraft(Struct, kw_only=True):
    """A need to post (draft, or open when ``publish``)."""

    facility_id: int = 0
    kind: str
    title: str
    specialty: str
    skills: list[str] = []
    languages: list[str] = []  # empty: Arabic
    requires_licence: bool = False
    urgency: str = ""  # empty: routine
    description: str = ""
    places: int = 1
    starts_on: date | None = None
    ends_on: date | None = None
    duration_days: int = 0
    mentee_name: str = ""
    weekly_hours: float | None = None
    months: int = 0
    slots: list[SlotDraft] = []
    topic: str = ""
    audience_size: int = 0
    remote: bool = False
    # The specialty floor: "usual", "chosen" (acceptable_specialties) or "any"; empty:
    # "any" when any_specialty, "chosen" when acceptable_specialties is given, else "usual".
    specialty_scope: str = ""
    acceptable_specialties: list[str] = []
    any_specialty: bool = False
    publish: bool = False
    unreadable: dict[str, str] = {}
    # A team mission's roles; empty: one specialty x places. With roles, places is
    # the sum of their counts and the need's specialty is the first role's.
    roles: list[RoleDraft] = []
    # Minimum level per language (code -> basic, working, fluent or native); a language
    # without one accepts any level.
    language_levels: dict[str, str] = {}


class NeedChange(Struct, kw_only=True):
    """An edit of a need: the fields not given keep their stored value."""

    kind: str | UnsetType = UNSET
    title: str | UnsetType = UNSET
    specialty: str | UnsetType = UNSET
    skills: list[str] | UnsetType = UNSET
    languages: list[str] | UnsetType = UNSET
    requires_licence: bool | UnsetType = UNSET
    urgency: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    places: int | UnsetType = UNSET
    starts_on: date | UnsetType | None = UNSET
    ends_on: date | UnsetType | None = UNSET
    duration_days: int | UnsetType = UNSET
    mentee_name: str | UnsetType = UNSET
    weekly_hours: float | UnsetType | None = UNSET
    months: int | UnsetType = UNSET
    slots: list[SlotDraft] | UnsetType = UNSET
    topic: str | UnsetType = UNSET
    audience_size: int | UnsetType = UNSET
    remote: bool | UnsetType = UNSET
    specialty_scope: str | UnsetType = UNSET
    acceptable_specialties: list[str] | UnsetType = UNSET
    any_specialty: bool | UnsetType = UNSET
    unreadable: dict[str, str] = {}
    roles: list[RoleDraft] | UnsetType = UNSET
    language_levels: dict[str, str] | UnsetType = UNSET


def apply_change(draft: NeedDraft, change: NeedChange) -> NeedDraft:
    """``draft`` with the fields ``change`` gives (its ``unreadable`` included)."""
    given = {
        name: getattr(change, name)
        for name in change.__struct_fields__
        if getattr(change, name) is not UNSET
    }
    return msgspec.structs.replace(draft, **given)


class NeedSaved(Struct, kw_only=True):
    """A need created or edited: its status now, and whether ranking is due."""

    id: int
    status: str
    ranking_due: bool


class NeedMoved(Struct, kw_only=True):
    """A need's status changed by a person: where it is, what was withdrawn."""

    id: int
    status: str
    withdrawn: int
    ranking_due: bool


class NeedSlotView(Struct, kw_only=True):
    weekday: int
    starts_at: time
    ends_at: time


class ConfirmedDoctor(Struct, kw_only=True):
    """A doctor confirmed for a need, and the pairing that says so."""

    proposal_id: int
    doctor_name: str


class NeedRoleView(Struct, kw_only=True):
    """A role of a team mission: ``count`` doctors of ``specialty``."""

    specialty: str
    count: int


class NeedView(Struct, kw_only=True):
    """One need as its pages and the API show it.

    ``confirmed_doctors``, ``confirmed`` and ``pending`` come from the pairings
    (``pairings.need_fill.with_holdings``); the facilities domain leaves them empty.
    """

    id: int
    facility: int
    kind: str
    title: str
    specialty: str
    description: str
    languages: str
    requires_licence: bool
    urgency: str
    status: str
    places: int
    starts_on: date | None
    ends_on: date | None
    min_coverage: float
    mentee_name: str
    weekly_hours: float
    months: int
    local_timezone: str
    topic: str
    audience_size: int
    remote: bool
    acceptable_specialties: str
    any_specialty: bool
    created_by: int | None
    created_at: datetime
    updated_at: datetime
    skills: list[str] = []
    slots: list[NeedSlotView] = []
    languages_list: list[str] = []
    acceptable_list: list[str] | None = None
    confirmed_doctors: list[ConfirmedDoctor] = []
    confirmed: int = 0
    pending: int = 0
    roles: list[NeedRoleView] = []
    language_levels: str = ""  # stored ``code:level`` pairs
    # code -> minimum level, for the languages that ask for one.
    language_minimums: dict[str, str] = {}


class NeedListItem(Struct, kw_only=True):
    """One row of the needs list (the API's page of needs)."""

    id: int
    kind: str
    title: str
    specialty: str
    urgency: str
    status: str
    places: int
    starts_on: date | None
    ends_on: date | None
    weekly_hours: float
    months: int
    languages: str
    requires_licence: bool
    created_at: datetime
    facility_id: int
    facility_name_en: str
    facility_name_ar: str
    district: str
    rural: bool


__all__ = [
    "ConfirmedDoctor",
    "FacilityChange",
    "FacilityDetail",
    "FacilityDraft",
    "FacilityHeadView",
    "FacilityView",
    "NeedChange",
    "NeedDraft",
    "NeedListItem",
    "NeedMoved",
    "NeedSaved",
    "NeedSlotView",
    "NeedView",
    "SlotDraft",
    "apply_change",
]


class RemoteChange(Struct, kw_only=True):
    """A coordinator turns an in-person need (a mission, an in-person workshop) into
    remote work: a remote mentorship (``mentee_name``, ``weekly_hours``, ``months``,
    ``slots``) or a remote training workshop (``topic``, ``audience_size``; empty:
    the need's title and places)."""

    kind: str
    mentee_name: str = ""
    weekly_hours: float | None = None
    months: int = 0
    slots: list[SlotDraft] = []
    topic: str = ""
    audience_size: int = 0
    note: str = ""
    unreadable: dict[str, str] = {}
