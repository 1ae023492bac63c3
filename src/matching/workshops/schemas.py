"""What crosses the workshops domain's seams: typed commands in, views out."""

from __future__ import annotations

from datetime import date, datetime

from msgspec import Struct


class WorkshopPlan(Struct, kw_only=True):
    """The agenda and the days (ISO dates as typed); ``min_days`` empty means every day."""

    agenda: str
    days: list[str]
    min_days: str = ""
    unreadable: dict[str, str] = {}


class AttendeeChoice(Struct, kw_only=True):
    """People of the facility to register as attendees."""

    person_ids: list[int]
    unreadable: dict[str, str] = {}


class AttendanceSheet(Struct, kw_only=True):
    """One day's list: the attendees present (every other attendee is absent)."""

    day: str
    present: list[int]
    unreadable: dict[str, str] = {}


class QuestionDraft(Struct, kw_only=True):
    question: str
    options: list[str]
    answer: int | None  # index into the non-empty options


class TestDraft(Struct, kw_only=True):
    questions: list[QuestionDraft]
    unreadable: dict[str, str] = {}


class PaperScores(Struct, kw_only=True):
    """Scores from a paper test, by attendee id, as typed (empty: not entered)."""

    scores: dict[int, str]


class TestAnswers(Struct, kw_only=True):
    """An attendee's answers: question index -> chosen option index (None: unanswered)."""

    answers: list[int | None]


class MaterialView(Struct, kw_only=True):
    id: int
    name: str
    mime: str
    created_at: datetime


class QuestionView(Struct, kw_only=True):
    question: str
    options: list[str]
    answer: int


class AttendeeView(Struct, kw_only=True):
    id: int
    person_id: int
    name_en: str
    name_ar: str
    clinical_role: str
    has_account: bool
    attendance: dict[str, bool]  # ISO day -> present (days marked only)
    days_present: int
    pre: int | None
    post: int | None
    eligible: bool
    certificate_id: int | None
    certificate_code: str | None

    def name(self, language: str) -> str:
        own = self.name_ar if language == "ar" else self.name_en
        return own or self.name_en or self.name_ar

    @property
    def change(self) -> int | None:
        return None if self.pre is None or self.post is None else self.post - self.pre


class DayMark(Struct, kw_only=True):
    """Who took a day's attendance, and when (the last save)."""

    day: date
    entered_by: str
    entered_at: datetime | None
    present: int


class Viewer(Struct, kw_only=True, frozen=True):
    """What the account is to this workshop."""

    is_trainer: bool
    is_head: bool
    is_staff: bool
    attendee_id: int | None  # the clinician's own attendee row

    @property
    def manages(self) -> bool:
        return self.is_head or self.is_staff

    @property
    def teaches(self) -> bool:
        return self.is_trainer or self.is_staff


class WorkshopView(Struct, kw_only=True):
    pairing_id: int
    workshop_id: int | None
    title: str
    topic: str
    specialty: str
    facility_id: int
    facility_en: str
    facility_ar: str
    trainer_name: str
    agenda: str
    days: list[date]
    min_days: int | None
    materials: list[MaterialView]
    attendees: list[AttendeeView]
    day_marks: list[DayMark]
    tests: dict[str, list[QuestionView]]  # phase -> questions (absent: none written)
    mean_pre: float | None
    mean_post: float | None
    mean_change: float | None

    @property
    def required_days(self) -> int:
        return min(self.min_days or len(self.days), len(self.days))

    def facility(self, language: str) -> str:
        return (self.facility_ar if language == "ar" else self.facility_en) or self.facility_en


class CertificateView(Struct, kw_only=True):
    """What a certificate says (the PDF and the public page)."""

    id: int
    code: str
    pairing_id: int
    name_en: str
    name_ar: str
    title: str
    topic: str
    facility_en: str
    facility_ar: str
    trainer_name: str
    first_day: date | None
    last_day: date | None
    days_present: int
    issued_at: datetime


class ClinicianWorkshop(Struct, kw_only=True):
    """One of a local clinician's own workshops (``/me/workshops``)."""

    pairing_id: int
    title: str
    facility_en: str
    facility_ar: str
    days: list[date]
    days_present: int
    pre: int | None
    post: int | None
    certificate_id: int | None
    certificate_code: str | None
