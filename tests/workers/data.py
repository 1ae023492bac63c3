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


async def _bulk(table: type, rows: list) -> list[int]:
    ids: list[int] = []
    for start in range(0, len(rows), 500):
        result = await table.insert(*rows[start : start + 500]).returning(table.id).run()
        ids.extend(int(r["id"]) for r in result)
    return ids


async def make_population(groups: int, per_group: int = 3) -> tuple[list[int], list[int]]:
    """``groups`` Arabic emergency missions of ``per_group`` places, each with exactly
    ``per_group`` doctors free on its dates only (two-day missions three days apart),
    by bulk inserts: a full run proposes ``groups * per_group`` pairings.

    Returns (doctor ids, need ids), in group order.
    """
    async with Need._meta.db.transaction():  # one commit: fast on SQLite
        return await _population(groups, per_group)


async def _population(groups: int, per_group: int) -> tuple[list[int], list[int]]:
    from matching.accounts.tables import User

    facility_id = await make_facility()
    n = groups * per_group
    users = await _bulk(
        User,
        [
            User(
                email=f"crowd{i}-{facility_id}@example.org",
                password_hash="x",
                full_name=f"Dr. Crowd {i}",
                role=Role.DOCTOR,
            )
            for i in range(n)
        ],
    )
    doctors = await _bulk(
        DoctorProfile,
        [
            DoctorProfile(
                user=u,
                country="DE",
                timezone="Europe/Berlin",
                years_experience=1 + i % 30,
                offers_mission=True,
                can_travel=True,
            )
            for i, u in enumerate(users)
        ],
    )
    await _bulk(DoctorLanguage, [DoctorLanguage(doctor=d, code="ar") for d in doctors])
    await _bulk(
        DoctorSpecialty,
        [DoctorSpecialty(doctor=d, code="emergency_medicine", level="consultant") for d in doctors],
    )
    starts = [TODAY + timedelta(days=10 + 3 * g) for g in range(groups)]
    await _bulk(
        TravelWindow,
        [
            TravelWindow(
                doctor=d,
                starts_on=starts[i // per_group],
                ends_on=starts[i // per_group] + timedelta(days=1),
            )
            for i, d in enumerate(doctors)
        ],
    )
    needs = await _bulk(
        Need,
        [
            Need(
                facility=facility_id,
                kind="mission",
                title=f"Emergency mission {g}",
                specialty="emergency_medicine",
                languages="ar",
                status="open",
                places=per_group,
                urgency="urgent",
                starts_on=start,
                ends_on=start + timedelta(days=1),
            )
            for g, start in enumerate(starts)
        ],
    )
    return doctors, needs
