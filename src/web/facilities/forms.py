"""The web's input channels for facilities and needs, each decoded into the domain's command.

One declared decoder per channel (the CSV row's is ``facilities.csv_io``):

* the HTML form (a multidict read by ``web.forms.form_data``: ticked boxes, ``on``,
  ``slot_N_weekday``/``_start``/``_end``) -> :func:`need_from_form`,
  :func:`need_change_from_form`, :func:`facility_from_form`;
* the JSON body (:class:`NeedIn`, :class:`FacilityIn`) -> :func:`need_from_json`,
  :func:`need_change_from_json`, :func:`facility_from_json`,
  :func:`facility_change_from_json`.

Each produces the same typed command, which the domain validates once.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import Struct

from matching.errors import ValidationFailed
from matching.facilities import reading
from matching.facilities.need_rules import MAX_ROLES, MAX_SLOTS
from matching.facilities.schemas import (
    FacilityChange,
    FacilityDraft,
    NeedChange,
    NeedDraft,
    NeedView,
    RoleDraft,
    SlotDraft,
)
from matching.i18n import N_

_CHANGE_FIELDS = frozenset(NeedChange.__struct_fields__)

# ---------------------------------------------------------------- the HTML form


def need_from_form(data: dict[str, Any]) -> NeedDraft:
    """The need form as a command; no facility chosen is refused here, by itself."""
    try:
        facility_id = int(str(data.get("facility", "")))
    except ValueError:
        facility_id = 0
    if not facility_id:
        raise ValidationFailed({"facility": N_("choose the facility")})
    return _need_cells(data, facility_id=facility_id, publish=data.get("action") == "publish")


def need_change_from_form(data: dict[str, Any]) -> NeedChange:
    """The edit form as a change: the form sends every field (an unticked box is no)."""
    return _as_change(_need_cells(data, facility_id=0, publish=False))


def _need_cells(data: dict[str, Any], *, facility_id: int, publish: bool) -> NeedDraft:
    unreadable: dict[str, str] = {}
    slots: list[SlotDraft] = []
    for index in range(MAX_SLOTS):
        weekday = reading.text(data, f"slot_{index}_weekday")
        start = reading.text(data, f"slot_{index}_start")
        end = reading.text(data, f"slot_{index}_end")
        if weekday or start or end:
            read = reading.slot(f"slot_{index}", weekday, start, end, unreadable)
            if read is not None:
                slots.append(read)
    roles = [
        reading.role(
            f"role_{index}", specialty, reading.text(data, f"role_{index}_count"), unreadable
        )
        for index in range(MAX_ROLES)
        if (specialty := reading.text(data, f"role_{index}_specialty"))
    ]
    return reading.need_from_cells(
        data,
        facility_id=facility_id,
        slots=slots,
        unreadable=unreadable,
        publish=publish,
        roles=roles,
    )


def _as_change(draft: NeedDraft) -> NeedChange:
    given = msgspec.structs.asdict(draft)
    return NeedChange(**{name: value for name, value in given.items() if name in _CHANGE_FIELDS})


def facility_from_form(data: dict[str, Any]) -> FacilityDraft:
    return reading.facility_from_cells(data)


def facility_change_from_form(data: dict[str, Any]) -> FacilityChange:
    """The facility's edit form as a change: the form sends every field."""
    return FacilityChange(**msgspec.structs.asdict(facility_from_form(data)))


def need_values(data: dict[str, Any]) -> dict[str, Any]:
    """What was typed in the need form, to show it again next to the problems."""
    values = dict(data)
    for key in ("skills", "languages", "acceptable_specialties"):
        value = values.get(key)
        values[key] = value if isinstance(value, list) else ([value] if value else [])
    values["requires_licence"] = reading.flag(data, "requires_licence")
    values["remote"] = reading.flag(data, "remote")
    return values


def need_form_values(need: NeedView) -> dict[str, Any]:
    """A stored need as the values of its edit form."""
    values: dict[str, Any] = {
        "kind": need.kind,
        "title": need.title,
        "specialty": need.specialty,
        "description": need.description,
        "urgency": need.urgency,
        "places": need.places,
        "mentee_name": need.mentee_name,
        "months": need.months,
        "topic": need.topic,
        "audience_size": need.audience_size,
    }
    values["weekly_hours"] = f"{need.weekly_hours:g}" if need.weekly_hours else ""
    values["starts_on"] = need.starts_on.isoformat() if need.starts_on else ""
    values["ends_on"] = need.ends_on.isoformat() if need.ends_on else ""
    values["requires_licence"] = need.requires_licence
    values["remote"] = need.remote
    values["skills"] = need.skills
    values["languages"] = need.languages_list
    for code, level in need.language_minimums.items():
        values[f"level_{code}"] = level
    chosen = [code for code in need.acceptable_specialties.split(",") if code]
    values["specialty_scope"] = "any" if need.any_specialty else ("chosen" if chosen else "usual")
    values["acceptable_specialties"] = chosen
    for index, slot in enumerate(need.slots):
        values[f"slot_{index}_weekday"] = str(slot.weekday)
        values[f"slot_{index}_start"] = slot.starts_at.strftime("%H:%M")
        values[f"slot_{index}_end"] = slot.ends_at.strftime("%H:%M")
    for index, given in enumerate(need.roles):
        values[f"role_{index}_specialty"] = given.specialty
        values[f"role_{index}_count"] = given.count
    values["facility"] = need.facility
    return values


def facility_form_values(facility: Any) -> dict[str, Any]:
    """A stored facility as the values of its edit form."""
    given = msgspec.structs.asdict(facility)
    return {key: ("" if value is None else value) for key, value in given.items()}


# ---------------------------------------------------------------- the JSON body


class SlotIn(Struct):
    weekday: int
    start: str
    end: str


class RoleIn(Struct):
    """A role of a team mission: ``count`` doctors of ``specialty``."""

    specialty: str
    count: int = 1


class NeedIn(Struct, kw_only=True):
    """A need as posted to the API (same rules as the form)."""

    facility_id: int
    kind: str
    title: str
    specialty: str
    skills: list[str] = []
    languages: list[str] = msgspec.field(default_factory=lambda: ["ar"])
    requires_licence: bool = False
    urgency: str = "routine"
    description: str = ""
    places: int = 1
    starts_on: str | None = None
    ends_on: str | None = None
    duration_days: int | None = None
    mentee_name: str = ""
    weekly_hours: float | None = None
    months: int | None = None
    slots: list[SlotIn] = []
    topic: str = ""
    audience_size: int | None = None
    remote: bool = False
    # The specialty floor: "usual" (the taxonomy's list for this specialty and kind of
    # work), "chosen" (acceptable_specialties, the need's own always included) or "any".
    # Without it: "chosen" when acceptable_specialties is given, "any" when any_specialty.
    specialty_scope: str | None = None
    acceptable_specialties: list[str] = []
    any_specialty: bool = False
    publish: bool = False
    # A team mission's roles (specialty and count each), filled all together or not at
    # all; empty: one specialty x places. With roles, places is the sum of the counts.
    roles: list[RoleIn] = []
    # Minimum level per language code: basic, working, fluent or native (absent: any).
    language_levels: dict[str, str] = {}


class StatusIn(Struct):
    status: str
    reason: str = ""


class FacilityIn(Struct, kw_only=True):
    name_en: str
    name_ar: str
    kind: str
    district: str
    sub_district: str = ""
    rural: bool = False
    latitude: float | None = None
    longitude: float | None = None
    functional_state: str = "partial"
    beds: int = 0
    staff: int = 0


def need_from_json(body: NeedIn) -> NeedDraft:
    """The API's need body as a command (dates and slot times are read here)."""
    unreadable: dict[str, str] = {}
    dates = {"starts_on": body.starts_on or "", "ends_on": body.ends_on or ""}
    slots = [
        read
        for index, given in enumerate(body.slots)
        if (
            read := reading.slot(
                f"slots.{index}", given.weekday, given.start, given.end, unreadable
            )
        )
        is not None
    ]
    starts_on = reading.iso_date(dates, "starts_on", unreadable)
    ends_on = reading.iso_date(dates, "ends_on", unreadable)
    return NeedDraft(
        facility_id=body.facility_id,
        kind=body.kind,
        title=body.title,
        specialty=body.specialty,
        skills=body.skills,
        languages=body.languages,
        requires_licence=body.requires_licence,
        urgency=body.urgency,
        description=body.description,
        places=body.places,
        starts_on=starts_on,
        ends_on=ends_on,
        duration_days=body.duration_days or 0,
        mentee_name=body.mentee_name,
        weekly_hours=body.weekly_hours,
        months=body.months or 0,
        slots=slots,
        topic=body.topic,
        audience_size=body.audience_size or 0,
        remote=body.remote,
        specialty_scope=body.specialty_scope or "",
        acceptable_specialties=body.acceptable_specialties,
        any_specialty=body.any_specialty,
        publish=body.publish,
        unreadable=unreadable,
        roles=[
            RoleDraft(specialty=r.specialty, count=r.count, field=f"roles.{i}")
            for i, r in enumerate(body.roles)
        ],
        language_levels=body.language_levels,
    )


def need_change_from_json(body: NeedIn) -> NeedChange:
    """The API's edit body: it replaces every field (its defaults included)."""
    return _as_change(need_from_json(body))


def facility_from_json(body: FacilityIn) -> FacilityDraft:
    return FacilityDraft(**msgspec.structs.asdict(body))


def facility_change_from_json(body: FacilityIn) -> FacilityChange:
    """The API's facility edit: the fields it carries (the on-site details are kept)."""
    return FacilityChange(**msgspec.structs.asdict(body))
