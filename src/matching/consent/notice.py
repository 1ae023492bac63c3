"""The privacy notice people accept when they sign up: its version and its text.

The text is short and plain, translated through the catalogs (English and
Arabic). Change ``NOTICE_VERSION`` whenever its meaning changes: every doctor
and facility head is then asked to read and accept it again before anything
else at their next visit.
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.i18n import N_, gettext

NOTICE_VERSION = "2026-11-27"


@dataclass(frozen=True, slots=True)
class NoticeSection:
    heading: str
    text: str


SECTIONS: tuple[NoticeSection, ...] = (
    NoticeSection(
        N_("What we keep"),
        N_(
            "Your name, email address, language and time zone, and your password as a "
            "one-way hash nobody can read. Doctors also give their specialties, skills, "
            "languages, licences and their documents, availability, contact details, and "
            "their answers to the pairings offered. Every change is written in an audit trail."
        ),
    ),
    NoticeSection(
        N_("Who sees it"),
        N_(
            "You; the platform's coordinators, who verify licences and review pairings; and, "
            "once a pairing is confirmed, the head of that facility, who then sees the "
            "doctor's contact details. Nobody else. We use it only to pair doctors with "
            "health facilities in Homs and to follow the work that results."
        ),
    ),
    NoticeSection(
        N_("For how long"),
        N_(
            "As long as your account exists. When a doctor deletes their account, the "
            "profile, licences and documents are erased at once, and their name is removed "
            "from past mail, pairings and the audit trail."
        ),
    ),
    NoticeSection(
        N_("Your copy, and deletion"),
        N_(
            "Doctors download everything held about them, or delete their account, from "
            "their profile (My data). Facility heads ask a coordinator for either."
        ),
    ),
)

TITLE = N_("Privacy notice")


def notice_in(language: str) -> tuple[str, list[NoticeSection]]:
    """The notice's title and sections in ``language``."""
    return gettext(language, TITLE), [
        NoticeSection(gettext(language, s.heading), gettext(language, s.text)) for s in SECTIONS
    ]
