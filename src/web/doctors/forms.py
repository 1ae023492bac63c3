"""Turning the doctor pages' form posts into service input, and choices for selects."""

from __future__ import annotations

from typing import Any

from matching.availability import common_timezones
from matching.doctors import validation as v
from matching.doctors.services import DoctorProfileData
from matching.i18n import N_
from matching.taxonomy import load_taxonomy

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
        "countries": v.country_choices(language),
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


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else [str(x) for x in value]


def profile_from_form(form: dict[str, Any]) -> dict[str, Any]:
    """The service's ``update_profile`` input from the posted profile form."""
    taxonomy = load_taxonomy()
    data: dict[str, Any] = {
        name: form.get(name, "")
        for name in (
            "full_name",
            "country",
            "city",
            "timezone",
            "phone",
            "contact_email",
            "years_experience",
            "bio",
            "max_mentees",
            "hours_per_month",
            "free_text_skills",
        )
    }
    data["can_travel"] = bool(form.get("can_travel"))
    data["modes"] = _list(form.get("modes"))
    data["skills"] = _list(form.get("skills"))
    data["languages"] = {code: str(form.get(f"lang_{code}", "")) for code in taxonomy.languages}
    data["specialties"] = {code: str(form.get(f"spec_{code}", "")) for code in taxonomy.specialties}
    return data
