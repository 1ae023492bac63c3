"""Need validation: impossible states are refused with the field named (no database)."""

from __future__ import annotations

from datetime import date, time

import pytest

from matching.errors import ValidationFailed
from matching.facilities.csv_io import need_from_row
from matching.facilities.need_queries import NeedFilters
from matching.facilities.need_rules import NeedFields, validate_need
from matching.facilities.profiles import validate_facility
from matching.facilities.reading import facility_from_cells
from web.facilities.forms import NeedIn, SlotIn, need_from_form, need_from_json

BASE = {"title": "A need", "specialty": "neonatology", "urgency": "routine"}


def parse_need(data: dict) -> NeedFields:
    """Validate a need as the form posts it (``facility`` chosen)."""
    return validate_need(need_from_form({**data, "facility": 1}))


def errors_of(data: dict) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        parse_need(data)
    return info.value.errors


def csv_errors_of(row: dict[str, str]) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as info:
        validate_need(need_from_row(row))
    return info.value.errors


def test_mission_needs_ordered_dates_and_places() -> None:
    errors = errors_of(
        {**BASE, "kind": "mission", "starts_on": "2027-05-10", "ends_on": "2027-05-01"}
    )
    assert errors == {"ends_on": "cannot be before the start date"}
    assert "places" in errors_of(
        {**BASE, "kind": "mission", "starts_on": "2027-05-01", "duration_days": "3", "places": "0"}
    )
    assert "starts_on" in errors_of({**BASE, "kind": "mission"})
    fields = parse_need(
        {**BASE, "kind": "mission", "starts_on": "2027-05-01", "duration_days": "14", "places": 3}
    )
    assert fields.row["ends_on"] == date(2027, 5, 14) and fields.row["places"] == 3


def test_mentorship_needs_hours_name_and_slots() -> None:
    errors = errors_of({**BASE, "kind": "mentorship", "weekly_hours": "0", "months": "6"})
    assert errors["weekly_hours"] == "a mentorship needs weekly hours above zero"
    assert "mentee_name" in errors and "slot_0" in errors
    too_few = csv_errors_of(
        {
            **BASE,
            "kind": "mentorship",
            "mentee_name": "Dr. Maya",
            "weekly_hours": "3",
            "months": "3",
            "slots": "1 19:00-20:00",
        }
    )
    assert "weekly_hours" in too_few
    bad_slot = errors_of(
        {
            **BASE,
            "kind": "mentorship",
            "mentee_name": "Dr. Maya",
            "weekly_hours": "1",
            "months": "3",
            "slot_0_weekday": "9",
            "slot_0_start": "19:07",
            "slot_0_end": "20:00",
        }
    )
    assert "slot_0" in bad_slot
    fields = parse_need(
        {
            **BASE,
            "kind": "mentorship",
            "mentee_name": "Dr. Maya",
            "weekly_hours": "1,5",
            "months": "3",
            "slot_0_weekday": "4",
            "slot_0_start": "18:00",
            "slot_0_end": "20:00",
        }
    )
    assert fields.row["weekly_hours"] == 1.5 and fields.row["languages"] == "ar"
    assert [(s.weekday, s.start) for s in fields.slots] == [(4, time(18))]
    body = NeedIn(
        facility_id=1,
        kind="mentorship",
        title="A need",
        specialty="neonatology",
        mentee_name="Dr. Maya",
        weekly_hours=2,
        months=3,
        slots=[SlotIn(weekday=4, start="18:00", end="20:00")],
    )
    fields = validate_need(need_from_json(body))
    assert [(s.weekday, s.start, s.end) for s in fields.slots] == [(4, time(18), time(20))]


def test_training_needs_topic_audience_and_dates_unless_remote() -> None:
    errors = errors_of({**BASE, "kind": "training", "audience_size": "0"})
    assert set(errors) == {"topic", "audience_size", "starts_on"}
    fields = parse_need(
        {**BASE, "kind": "training", "topic": "PFA", "audience_size": "25", "remote": "on"}
    )
    assert fields.row["remote"] is True and fields.row["starts_on"] is None


def test_unknown_codes_are_named() -> None:
    errors = errors_of(
        {
            "kind": "teleport",
            "title": "",
            "specialty": "alchemy",
            "skills": ["juggling"],
            "languages": ["xx"],
            "urgency": "yesterday",
        }
    )
    assert set(errors) == {"kind", "title", "specialty", "skills", "languages", "urgency"}


def test_facility_rules_and_filters() -> None:
    with pytest.raises(ValidationFailed) as info:
        validate_facility(
            facility_from_cells(
                {
                    "name_en": "X",
                    "name_ar": "س",
                    "kind": "hospital",
                    "district": "homs",
                    "latitude": "34.7",
                }
            )
        )
    assert info.value.errors == {"longitude": "give both latitude and longitude, or neither"}
    with pytest.raises(ValidationFailed) as info:
        NeedFilters.from_query({"area": "suburban", "kind": "mission", "status": "gone"})
    assert set(info.value.errors) == {"area", "status"}
    assert NeedFilters.from_query({"area": "rural"}).rural is True
