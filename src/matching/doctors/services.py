"""Doctor use-cases: profile, specialties and skills, licences, availability, privacy.

Every change is one transaction with its audit event. Audit events name the
fields that changed, never their values, so the trail holds no contact data.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from matching.accounts.services import Account
from matching.accounts.tables import PasswordResetToken, Role, User
from matching.audit.services import record_event
from matching.audit.tables import AuditEvent
from matching.availability import DateRange, WeeklyWindow, slot_occurrences_utc
from matching.consent.services import consents_of
from matching.doctors import validation as v
from matching.doctors.documents import (
    DocumentRejected,
    StoredDocument,
    document_file,
    remove_document,
    store_document,
)
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSkill,
    DoctorSpecialty,
    Licence,
    LicenceState,
    TravelWindow,
    WeeklySlot,
)
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.facilities.tables import FacilityHead, Need
from matching.i18n import N_, Message
from matching.mail.tables import Notification, OutboxMail
from matching.pairings.tables import Proposal, ProposalState
from matching.taxonomy import load_taxonomy

DAMASCUS = "Asia/Damascus"
EXPIRED = "expired"
DELETED_LABEL = "deleted account"
ANONYMOUS_DOCTOR = "a doctor who deleted their account"
MAX_FREE_TEXT = 2000
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.ADMIN})


# ---------------------------------------------------------------------- views
@dataclass(frozen=True, slots=True)
class LicenceView:
    id: int
    doctor_id: int
    issuer_country: str
    authority: str
    number: str
    expires_on: date
    stored_state: str
    review_note: str
    reviewed_at: datetime | None
    document_name: str
    document_mime: str
    created_at: datetime | None

    @property
    def has_document(self) -> bool:
        return bool(self.document_name)

    def state_on(self, today: date) -> str:
        """The shown state: ``expired`` once the expiry date has passed, else the stored one."""
        return EXPIRED if self.expires_on < today else self.stored_state

    @property
    def state(self) -> str:
        return self.state_on(date.today())


@dataclass(frozen=True, slots=True)
class TravelWindowView:
    id: int
    starts_on: date
    ends_on: date


@dataclass(frozen=True, slots=True)
class SlotView:
    id: int
    weekday: int
    starts_at: time
    ends_at: time

    @property
    def crosses_midnight(self) -> bool:
        return self.ends_at <= self.starts_at


@dataclass(frozen=True, slots=True)
class DoctorProfileData:
    """Everything held about one doctor (contact fields included: check before showing)."""

    id: int
    user_id: int
    full_name: str
    account_email: str
    country: str
    city: str
    timezone: str
    phone: str
    contact_email: str
    years_experience: int
    bio: str
    languages: dict[str, str]
    modes: tuple[str, ...]
    max_mentees: int
    hours_per_month: int
    can_travel: bool
    specialties: dict[str, str]
    skills: tuple[str, ...]
    free_text_skills: str
    licences: tuple[LicenceView, ...] = ()
    travel_windows: tuple[TravelWindowView, ...] = ()
    slots: tuple[SlotView, ...] = ()
    updated_at: datetime | None = None

    def licence_verified_until(self, today: date | None = None) -> date | None:
        """Latest expiry among verified, unexpired licences (``None`` without one)."""
        today = today or date.today()
        dates = [
            lic.expires_on
            for lic in self.licences
            if lic.stored_state == LicenceState.VERIFIED and lic.expires_on >= today
        ]
        return max(dates) if dates else None

    def public_dict(self) -> dict[str, Any]:
        """What facility-facing views may show: never contact data or documents."""
        return {
            "id": self.id,
            "full_name": self.full_name,
            "country": self.country,
            "languages": dict(self.languages),
            "specialties": dict(self.specialties),
            "modes": list(self.modes),
            "years_experience": self.years_experience,
        }


@dataclass(frozen=True, slots=True)
class DoctorView:
    """A doctor as one viewer may see them; contact fields are empty unless allowed."""

    profile: DoctorProfileData
    show_contact: bool


@dataclass(frozen=True, slots=True)
class LicenceReviewItem:
    licence: LicenceView
    doctor_id: int
    doctor_name: str


@dataclass(frozen=True, slots=True)
class SlotOccurrence:
    """One real occurrence of a weekly slot, in the doctor's zone and in Damascus."""

    slot_id: int
    local_start: datetime
    local_end: datetime
    damascus_start: datetime
    damascus_end: datetime


@dataclass(slots=True)
class ProfileChanges:
    values: dict[str, Any] = field(default_factory=dict)
    languages: dict[str, str] | None = None
    specialties: dict[str, str] | None = None
    skills: list[str] | None = None


# ---------------------------------------------------------------------- loading
def _licence_view(row: Mapping[str, Any]) -> LicenceView:
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


async def _load_many(profile_ids: list[int] | None) -> list[DoctorProfileData]:
    """Profiles with all their children, in a fixed number of queries."""
    query = DoctorProfile.select(
        *DoctorProfile.all_columns(),
        DoctorProfile.user.full_name.as_alias("full_name"),
        DoctorProfile.user.email.as_alias("account_email"),
    ).order_by(DoctorProfile.id)
    if profile_ids is not None:
        if not profile_ids:
            return []
        query = query.where(DoctorProfile.id.is_in(profile_ids))
    rows = await query.run()
    if not rows:
        return []
    ids = [row["id"] for row in rows]

    async def children(table: Any, *order: Any) -> dict[int, list[dict[str, Any]]]:
        q = table.select().where(table.doctor.is_in(ids))
        for column in order:
            q = q.order_by(column)
        grouped: dict[int, list[dict[str, Any]]] = {}
        for child in await q.run():
            grouped.setdefault(child["doctor"], []).append(child)
        return grouped

    languages = await children(DoctorLanguage, DoctorLanguage.id)
    specialties = await children(DoctorSpecialty, DoctorSpecialty.id)
    skills = await children(DoctorSkill, DoctorSkill.id)
    licences = await children(Licence, Licence.expires_on, Licence.id)
    windows = await children(TravelWindow, TravelWindow.starts_on, TravelWindow.id)
    slots = await children(WeeklySlot, WeeklySlot.weekday, WeeklySlot.starts_at, WeeklySlot.id)
    out = []
    for row in rows:
        pid = row["id"]
        out.append(
            DoctorProfileData(
                id=pid,
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
                languages={r["code"]: r["level"] for r in languages.get(pid, [])},
                modes=_modes(row),
                max_mentees=row["max_mentees"],
                hours_per_month=row["hours_per_month"],
                can_travel=row["can_travel"],
                specialties={r["code"]: r["level"] for r in specialties.get(pid, [])},
                skills=tuple(r["code"] for r in skills.get(pid, [])),
                free_text_skills=row["free_text_skills"],
                licences=tuple(_licence_view(r) for r in licences.get(pid, [])),
                travel_windows=tuple(
                    TravelWindowView(r["id"], r["starts_on"], r["ends_on"])
                    for r in windows.get(pid, [])
                ),
                slots=tuple(
                    SlotView(r["id"], r["weekday"], r["starts_at"], r["ends_at"])
                    for r in slots.get(pid, [])
                ),
                updated_at=row["updated_at"],
            )
        )
    return out


async def load_doctor_profile(profile_id: int) -> DoctorProfileData:
    """One doctor with everything held about them; ``NotFound`` if there is none."""
    found = await _load_many([profile_id])
    if not found:
        raise NotFound(N_("This doctor does not exist."))
    return found[0]


async def load_all_doctors() -> list[DoctorProfileData]:
    """Every doctor profile with children, ordered by id (the ranking loader's input)."""
    return await _load_many(None)


async def load_doctors(profile_ids: Iterable[int]) -> list[DoctorProfileData]:
    return await _load_many(sorted(set(profile_ids)))


def doctor_input(profile: DoctorProfileData, today: date | None = None) -> Any:
    """The ranking engine's :class:`~matching.ranking.DoctorInput` for ``profile``.

    ``current_mentees`` and ``committed_missions`` come from pairings and are left at
    their defaults; the ranking loader sets them.
    """
    from matching.ranking import DoctorInput

    return DoctorInput(
        id=profile.id,
        modes=frozenset(profile.modes),
        languages=frozenset(profile.languages),
        specialties=tuple(profile.specialties.items()),
        skills=profile.skills,
        free_text_skills=profile.free_text_skills,
        years_experience=profile.years_experience,
        country=profile.country,
        timezone=profile.timezone,
        travel_windows=tuple(DateRange(w.starts_on, w.ends_on) for w in profile.travel_windows),
        weekly_slots=tuple(WeeklyWindow(s.weekday, s.starts_at, s.ends_at) for s in profile.slots),
        max_mentees=profile.max_mentees,
        hours_per_month=profile.hours_per_month,
        licence_verified_until=profile.licence_verified_until(today),
    )


async def profile_id_for(account: Account) -> int | None:
    row = (
        await DoctorProfile.select(DoctorProfile.id)
        .where(DoctorProfile.user == account.id)
        .first()
        .run()
    )
    return row["id"] if row else None


def _require_doctor(account: Account) -> None:
    if account.role != Role.DOCTOR:
        raise Forbidden(N_("Only doctors have a doctor profile."))


async def ensure_profile(account: Account) -> int:
    """The doctor's profile id, creating an empty profile on first visit."""
    _require_doctor(account)
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


# ---------------------------------------------------------------------- privacy
async def can_see_contact(viewer: Account | None, doctor_profile_id: int) -> bool:
    """May ``viewer`` see this doctor's contact details and licence documents?

    True for the doctor themself, coordinators and admins, and the head of a
    facility with a CONFIRMED proposal for this doctor; False for anyone else.
    """
    if viewer is None:
        return False
    if viewer.role in STAFF_ROLES:
        return True
    if viewer.role == Role.DOCTOR:
        return await profile_id_for(viewer) == doctor_profile_id
    if viewer.role != Role.FACILITY_HEAD:
        return False
    facilities = await FacilityHead.select(FacilityHead.facility).where(
        FacilityHead.user == viewer.id
    )
    facility_ids = [row["facility"] for row in facilities]
    if not facility_ids:
        return False
    need_ids = [
        row["id"] for row in await Need.select(Need.id).where(Need.facility.is_in(facility_ids))
    ]
    if not need_ids:
        return False
    return bool(
        await Proposal.exists()
        .where(
            Proposal.doctor == doctor_profile_id,
            Proposal.need.is_in(need_ids),
            Proposal.state == ProposalState.CONFIRMED.value,
        )
        .run()
    )


async def view_doctor(viewer: Account, doctor_profile_id: int) -> DoctorView:
    """A doctor's page for coordinators, facility heads and the doctor themself.

    Another doctor gets ``Forbidden``; contact data is shown only where
    :func:`can_see_contact` allows.
    """
    if viewer.role == Role.DOCTOR and await profile_id_for(viewer) != doctor_profile_id:
        raise Forbidden(N_("Doctors cannot open other doctors' profiles."))
    profile = await load_doctor_profile(doctor_profile_id)
    return DoctorView(profile=profile, show_contact=await can_see_contact(viewer, profile.id))


# ---------------------------------------------------------------------- profile
_SIMPLE_TEXT = {"city": 120, "bio": 2000, "free_text_skills": MAX_FREE_TEXT}


def _parse_profile(data: Mapping[str, Any]) -> tuple[ProfileChanges, str | None]:
    """Validate the fields present in ``data``; absent fields stay as they are."""
    errors: dict[str, str] = {}
    changes = ProfileChanges()
    values = changes.values
    full_name = None
    if "full_name" in data:
        full_name = v.text(errors, "full_name", data["full_name"], max_length=200, required=True)
    for name, length in _SIMPLE_TEXT.items():
        if name in data:
            values[name] = v.text(errors, name, data[name], max_length=length)
    if "country" in data:
        values["country"] = v.country(errors, "country", data["country"])
    if "timezone" in data:
        values["timezone"] = v.timezone(errors, "timezone", data["timezone"])
    if "phone" in data:
        values["phone"] = v.phone(errors, "phone", data["phone"])
    if "contact_email" in data:
        values["contact_email"] = v.email(errors, "contact_email", data["contact_email"])
    for name, hi in (("years_experience", 70), ("max_mentees", 50), ("hours_per_month", 400)):
        if name in data:
            number = v.integer(errors, name, data[name], minimum=0, maximum=hi)
            if number is not None:
                values[name] = number
    if "can_travel" in data:
        values["can_travel"] = v.boolean(data["can_travel"])
    if "modes" in data:
        modes = _as_list(data["modes"])
        if any(m not in v.MODES for m in modes):
            errors["modes"] = N_("contains an unknown choice")
        for mode in v.MODES:
            values[f"offers_{mode}"] = mode in modes
    taxonomy = load_taxonomy()
    if "languages" in data:
        changes.languages = _parse_levels(
            errors, "languages", data["languages"], taxonomy.languages, v.LANGUAGE_LEVELS
        )
    if "specialties" in data:
        changes.specialties = _parse_levels(
            errors, "specialties", data["specialties"], taxonomy.specialties, v.LEVELS
        )
    if "skills" in data:
        skills = list(dict.fromkeys(_as_list(data["skills"])))
        if any(s not in taxonomy.skills for s in skills):
            errors["skills"] = N_("contains an unknown choice")
        changes.skills = skills
    if errors:
        raise ValidationFailed(errors)
    return changes, full_name


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _parse_levels(
    errors: dict[str, str],
    name: str,
    value: Any,
    known: Mapping[str, Any],
    levels: tuple[str, ...],
) -> dict[str, str]:
    if not isinstance(value, Mapping):
        errors[name] = N_("must map codes to levels")
        return {}
    out: dict[str, str] = {}
    for code, level in value.items():
        if not level:
            continue
        if code not in known:
            errors[name] = N_("contains an unknown choice")
        elif level not in levels:
            errors[name] = N_("contains an unknown level")
        else:
            out[str(code)] = str(level)
    return out


async def update_profile(account: Account, data: Mapping[str, Any]) -> DoctorProfileData:
    """Change the fields present in ``data`` (validated all at once, then one transaction).

    Keys: full_name, country, city, timezone, phone, contact_email, years_experience,
    bio, languages {code: level}, modes [..], max_mentees, hours_per_month, can_travel,
    specialties {code: level}, skills [codes], free_text_skills.
    """
    profile_id = await ensure_profile(account)
    changes, full_name = _parse_profile(data)
    changed = sorted(
        [*changes.values, *(["full_name"] if full_name is not None else [])]
        + [
            name
            for name in ("languages", "specialties", "skills")
            if getattr(changes, name) is not None
        ]
    )
    async with DoctorProfile._meta.db.transaction():
        values: dict[Any, Any] = {
            getattr(DoctorProfile, k): val for k, val in changes.values.items()
        }
        values[DoctorProfile.updated_at] = datetime.now(UTC)
        await DoctorProfile.update(values).where(DoctorProfile.id == profile_id).run()
        if full_name is not None:
            await User.update({User.full_name: full_name}).where(User.id == account.id).run()
        if "timezone" in changes.values:
            await (
                User.update({User.timezone: changes.values["timezone"]})
                .where(User.id == account.id)
                .run()
            )
        if changes.languages is not None:
            await DoctorLanguage.delete().where(DoctorLanguage.doctor == profile_id).run()
            if changes.languages:
                await DoctorLanguage.insert(
                    *(
                        DoctorLanguage(doctor=profile_id, code=c, level=lv)
                        for c, lv in changes.languages.items()
                    )
                ).run()
        if changes.specialties is not None:
            await DoctorSpecialty.delete().where(DoctorSpecialty.doctor == profile_id).run()
            if changes.specialties:
                await DoctorSpecialty.insert(
                    *(
                        DoctorSpecialty(doctor=profile_id, code=c, level=lv)
                        for c, lv in changes.specialties.items()
                    )
                ).run()
        if changes.skills is not None:
            await DoctorSkill.delete().where(DoctorSkill.doctor == profile_id).run()
            if changes.skills:
                await DoctorSkill.insert(
                    *(DoctorSkill(doctor=profile_id, code=c) for c in changes.skills)
                ).run()
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="doctor.profile_updated",
            subject_type="doctor_profile",
            subject_id=profile_id,
            after={"fields": changed},
        )
    return await load_doctor_profile(profile_id)


# ---------------------------------------------------------------------- licences
async def add_licence(
    account: Account,
    *,
    issuer_country: str,
    authority: str,
    number: str,
    expires_on: str | date,
    document: bytes | None,
    filename: str = "",
    uploads_dir: Path,
    confirm_expired: bool = False,
    today: date | None = None,
) -> LicenceView:
    """Add a licence; with a document it waits for verification (``pending``).

    A licence whose expiry date has passed is refused unless the doctor confirms
    it (``confirm_expired``): it is then kept, shown as expired and never counted
    valid (a coordinator cannot verify it, the ranking ignores it).
    """
    profile_id = await ensure_profile(account)
    errors: dict[str, str] = {}
    country = v.country(errors, "issuer_country", issuer_country, required=True)
    authority = v.text(errors, "authority", authority, max_length=200, required=True)
    number = v.text(errors, "number", number, max_length=80, required=True)
    expiry = v.a_date(errors, "expires_on", expires_on)
    today = today or date.today()
    if expiry is not None and expiry < today and not confirm_expired:
        errors["expires_on"] = Message(
            "expired on %(date)s, so it would never count as valid: give an expiry date "
            'of %(today)s or later, or confirm "Save it as expired" to keep it anyway',
            date=expiry.isoformat(),
            today=today.isoformat(),
        )
    stored: StoredDocument | None = None
    if document and not errors:
        try:
            stored = store_document(uploads_dir, document, filename)
        except DocumentRejected as exc:
            errors["document"] = str(exc)
    elif document:
        try:  # still report a bad file alongside the other problems
            from matching.doctors.documents import check_document

            check_document(document)
        except DocumentRejected as exc:
            errors["document"] = str(exc)
    if errors:
        raise ValidationFailed(errors)
    assert expiry is not None
    state = LicenceState.PENDING if stored else LicenceState.UNVERIFIED
    try:
        async with Licence._meta.db.transaction():
            rows = (
                await Licence.insert(
                    Licence(
                        doctor=profile_id,
                        issuer_country=country,
                        authority=authority,
                        number=number,
                        expires_on=expiry,
                        document_name=stored.name if stored else "",
                        document_path=stored.path if stored else "",
                        document_mime=stored.mime if stored else "",
                        state=state.value,
                    )
                )
                .returning(*Licence.all_columns())
                .run()
            )
            licence = _licence_view(rows[0])
            await record_event(
                actor_id=account.id,
                actor_label=account.email,
                action="licence.added",
                subject_type="licence",
                subject_id=licence.id,
                after={
                    "state": state.value,
                    "document": bool(stored),
                    **({"expired": True} if expiry < today else {}),
                },
            )
    except BaseException:
        if stored:
            remove_document(uploads_dir, stored.path)
        raise
    return licence


async def _own_licence(account: Account, licence_id: int) -> dict[str, Any]:
    profile_id = await profile_id_for(account)
    row = await Licence.select().where(Licence.id == licence_id).first().run()
    if row is None or profile_id is None or row["doctor"] != profile_id:
        raise NotFound(N_("This licence does not exist."))
    return row


async def delete_licence(account: Account, licence_id: int, *, uploads_dir: Path) -> None:
    _require_doctor(account)
    row = await _own_licence(account, licence_id)
    async with Licence._meta.db.transaction():
        await Licence.delete().where(Licence.id == licence_id).run()
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="licence.deleted",
            subject_type="licence",
            subject_id=licence_id,
            before={"state": row["state"]},
        )
    remove_document(uploads_dir, row["document_path"])


async def licence_document(
    viewer: Account, licence_id: int, *, uploads_dir: Path
) -> tuple[Path, str, str]:
    """(file, MIME type, original name) of a licence document the viewer may see."""
    row = await Licence.select().where(Licence.id == licence_id).first().run()
    if row is None:
        raise NotFound(N_("This licence does not exist."))
    if not await can_see_contact(viewer, row["doctor"]):
        raise Forbidden(N_("Only the doctor and coordinators can see licence documents."))
    path = document_file(uploads_dir, row["document_path"])
    if path is None:
        raise NotFound(N_("This licence has no document."))
    return path, row["document_mime"], row["document_name"]


async def licences_awaiting_verification() -> list[LicenceReviewItem]:
    """Pending licences, oldest first, with the doctor's name (for coordinators)."""
    rows = (
        await Licence.select(
            *Licence.all_columns(),
            Licence.doctor.user.full_name.as_alias("doctor_name"),
        )
        .where(Licence.state == LicenceState.PENDING.value)
        .order_by(Licence.created_at)
        .order_by(Licence.id)
        .run()
    )
    return [
        LicenceReviewItem(_licence_view(row), row["doctor"], row["doctor_name"] or "")
        for row in rows
    ]


async def recently_reviewed_licences(limit: int = 20) -> list[LicenceReviewItem]:
    rows = (
        await Licence.select(
            *Licence.all_columns(),
            Licence.doctor.user.full_name.as_alias("doctor_name"),
        )
        .where(Licence.reviewed_at.is_not_null())
        .order_by(Licence.reviewed_at, ascending=False)
        .limit(limit)
        .run()
    )
    return [
        LicenceReviewItem(_licence_view(row), row["doctor"], row["doctor_name"] or "")
        for row in rows
    ]


async def review_licence(
    coordinator: Account, licence_id: int, *, verified: bool, note: str = ""
) -> LicenceView:
    """Verify or reject a pending licence; a rejection needs a note for the doctor."""
    if coordinator.role not in STAFF_ROLES:
        raise Forbidden(N_("Only coordinators verify licences."))
    errors: dict[str, str] = {}
    note = v.text(errors, "note", note, max_length=1000, required=not verified)
    if errors:
        raise ValidationFailed(errors)
    async with Licence._meta.db.transaction():
        row = await Licence.select().where(Licence.id == licence_id).first().run()
        if row is None:
            raise NotFound(N_("This licence does not exist."))
        if row["state"] != LicenceState.PENDING:
            raise Conflict(N_("This licence is not waiting for verification."))
        if verified and row["expires_on"] < date.today():
            raise Conflict(N_("This licence has expired and cannot be verified."))
        state = LicenceState.VERIFIED if verified else LicenceState.REJECTED
        rows = (
            await Licence.update(
                {
                    Licence.state: state.value,
                    Licence.review_note: note,
                    Licence.reviewed_by: coordinator.id,
                    Licence.reviewed_at: datetime.now(UTC),
                }
            )
            .where(Licence.id == licence_id, Licence.state == LicenceState.PENDING.value)
            .returning(*Licence.all_columns())
            .run()
        )
        if not rows:
            raise Conflict(N_("This licence is not waiting for verification."))
        await record_event(
            actor_id=coordinator.id,
            actor_label=coordinator.email,
            action=f"licence.{state.value}",
            subject_type="licence",
            subject_id=licence_id,
            before={"state": row["state"]},
            after={"state": state.value, "note": note},
        )
        owner = (
            await DoctorProfile.select(DoctorProfile.user)
            .where(DoctorProfile.id == row["doctor"])
            .first()
            .run()
        )
        if owner is not None:
            message = (
                N_("Your licence %(number)s was verified.")
                if verified
                else N_("Your licence %(number)s was rejected: %(note)s")
            )
            await Notification.insert(
                Notification(
                    user=owner["user"],
                    message=message,
                    params=json.dumps({"number": row["number"], "note": note}),
                    link="/doctors/me/licences",
                )
            ).run()
    return _licence_view(rows[0])


# ---------------------------------------------------------------------- availability
async def add_travel_window(
    account: Account, *, starts_on: str | date, ends_on: str | date, today: date | None = None
) -> TravelWindowView:
    """Dates when the doctor can be in Syria (inclusive); not entirely in the past."""
    profile_id = await ensure_profile(account)
    today = today or date.today()
    errors: dict[str, str] = {}
    start = v.a_date(errors, "starts_on", starts_on)
    end = v.a_date(errors, "ends_on", ends_on)
    if start and end:
        if end < start:
            errors["ends_on"] = N_("must not be before the start date")
        elif end < today:
            errors["ends_on"] = Message(
                "must be today (%(today)s) or later", today=today.isoformat()
            )
        elif (end - start).days > 366:
            errors["ends_on"] = N_("a window can last at most a year")
    if errors:
        raise ValidationFailed(errors)
    assert start and end
    async with TravelWindow._meta.db.transaction():
        rows = (
            await TravelWindow.insert(TravelWindow(doctor=profile_id, starts_on=start, ends_on=end))
            .returning(TravelWindow.id)
            .run()
        )
        window = TravelWindowView(rows[0]["id"], start, end)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="doctor.travel_window_added",
            subject_type="doctor_profile",
            subject_id=profile_id,
            after={"starts_on": start, "ends_on": end},
        )
    return window


async def add_weekly_slot(
    account: Account, *, weekday: int | str, starts_at: str | time, ends_at: str | time
) -> SlotView:
    """A weekly remote slot in the doctor's own zone; an end at or before the start
    means the slot runs past midnight (22:00-01:00)."""
    profile_id = await ensure_profile(account)
    errors: dict[str, str] = {}
    day = v.weekday(errors, "weekday", weekday)
    start = v.a_time(errors, "starts_at", starts_at)
    end = v.a_time(errors, "ends_at", ends_at)
    if start is not None and end is not None and start == end:
        errors["ends_at"] = N_("must differ from the start time")
    if errors:
        raise ValidationFailed(errors)
    assert day is not None and start is not None and end is not None
    async with WeeklySlot._meta.db.transaction():
        rows = (
            await WeeklySlot.insert(
                WeeklySlot(doctor=profile_id, weekday=day, starts_at=start, ends_at=end)
            )
            .returning(WeeklySlot.id)
            .run()
        )
        slot = SlotView(rows[0]["id"], day, start, end)
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action="doctor.slot_added",
            subject_type="doctor_profile",
            subject_id=profile_id,
            after={"weekday": day, "starts_at": start, "ends_at": end},
        )
    return slot


async def _delete_child(account: Account, table: Any, row_id: int, action: str) -> None:
    _require_doctor(account)
    profile_id = await profile_id_for(account)
    async with table._meta.db.transaction():
        deleted = (
            await table.delete()
            .where(table.id == row_id, table.doctor == (profile_id or -1))
            .returning(table.id)
            .run()
        )
        if not deleted:
            raise NotFound(N_("This entry does not exist."))
        await record_event(
            actor_id=account.id,
            actor_label=account.email,
            action=action,
            subject_type="doctor_profile",
            subject_id=profile_id,
            before={"id": row_id},
        )


async def delete_travel_window(account: Account, window_id: int) -> None:
    await _delete_child(account, TravelWindow, window_id, "doctor.travel_window_deleted")


async def delete_weekly_slot(account: Account, slot_id: int) -> None:
    await _delete_child(account, WeeklySlot, slot_id, "doctor.slot_deleted")


def coming_week_in_damascus(
    profile: DoctorProfileData, today: date | None = None
) -> list[SlotOccurrence]:
    """The doctor's slots over the next 7 local days, in their zone and in Damascus time."""
    today = today or datetime.now(ZoneInfo(profile.timezone)).date()
    period = DateRange(today, today + timedelta(days=6))
    local, damascus = ZoneInfo(profile.timezone), ZoneInfo(DAMASCUS)
    out: list[SlotOccurrence] = []
    for slot in profile.slots:
        rule = WeeklyWindow(slot.weekday, slot.starts_at, slot.ends_at)
        for start, end in slot_occurrences_utc([rule], profile.timezone, period):
            out.append(
                SlotOccurrence(
                    slot.id,
                    start.astimezone(local),
                    end.astimezone(local),
                    start.astimezone(damascus),
                    end.astimezone(damascus),
                )
            )
    out.sort(key=lambda occurrence: occurrence.local_start)
    return out


# ---------------------------------------------------------------------- export, delete
def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(val) for k, val in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


async def export_doctor_data(account: Account) -> dict[str, Any]:
    """Everything held about the doctor, as JSON-ready data."""
    profile = await my_profile(account)
    user = (
        await User.select(*User.all_columns(exclude=[User.password_hash]))
        .where(User.id == account.id)
        .first()
        .run()
    )
    profile_dict = asdict(profile)
    for licence in profile_dict["licences"]:
        licence["state"] = (
            EXPIRED if licence["expires_on"] < date.today() else licence["stored_state"]
        )
    proposals = await Proposal.select(
        Proposal.id,
        Proposal.need,
        Proposal.state,
        Proposal.score,
        Proposal.created_at,
        Proposal.decided_at,
        Proposal.responded_at,
    ).where(Proposal.doctor == profile.id)
    events = (
        await AuditEvent.select(AuditEvent.action, AuditEvent.created_at)
        .where(AuditEvent.actor == account.id)
        .order_by(AuditEvent.id)
        .run()
    )
    return _plain(
        {
            "exported_at": datetime.now(UTC),
            "account": user,
            "profile": profile_dict,
            "proposals": proposals,
            "activity": events,
            "consent": [asdict(consent) for consent in await consents_of(account.id)],
        }
    )


def _anonymise(text: str, needles: list[str]) -> str:
    for needle in needles:
        text = text.replace(needle, ANONYMOUS_DOCTOR)
    return text


async def _scrub_mentions(profile_id: int | None, full_name: str, emails: set[str]) -> None:
    """Replace the doctor's name and emails in mail and notifications sent to others
    (a confirmed pairing tells the facility head who the doctor is)."""
    needles = sorted(
        {n for n in (full_name, html.escape(full_name), *emails) if n.strip()},
        key=len,
        reverse=True,
    )
    for needle in needles:
        pattern = f"%{needle}%"
        rows = await OutboxMail.select(
            OutboxMail.id, OutboxMail.subject, OutboxMail.body_text, OutboxMail.body_html
        ).where(
            OutboxMail.subject.like(pattern)
            | OutboxMail.body_text.like(pattern)
            | OutboxMail.body_html.like(pattern)
        )
        for row in rows:
            await (
                OutboxMail.update(
                    {
                        OutboxMail.subject: _anonymise(row["subject"], needles),
                        OutboxMail.body_text: _anonymise(row["body_text"], needles),
                        OutboxMail.body_html: _anonymise(row["body_html"], needles),
                    }
                )
                .where(OutboxMail.id == row["id"])
                .run()
            )
    if profile_id is None:
        return
    proposal_ids = [
        row["id"] for row in await Proposal.select(Proposal.id).where(Proposal.doctor == profile_id)
    ]
    if not proposal_ids:
        return
    # The doctor's own words on their proposals (a decline's reason) may name them.
    for row in await Proposal.select(Proposal.id, Proposal.decision_reason).where(
        Proposal.id.is_in(proposal_ids)
    ):
        cleaned_reason = _anonymise(row["decision_reason"] or "", needles)
        if cleaned_reason != (row["decision_reason"] or ""):
            await (
                Proposal.update({Proposal.decision_reason: cleaned_reason})
                .where(Proposal.id == row["id"])
                .run()
            )
    links = [f"/pairings/{pid}" for pid in proposal_ids]
    for row in await Notification.select(Notification.id, Notification.params).where(
        Notification.link.is_in(links)
    ):
        params = row["params"]
        params = json.loads(params) if isinstance(params, str) else dict(params or {})
        cleaned = {
            key: _anonymise(value, needles) if isinstance(value, str) else value
            for key, value in params.items()
        }
        if cleaned != params:
            await (
                Notification.update({Notification.params: json.dumps(cleaned)})
                .where(Notification.id == row["id"])
                .run()
            )


async def delete_doctor_account(account: Account, *, uploads_dir: Path) -> None:
    """Remove the doctor's personal data from every table, keep decided pairings anonymised.

    The User row goes (profile and children cascade; proposals keep their row with
    ``doctor`` set to NULL); audit events they wrote lose their label and values;
    queued mail to them is dropped; licence documents are deleted from disk.
    """
    _require_doctor(account)
    profile_id = await profile_id_for(account)
    documents: list[str] = []
    async with User._meta.db.transaction():
        user = await User.select(User.email).where(User.id == account.id).first().run()
        if user is None:
            raise NotFound(N_("This account does not exist."))
        emails = {user["email"]}
        subjects: list[tuple[str, int]] = [("user", account.id)]
        if profile_id is not None:
            profile = (
                await DoctorProfile.select(DoctorProfile.contact_email)
                .where(DoctorProfile.id == profile_id)
                .first()
                .run()
            )
            if profile and profile["contact_email"]:
                emails.add(profile["contact_email"])
            documents = [
                row["document_path"]
                for row in await Licence.select(Licence.document_path).where(
                    Licence.doctor == profile_id
                )
                if row["document_path"]
            ]
            licence_ids = [
                row["id"]
                for row in await Licence.select(Licence.id).where(Licence.doctor == profile_id)
            ]
            subjects.append(("doctor_profile", profile_id))
            subjects.extend(("licence", lid) for lid in licence_ids)
        await (
            AuditEvent.update(
                {
                    AuditEvent.actor_label: DELETED_LABEL,
                    AuditEvent.before: "{}",
                    AuditEvent.after: "{}",
                }
            )
            .where((AuditEvent.actor == account.id) | AuditEvent.actor_label.is_in(list(emails)))
            .run()
        )
        for subject_type, subject_id in subjects:
            await (
                AuditEvent.update({AuditEvent.before: "{}", AuditEvent.after: "{}"})
                .where(
                    AuditEvent.subject_type == subject_type,
                    AuditEvent.subject_id == subject_id,
                )
                .run()
            )
        await OutboxMail.delete().where(OutboxMail.recipient.is_in(list(emails))).run()
        full_name = (await User.select(User.full_name).where(User.id == account.id).first().run())[
            "full_name"
        ]
        await _scrub_mentions(profile_id, full_name, emails)
        await PasswordResetToken.delete().where(PasswordResetToken.user == account.id).run()
        if profile_id is not None:
            await (
                Proposal.update({Proposal.doctor: None}).where(Proposal.doctor == profile_id).run()
            )
            await DoctorProfile.delete().where(DoctorProfile.id == profile_id).run()
        await User.delete().where(User.id == account.id).run()
        await record_event(
            actor_id=None,
            actor_label=DELETED_LABEL,
            action="account.deleted",
            subject_type="user",
            subject_id=account.id,
            after={"role": Role.DOCTOR.value},
        )
    for relative in documents:
        remove_document(uploads_dir, relative)
