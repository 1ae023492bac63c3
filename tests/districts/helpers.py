"""A held mission in Al-Rastan: a doctor (English), an Arabic-speaking head, two
coordinators (English and Arabic), one confirmed pairing."""

from __future__ import annotations

from datetime import date, timedelta

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.districts.schemas import AccessCommand
from matching.facilities.tables import Need
from matching.pairings.district_flags import AccessSet, set_district_access
from tests.factories import (
    make_account,
    make_doctor,
    make_facility,
    make_head,
    make_need,
    make_proposal,
)

TODAY = date(2026, 2, 20)


async def held_mission(state: str = "confirmed") -> dict:
    facility = await make_facility()  # Al-Rastan
    head = await make_head(facility, language="ar")
    doctor, doctor_id = await make_doctor(language="en")
    need = await make_need(facility, kind="mission")
    starts = date.today() + timedelta(days=20)
    await (
        Need.update({Need.starts_on: starts, Need.ends_on: starts + timedelta(days=9)})
        .where(Need.id == need)
        .run()
    )
    coordinator = await make_account(Role.COORDINATOR, language="en")
    coordinator_ar = await make_account(Role.COORDINATOR, language="ar")
    proposal = await make_proposal(need, doctor_id, state=state)
    return {
        "facility": facility,
        "head": head,
        "doctor": doctor,
        "doctor_id": doctor_id,
        "need": need,
        "coordinator": coordinator,
        "coordinator_ar": coordinator_ar,
        "proposal": proposal,
    }


async def close(actor: Account, district: str = "al_rastan", note: str = "") -> AccessSet:
    return await set_district_access(
        AccessCommand(district=district, status="closed", effective_on=TODAY, note=note),
        actor=actor,
        today=TODAY,
    )
