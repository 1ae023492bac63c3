"""A doctor's ranked interests in open needs (the stable mode's doctor preferences)."""

from __future__ import annotations

from typing import Any

from matching.accounts.services import Account
from matching.audit.services import record_event
from matching.doctors.tables import DoctorProfile, DoctorSpecialty
from matching.errors import NotFound, ValidationFailed
from matching.facilities.tables import Need
from matching.pairings.review import doctor_profile_id
from matching.pairings.tables import NeedInterest

OPEN_STATUSES = ["open", "partly_filled"]


async def _doctor(account: Account) -> int:
    doctor_id = await doctor_profile_id(account)
    if doctor_id is None:
        raise NotFound("Create your doctor profile first.")
    return doctor_id


async def fitting_needs(account: Account) -> list[dict[str, Any]]:
    """Open needs in one of the doctor's specialties and modes."""
    doctor_id = await _doctor(account)
    profile = await DoctorProfile.select().where(DoctorProfile.id == doctor_id).first()
    modes = [m for m in ("mission", "mentorship", "training") if profile[f"offers_{m}"]]
    specialties = [
        r["code"]
        for r in await DoctorSpecialty.select(DoctorSpecialty.code).where(
            DoctorSpecialty.doctor == doctor_id
        )
    ]
    if not modes or not specialties:
        return []
    return (
        await Need.select(
            Need.id,
            Need.title,
            Need.kind,
            Need.specialty,
            Need.urgency,
            Need.starts_on,
            Need.ends_on,
            Need.facility.name_en.as_alias("facility_en"),
            Need.facility.name_ar.as_alias("facility_ar"),
            Need.facility.rural.as_alias("rural"),
        )
        .where(
            Need.status.is_in(OPEN_STATUSES),
            Need.kind.is_in(modes),
            Need.specialty.is_in(specialties),
        )
        .order_by(Need.id)
    )


async def interests(account: Account) -> list[dict[str, Any]]:
    doctor_id = await _doctor(account)
    return (
        await NeedInterest.select(
            NeedInterest.id,
            NeedInterest.position,
            NeedInterest.need.id.as_alias("need_id"),
            NeedInterest.need.title.as_alias("title"),
            NeedInterest.need.kind.as_alias("kind"),
            NeedInterest.need.facility.name_en.as_alias("facility_en"),
            NeedInterest.need.facility.name_ar.as_alias("facility_ar"),
        )
        .where(NeedInterest.doctor == doctor_id)
        .order_by(NeedInterest.position)
    )


async def _renumber(doctor_id: int, need_ids: list[int]) -> None:
    for position, need_id in enumerate(need_ids, start=1):
        await NeedInterest.update({NeedInterest.position: position}).where(
            NeedInterest.doctor == doctor_id, NeedInterest.need == need_id
        )


async def _order(doctor_id: int) -> list[int]:
    rows = (
        await NeedInterest.select(NeedInterest.need)
        .where(NeedInterest.doctor == doctor_id)
        .order_by(NeedInterest.position)
    )
    return [r["need"] for r in rows]


async def change(account: Account, need_id: int, operation: str) -> None:
    """``add`` (at the end), ``up``, ``down`` or ``remove`` one need; one transaction."""
    if operation not in ("add", "up", "down", "remove"):
        raise ValidationFailed({"operation": "must be add, up, down or remove"})
    doctor_id = await _doctor(account)
    async with NeedInterest._meta.db.transaction():
        order = await _order(doctor_id)
        before = list(order)
        if operation == "add":
            if need_id in order:
                return
            fits = {n["id"] for n in await fitting_needs(account)}
            if need_id not in fits:
                raise ValidationFailed({"need_id": "is not an open need that fits you"})
            await NeedInterest.insert(
                NeedInterest(doctor=doctor_id, need=need_id, position=len(order) + 1)
            )
            order.append(need_id)
        else:
            if need_id not in order:
                raise NotFound("This need is not on your list.")
            i = order.index(need_id)
            if operation == "remove":
                await NeedInterest.delete().where(
                    NeedInterest.doctor == doctor_id, NeedInterest.need == need_id
                )
                order.pop(i)
            elif operation == "up" and i > 0:
                order[i - 1], order[i] = order[i], order[i - 1]
            elif operation == "down" and i < len(order) - 1:
                order[i + 1], order[i] = order[i], order[i + 1]
            await _renumber(doctor_id, order)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action=f"interest.{operation}",
            subject_type="need",
            subject_id=need_id,
            before={"order": before},
            after={"order": order},
        )
