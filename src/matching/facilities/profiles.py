"""A facility's profile: register, edit, read, list (the one writer of ``facility``).

Every change is one transaction with its audit event.
"""

from __future__ import annotations

from typing import Any

import msgspec

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.audit.services import record_event
from matching.errors import Forbidden, NotFound, ValidationFailed
from matching.facilities.membership import check_facility_access, facility_ids_of, is_staff
from matching.facilities.schemas import FacilityChange, FacilityDraft, FacilityView
from matching.facilities.tables import District, Facility, FacilityKind, FunctionalState
from matching.i18n import N_, Message
from matching.paging import Page, clamp_page

#: What a facility provides a visiting doctor and who receives them (free text, optional).
ON_SITE_FIELDS = ("accommodation", "transport", "security", "receiver_role")
ON_SITE_MAX = 1000
FACILITIES_PER_PAGE = 25
#: The columns a facility command sets (all but ``unreadable``).
PROFILE_FIELDS = tuple(name for name in FacilityDraft.__struct_fields__ if name != "unreadable")


def validate_facility(draft: FacilityDraft) -> FacilityDraft:
    """The facility checked and tidied (text stripped, the default state filled in).

    Raises ``ValidationFailed`` naming every bad field, those the channel could
    not read (``draft.unreadable``) included.
    """
    errors: dict[str, str] = dict(draft.unreadable)
    name_en, name_ar = draft.name_en.strip(), draft.name_ar.strip()
    for key, value in (("name_en", name_en), ("name_ar", name_ar)):
        if not value:
            errors[key] = N_("is required")
        elif len(value) > 200:
            errors[key] = N_("must be at most 200 characters")
    kind = draft.kind.strip()
    if kind not in {k.value for k in FacilityKind}:
        errors["kind"] = N_("choose hospital, primary care centre, clinic or mobile unit")
    district = draft.district.strip()
    if district not in {d.value for d in District}:
        errors["district"] = N_("choose a district of Homs governorate")
    sub_district = draft.sub_district.strip()
    if len(sub_district) > 100:
        errors["sub_district"] = N_("must be at most 100 characters")
    state = draft.functional_state.strip() or FunctionalState.PARTIAL.value
    if state not in {s.value for s in FunctionalState}:
        errors["functional_state"] = N_("choose fully, partially or not functioning")
    latitude, longitude = draft.latitude, draft.longitude
    # Homs governorate lies roughly within 33.5-35.5 N, 36-39.5 E.
    if latitude is not None and not 33.0 <= latitude <= 36.0:
        errors["latitude"] = N_("must be within Homs governorate (33 to 36 degrees north)")
    if longitude is not None and not 35.5 <= longitude <= 40.0:
        errors["longitude"] = N_("must be within Homs governorate (35.5 to 40 degrees east)")
    if (latitude is None) != (longitude is None) and not errors.get("latitude"):
        errors["latitude" if latitude is None else "longitude"] = N_(
            "give both latitude and longitude, or neither"
        )
    for key, value in (("beds", draft.beds), ("staff", draft.staff)):
        if value < 0 and key not in errors:
            errors[key] = N_("cannot be negative")
        elif value > 100_000 and key not in errors:
            errors[key] = N_("is too large")
    on_site = {key: str(getattr(draft, key)).strip() for key in ON_SITE_FIELDS}
    for key, value in on_site.items():
        if len(value) > ON_SITE_MAX:
            errors[key] = Message("must be at most %(n)s characters", n=ON_SITE_MAX)
    if errors:
        raise ValidationFailed(errors)
    return msgspec.structs.replace(
        draft,
        **on_site,
        name_en=name_en,
        name_ar=name_ar,
        kind=kind,
        district=district,
        sub_district=sub_district,
        functional_state=state,
    )


def profile_row(draft: FacilityDraft) -> dict[str, Any]:
    """The ``facility`` columns of a validated draft."""
    return {name: getattr(draft, name) for name in PROFILE_FIELDS}


async def insert_facility(draft: FacilityDraft, *, actor: Account, source: str = "") -> int:
    """Write one validated facility with its audit event (inside the caller's transaction)."""
    row = profile_row(draft)
    inserted = await Facility.insert(Facility(**row)).returning(Facility.id).run()
    facility_id = int(inserted[0]["id"])
    await record_event(
        actor_id=actor.id,
        actor_label=actor.email,
        action="facility.created",
        subject_type="facility",
        subject_id=facility_id,
        after={**row, "source": source} if source else row,
    )
    return facility_id


async def create_facility(draft: FacilityDraft, *, actor: Account) -> int:
    """A coordinator registers a facility; returns its id."""
    if not is_staff(actor):
        raise Forbidden(N_("Only coordinators can create facilities."))
    checked = validate_facility(draft)
    async with Facility._meta.db.transaction():
        return await insert_facility(checked, actor=actor)


async def _facility_row(facility_id: int) -> dict[str, Any]:
    row = await Facility.select().where(Facility.id == facility_id).first().run()
    if row is None:
        raise NotFound(N_("This facility does not exist."))
    return row


async def get_facility(facility_id: int, *, viewer: Account | None = None) -> FacilityView:
    """One facility; a head sees only the facilities they head."""
    row = await _facility_row(facility_id)
    if viewer is not None and viewer.role == Role.FACILITY_HEAD:
        await check_facility_access(viewer, facility_id)
    return FacilityView(**row)


async def update_facility(facility_id: int, change: FacilityChange, *, actor: Account) -> None:
    """A head edits their own facility (coordinators edit any)."""
    before = await _facility_row(facility_id)
    await check_facility_access(actor, facility_id)
    stored = FacilityDraft(**{name: before[name] for name in PROFILE_FIELDS})
    given = {
        name: getattr(change, name)
        for name in change.__struct_fields__
        if getattr(change, name) is not msgspec.UNSET
    }
    row = profile_row(validate_facility(msgspec.structs.replace(stored, **given)))
    async with Facility._meta.db.transaction():
        await Facility.update(row).where(Facility.id == facility_id).run()
        await record_event(
            actor_id=actor.id,
            actor_label=actor.email,
            action="facility.updated",
            subject_type="facility",
            subject_id=facility_id,
            before={key: before[key] for key in row},
            after=row,
        )


async def list_facilities(*, viewer: Account) -> list[FacilityView]:
    """Every facility for staff; a head's own facilities for a head."""
    query = Facility.select().order_by(Facility.district).order_by(Facility.name_en)
    if not is_staff(viewer):
        ids = await facility_ids_of(viewer.id)
        if not ids:
            return []
        query = query.where(Facility.id.is_in(ids))
    return [FacilityView(**row) for row in await query.run()]


async def facilities_page(
    *,
    viewer: Account,
    district: str | None = None,
    search: str | None = None,
    page: int = 1,
    per_page: int = FACILITIES_PER_PAGE,
) -> Page[FacilityView]:
    """One page of :func:`list_facilities`, by district and a name (English or Arabic).

    An unknown district is a ``ValidationFailed`` naming the field; a page past
    the end is the last page.
    """
    clauses: list = []
    if district:
        if district not in {d.value for d in District}:
            raise ValidationFailed(
                {
                    "district": Message(
                        "must be one of: %(choices)s",
                        choices=", ".join(d.value for d in District),
                    )
                }
            )
        clauses.append(Facility.district == district)
    if search and search.strip():
        pattern = f"%{search.strip()}%"
        clauses.append(Facility.name_en.ilike(pattern) | Facility.name_ar.ilike(pattern))
    if not is_staff(viewer):
        clauses.append(Facility.id.is_in(await facility_ids_of(viewer.id) or [-1]))
    count = Facility.count()
    query = Facility.select().order_by(Facility.district).order_by(Facility.name_en)
    if clauses:
        count, query = count.where(*clauses), query.where(*clauses)
    total = await count.run()
    page = clamp_page(page, total, per_page)
    rows = await query.order_by(Facility.id).limit(per_page).offset((page - 1) * per_page).run()
    items = [FacilityView(**row) for row in rows]
    return Page(items=items, total=total, page=page, per_page=per_page)
