"""The doctors' input channels: form text and JSON bodies decode into one typed command,
and a value that cannot be decoded is reported together with the domain's problems."""

from __future__ import annotations

from datetime import date, time

import pytest
from msgspec import UNSET

from matching.doctors.schemas import ProfileChange
from matching.errors import ValidationFailed
from web.doctors.forms import (
    ProfileIn,
    licence_draft,
    profile_change_from_body,
    profile_change_from_form,
    travel_window_draft,
    weekly_slot_draft,
)


def test_profile_form_text_becomes_typed_values() -> None:
    change = profile_change_from_form(
        {
            "full_name": "Omar Haddad",
            "years_experience": "9",
            "max_mentees": "",
            "can_travel": "on",
            "modes": "mission",
            "skills": ["neonatal_resuscitation", "neonatal_resuscitation"],
            "languages": {"ar": "native", "de": ""},
        }
    )
    assert change.years_experience == 9 and change.max_mentees == 0
    assert change.can_travel is True and change.modes == ("mission",)
    assert change.languages == {"ar": "native"}, "codes left at no level are dropped"
    assert change.country is UNSET, "fields not posted keep their value"


def test_profile_problems_are_reported_all_at_once() -> None:
    with pytest.raises(ValidationFailed) as caught:
        profile_change_from_form(
            {
                "full_name": "",
                "timezone": "Mars/Olympus",
                "country": "XX",
                "contact_email": "nope",
                "years_experience": "many",
                "specialties": {"astrology": "consultant", "pediatrics": "wizard"},
                "skills": ["juggling"],
                "modes": ["teleportation"],
            }
        )
    errors = caught.value.errors
    assert set(errors) == {
        "full_name",
        "timezone",
        "country",
        "contact_email",
        "years_experience",
        "specialties",
        "skills",
        "modes",
    }
    assert errors["years_experience"] == "must be a whole number"


def test_json_body_and_form_give_the_same_command() -> None:
    from_body = profile_change_from_body(
        ProfileIn(full_name="Omar Haddad", years_experience=9, can_travel=True, modes=["mission"])
    )
    from_form = profile_change_from_form(
        {
            "full_name": "Omar Haddad",
            "years_experience": "9",
            "can_travel": "yes",
            "modes": "mission",
        }
    )
    assert (
        from_body
        == from_form
        == ProfileChange(
            full_name="Omar Haddad", years_experience=9, can_travel=True, modes=("mission",)
        )
    )


def test_weekly_slot_text() -> None:
    with pytest.raises(ValidationFailed) as caught:
        weekly_slot_draft("8", "18:07", "25:00")
    assert caught.value.errors == {
        "weekday": "choose a day of the week",
        "starts_at": "must be on a quarter hour (:00, :15, :30, :45)",
        "ends_at": "is not a time (HH:MM)",
    }
    with pytest.raises(ValidationFailed) as caught:
        weekly_slot_draft("monday", "", "18:00")
    assert caught.value.errors == {
        "weekday": "choose a day of the week",
        "starts_at": "is required",
    }
    draft = weekly_slot_draft("4", "22:00", "01:00")
    assert (draft.weekday, draft.starts_at, draft.ends_at) == (4, time(22, 0), time(1, 0))


def test_travel_window_text() -> None:
    with pytest.raises(ValidationFailed) as caught:
        travel_window_draft("soon", "")
    assert caught.value.errors == {
        "starts_on": "is not a date (YYYY-MM-DD)",
        "ends_on": "is required",
    }
    draft = travel_window_draft("2030-05-01", "2030-05-10")
    assert (draft.starts_on, draft.ends_on) == (date(2030, 5, 1), date(2030, 5, 10))


def test_licence_text_and_confirmation() -> None:
    values = {"issuer_country": "", "authority": "IDFPR", "number": "1", "expires_on": "31/01/2031"}
    with pytest.raises(ValidationFailed) as caught:
        licence_draft(values, document=b"<html>", filename="x.pdf", confirm_expired="")
    assert caught.value.errors == {
        "issuer_country": "is required",
        "expires_on": "is not a date (YYYY-MM-DD)",
        "document": "must be a PDF, PNG or JPEG file",
    }
    draft = licence_draft(
        {**values, "issuer_country": "us", "expires_on": "2031-01-31"},
        document=None,
        filename="",
        confirm_expired="Yes",
    )
    assert draft.expires_on == date(2031, 1, 31) and draft.confirm_expired is True
