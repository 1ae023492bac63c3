"""What crosses the people domain's seams: a person to add or change, and its view."""

from __future__ import annotations

from datetime import datetime

from msgspec import UNSET, Struct, UnsetType


class PersonDraft(Struct, kw_only=True):
    """A local clinician to add to a facility (or every field of an edit)."""

    name_en: str
    name_ar: str
    clinical_role: str
    specialty: str = ""
    phone: str = ""
    unreadable: dict[str, str] = {}


class PersonChange(Struct, kw_only=True):
    """An edit of a person: the fields not given keep their stored value."""

    name_en: str | UnsetType = UNSET
    name_ar: str | UnsetType = UNSET
    clinical_role: str | UnsetType = UNSET
    specialty: str | UnsetType = UNSET
    phone: str | UnsetType = UNSET
    unreadable: dict[str, str] = {}


class PersonView(Struct, kw_only=True):
    id: int
    facility_id: int
    name_en: str
    name_ar: str
    clinical_role: str
    specialty: str
    phone: str
    user_id: int | None
    entered_by_id: int | None
    created_at: datetime
    archived: bool

    def name(self, language: str) -> str:
        """The name in ``language``, the other one when that is empty."""
        own = self.name_ar if language == "ar" else self.name_en
        return own or self.name_en or self.name_ar
