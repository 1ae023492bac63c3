"""Reading typed values out of text cells: an HTML form's fields, a CSV row's cells.

The two text channels (``web.facilities.forms`` and ``facilities.csv_io``) share
these readers; each names the field it could not read in ``unreadable`` and goes
on, so one answer lists every problem. The domain itself never reads text: it
gets the typed command.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from matching.facilities import language_levels
from matching.facilities.schemas import FacilityDraft, NeedDraft, RoleDraft, SlotDraft
from matching.i18n import N_

TRUE_WORDS = ("1", "true", "on", "yes", "y")
SLOT_PROBLEM = N_("give a weekday and start and end times on a quarter hour")


def text(data: Mapping[str, Any], key: str) -> str:
    """The field's text, stripped; the first of repeated values; ``""`` when absent."""
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def text_list(data: Mapping[str, Any], key: str) -> list[str]:
    """Repeated values (a form's ticked boxes) or ``"a;b"`` / ``"a,b"`` in one cell."""
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").split(",")
    return [str(item).strip() for item in value if str(item).strip()]


def flag(data: Mapping[str, Any], key: str) -> bool:
    """A ticked box or a yes-like cell (``on``, ``yes``, ``1``, ``true``)."""
    value = data.get(key)
    if isinstance(value, bool):
        return value
    return text(data, key).lower() in TRUE_WORDS


def whole_number(
    data: Mapping[str, Any], key: str, unreadable: dict[str, str], *, default: int = 0
) -> int:
    raw = text(data, key)
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        unreadable[key] = N_("must be a whole number")
        return default


def number(data: Mapping[str, Any], key: str, unreadable: dict[str, str]) -> float | None:
    """A decimal number (a comma is read as the decimal point); ``None`` when empty."""
    raw = text(data, key).replace(",", ".")
    if raw == "":
        return None
    try:
        value = float(raw)
    except ValueError:
        unreadable[key] = N_("must be a number")
        return None
    if not math.isfinite(value):
        unreadable[key] = N_("must be a number")
        return None
    return value


def iso_date(data: Mapping[str, Any], key: str, unreadable: dict[str, str]) -> date | None:
    value = data.get(key)
    if isinstance(value, date):
        return value
    raw = text(data, key)
    if raw == "":
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        unreadable[key] = N_("must be a date (YYYY-MM-DD)")
        return None


def slot(
    field: str, weekday: object, start: object, end: object, unreadable: dict[str, str]
) -> SlotDraft | None:
    """One weekly slot from its weekday and ``HH:MM`` times; ``None`` (named) if unreadable."""
    try:
        return SlotDraft(
            weekday=int(str(weekday)),
            start=time.fromisoformat(str(start)),
            end=time.fromisoformat(str(end)),
            field=field,
        )
    except (TypeError, ValueError):
        unreadable[field] = SLOT_PROBLEM
        return None


def slots_cell(cell: str, unreadable: dict[str, str]) -> list[SlotDraft]:
    """Slots written in one cell: ``"1 19:00-21:00; 3 19:00-21:00"`` (CSV)."""
    slots: list[SlotDraft] = []
    for index, part in enumerate(p for p in cell.split(";") if p.strip()):
        weekday, _, span = part.strip().partition(" ")
        start, _, end = span.partition("-")
        read = slot(f"slots.{index}", weekday, start.strip(), end.strip(), unreadable)
        if read is not None:
            slots.append(read)
    return slots


def role(field: str, specialty: object, count: object, unreadable: dict[str, str]) -> RoleDraft:
    """One role of a team mission from its specialty and count (empty count: 1)."""
    raw = str(count or "").strip() or "1"
    try:
        number = int(raw)
    except ValueError:
        unreadable[field] = N_("must be a whole number")
        number = 1
    return RoleDraft(specialty=str(specialty or "").strip(), count=number, field=field)


def roles_cell(cell: str, unreadable: dict[str, str]) -> list[RoleDraft]:
    """Roles written in one cell: ``"orthopaedics_trauma 1; anaesthesia 1"`` (CSV)."""
    out: list[RoleDraft] = []
    for index, part in enumerate(p for p in cell.split(";") if p.strip()):
        specialty, _, count = part.strip().partition(" ")
        out.append(role(f"roles.{index}", specialty, count, unreadable))
    return out


def need_from_cells(
    data: Mapping[str, Any],
    *,
    facility_id: int,
    slots: list[SlotDraft],
    unreadable: dict[str, str],
    publish: bool,
    roles: list[RoleDraft] | None = None,
) -> NeedDraft:
    """The need fields both text channels share (the form and a CSV row), as a command.

    Each channel reads its own facility, slots and publish choice and passes them in.
    """
    places = whole_number(data, "places", unreadable, default=1)
    starts_on = iso_date(data, "starts_on", unreadable)
    ends_on = iso_date(data, "ends_on", unreadable)
    duration_days = whole_number(data, "duration_days", unreadable)
    weekly_hours = number(data, "weekly_hours", unreadable)
    months = whole_number(data, "months", unreadable)
    audience_size = whole_number(data, "audience_size", unreadable)
    return NeedDraft(
        facility_id=facility_id,
        kind=text(data, "kind"),
        title=text(data, "title"),
        specialty=text(data, "specialty"),
        skills=text_list(data, "skills"),
        languages=text_list(data, "languages"),
        requires_licence=flag(data, "requires_licence"),
        urgency=text(data, "urgency"),
        description=text(data, "description"),
        places=places,
        starts_on=starts_on,
        ends_on=ends_on,
        duration_days=duration_days,
        mentee_name=text(data, "mentee_name"),
        weekly_hours=weekly_hours,
        months=months,
        slots=slots,
        topic=text(data, "topic"),
        audience_size=audience_size,
        remote=flag(data, "remote"),
        specialty_scope=text(data, "specialty_scope"),
        acceptable_specialties=text_list(data, "acceptable_specialties"),
        any_specialty=flag(data, "any_specialty"),
        publish=publish,
        unreadable=unreadable,
        roles=roles or [],
        language_levels=language_levels.from_cells(
            data, text_list(data, "languages") or ["ar"], unreadable
        ),
    )


def facility_from_cells(data: Mapping[str, Any]) -> FacilityDraft:
    """A facility from text fields (the form, a CSV row) as a command."""
    unreadable: dict[str, str] = {}
    latitude = number(data, "latitude", unreadable)
    longitude = number(data, "longitude", unreadable)
    beds = whole_number(data, "beds", unreadable)
    staff = whole_number(data, "staff", unreadable)
    return FacilityDraft(
        name_en=text(data, "name_en"),
        name_ar=text(data, "name_ar"),
        kind=text(data, "kind"),
        district=text(data, "district"),
        sub_district=text(data, "sub_district"),
        rural=flag(data, "rural"),
        latitude=latitude,
        longitude=longitude,
        functional_state=text(data, "functional_state"),
        beds=beds,
        staff=staff,
        accommodation=text(data, "accommodation"),
        transport=text(data, "transport"),
        security=text(data, "security"),
        receiver_role=text(data, "receiver_role"),
        unreadable=unreadable,
    )
