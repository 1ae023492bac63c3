"""The one writer of ``facility_service``: a facility's service grid, read and saved.

A head of the facility (or a coordinator, an admin) saves the whole grid at once;
only the areas whose status or cause changed get a new dated row, with one audit
event for the save. The cause is required when an area is not fully available and
refused when it is; every problem is named by its area (``status_<area>``,
``cause_<area>``) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.db import lock_rows, write_transaction
from matching.errors import Conflict, ValidationFailed
from matching.facilities.membership import check_facility_access
from matching.facilities.profiles import get_facility
from matching.facilities.tables import Facility, Need, NeedStatus
from matching.i18n import N_, Message
from matching.services.areas import (
    AREAS,
    AREAS_BY_CODE,
    SUGGESTED_KIND,
    ServiceCause,
    ServiceStatus,
)
from matching.services.schemas import (
    AreaStatusView,
    NeedSuggestion,
    ServiceGridChange,
    ServiceGridView,
    ServiceHistoryItem,
)
from matching.services.tables import FacilityService

STATUSES = tuple(status.value for status in ServiceStatus)
CAUSES = tuple(cause.value for cause in ServiceCause)
#: Needs that still look for doctors (a suggestion is not offered twice for them).
LIVE_NEED_STATUSES = (
    NeedStatus.DRAFT.value,
    NeedStatus.OPEN.value,
    NeedStatus.PARTLY_FILLED.value,
)
HISTORY_SHOWN = 30


def validate_grid(change: ServiceGridChange) -> list[tuple[str, str, str]]:
    """The reported areas as (area, status, cause), in the grid's order.

    Raises ``ValidationFailed`` naming every bad area: ``status_<area>`` for a status
    not in the list, ``cause_<area>`` for a cause missing, not in the list, or given
    for an available service; ``area`` for an area the grid does not have.
    """
    errors: dict[str, str] = dict(change.unreadable)
    given: dict[str, tuple[str, str]] = {}
    for item in change.statuses:
        area = item.area.strip()
        if area not in AREAS_BY_CODE:
            errors["area"] = Message("unknown service area: %(code)s", code=area[:40])
            continue
        if area in given:
            errors[f"status_{area}"] = N_("give each service area once")
            continue
        status, cause = item.status.strip(), item.cause.strip()
        given[area] = (status, cause)
        if not status:
            if cause:
                errors[f"status_{area}"] = N_("choose the status this cause explains")
            continue
        if status not in STATUSES:
            errors[f"status_{area}"] = N_("choose available, partly available or not available")
            continue
        if cause and cause not in CAUSES:
            errors[f"cause_{area}"] = N_("choose a cause from the list")
        elif status == ServiceStatus.AVAILABLE and cause:
            errors[f"cause_{area}"] = N_("leave the cause empty: the service is available")
        elif status != ServiceStatus.AVAILABLE and not cause:
            errors[f"cause_{area}"] = N_(
                "choose the main cause: the service is not fully available"
            )
    if errors:
        raise ValidationFailed(errors)
    return [
        (area.code, *given[area.code])
        for area in AREAS
        if area.code in given and given[area.code][0]
    ]


async def _rows(facility_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    query = FacilityService.select(
        FacilityService.id,
        FacilityService.facility,
        FacilityService.area,
        FacilityService.status,
        FacilityService.cause,
        FacilityService.recorded_at,
        FacilityService.recorded_by.full_name.as_alias("recorded_by_name"),
    )
    if facility_ids is not None:
        query = query.where(FacilityService.facility.is_in(sorted(set(facility_ids)) or [0]))
    return await query.order_by(FacilityService.id).run()


def _latest(rows: Iterable[dict[str, Any]]) -> dict[tuple[int, str], dict[str, Any]]:
    """(facility, area) -> its current row (the one with the highest id)."""
    latest: dict[tuple[int, str], dict[str, Any]] = {}
    for row in rows:  # ordered by id: the last one wins
        latest[(int(row["facility"]), row["area"])] = row
    return latest


async def current_statuses() -> dict[tuple[int, str], tuple[str, str]]:
    """Every facility's current (status, cause) per area (for the coverage page)."""
    rows = await FacilityService.raw(
        'SELECT "facility", "area", "status", "cause" FROM "facility_service" WHERE "id" IN '
        '(SELECT MAX("id") FROM "facility_service" GROUP BY "facility", "area")'
    ).run()
    return {(int(r["facility"]), r["area"]): (r["status"], r["cause"]) for r in rows}


async def _live_needs(facility_id: int) -> dict[tuple[str, str], int]:
    """(kind, specialty) -> the id of a live need of the facility (the newest)."""
    rows = (
        await Need.select(Need.id, Need.kind, Need.specialty)
        .where(Need.facility == facility_id, Need.status.is_in(list(LIVE_NEED_STATUSES)))
        .order_by(Need.id)
        .run()
    )
    return {(row["kind"], row["specialty"]): int(row["id"]) for row in rows}


async def live_need_of(facility_id: int, kind: str, specialty: str) -> int | None:
    """The id of a live need of this kind and specialty at the facility, if any."""
    return (await _live_needs(facility_id)).get((kind, specialty))


async def service_grid(account: Account, facility_id: int) -> ServiceGridView:
    """The facility's grid: every area's current status, the needs its gaps suggest, and
    the latest changes (newest first)."""
    await get_facility(facility_id)
    await check_facility_access(account, facility_id)
    return await _grid(facility_id)


async def _grid(facility_id: int) -> ServiceGridView:
    rows = await _rows([facility_id])
    latest = _latest(rows)
    live = await _live_needs(facility_id)
    areas: list[AreaStatusView] = []
    suggestions: list[NeedSuggestion] = []
    for area in AREAS:
        row = latest.get((facility_id, area.code))
        if row is None:
            areas.append(AreaStatusView(area=area.code, specialty=area.specialty))
            continue
        areas.append(
            AreaStatusView(
                area=area.code,
                specialty=area.specialty,
                status=row["status"],
                cause=row["cause"],
                recorded_at=row["recorded_at"],
                recorded_by=row["recorded_by_name"] or "",
            )
        )
        kind = SUGGESTED_KIND.get(ServiceCause(row["cause"])) if row["cause"] else None
        if kind is not None:
            suggestions.append(
                NeedSuggestion(
                    area=area.code,
                    kind=kind.value,
                    specialty=area.specialty,
                    cause=row["cause"],
                    need_id=live.get((kind.value, area.specialty)),
                )
            )
    history = [
        ServiceHistoryItem(
            area=row["area"],
            status=row["status"],
            cause=row["cause"],
            recorded_at=row["recorded_at"],
            recorded_by=row["recorded_by_name"] or "",
        )
        for row in reversed(rows[-HISTORY_SHOWN:])
    ]
    version = int(rows[-1]["id"]) if rows else 0
    return ServiceGridView(
        facility_id=facility_id,
        version=version,
        areas=areas,
        suggestions=suggestions,
        history=history,
    )


async def save_grid(
    account: Account, facility_id: int, change: ServiceGridChange
) -> ServiceGridView:
    """Store the areas whose status or cause changed, each as a new dated row, with one
    audit event; nothing when nothing changed.

    Refused with 409 when the grid changed since ``change.seen_version`` was read (two
    heads saving at once: the second sees the first's save instead of overwriting it).
    """
    await get_facility(facility_id)
    await check_facility_access(account, facility_id)
    reported = validate_grid(change)
    async with write_transaction():
        # The facility's row is the grid's lock: two saves of one grid take turns.
        await lock_rows(Facility.select(Facility.id).where(Facility.id == facility_id)).run()
        rows = await _rows([facility_id])
        version = int(rows[-1]["id"]) if rows else 0
        if change.seen_version is not None and change.seen_version != version:
            raise Conflict(
                N_("Someone else saved this grid meanwhile: check it and save again."),
                field="__all__",
            )
        latest = _latest(rows)
        before: dict[str, list[str]] = {}
        after: dict[str, list[str]] = {}
        for area, status, cause in reported:
            row = latest.get((facility_id, area))
            if row is not None and (row["status"], row["cause"]) == (status, cause):
                continue
            if row is not None:
                before[area] = [row["status"], row["cause"]]
            after[area] = [status, cause]
        if after:
            await FacilityService.insert(
                *[
                    FacilityService(
                        facility=facility_id,
                        area=area,
                        status=status,
                        cause=cause,
                        recorded_by=account.id,
                    )
                    for area, (status, cause) in after.items()
                ]
            ).run()
            await record_event(
                actor_id=account.id,
                actor_label=account.email,
                action="facility.services_updated",
                subject_type="facility",
                subject_id=facility_id,
                before=before,
                after=after,
            )
    return await _grid(facility_id)
