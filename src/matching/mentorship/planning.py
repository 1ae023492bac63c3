"""A mentorship's sessions planned from its weekly slot, between its dates.

The slot is the need's ``LocalSlot`` (the mentee's wall clock, in
``Need.local_timezone``); a need without one uses the doctor's ``WeeklySlot`` in
the doctor's zone. Each occurrence is placed on its real date in that zone and
stored in UTC, so a reader in another zone sees it moved by an hour across a
daylight-saving change that only one of the zones makes (Europe/Berlin switches
on the last Sundays of March and October; Asia/Damascus has kept UTC+3 since 2022).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from msgspec import Struct

#: The most sessions one mentorship plans (two years of two slots a week).
MAX_SESSIONS = 210


class Slot(Struct, frozen=True):
    weekday: int  # 0 = Monday
    starts_at: time
    ends_at: time


def plan_sessions(
    slots: Iterable[Slot], zone: str, starts_on: date, ends_on: date
) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC of every occurrence of ``slots`` (wall clock in ``zone``)
    from ``starts_on`` to ``ends_on`` inclusive, in time order."""
    tz = ZoneInfo(zone)
    moments: list[tuple[datetime, datetime]] = []
    for slot in slots:
        day = starts_on + timedelta(days=(slot.weekday - starts_on.weekday()) % 7)
        while day <= ends_on:
            start = datetime.combine(day, slot.starts_at, tz)
            end = datetime.combine(day, slot.ends_at, tz)
            if end <= start:  # a slot crossing midnight ends the next day
                end = datetime.combine(day + timedelta(days=1), slot.ends_at, tz)
            moments.append((start.astimezone(UTC), end.astimezone(UTC)))
            day += timedelta(days=7)
    moments.sort()
    return moments[:MAX_SESSIONS]
