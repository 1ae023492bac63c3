"""Reading doctor profiles: one doctor with everything held about them.

The ranking reads its inputs through ``pairings/loader.py``; this module serves the
doctor's own pages, the public doctor page and the export.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from matching.accounts.services import Account
from matching.doctors.schemas import (
    DoctorProfileData,
    LicenceView,
    SlotView,
    TravelWindowView,
)
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSkill,
    DoctorSpecialty,
    Licence,
    TravelWindow,
    WeeklySlot,
)
from matching.errors import NotFound
from matching.i18n import N_


def licence_view(row: Mapping[str, Any]) -> LicenceView:
    """A :class:`LicenceView` from a ``Licence`` row."""
    return LicenceView(
        id=row["id"],
        doctor_id=row["doctor"],
        issuer_country=row["issuer_country"],
        authority=row["authority"],
        number=row["number"],
        expires_on=row["expires_on"],
        stored_state=row["state"],
        review_note=row["review_note"],
        reviewed_at=row["reviewed_at"],
        document_name=row["document_name"],
        document_mime=row["document_mime"],
        created_at=row["created_at"],
        scope=row.get("scope") or "foreign",
    )


def _modes(row: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(
        mode
        for mode, column in (
            ("mission", "offers_mission"),
            ("mentorship", "offers_mentorship"),
            ("training", "offers_training"),
        )
        if row[column]
    )


async def _children(table: Any, profile_id: int, *order: Any) -> list[dict[str, Any]]:
    query = table.select().where(table.doctor == profile_id)
    for column in order:
        query = query.order_by(column)
    return await query.run()


async def load_doctor_profile(profile_id: int) -> DoctorProfileData:
    """One doctor with everything held about them; ``NotFound`` if there is none."""
    row = (
        await DoctorProfile.select(
            *DoctorProfile.all_columns(),
            DoctorProfile.user.full_name.as_alias("full_name"),
            DoctorProfile.user.email.as_alias("account_email"),
        )
        .where(DoctorProfile.id == profile_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound(N_("This doctor does not exist."))
    languages = await _children(DoctorLanguage, profile_id, DoctorLanguage.id)
    specialties = await _children(DoctorSpecialty, profile_id, DoctorSpecialty.id)
    skills = await _children(DoctorSkill, profile_id, DoctorSkill.id)
    licences = await _children(Licence, profile_id, Licence.expires_on, Licence.id)
    windows = await _children(TravelWindow, profile_id, TravelWindow.starts_on, TravelWindow.id)
    slots = await _children(
        WeeklySlot, profile_id, WeeklySlot.weekday, WeeklySlot.starts_at, WeeklySlot.id
    )
    return DoctorProfileData(
        id=profile_id,
        user_id=row["user"],
        full_name=row["full_name"] or "",
        account_email=row["account_email"] or "",
        country=row["country"],
        city=row["city"],
        timezone=row["timezone"],
        phone=row["phone"],
        contact_email=row["contact_email"],
        years_experience=row["years_experience"],
        bio=row["bio"],
        languages={r["code"]: r["level"] for r in languages},
        modes=_modes(row),
        max_mentees=row["max_mentees"],
        hours_per_month=row["hours_per_month"],
        can_travel=row["can_travel"],
        specialties={r["code"]: r["level"] for r in specialties},
        skills=tuple(r["code"] for r in skills),
        free_text_skills=row["free_text_skills"],
        licences=tuple(licence_view(r) for r in licences),
        travel_windows=tuple(
            TravelWindowView(r["id"], r["starts_on"], r["ends_on"]) for r in windows
        ),
        slots=tuple(SlotView(r["id"], r["weekday"], r["starts_at"], r["ends_at"]) for r in slots),
        updated_at=row["updated_at"],
    )


async def profile_id_for(account: Account) -> int | None:
    """The account's doctor profile id, ``None`` before the first visit (or for others)."""
    row = (
        await DoctorProfile.select(DoctorProfile.id)
        .where(DoctorProfile.user == account.id)
        .first()
        .run()
    )
    return row["id"] if row else None
