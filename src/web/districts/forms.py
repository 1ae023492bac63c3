"""The input channels of district access and of a mission turned remote: the HTML form
and the JSON body, each decoded into the domain's command (validated once there)."""

from __future__ import annotations

from typing import Any

from msgspec import Struct

from matching.districts.schemas import AccessCommand
from matching.facilities import reading
from matching.facilities.schemas import RemoteChange, SlotDraft

#: The make-remote form offers this many weekly slots of the local doctor.
REMOTE_SLOTS = 2


def access_from_form(data: dict[str, Any]) -> AccessCommand:
    unreadable: dict[str, str] = {}
    return AccessCommand(
        district=reading.text(data, "district"),
        status=reading.text(data, "status"),
        effective_on=reading.iso_date(data, "effective_on", unreadable),
        note=reading.text(data, "note"),
        unreadable=unreadable,
    )


class AccessIn(Struct, kw_only=True):
    """A district's access status: ``district`` (a code such as ``al_rastan``),
    ``status`` (open, restricted, closed), ``effective_on`` (YYYY-MM-DD), ``note``."""

    district: str
    status: str
    effective_on: str = ""
    note: str = ""


def access_from_json(body: AccessIn) -> AccessCommand:
    return access_from_form(
        {
            "district": body.district,
            "status": body.status,
            "effective_on": body.effective_on,
            "note": body.note,
        }
    )


def remote_from_form(data: dict[str, Any]) -> RemoteChange:
    unreadable: dict[str, str] = {}
    slots: list[SlotDraft] = []
    for index in range(REMOTE_SLOTS):
        weekday = reading.text(data, f"slot_{index}_weekday")
        start = reading.text(data, f"slot_{index}_start")
        end = reading.text(data, f"slot_{index}_end")
        if start or end:
            read = reading.slot(f"slot_{index}", weekday, start, end, unreadable)
            if read is not None:
                slots.append(read)
    return RemoteChange(
        kind=reading.text(data, "kind"),
        mentee_name=reading.text(data, "mentee_name"),
        weekly_hours=reading.number(data, "weekly_hours", unreadable),
        months=reading.whole_number(data, "months", unreadable),
        slots=slots,
        topic=reading.text(data, "topic"),
        audience_size=reading.whole_number(data, "audience_size", unreadable),
        note=reading.text(data, "note"),
        unreadable=unreadable,
    )


class RemoteSlotIn(Struct, kw_only=True):
    weekday: int
    start: str
    end: str


class RemoteIn(Struct, kw_only=True):
    """Turn an in-person need into ``kind`` (mentorship or training) remote work."""

    kind: str
    mentee_name: str = ""
    weekly_hours: float | None = None
    months: int = 0
    slots: list[RemoteSlotIn] = []
    topic: str = ""
    audience_size: int = 0
    note: str = ""


def remote_from_json(body: RemoteIn) -> RemoteChange:
    unreadable: dict[str, str] = {}
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
    return RemoteChange(
        kind=body.kind,
        mentee_name=body.mentee_name,
        weekly_hours=body.weekly_hours,
        months=body.months,
        slots=slots,
        topic=body.topic,
        audience_size=body.audience_size,
        note=body.note,
        unreadable=unreadable,
    )
