"""The commitment of a confirmed pairing as an iCalendar file.

Missions and workshops are all-day events over the need's dates. Mentorship
is one weekly recurring event per local slot (RRULE weekly until the end
date): in ``Asia/Damascus`` (the need's local zone) for the head's file, and
in the doctor's own zone for the doctor's file (the first session's moment
converted, so the doctor's calendar shows their own clock time).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from matching.pairings.review import PairingDetail

PRODID = "-//Homs Health Bridge//pairings//EN"


def _mentorship_span(need: dict[str, Any], confirmed_at: datetime | None) -> tuple[date, date]:
    start = need.get("starts_on") or (confirmed_at or datetime.now(UTC)).date() + timedelta(days=7)
    end = need.get("ends_on") or start + timedelta(days=30 * max(int(need.get("months") or 3), 1))
    return start, end


def _first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def build_calendar(detail: PairingDetail, *, for_doctor: bool) -> bytes:
    """The ``.ics`` bytes of this pairing, in the doctor's or the facility's zone."""
    row = detail.row
    need, facility, proposal = row.need, row.facility, row.proposal
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    summary = f"{need['title']} — {facility['name_en']}"
    stamp = datetime.now(UTC)
    if need["kind"] != "mentorship":
        start = need.get("starts_on") or stamp.date()
        end = need.get("ends_on") or start
        event = Event()
        event.add("uid", f"pairing-{proposal.id}@homs-health-bridge")
        event.add("dtstamp", stamp)
        event.add("summary", summary)
        event.add("dtstart", start)
        event.add("dtend", end + timedelta(days=1))  # DTEND of an all-day event is exclusive
        event.add("location", facility["name_en"])
        cal.add_component(event)
        return cal.to_ical()

    local_zone = ZoneInfo(need.get("local_timezone") or "Asia/Damascus")
    doctor_zone = ZoneInfo(proposal.doctor.timezone if proposal.doctor else "UTC")
    first_day, last_day = _mentorship_span(need, proposal.responded_at)
    until = datetime.combine(last_day, datetime.max.time(), tzinfo=local_zone).astimezone(UTC)
    for n, slot in enumerate(
        sorted(detail.local_slots, key=lambda s: (s["weekday"], s["starts_at"]))
    ):
        day = _first_on_or_after(first_day, int(slot["weekday"]))
        start = datetime.combine(day, slot["starts_at"], tzinfo=local_zone)
        end = datetime.combine(day, slot["ends_at"], tzinfo=local_zone)
        if end <= start:  # crosses midnight
            end += timedelta(days=1)
        if for_doctor:
            start, end = start.astimezone(doctor_zone), end.astimezone(doctor_zone)
        event = Event()
        event.add("uid", f"pairing-{proposal.id}-{n}@homs-health-bridge")
        event.add("dtstamp", stamp)
        event.add("summary", summary)
        event.add("dtstart", start)
        event.add("dtend", end)
        event.add("rrule", {"freq": "weekly", "until": until})
        event.add("description", f"Mentorship: {need.get('mentee_name') or ''}".strip())
        cal.add_component(event)
    if hasattr(cal, "add_missing_timezones"):
        cal.add_missing_timezones()
    return cal.to_ical()
