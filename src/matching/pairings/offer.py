"""What the offer page shows a doctor about the weekly times of a mentorship.

A need's weekly slots are the local doctor's, in Homs time (``Asia/Damascus``).
:func:`slot_moments` gives each slot's first occurrence on or after the
mentorship's start as aware datetimes, so the page shows them in the reader's
own zone (daylight saving of both zones counted on the real date).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

FACILITY_ZONE = ZoneInfo("Asia/Damascus")


def slot_moments(
    slots: Iterable[Mapping[str, Any]], starts_on: date | None, today: date | None = None
) -> list[tuple[datetime, datetime]]:
    """(start, end) of each weekly slot's first occurrence from ``starts_on`` (or today)."""
    first = max(starts_on or date.min, today or date.today())
    moments = []
    for slot in sorted(slots, key=lambda s: (int(s["weekday"]), s["starts_at"])):
        day = first + timedelta(days=(int(slot["weekday"]) - first.weekday()) % 7)
        start = datetime.combine(day, slot["starts_at"], FACILITY_ZONE)
        end = datetime.combine(day, slot["ends_at"], FACILITY_ZONE)
        if end <= start:  # a slot crossing midnight ends the next day
            end += timedelta(days=1)
        moments.append((start, end))
    return moments
