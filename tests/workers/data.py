"""Doctors and needs written straight into the tables, for run and worker tests."""

from __future__ import annotations

from datetime import date, timedelta

from matching.accounts.tables import Role
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSpecialty,
    Licence,
    LicenceState,
    TravelWindow,
)
from matching.facilities.tables import Need
from tests.factories import make_account, make_facility

TODAY = date.today()


async def make_doctor(
    *,
    languages: tuple[str, ...] = ("ar", "en"),
    specialty: str = "emergency_medicine",
    travel: bool = True,
    licence: LicenceState | None = LicenceState.VERIFIED,
    licence_expires: date | None = None,
    years: int = 10,
) -> int:
    account = await make_account(Role.DOCTOR)
    rows = (
        await DoctorProfile.insert(
            DoctorProfile(
                user=account.id,
                country="DE",
                timezone="Europe/Berlin",
                years_experience=years,
                offers_mission=True,
                can_travel=travel,
            )
        )
        .returning(DoctorProfile.id)
        .run()
    )
    doctor_id = int(rows[0]["id"])
    for code in languages:
        await DoctorLanguage.insert(DoctorLanguage(doctor=doctor_id, code=code)).run()
    await DoctorSpecialty.insert(
        DoctorSpecialty(doctor=doctor_id, code=specialty, level="consultant")
    ).run()
    if travel:
        await TravelWindow.insert(
            TravelWindow(
                doctor=doctor_id,
                starts_on=TODAY + timedelta(days=10),
                ends_on=TODAY + timedelta(days=100),
            )
        ).run()
    if licence is not None:
        await Licence.insert(
            Licence(
                doctor=doctor_id,
                issuer_country="DE",
                authority="Ärztekammer",
                number=f"L-{doctor_id}",
                expires_on=licence_expires or TODAY + timedelta(days=400),
                state=licence,
            )
        ).run()
    return doctor_id


async def make_need(
    facility_id: int | None = None,
    *,
    places: int = 1,
    languages: str = "ar",
    specialty: str = "emergency_medicine",
    status: str = "open",
    starts_in: int = 20,
    days: int = 10,
    requires_licence: bool = False,
) -> int:
    facility_id = facility_id or await make_facility()
    rows = (
        await Need.insert(
            Need(
                facility=facility_id,
                kind="mission",
                title="Emergency mission",
                specialty=specialty,
                languages=languages,
                status=status,
                places=places,
                urgency="urgent",
                requires_licence=requires_licence,
                starts_on=TODAY + timedelta(days=starts_in),
                ends_on=TODAY + timedelta(days=starts_in + days - 1),
            )
        )
        .returning(Need.id)
        .run()
    )
    return int(rows[0]["id"])
