"""What crosses the doctors domain's seams: typed commands in, views out.

Commands hold typed values (dates, times, integers), never form strings: the web
layer decodes the HTML form and the JSON body into them (``web/doctors/forms.py``).
A field a command leaves ``UNSET`` keeps its stored value; a required field left
``None`` is reported "is required" by the domain's checks.
"""

from __future__ import annotations

from datetime import date, datetime, time

from msgspec import UNSET, Struct, UnsetType

from matching.doctors.tables import LicenceState

EXPIRED = "expired"


# ---------------------------------------------------------------------- commands
class ProfileChange(Struct, frozen=True, kw_only=True):
    """Change a doctor's profile; fields left ``UNSET`` keep their value.

    ``languages`` and ``specialties`` map codes to levels and replace the stored
    sets; ``skills`` lists taxonomy codes and replaces the stored list.
    """

    full_name: str | UnsetType = UNSET
    country: str | UnsetType = UNSET
    city: str | UnsetType = UNSET
    timezone: str | UnsetType = UNSET
    phone: str | UnsetType = UNSET
    contact_email: str | UnsetType = UNSET
    years_experience: int | UnsetType = UNSET
    bio: str | UnsetType = UNSET
    languages: dict[str, str] | UnsetType = UNSET
    modes: tuple[str, ...] | UnsetType = UNSET
    max_mentees: int | UnsetType = UNSET
    hours_per_month: int | UnsetType = UNSET
    can_travel: bool | UnsetType = UNSET
    specialties: dict[str, str] | UnsetType = UNSET
    skills: tuple[str, ...] | UnsetType = UNSET
    free_text_skills: str | UnsetType = UNSET


class LicenceDraft(Struct, frozen=True, kw_only=True):
    """A licence to add; with a document it waits for a coordinator's verification.

    ``confirm_expired``: the doctor confirms keeping a licence whose expiry date has
    passed (it is then shown as expired and never counted valid).
    """

    issuer_country: str
    authority: str
    number: str
    expires_on: date | None
    document: bytes | None = None
    filename: str = ""
    confirm_expired: bool = False
    # What it permits: "foreign" (remote work), "syria_registration" or
    # "syria_temporary_permit" (in-person work in Syria, once verified).
    scope: str = "foreign"


class TravelWindowDraft(Struct, frozen=True, kw_only=True):
    """Dates (inclusive) when the doctor can be in Syria."""

    starts_on: date | None
    ends_on: date | None


class WeeklySlotDraft(Struct, frozen=True, kw_only=True):
    """A weekly remote slot in the doctor's own zone (Monday = 0); an end at or
    before the start runs past midnight."""

    weekday: int | None
    starts_at: time | None
    ends_at: time | None


# ---------------------------------------------------------------------- views
class LicenceView(Struct, frozen=True):
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
    scope: str = "foreign"

    @property
    def valid_in_syria(self) -> bool:
        """It permits in-person work in Syria (once verified and unexpired)."""
        return self.scope != "foreign"

    @property
    def has_document(self) -> bool:
        return bool(self.document_name)

    def state_on(self, today: date) -> str:
        """The shown state: ``expired`` once the expiry date has passed, else the stored one."""
        return EXPIRED if self.expires_on < today else self.stored_state

    @property
    def state(self) -> str:
        return self.state_on(date.today())


class TravelWindowView(Struct, frozen=True):
    id: int
    starts_on: date
    ends_on: date


class SlotView(Struct, frozen=True):
    id: int
    weekday: int
    starts_at: time
    ends_at: time

    @property
    def crosses_midnight(self) -> bool:
        return self.ends_at <= self.starts_at


class DoctorProfileData(Struct, frozen=True, kw_only=True):
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


class DoctorView(Struct, frozen=True):
    """A doctor as one viewer may see them; contact fields are shown only if allowed."""

    profile: DoctorProfileData
    show_contact: bool


class LicenceDocument(Struct, frozen=True, kw_only=True):
    """Where a licence's document is stored (``path`` relative to the uploads folder,
    empty without a document) and whose licence it is."""

    doctor_id: int
    path: str
    mime: str
    name: str


class LicenceReviewItem(Struct, frozen=True):
    licence: LicenceView
    doctor_id: int
    doctor_name: str


class SlotOccurrence(Struct, frozen=True):
    """One real occurrence of a weekly slot, in the doctor's zone and in Damascus."""

    slot_id: int
    local_start: datetime
    local_end: datetime
    damascus_start: datetime
    damascus_end: datetime
