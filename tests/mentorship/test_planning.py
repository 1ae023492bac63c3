"""Sessions planned from the weekly slot across daylight-saving changes (pure, and as
stored on both engines)."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from matching.mentorship.planning import Slot, plan_sessions
from matching.mentorship.services import sessions_of
from tests.mentorship.helpers import confirmed_mentorship

BERLIN, DAMASCUS = ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Damascus")
TUESDAY_EVENING = Slot(1, time(19), time(21))  # the mentee's wall clock, in Homs


def test_march_change_moves_the_doctor_clock_not_the_mentee_clock() -> None:
    # Europe/Berlin goes to summer time on Sunday 2026-03-29; Damascus stays UTC+3.
    moments = plan_sessions([TUESDAY_EVENING], "Asia/Damascus", date(2026, 3, 16), date(2026, 4, 8))
    assert [start.date().isoformat() for start, _ in moments] == [
        "2026-03-17",
        "2026-03-24",
        "2026-03-31",
        "2026-04-07",
    ]
    assert {start.astimezone(DAMASCUS).time() for start, _ in moments} == {time(19)}
    berlin = [start.astimezone(BERLIN).time() for start, _ in moments]
    assert berlin == [time(17), time(17), time(18), time(18)]
    assert all((end - start).total_seconds() == 7200 for start, end in moments)


def test_october_change_back() -> None:
    # Europe/Berlin goes back to winter time on Sunday 2026-10-25.
    moments = plan_sessions(
        [TUESDAY_EVENING], "Asia/Damascus", date(2026, 10, 13), date(2026, 11, 3)
    )
    berlin = [start.astimezone(BERLIN).strftime("%m-%d %H:%M") for start, _ in moments]
    assert berlin == ["10-13 18:00", "10-20 18:00", "10-27 17:00", "11-03 17:00"]


def test_a_doctor_slot_in_berlin_keeps_the_doctor_clock() -> None:
    slot = Slot(2, time(18), time(19, 30))  # Wednesdays 18:00 in Berlin
    moments = plan_sessions([slot], "Europe/Berlin", date(2026, 3, 23), date(2026, 4, 2))
    assert [s.astimezone(BERLIN).time() for s, _ in moments] == [time(18), time(18)]
    assert [s.astimezone(DAMASCUS).time() for s, _ in moments] == [time(20), time(19)]


def test_a_slot_across_midnight_ends_next_day() -> None:
    (start, end), *_ = plan_sessions(
        [Slot(0, time(23), time(0, 30))], "Asia/Damascus", date(2026, 3, 2), date(2026, 3, 2)
    )
    assert (end - start).total_seconds() == 90 * 60


async def test_stored_sessions_between_the_dates(db: str) -> None:
    world = await confirmed_mentorship(starts_on=date(2026, 3, 16), ends_on=date(2026, 4, 8))
    sessions = await sessions_of(world["mentorship"])
    assert [s.status for s in sessions] == ["planned"] * 4
    assert [s.starts_at.astimezone(BERLIN).hour for s in sessions] == [17, 17, 18, 18]
    assert {s.starts_at.astimezone(DAMASCUS).hour for s in sessions} == {19}
