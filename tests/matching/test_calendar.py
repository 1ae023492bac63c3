"""The mentorship .ics across a one-sided daylight-saving switch.

Scene (the transitions factories): a mentorship from Monday 2026-03-02 to Friday
2026-05-01, the mentee's slot Tuesday 19:00-21:00 in Asia/Damascus, the doctor in
America/Chicago. The US moves its clocks on Sunday 2026-03-08; Damascus has kept
UTC+3 all year since late 2022. Worked out by hand:

* every Tuesday 19:00 Damascus (UTC+3) is 16:00 UTC, from 2026-03-03 to 2026-04-28
  (9 sessions);
* in Chicago that is 10:00 on 2026-03-03 (CST, UTC-6) and 11:00 from 2026-03-10 on
  (CDT, UTC-5);
* the old file (DTSTART 10:00 America/Chicago, weekly) put 2026-03-10 at 10:00 CDT =
  15:00 UTC = 18:00 Damascus: an hour early for the other eight sessions.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from icalendar import Calendar

from matching.availability import DateRange, WeeklyWindow, slot_occurrences_utc
from matching.pairings.calendar import build_calendar
from matching.pairings.review import pairing_detail
from tests.factories import make_doctor, make_facility, make_head, make_need, make_proposal

CHICAGO = ZoneInfo("America/Chicago")


def _occurrences(ics: bytes, tz_from_vtimezone: bool = False) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every occurrence, expanded from DTSTART/DTEND/RRULE.

    ``tz_from_vtimezone``: read the wall times through the file's own VTIMEZONE (what a
    calendar app without tzdata does) instead of the IANA name in TZID.
    """
    cal = Calendar.from_ical(ics)
    (event,) = cal.walk("VEVENT")
    start, end = event.decoded("dtstart"), event.decoded("dtend")
    if tz_from_vtimezone:
        zones = {str(z["tzid"]): z.to_tz() for z in cal.walk("VTIMEZONE")}
        tz = zones[event["dtstart"].params["TZID"]]
        start, end = start.replace(tzinfo=tz), end.replace(tzinfo=tz)
    length = end - start
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=start)
    return [(s.astimezone(UTC), (s + length).astimezone(UTC)) for s in rule]


async def _files() -> tuple[bytes, bytes]:
    facility = await make_facility()
    head = await make_head(facility)
    doctor, doctor_id = await make_doctor(tz="America/Chicago")
    need = await make_need(facility, kind="mentorship")
    proposal = await make_proposal(need, doctor_id, state="confirmed")
    for_doctor = build_calendar(await pairing_detail(proposal, doctor), for_doctor=True)
    for_head = build_calendar(await pairing_detail(proposal, head), for_doctor=False)
    return for_doctor, for_head


async def test_mentorship_sessions_keep_the_slot_time_across_the_us_switch(db: str) -> None:
    doctor_file, head_file = await _files()
    expected = slot_occurrences_utc(
        [WeeklyWindow(1, time(19), time(21))],
        "Asia/Damascus",
        DateRange(date(2026, 3, 2), date(2026, 5, 1)),
    )
    assert len(expected) == 9
    assert {(s.time(), e.time()) for s, e in expected} == {(time(16), time(18))}

    for ics in (doctor_file, head_file):
        assert _occurrences(ics) == expected
        assert _occurrences(ics, tz_from_vtimezone=True) == expected
        event = Calendar.from_ical(ics).walk("VEVENT")[0]
        assert event["dtstart"].params["TZID"] == "Asia/Damascus"

    # What the doctor's calendar shows in Chicago: 10:00 before the switch, 11:00 after.
    chicago = [s.astimezone(CHICAGO) for s, _ in _occurrences(doctor_file)]
    assert [(s.date().isoformat(), s.hour) for s in chicago[:3]] == [
        ("2026-03-03", 10),
        ("2026-03-10", 11),
        ("2026-03-17", 11),
    ]
    assert {s.hour for s in chicago[1:]} == {11}


async def test_each_file_names_its_readers_zone(db: str) -> None:
    doctor_file, head_file = await _files()
    assert str(Calendar.from_ical(doctor_file)["x-wr-timezone"]) == "America/Chicago"
    assert str(Calendar.from_ical(head_file)["x-wr-timezone"]) == "Asia/Damascus"
    zones = {str(z["tzid"]) for z in Calendar.from_ical(doctor_file).walk("VTIMEZONE")}
    assert zones == {"Asia/Damascus"}
