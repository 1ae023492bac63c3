"""A mentorship's calendar file: one event per session, following the session log.

Planned, held and missed sessions are events at their (UTC) times; a moved session
is gone and its replacement stands at the new time, with the same UID scheme
(``session-<id>``) so a calendar app that re-imports the file replaces, never
duplicates. Each person's calendar app shows the times on its own clock.
"""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Event

from matching.i18n import N_, SUPPORTED_LANGUAGES, gettext
from matching.mentorship.schemas import MentorshipPage
from matching.mentorship.tables import SessionStatus

PRODID = "-//Homs Health Bridge//mentorship//EN"


def build_mentorship_calendar(page: MentorshipPage, *, language: str = "en") -> bytes:
    """The ``.ics`` bytes of the mentorship's sessions, in the reader's ``language``."""
    language = language if language in SUPPORTED_LANGUAGES else "en"
    words = {"LANGUAGE": language}
    place = (page.facility_name_ar if language == "ar" else "") or page.facility_name_en
    mentee = page.mentee.name(language) if page.mentee else ""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    stamp = datetime.now(UTC)
    for session in page.sessions:
        if session.status == SessionStatus.MOVED:
            continue
        event = Event()
        event.add("uid", f"session-{session.id}@homs-health-bridge")
        event.add("dtstamp", stamp)
        event.add("summary", f"{page.need_title} — {place}", parameters=words)
        event.add("dtstart", session.starts_at.astimezone(UTC))
        event.add("dtend", session.ends_at.astimezone(UTC))
        event.add(
            "description",
            gettext(language, N_("Mentorship of %(name)s"), name=mentee),
            parameters=words,
        )
        event.add("location", place, parameters=words)
        event.add("status", "CONFIRMED")
        cal.add_component(event)
    return cal.to_ical()
