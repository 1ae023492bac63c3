"""Forms as a person fills them in on the pages (field name -> value as posted)."""

from __future__ import annotations

#: A doctor's profile form (``/doctors/me/profile``): a neonatologist in Berlin.
PROFILE_FORM = {
    "full_name": "Omar Haddad",
    "country": "DE",
    "city": "Berlin",
    "timezone": "Europe/Berlin",
    "phone": "+49 30 1234567",
    "contact_email": "omar.private@example.de",
    "years_experience": "9",
    "bio": "Neonatologist.",
    "modes": ["mentorship", "mission"],
    "can_travel": "1",
    "max_mentees": "2",
    "hours_per_month": "8",
    "lang_ar": "native",
    "lang_de": "fluent",
    "spec_neonatology": "consultant",
    "skills": ["neonatal_resuscitation"],
    "free_text_skills": "",
}

#: A facility head's mentorship need form (``/needs/new``), before the facility is chosen.
MENTORSHIP = {
    "kind": "mentorship",
    "title": "Neonatal mentorship",
    "specialty": "neonatology",
    "skills": "neonatal_resuscitation",
    "languages": "ar",
    "urgency": "critical",
    "places": "1",
    "mentee_name": "Dr. Ahmad Shami",
    "weekly_hours": "2",
    "months": "6",
    "slot_0_weekday": "1",
    "slot_0_start": "19:00",
    "slot_0_end": "21:00",
    "description": "وحدة حديثي الولادة",
}
