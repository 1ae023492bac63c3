"""When a doctor can help: travel windows (dates in Syria) and weekly remote slots.

Writes ``TravelWindow`` and ``WeeklySlot`` (the table; ``availability.WeeklyWindow`` is
the availability arithmetic's weekly slot). Slots are kept in the doctor's own zone
and shown over the coming week in Damascus time too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.availability import DateRange, WeeklyWindow, slot_occurrences_utc
from matching.doctors import validation
from matching.doctors.loading import profile_id_for
from matching.doctors.profile import ensure_profile, require_doctor
from matching.doctors.schemas import (
    DoctorProfileData,
    SlotOccurrence,
    SlotView,
    TravelWindowDraft,
    TravelWindowView,
    WeeklySlotDraft,
)
from matching.doctors.tables import TravelWindow, WeeklySlot
from matching.errors import NotFound, ValidationFailed
from matching.i18n import N_, Message

DAMASCUS = "Asia/Damascus"


def travel_window_errors(draft: TravelWindowDraft, today: date | None = None) -> dict[str, str]:
    """Every problem of ``draft``: dates in order, not entirely past, at most a year."""
    today = today or date.today()
    errors: dict[str, str] = {}
    start = validation.required_date(errors, "starts_on", draft.starts_on)
    end = validation.required_date(errors, "ends_on", draft.ends_on)
    if start and end:
        if end < start:
            errors["ends_on"] = N_("must not be before the start date")
        elif end < today:
            errors["ends_on"] = Message(
                "must be today (%(today)s) or later", today=today.isoformat()
            )
        elif (end - start).days > 366:
            errors["ends_on"] = N_("a window can last at most a year")
    return errors


def weekly_slot_errors(draft: WeeklySlotDraft) -> dict[str, str]:
    """Every problem of ``draft``: a weekday, quarter-hour times, an end unlike the start."""
    errors: dict[str, str] = {}
    validation.weekday(errors, "weekday", draft.weekday)
    start = validation.quarter_hour(errors, "starts_at", draft.starts_at)
    end = validation.quarter_hour(errors, "ends_at", draft.ends_at)
    if start is not None and end is not None and start == end:
        errors["ends_at"] = N_("must differ from the start time")
    return errors


async def add_travel_window(
    account: Account, draft: TravelWindowDraft, *, today: date | None = None
) -> TravelWindowView:
    """Dates when the doctor can be in Syria (inclusive); not entirely in the past."""
    profile_id = await ensure_profile(account)
    errors = travel_window_errors(draft, today)
    if errors:
        raise ValidationFailed(errors)
    start, end = draft.starts_on, draft.ends_on
    assert start is not None and end is not None
    async with TravelWindow._meta.db.transaction():
        rows = (
            await TravelWindow.insert(TravelWindow(doctor=profile_id, starts_on=start, ends_on=end))
            .returning(TravelWindow.id)
            .run()
        )
        window = TravelWindowView(rows[0]["id"], start, end)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="doctor.travel_window_added",
            subject_type="doctor_profile",
            subject_id=profile_id,
            after={"starts_on": start, "ends_on": end},
        )
    return window


async def add_weekly_slot(account: Account, draft: WeeklySlotDraft) -> SlotView:
    """A weekly remote slot in the doctor's own zone; an end at or before the start
    means the slot runs past midnight (22:00-01:00)."""
    profile_id = await ensure_profile(account)
    errors = weekly_slot_errors(draft)
    if errors:
        raise ValidationFailed(errors)
    day, start, end = draft.weekday, draft.starts_at, draft.ends_at
    assert day is not None and start is not None and end is not None
    async with WeeklySlot._meta.db.transaction():
        rows = (
            await WeeklySlot.insert(
                WeeklySlot(doctor=profile_id, weekday=day, starts_at=start, ends_at=end)
            )
            .returning(WeeklySlot.id)
            .run()
        )
        slot = SlotView(rows[0]["id"], day, start, end)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="doctor.slot_added",
            subject_type="doctor_profile",
            subject_id=profile_id,
            after={"weekday": day, "starts_at": start, "ends_at": end},
        )
    return slot


async def _delete_child(account: Account, table: Any, row_id: int, action: str) -> None:
    require_doctor(account)
    profile_id = await profile_id_for(account)
    async with table._meta.db.transaction():
        deleted = (
            await table.delete()
            .where(table.id == row_id, table.doctor == (profile_id or -1))
            .returning(table.id)
            .run()
        )
        if not deleted:
            raise NotFound(N_("This entry does not exist."))
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action=action,
            subject_type="doctor_profile",
            subject_id=profile_id,
            before={"id": row_id},
        )


async def delete_travel_window(account: Account, window_id: int) -> None:
    await _delete_child(account, TravelWindow, window_id, "doctor.travel_window_deleted")


async def delete_weekly_slot(account: Account, slot_id: int) -> None:
    await _delete_child(account, WeeklySlot, slot_id, "doctor.slot_deleted")


def coming_week_in_damascus(
    profile: DoctorProfileData, today: date | None = None
) -> list[SlotOccurrence]:
    """The doctor's slots over the next 7 local days, in their zone and in Damascus time."""
    today = today or datetime.now(ZoneInfo(profile.timezone)).date()
    period = DateRange(today, today + timedelta(days=6))
    local, damascus = ZoneInfo(profile.timezone), ZoneInfo(DAMASCUS)
    out: list[SlotOccurrence] = []
    for slot in profile.slots:
        rule = WeeklyWindow(slot.weekday, slot.starts_at, slot.ends_at)
        for start, end in slot_occurrences_utc([rule], profile.timezone, period):
            out.append(
                SlotOccurrence(
                    slot.id,
                    start.astimezone(local),
                    end.astimezone(local),
                    start.astimezone(damascus),
                    end.astimezone(damascus),
                )
            )
    out.sort(key=lambda occurrence: occurrence.local_start)
    return out
