"""What crosses the cases domain's seams: a case to submit, an image, the views."""

from __future__ import annotations

from datetime import datetime

from msgspec import Struct


class ImageUpload(Struct, kw_only=True, frozen=True):
    content: bytes
    filename: str = ""


class CaseDraft(Struct, kw_only=True):
    """A case as the submitter wrote it (the HTML form and the JSON body decode into it)."""

    age_band: str
    sex: str
    presenting_problem: str
    history: str = ""
    findings: str = ""
    question: str
    consent: bool = False
    images: list[ImageUpload] = []
    unreadable: dict[str, str] = {}


class CaseImageView(Struct, kw_only=True, frozen=True):
    id: int
    case_id: int
    mime: str
    width: int
    height: int


class CaseView(Struct, kw_only=True, frozen=True):
    id: int
    pairing_id: int
    submitted_by_id: int | None
    submitted_by_name: str
    entered_for_id: int | None
    age_band: str
    sex: str
    presenting_problem: str
    history: str
    findings: str
    question: str
    consent_text: str
    status: str
    recommendations: str
    answered_at: datetime | None
    answered_by_name: str
    closed_at: datetime | None
    created_at: datetime
    images: list[CaseImageView] = []


class CaseSummary(Struct, kw_only=True, frozen=True):
    """One line of a mentorship's case list (no clinical text beyond the question)."""

    id: int
    age_band: str
    sex: str
    question: str
    status: str
    created_at: datetime
    images: int
