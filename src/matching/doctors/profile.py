"""A doctor's profile: created on first visit, changed by :class:`ProfileChange`.

Writes ``DoctorProfile``, ``DoctorLanguage``, ``DoctorSpecialty``, ``DoctorSkill``
(the account's name and zone, which the profile form edits, through ``accounts``). Every
change is one transaction with its audit event; the event names the fields that
changed, never their values, so the trail holds no contact data.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from msgspec import UNSET

from matching.accounts.details import set_name_and_zone
from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.audit.services import record_event
from matching.doctors import validation
from matching.doctors.loading import load_doctor_profile, profile_id_for
from matching.doctors.schemas import DoctorProfileData, ProfileChange
from matching.doctors.tables import DoctorLanguage, DoctorProfile, DoctorSkill, DoctorSpecialty
from matching.errors import Forbidden, ValidationFailed
from matching.i18n import N_
from matching.taxonomy import load_taxonomy

MAX_FREE_TEXT = 2000
_SIMPLE_TEXT = {"city": 120, "bio": 2000, "free_text_skills": MAX_FREE_TEXT}
_NUMBERS = {"years_experience": 70, "max_mentees": 50, "hours_per_month": 400}


def require_doctor(account: Account) -> None:
    if account.role != Role.DOCTOR:
        raise Forbidden(N_("Only doctors have a doctor profile."))


async def ensure_profile(account: Account) -> int:
    """The doctor's profile id, creating an empty profile on first visit."""
    require_doctor(account)
    existing = await profile_id_for(account)
    if existing is not None:
        return existing
    rows = (
        await DoctorProfile.insert(DoctorProfile(user=account.id, timezone=account.timezone))
        .on_conflict(action="DO NOTHING")
        .returning(DoctorProfile.id)
        .run()
    )
    if rows:
        return int(rows[0]["id"])
    found = await profile_id_for(account)  # created concurrently
    assert found is not None
    return found


async def my_profile(account: Account) -> DoctorProfileData:
    return await load_doctor_profile(await ensure_profile(account))


@dataclass(slots=True)
class _ProfileWrite:
    """A checked :class:`ProfileChange`, as columns and child rows."""

    values: dict[str, Any] = field(default_factory=dict)
    full_name: str | None = None
    languages: dict[str, str] | None = None
    specialties: dict[str, str] | None = None
    skills: list[str] | None = None

    def changed(self) -> list[str]:
        """The names the audit event lists (columns, full_name, replaced child sets)."""
        names = [*self.values, *(["full_name"] if self.full_name is not None else [])]
        names += [
            name
            for name in ("languages", "specialties", "skills")
            if getattr(self, name) is not None
        ]
        return sorted(names)


def _levels(
    errors: dict[str, str],
    name: str,
    value: Mapping[str, str],
    known: Mapping[str, Any],
    levels: tuple[str, ...],
) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, level in value.items():
        if code not in known:
            errors[name] = N_("contains an unknown choice")
        elif level not in levels:
            errors[name] = N_("contains an unknown level")
        else:
            out[code] = level
    return out


def _checked(change: ProfileChange) -> tuple[_ProfileWrite, dict[str, str]]:
    errors: dict[str, str] = {}
    write = _ProfileWrite()
    values = write.values
    if change.full_name is not UNSET:
        write.full_name = validation.text(
            errors, "full_name", change.full_name, max_length=200, required=True
        )
    for name, length in _SIMPLE_TEXT.items():
        if (text := getattr(change, name)) is not UNSET:
            values[name] = validation.text(errors, name, text, max_length=length)
    if change.country is not UNSET:
        values["country"] = validation.country(errors, "country", change.country)
    if change.timezone is not UNSET:
        values["timezone"] = validation.timezone(errors, "timezone", change.timezone)
    if change.phone is not UNSET:
        values["phone"] = validation.phone(errors, "phone", change.phone)
    if change.contact_email is not UNSET:
        values["contact_email"] = validation.email(errors, "contact_email", change.contact_email)
    for name, highest in _NUMBERS.items():
        if (number := getattr(change, name)) is not UNSET:
            checked = validation.in_range(errors, name, number, minimum=0, maximum=highest)
            if checked is not None:
                values[name] = checked
    if change.can_travel is not UNSET:
        values["can_travel"] = change.can_travel
    if change.modes is not UNSET:
        if any(mode not in validation.MODES for mode in change.modes):
            errors["modes"] = N_("contains an unknown choice")
        for mode in validation.MODES:
            values[f"offers_{mode}"] = mode in change.modes
    taxonomy = load_taxonomy()
    if change.languages is not UNSET:
        write.languages = _levels(
            errors, "languages", change.languages, taxonomy.languages, validation.LANGUAGE_LEVELS
        )
    if change.specialties is not UNSET:
        write.specialties = _levels(
            errors, "specialties", change.specialties, taxonomy.specialties, validation.LEVELS
        )
    if change.skills is not UNSET:
        skills = list(dict.fromkeys(change.skills))
        if any(skill not in taxonomy.skills for skill in skills):
            errors["skills"] = N_("contains an unknown choice")
        write.skills = skills
    return write, errors


def profile_change_errors(change: ProfileChange) -> dict[str, str]:
    """Every problem of ``change``, by field (empty when it can be saved)."""
    return _checked(change)[1]


async def update_profile(account: Account, change: ProfileChange) -> DoctorProfileData:
    """Apply ``change`` (checked all at once, then one transaction with its audit event)."""
    profile_id = await ensure_profile(account)
    write, errors = _checked(change)
    if errors:
        raise ValidationFailed(errors)
    async with DoctorProfile._meta.db.transaction():
        columns: dict[Any, Any] = {
            getattr(DoctorProfile, k): val for k, val in write.values.items()
        }
        columns[DoctorProfile.updated_at] = datetime.now(UTC)
        await DoctorProfile.update(columns).where(DoctorProfile.id == profile_id).run()
        await set_name_and_zone(
            account.id, full_name=write.full_name, timezone=write.values.get("timezone")
        )
        if write.languages is not None:
            await DoctorLanguage.delete().where(DoctorLanguage.doctor == profile_id).run()
            if write.languages:
                await DoctorLanguage.insert(
                    *(
                        DoctorLanguage(doctor=profile_id, code=code, level=level)
                        for code, level in write.languages.items()
                    )
                ).run()
        if write.specialties is not None:
            await DoctorSpecialty.delete().where(DoctorSpecialty.doctor == profile_id).run()
            if write.specialties:
                await DoctorSpecialty.insert(
                    *(
                        DoctorSpecialty(doctor=profile_id, code=code, level=level)
                        for code, level in write.specialties.items()
                    )
                ).run()
        if write.skills is not None:
            await DoctorSkill.delete().where(DoctorSkill.doctor == profile_id).run()
            if write.skills:
                await DoctorSkill.insert(
                    *(DoctorSkill(doctor=profile_id, code=code) for code in write.skills)
                ).run()
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="doctor.profile_updated",
            subject_type="doctor_profile",
            subject_id=profile_id,
            after={"fields": write.changed()},
        )
    return await load_doctor_profile(profile_id)
