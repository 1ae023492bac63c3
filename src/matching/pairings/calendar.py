"""The commitment of a confirmed pairing as an iCalendar file.

Missions and workshops are all-day events over the need's dates. Mentorship
is one weekly recurring event per local slot (RRULE weekly until the end
date), in BOTH files expressed in the zone the slot was defined in: the
need's local zone (``Need.local_timezone``, ``Asia/Damascus`` by default),
with a ``TZID`` and the ``VTIMEZONE`` icalendar generates from tzdata. Every
occurrence is then the mentee's wall-clock time, and each person's calendar
app converts it to their own clock week by week. A recurrence written in the
doctor's zone instead (the first session converted) would keep the doctor's
clock time fixed and drift by an hour after a one-sided daylight-saving
switch (US or EU switches; Damascus has none since 2022).
``X-WR-TIMEZONE`` names the zone of whoever the file is for (a display hint).

The words are in the reader's language: the facility by its Arabic name for an
Arabic reader (its English name when it has none), the mentorship's description
from the catalogs, each text marked with its ``LANGUAGE``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from matching.i18n import N_, SUPPORTED_LANGUAGES, gettext
from matching.pairings.review import PairingDetail

PRODID = "-//Homs Health Bridge//pairings//EN"


def _mentorship_span(need: dict[str, Any], confirmed_at: datetime | None) -> tuple[date, date]:
    start = need.get("starts_on") or (confirmed_at or datetime.now(UTC)).date() + timedelta(days=7)
    end = need.get("ends_on") or start + timedelta(days=30 * max(int(need.get("months") or 3), 1))
    return start, end


def _first_on_or_after(day: date, weekday: int) -> date:
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def facility_name(facility: dict[str, Any], language: str) -> str:
    """The facility's name in ``language`` (Arabic when there is one, else English)."""
    if language == "ar" and facility.get("name_ar"):
        return str(facility["name_ar"])
    return str(facility.get("name_en") or facility.get("name_ar") or "")


def build_calendar(detail: PairingDetail, *, for_doctor: bool, language: str = "en") -> bytes:
    """The ``.ics`` bytes of this pairing, in the doctor's or the facility's zone and the
    reader's ``language``."""
    language = language if language in SUPPORTED_LANGUAGES else "en"
    row = detail.row
    need, facility, proposal = row.need, row.facility, row.proposal
    place = facility_name(facility, language)
    words = {"LANGUAGE": language}
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    summary = f"{need['title']} — {place}"
    stamp = datetime.now(UTC)
    if need["kind"] != "mentorship":
        start = need.get("starts_on") or stamp.date()
        end = need.get("ends_on") or start
        event = Event()
        event.add("uid", f"pairing-{proposal.id}@homs-health-bridge")
        event.add("dtstamp", stamp)
        event.add("summary", summary, parameters=words)
        event.add("dtstart", start)
        event.add("dtend", end + timedelta(days=1))  # DTEND of an all-day event is exclusive
        event.add("location", place, parameters=words)
        cal.add_component(event)
        return cal.to_ical()

    local_name = need.get("local_timezone") or "Asia/Damascus"
    local_zone = ZoneInfo(local_name)
    doctor_zone = proposal.doctor.timezone if proposal.doctor else None
    cal.add("x-wr-timezone", (doctor_zone if for_doctor else None) or local_name)
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
        event = Event()
        event.add("uid", f"pairing-{proposal.id}-{n}@homs-health-bridge")
        event.add("dtstamp", stamp)
        event.add("summary", summary, parameters=words)
        event.add("dtstart", start)
        event.add("dtend", end)
        # UNTIL in UTC, as RFC 5545 requires when DTSTART has a TZID.
        event.add("rrule", {"freq": "weekly", "until": until})
        event.add(
            "description",
            gettext(language, N_("Mentorship of %(name)s"), name=need.get("mentee_name") or ""),
            parameters=words,
        )
        event.add("location", place, parameters=words)
        cal.add_component(event)
    # VTIMEZONE blocks for the zones used, covering only the pairing's dates.
    cal.add_missing_timezones(
        first_date=first_day - timedelta(days=1), last_date=last_day + timedelta(days=8)
    )
    return cal.to_ical()
