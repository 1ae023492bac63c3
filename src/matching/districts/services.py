"""The one writer of ``district_access``: set a district's status, read statuses.

:func:`record_access` writes inside the caller's transaction (the pairings'
:mod:`matching.pairings.district_flags` adds the held missions' flags to the same
transaction); every other function here only reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.districts.schemas import AccessCommand, AccessRecorded, AccessView
from matching.districts.tables import AccessStatus, DistrictAccess
from matching.errors import ValidationFailed
from matching.facilities.tables import District
from matching.i18n import N_

NOTE_MAX = 1000
#: An effective date further than this from today (either way) is a typing mistake.
MAX_YEARS_AWAY = 5
DISTRICTS = tuple(d.value for d in District)
STATUSES = tuple(s.value for s in AccessStatus)


def validate_access(command: AccessCommand, *, today: date) -> AccessCommand:
    """The command checked (note stripped); ``ValidationFailed`` names every bad field."""
    errors: dict[str, str] = dict(command.unreadable)
    params: dict[str, dict[str, Any]] = {}
    if command.district not in DISTRICTS:
        errors["district"] = N_("choose a district of Homs governorate from the list")
    if command.status not in STATUSES:
        errors["status"] = N_("choose open, restricted or closed")
    if "effective_on" not in errors:
        if command.effective_on is None:
            errors["effective_on"] = N_("give the date the status takes effect")
        elif abs(command.effective_on.year - today.year) > MAX_YEARS_AWAY:
            errors["effective_on"] = N_("must be within %(years)s years of today")
            params["effective_on"] = {"years": MAX_YEARS_AWAY}
    note = command.note.strip()
    if len(note) > NOTE_MAX:
        errors["note"] = N_("must be at most %(max)s characters")
        params["note"] = {"max": NOTE_MAX}
    if errors:
        raise ValidationFailed(errors, params=params)
    return AccessCommand(
        district=command.district,
        status=command.status,
        effective_on=command.effective_on,
        note=note,
    )


_COLUMNS = (
    DistrictAccess.district,
    DistrictAccess.seq,
    DistrictAccess.status,
    DistrictAccess.effective_on,
    DistrictAccess.note,
    DistrictAccess.created_at,
    DistrictAccess.set_by.full_name,
)


def _view(row: dict[str, Any]) -> AccessView:
    return AccessView(
        district=row["district"],
        status=row["status"],
        effective_on=row["effective_on"],
        note=row["note"] or "",
        set_by_name=row.get("set_by.full_name") or "",
        created_at=row["created_at"],
        seq=int(row["seq"]),
    )


def default_view(district: str) -> AccessView:
    """A district nobody set: open."""
    return AccessView(
        district=district,
        status=AccessStatus.OPEN.value,
        effective_on=None,
        note="",
        set_by_name="",
        created_at=None,
        seq=0,
    )


async def current_access() -> dict[str, AccessView]:
    """Every district's status (the latest row; open when never set), in list order."""
    rows = await DistrictAccess.select(*_COLUMNS).order_by(DistrictAccess.seq).run()
    latest = {row["district"]: _view(row) for row in rows}
    return {d: latest.get(d, default_view(d)) for d in DISTRICTS}


async def access_of(district: str) -> AccessView:
    """One district's status (open when never set)."""
    row = (
        await DistrictAccess.select(*_COLUMNS)
        .where(DistrictAccess.district == district)
        .order_by(DistrictAccess.seq, ascending=False)
        .first()
        .run()
    )
    return _view(row) if row else default_view(district)


async def closed_districts(districts: Iterable[str] | None = None) -> frozenset[str]:
    """The districts (of ``districts``, or all) whose status is closed now."""
    current = await current_access()
    wanted = set(districts) if districts is not None else set(DISTRICTS)
    return frozenset(d for d, v in current.items() if v.status == "closed" and d in wanted)


async def history(district: str | None = None, *, limit: int = 200) -> list[AccessView]:
    """Rows set so far, newest first (of one district, or all)."""
    query = DistrictAccess.select(*_COLUMNS)
    if district is not None:
        query = query.where(DistrictAccess.district == district)
    rows = (
        await query.order_by(DistrictAccess.created_at, ascending=False)
        .order_by(DistrictAccess.id, ascending=False)
        .limit(limit)
        .run()
    )
    return [_view(row) for row in rows]


async def record_access(
    command: AccessCommand, *, actor: Account, today: date
) -> AccessRecorded | None:
    """Append the district's next status row with its audit event (caller's write
    transaction).

    None when another transaction wrote the same next row first (the unique
    ``(district, seq)`` refused ours): the caller rolls back and tries again.
    """
    clean = validate_access(command, today=today)
    latest = (
        await DistrictAccess.select(DistrictAccess.seq, DistrictAccess.status)
        .where(DistrictAccess.district == clean.district)
        .order_by(DistrictAccess.seq, ascending=False)
        .first()
        .run()
    )
    before = latest["status"] if latest else AccessStatus.OPEN.value
    seq = int(latest["seq"]) + 1 if latest else 1
    inserted = (
        await DistrictAccess.insert(
            DistrictAccess(
                district=clean.district,
                seq=seq,
                status=clean.status,
                effective_on=clean.effective_on,
                note=clean.note,
                set_by=actor.id,
            )
        )
        .on_conflict(action="DO NOTHING")
        .returning(DistrictAccess.id)
        .run()
    )
    if not inserted:
        return None
    await record_event(
        actor_id=actor.id,
        actor_label=actor.email,
        action="district.access_set",
        subject_type="district_access",
        subject_id=int(inserted[0]["id"]),
        before={"district": clean.district, "status": before},
        after={
            "district": clean.district,
            "status": clean.status,
            "effective_on": clean.effective_on.isoformat() if clean.effective_on else None,
            "note": clean.note,
        },
    )
    row = AccessView(
        district=clean.district,
        status=clean.status,
        effective_on=clean.effective_on,
        note=clean.note,
        set_by_name=actor.full_name,
        created_at=None,
        seq=seq,
    )
    return AccessRecorded(row=row, before=before)
