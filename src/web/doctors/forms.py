"""The doctors' input channels: the HTML form and the JSON body decode into the same
typed command (``matching.doctors.schemas``); the domain never sees a form string.

Decoding turns text into typed values ("on"/"yes" into booleans, "12" into 12,
"2030-05-01" into a date, "18:00" into a time). A value that cannot be decoded is
reported with the domain's own problems, all at once (:func:`checked`). Also the
choices the doctor's selects list.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, time
from typing import Any, TypeVar

from msgspec import Struct

from matching.availability import common_timezones
from matching.doctors.availability_slots import travel_window_errors, weekly_slot_errors
from matching.doctors.licences import licence_draft_errors
from matching.doctors.profile import profile_change_errors
from matching.doctors.schemas import (
    DoctorProfileData,
    LicenceDraft,
    ProfileChange,
    TravelWindowDraft,
    WeeklySlotDraft,
)
from matching.doctors.validation import country_choices
from matching.errors import ValidationFailed
from matching.i18n import N_
from matching.taxonomy import load_taxonomy

Command = TypeVar("Command")
_TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
TRUE_WORDS = ("1", "true", "on", "yes")

WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
LANGUAGE_LEVEL_LABELS = {
    "basic": N_("Basic"),
    "working": N_("Working"),
    "fluent": N_("Fluent"),
    "native": N_("Native"),
}
LEVEL_LABELS = {
    "resident": N_("Resident"),
    "specialist": N_("Specialist"),
    "consultant": N_("Consultant"),
}
MODE_LABELS = {
    "mission": N_("In-person mission"),
    "mentorship": N_("Remote mentorship"),
    "training": N_("Teaching a workshop"),
}


def _name(entry: Any, language: str) -> str:
    return entry.ar if language == "ar" else entry.en


def choices(language: str) -> dict[str, Any]:
    """Everything the profile form lists, named in ``language``."""
    taxonomy = load_taxonomy()
    return {
        "countries": country_choices(language),
        "timezones": common_timezones(),
        "taxonomy_languages": sorted(
            ((c, _name(x, language)) for c, x in taxonomy.languages.items()),
            key=lambda item: item[1],
        ),
        "taxonomy_specialties": sorted(
            ((c, _name(x, language)) for c, x in taxonomy.specialties.items()),
            key=lambda item: item[1],
        ),
        "taxonomy_skills": sorted(
            ((c, _name(x, language)) for c, x in taxonomy.skills.items()),
            key=lambda item: item[1],
        ),
        "language_levels": LANGUAGE_LEVEL_LABELS,
        "levels": LEVEL_LABELS,
        "mode_labels": MODE_LABELS,
        "weekdays": WEEKDAYS,
    }


def profile_values(profile: DoctorProfileData) -> dict[str, Any]:
    """Form values from a stored profile; a never-completed profile leaves the zone empty
    so the page (and its script) can suggest the browser's zone."""
    fresh = not profile.country and profile.timezone == "UTC" and not profile.specialties
    values: dict[str, Any] = {
        "full_name": profile.full_name,
        "country": profile.country,
        "city": profile.city,
        "timezone": "" if fresh else profile.timezone,
        "phone": profile.phone,
        "contact_email": profile.contact_email,
        "years_experience": profile.years_experience,
        "bio": profile.bio,
        "modes": list(profile.modes),
        "max_mentees": profile.max_mentees,
        "hours_per_month": profile.hours_per_month,
        "can_travel": profile.can_travel,
        "free_text_skills": profile.free_text_skills,
        "skills": list(profile.skills),
        "languages": dict(profile.languages),
        "specialties": dict(profile.specialties),
    }
    return values


# ---------------------------------------------------------------------- JSON bodies
class ProfileIn(Struct):
    """Fields left out (or null) keep their current value."""

    full_name: str | None = None
    country: str | None = None
    city: str | None = None
    timezone: str | None = None
    phone: str | None = None
    contact_email: str | None = None
    years_experience: int | None = None
    bio: str | None = None
    languages: dict[str, str] | None = None
    modes: list[str] | None = None
    max_mentees: int | None = None
    hours_per_month: int | None = None
    can_travel: bool | None = None
    specialties: dict[str, str] | None = None
    skills: list[str] | None = None
    free_text_skills: str | None = None


class TravelWindowIn(Struct):
    starts_on: str
    ends_on: str


class SlotIn(Struct):
    weekday: int
    starts_at: str
    ends_at: str


# ---------------------------------------------------------------------- decoding
def checked(
    command: Command, errors: dict[str, str], domain_errors: Callable[[Command], dict[str, str]]
) -> Command:
    """``command`` when it decoded cleanly; else refuse it with every problem at once,
    the decoding's and the domain's (``domain_errors``), by field."""
    if errors:
        raise ValidationFailed({**domain_errors(command), **errors})
    return command


def truthy(value: object) -> bool:
    """A checkbox or flag: "1", "true", "on", "yes" (any case) or a true bool."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in TRUE_WORDS


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _text(value: object) -> str:
    return str(value if value is not None else "")


def _whole_number(errors: dict[str, str], field: str, value: object) -> int | None:
    """An integer; an empty field counts as 0."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raw = _text(value).strip()
    if raw == "":
        return 0
    try:
        return int(raw)
    except ValueError:
        errors[field] = N_("must be a whole number")
        return None


def _levels(errors: dict[str, str], field: str, value: object) -> dict[str, str] | None:
    """{code: level}, without the codes left at no level."""
    if not isinstance(value, Mapping):
        errors[field] = N_("must map codes to levels")
        return None
    return {str(code): str(level) for code, level in value.items() if level}


def _date(errors: dict[str, str], field: str, value: object) -> date | None:
    """A date (YYYY-MM-DD); empty is ``None`` (the domain says it is required)."""
    if isinstance(value, date):
        return value
    raw = _text(value).strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[field] = N_("is not a date (YYYY-MM-DD)")
        return None


def _time(errors: dict[str, str], field: str, value: object) -> time | None:
    """A time (HH:MM); empty is ``None`` (the domain says it is required)."""
    if isinstance(value, time):
        return value
    raw = _text(value).strip()
    if not raw:
        return None
    match = _TIME_RE.match(raw)
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        errors[field] = N_("is not a time (HH:MM)")
        return None
    return time(int(match[1]), int(match[2]))


def _weekday(errors: dict[str, str], field: str, value: object) -> int | None:
    try:
        return int(_text(value).strip())
    except ValueError:
        errors[field] = N_("choose a day of the week")
        return None


_PROFILE_TEXT = ("full_name", "country", "city", "timezone", "phone", "contact_email", "bio")
_PROFILE_NUMBERS = ("years_experience", "max_mentees", "hours_per_month")


def _profile_change(data: Mapping[str, Any]) -> tuple[ProfileChange, dict[str, str]]:
    """The fields present in ``data`` (form text or JSON values), decoded."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    for name in (*_PROFILE_TEXT, "free_text_skills"):
        if name in data:
            fields[name] = _text(data[name])
    for name in _PROFILE_NUMBERS:
        if name in data and (number := _whole_number(errors, name, data[name])) is not None:
            fields[name] = number
    if "can_travel" in data:
        fields["can_travel"] = truthy(data["can_travel"])
    for name in ("modes", "skills"):
        if name in data:
            fields[name] = tuple(_as_list(data[name]))
    for name in ("languages", "specialties"):
        if name in data and (levels := _levels(errors, name, data[name])) is not None:
            fields[name] = levels
    return ProfileChange(**fields), errors


def profile_change_from_form(values: Mapping[str, Any]) -> ProfileChange:
    """The profile form's values (:func:`profile_form_values`) as a :class:`ProfileChange`."""
    return checked(*_profile_change(values), profile_change_errors)


def profile_change_from_body(body: ProfileIn) -> ProfileChange:
    """The JSON body as a :class:`ProfileChange`; fields left out or null stay ``UNSET``."""
    present = {
        name: value
        for name in ProfileIn.__struct_fields__
        if (value := getattr(body, name)) is not None
    }
    return checked(*_profile_change(present), profile_change_errors)


def profile_form_values(form: Mapping[str, Any]) -> dict[str, Any]:
    """What the posted profile form holds, as the page shows it again (every field)."""
    taxonomy = load_taxonomy()
    data: dict[str, Any] = {
        name: form.get(name, "") for name in (*_PROFILE_TEXT, *_PROFILE_NUMBERS, "free_text_skills")
    }
    data["can_travel"] = bool(form.get("can_travel"))
    data["modes"] = _as_list(form.get("modes"))
    data["skills"] = _as_list(form.get("skills"))
    data["languages"] = {code: str(form.get(f"lang_{code}", "")) for code in taxonomy.languages}
    data["specialties"] = {code: str(form.get(f"spec_{code}", "")) for code in taxonomy.specialties}
    return data


LICENCE_FIELDS = ("issuer_country", "authority", "number", "expires_on", "scope")


def licence_values(form: Mapping[str, Any]) -> dict[str, str]:
    """The licence form's text fields (the form or the API's multipart body)."""
    return {name: str(form.get(name, "") or "") for name in LICENCE_FIELDS}


def licence_draft(
    values: Mapping[str, str],
    *,
    document: bytes | None,
    filename: str,
    confirm_expired: object,
) -> LicenceDraft:
    errors: dict[str, str] = {}
    draft = LicenceDraft(
        issuer_country=values["issuer_country"],
        authority=values["authority"],
        number=values["number"],
        expires_on=_date(errors, "expires_on", values["expires_on"]),
        document=document,
        filename=filename,
        confirm_expired=truthy(confirm_expired),
        scope=values.get("scope") or "foreign",
    )
    return checked(draft, errors, licence_draft_errors)


def travel_window_draft(starts_on: object, ends_on: object) -> TravelWindowDraft:
    errors: dict[str, str] = {}
    draft = TravelWindowDraft(
        starts_on=_date(errors, "starts_on", starts_on),
        ends_on=_date(errors, "ends_on", ends_on),
    )
    return checked(draft, errors, travel_window_errors)


def weekly_slot_draft(weekday: object, starts_at: object, ends_at: object) -> WeeklySlotDraft:
    errors: dict[str, str] = {}
    draft = WeeklySlotDraft(
        weekday=_weekday(errors, "weekday", weekday),
        starts_at=_time(errors, "starts_at", starts_at),
        ends_at=_time(errors, "ends_at", ends_at),
    )
    return checked(draft, errors, weekly_slot_errors)
