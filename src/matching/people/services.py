"""The one writer of ``facility_person``: add, change, archive, read.

Heads manage the people of the facilities they head; coordinators and admins any
facility's. Each change is one transaction with its audit event. Other domains ask
:func:`people_of_facility` (attendees must belong to the workshop's facility) and
:func:`person_of_user` (what a local clinician's account stands for).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import msgspec
import phonenumbers

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.db import write_transaction
from matching.errors import NotFound, ValidationFailed
from matching.facilities.membership import check_facility_access
from matching.i18n import N_
from matching.people.schemas import PersonChange, PersonDraft, PersonView
from matching.people.tables import ClinicalRole, FacilityPerson
from matching.taxonomy import load_taxonomy

NAME_MAX = 200
#: Numbers without a country code are read as Syrian.
DEFAULT_REGION = "SY"
FIELDS = tuple(name for name in PersonDraft.__struct_fields__ if name != "unreadable")


def validate_person(draft: PersonDraft) -> PersonDraft:
    """The person checked and tidied (names stripped, the phone in E.164).

    Raises ``ValidationFailed`` naming every bad field.
    """
    errors: dict[str, str] = dict(draft.unreadable)
    params: dict[str, dict[str, Any]] = {}
    name_en, name_ar = draft.name_en.strip(), draft.name_ar.strip()
    if not (name_en or name_ar):
        errors["name_en"] = N_("give the name in English or in Arabic")
    for key, value in (("name_en", name_en), ("name_ar", name_ar)):
        if len(value) > NAME_MAX:
            errors[key] = N_("must be at most %(max)s characters")
            params[key] = {"max": NAME_MAX}
    if draft.clinical_role not in ClinicalRole.__members__.values():
        errors["clinical_role"] = N_("choose a role from the list")
    specialty = draft.specialty.strip()
    if specialty and specialty not in load_taxonomy().specialties:
        errors["specialty"] = N_("choose a specialty from the list")
    phone = draft.phone.strip()
    if phone:
        try:
            number = phonenumbers.parse(phone, DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            number = None
        if number is None or not phonenumbers.is_valid_number(number):
            errors["phone"] = N_("is not a phone number")
        else:
            phone = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if errors:
        raise ValidationFailed(errors, params=params)
    return msgspec.structs.replace(
        draft, name_en=name_en, name_ar=name_ar, specialty=specialty, phone=phone
    )


def _view(row: dict[str, Any]) -> PersonView:
    return PersonView(
        id=row["id"],
        facility_id=row["facility"],
        name_en=row["name_en"],
        name_ar=row["name_ar"],
        clinical_role=row["clinical_role"],
        specialty=row["specialty"],
        phone=row["phone"],
        user_id=row["user"],
        entered_by_id=row["entered_by"],
        created_at=row["created_at"],
        archived=row["archived_at"] is not None,
    )


async def _row(person_id: int) -> dict[str, Any]:
    row = await FacilityPerson.select().where(FacilityPerson.id == person_id).first().run()
    if row is None:
        raise NotFound(N_("No such person"))
    return row


async def get_person(account: Account, person_id: int) -> PersonView:
    """A person of a facility the account may manage (404 when there is none)."""
    row = await _row(person_id)
    await check_facility_access(account, row["facility"])
    return _view(row)


async def list_people(
    account: Account, facility_id: int, *, include_archived: bool = False
) -> list[PersonView]:
    """The people of a facility, by name."""
    await check_facility_access(account, facility_id)
    return await people_of_facility(facility_id, include_archived=include_archived)


async def people_of_facility(
    facility_id: int, *, include_archived: bool = False
) -> list[PersonView]:
    """The people of a facility, by name, without an access check (for other domains)."""
    query = FacilityPerson.select().where(FacilityPerson.facility == facility_id)
    if not include_archived:
        query = query.where(FacilityPerson.archived_at.is_null())
    rows = await query.order_by(FacilityPerson.name_en).order_by(FacilityPerson.id).run()
    return [_view(row) for row in rows]


async def people_by_id(person_ids: Iterable[int]) -> dict[int, PersonView]:
    """The people with these ids (archived included), without an access check."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    rows = await FacilityPerson.select().where(FacilityPerson.id.is_in(ids)).run()
    return {row["id"]: _view(row) for row in rows}


async def person_of_user(user_id: int) -> PersonView | None:
    """The facility person a local clinician's account stands for, if any."""
    row = await FacilityPerson.select().where(FacilityPerson.user == user_id).first().run()
    return _view(row) if row is not None else None


async def add_person(account: Account, facility_id: int, draft: PersonDraft) -> PersonView:
    """Add a person to a facility the account manages."""
    await check_facility_access(account, facility_id)
    clean = validate_person(draft)
    values = {name: getattr(clean, name) for name in FIELDS}
    async with write_transaction():
        rows = (
            await FacilityPerson.insert(
                FacilityPerson(facility=facility_id, entered_by=account.id, **values)
            )
            .returning(FacilityPerson.id)
            .run()
        )
        person_id = rows[0]["id"]
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="person.add",
            subject_type="facility_person",
            subject_id=person_id,
            after={"facility": facility_id, **values},
        )
    return _view(await _row(person_id))


async def change_person(account: Account, person_id: int, change: PersonChange) -> PersonView:
    """Change the given fields of a person; the others keep their stored value."""
    row = await _row(person_id)
    await check_facility_access(account, row["facility"])
    given = {
        name: getattr(change, name) for name in FIELDS if getattr(change, name) is not msgspec.UNSET
    }
    merged = PersonDraft(
        **{name: given.get(name, row[name]) for name in FIELDS}, unreadable=change.unreadable
    )
    clean = validate_person(merged)
    values = {name: getattr(clean, name) for name in FIELDS}
    async with write_transaction():
        await FacilityPerson.update(values).where(FacilityPerson.id == person_id).run()
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="person.change",
            subject_type="facility_person",
            subject_id=person_id,
            before={name: row[name] for name in FIELDS},
            after=values,
        )
    return _view(await _row(person_id))


async def archive_person(account: Account, person_id: int) -> PersonView:
    """Remove a person from the facility's list; the records they appear in keep them."""
    row = await _row(person_id)
    await check_facility_access(account, row["facility"])
    if row["archived_at"] is None:
        async with write_transaction():
            await (
                FacilityPerson.update({FacilityPerson.archived_at: datetime.now(UTC)})
                .where(FacilityPerson.id == person_id)
                .run()
            )
            await record_event(
                actor_id=account.id,
                actor_label=account.email,
                action="person.archive",
                subject_type="facility_person",
                subject_id=person_id,
            )
    return _view(await _row(person_id))


async def check_people_in_facility(facility_id: int, person_ids: Iterable[int]) -> None:
    """Raise ``ValidationFailed`` (field ``people``) unless every person belongs to the
    facility and is not archived."""
    ids = set(person_ids)
    if not ids:
        return
    rows = (
        await FacilityPerson.select(FacilityPerson.id)
        .where(
            FacilityPerson.id.is_in(sorted(ids)),
            FacilityPerson.facility == facility_id,
            FacilityPerson.archived_at.is_null(),
        )
        .run()
    )
    if {row["id"] for row in rows} != ids:
        raise ValidationFailed({"people": N_("choose people of this facility")})


async def link_account(person_id: int, user_id: int) -> None:
    """Record that a person now has their own account (called by the invitation's
    acceptance, inside its transaction)."""
    await (
        FacilityPerson.update({FacilityPerson.user: user_id})
        .where(FacilityPerson.id == person_id)
        .run()
    )
