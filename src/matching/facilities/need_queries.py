"""Reading needs: one need as its pages show it, the needs list, a facility's needs.

Reads only; the pairings a need holds are added by ``pairings.need_lifecycle``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from piccolo.query import OrderByRaw

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.errors import NotFound, ValidationFailed
from matching.facilities import language_levels
from matching.facilities.membership import (
    check_facility_access,
    facility_ids_of,
    is_head_of,
    is_staff,
)
from matching.facilities.need_commands import need_row
from matching.facilities.need_rules import acceptable_list
from matching.facilities.reading import text
from matching.facilities.schemas import NeedRoleView, NeedSlotView, NeedView
from matching.facilities.tables import (
    District,
    LocalSlot,
    Need,
    NeedKind,
    NeedRole,
    NeedSkill,
    NeedStatus,
    Urgency,
)
from matching.i18n import N_, Message
from matching.paging import Page
from matching.taxonomy import load_taxonomy

SORTS = ("urgency", "newest", "oldest", "starts_on")
PER_PAGE_DEFAULT = 25
PER_PAGE_MAX = 200


async def get_need(need_id: int, *, viewer: Account) -> NeedView:
    """One need with its skills and slots; heads see only their own (others: not found)."""
    row = await need_row(need_id)
    if not is_staff(viewer) and (
        viewer.role != Role.FACILITY_HEAD or not await is_head_of(viewer.id, row["facility"])
    ):
        raise NotFound(N_("This need does not exist."))
    skills = await (
        NeedSkill.select(NeedSkill.code).where(NeedSkill.need == need_id).order_by(NeedSkill.id)
    )
    slots = await (
        LocalSlot.select(LocalSlot.weekday, LocalSlot.starts_at, LocalSlot.ends_at)
        .where(LocalSlot.need == need_id)
        .order_by(LocalSlot.weekday)
        .order_by(LocalSlot.starts_at)
    )
    roles = await (
        NeedRole.select(NeedRole.specialty, NeedRole.count)
        .where(NeedRole.need == need_id)
        .order_by(NeedRole.id)
    )
    return NeedView(
        **row,
        roles=[NeedRoleView(**role) for role in roles],
        skills=[skill["code"] for skill in skills],
        slots=[NeedSlotView(**slot) for slot in slots],
        languages_list=[code for code in row["languages"].split(",") if code],
        acceptable_list=acceptable_list(row),
        language_minimums=language_levels.parse(row.get("language_levels") or ""),
    )


@dataclass(frozen=True, slots=True)
class NeedFilters:
    """Filters of the coordinator's list; ``None`` means any."""

    district: str | None = None
    rural: bool | None = None
    kind: str | None = None
    specialty: str | None = None
    urgency: str | None = None
    status: str | None = None  # None: open and partly filled
    facility_id: int | None = None

    @classmethod
    def from_query(cls, params: Mapping[str, Any]) -> NeedFilters:
        """From query-string values; unknown values raise ``ValidationFailed``."""
        errors: dict[str, str] = {}

        def pick(key: str, allowed: set[str]) -> str | None:
            value = text(params, key)
            if not value:
                return None
            if value not in allowed:
                errors[key] = Message(
                    "must be one of: %(choices)s", choices=", ".join(sorted(allowed))
                )
            return value

        area = text(params, "area")
        rural = {"rural": True, "urban": False}.get(area)
        if area and rural is None:
            errors["area"] = N_("choose urban or rural")
        facility = text(params, "facility")
        filters = cls(
            district=pick("district", {d.value for d in District}),
            rural=rural,
            kind=pick("kind", {k.value for k in NeedKind}),
            specialty=pick("specialty", set(load_taxonomy().specialties)),
            urgency=pick("urgency", {u.value for u in Urgency}),
            status=pick("status", {s.value for s in NeedStatus} | {"all"}),
            facility_id=int(facility) if facility.isdigit() else None,
        )
        if errors:
            raise ValidationFailed(errors)
        return filters


# One page of needs (the shared pagination helper).
NeedPage = Page


_LIST_COLUMNS = (
    Need.id,
    Need.kind,
    Need.title,
    Need.specialty,
    Need.urgency,
    Need.status,
    Need.places,
    Need.starts_on,
    Need.ends_on,
    Need.weekly_hours,
    Need.months,
    Need.languages,
    Need.requires_licence,
    Need.created_at,
    Need.facility.id.as_alias("facility_id"),
    Need.facility.name_en.as_alias("facility_name_en"),
    Need.facility.name_ar.as_alias("facility_name_ar"),
    Need.facility.district.as_alias("district"),
    Need.facility.rural.as_alias("rural"),
)


def _where(filters: NeedFilters, viewer: Account | None, head_ids: list[int] | None) -> list:
    clauses: list = []
    if filters.status == "all":
        pass
    elif filters.status:
        clauses.append(Need.status == filters.status)
    else:
        clauses.append(Need.status.is_in([NeedStatus.OPEN.value, NeedStatus.PARTLY_FILLED.value]))
    if head_ids is not None:
        clauses.append(Need.facility.is_in(head_ids or [-1]))
    if filters.facility_id is not None:
        clauses.append(Need.facility == filters.facility_id)
    if filters.kind:
        clauses.append(Need.kind == filters.kind)
    if filters.specialty:
        clauses.append(Need.specialty == filters.specialty)
    if filters.urgency:
        clauses.append(Need.urgency == filters.urgency)
    if filters.district:
        clauses.append(Need.facility.district == filters.district)
    if filters.rural is not None:
        clauses.append(Need.facility.rural == filters.rural)
    return clauses


_URGENCY_RANK = "CASE \"need\".\"urgency\" WHEN 'critical' THEN 0 WHEN 'urgent' THEN 1 ELSE 2 END"
# (SQL expression, ascending); ties broken by id so pages are stable.
_ORDER: dict[str, list[tuple[str, bool]]] = {
    "urgency": [(_URGENCY_RANK, True), ('"need"."created_at"', False), ('"need"."id"', False)],
    "newest": [('"need"."created_at"', False), ('"need"."id"', False)],
    "oldest": [('"need"."created_at"', True), ('"need"."id"', True)],
    "starts_on": [('"need"."starts_on"', True), ('"need"."id"', True)],
}


async def list_needs(
    filters: NeedFilters | None = None,
    *,
    viewer: Account | None = None,
    sort: str = "urgency",
    page: int = 1,
    per_page: int = PER_PAGE_DEFAULT,
) -> NeedPage:
    """One page of needs matching ``filters``, sorted server side.

    A facility head only ever sees their facilities' needs. ``viewer=None`` is the
    system (benchmarks, exports run by staff).
    """
    filters = filters or NeedFilters()
    if sort not in _ORDER:
        raise ValidationFailed(
            {"sort": Message("must be one of: %(choices)s", choices=", ".join(SORTS))}
        )
    per_page = max(1, min(per_page, PER_PAGE_MAX))
    page = max(1, page)
    head_ids = None
    if viewer is not None and not is_staff(viewer):
        head_ids = await facility_ids_of(viewer.id)
    count_query, query = page_queries(filters, head_ids, sort=sort, page=page, per_page=per_page)
    total = await count_query
    items = await query.run()
    return NeedPage(items=items, total=total, page=page, per_page=per_page)


def page_queries(
    filters: NeedFilters, head_ids: list[int] | None, *, sort: str, page: int, per_page: int
) -> tuple[Any, Any]:
    """The count query and the page query of :func:`list_needs` (also used to EXPLAIN)."""
    clauses = _where(filters, None, head_ids)
    count_query = Need.count()
    query = Need.select(*_LIST_COLUMNS)
    if clauses:
        count_query = count_query.where(*clauses)
        query = query.where(*clauses)
    for expression, ascending in _ORDER[sort]:
        query = query.order_by(OrderByRaw(expression), ascending=ascending)
    return count_query, query.limit(per_page).offset((page - 1) * per_page)


async def iter_needs(
    filters: NeedFilters | None = None, *, viewer: Account | None = None, sort: str = "urgency"
) -> AsyncIterator[dict[str, Any]]:
    """Every matching need, a page at a time (for the CSV export)."""
    page = 1
    while True:
        result = await list_needs(filters, viewer=viewer, sort=sort, page=page, per_page=500)
        for item in result.items:
            yield item
        if page >= result.pages:
            return
        page += 1


async def needs_of_facility(facility_id: int, *, viewer: Account) -> list[dict[str, Any]]:
    """Every need of one facility, drafts included (heads of it and staff only)."""
    await check_facility_access(viewer, facility_id)
    return await (
        Need.select(
            Need.id,
            Need.kind,
            Need.title,
            Need.status,
            Need.urgency,
            Need.places,
            Need.starts_on,
            Need.created_at,
        )
        .where(Need.facility == facility_id)
        .order_by(Need.created_at, ascending=False)
        .run()
    )
