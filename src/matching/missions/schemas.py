"""Typed commands and views of a mission (msgspec structs, no dicts across seams)."""

from __future__ import annotations

from datetime import date

from msgspec import Struct

#: Patients seen, by category (the report form's order).
PATIENT_CATEGORIES = ("emergency", "surgery", "maternal", "paediatric", "chronic", "other")


class ItemDone(Struct, kw_only=True):
    """Mark a checklist item done: the day it was settled, a note, maybe a document."""

    done_on: date | None = None
    note: str = ""
    document: bytes | None = None
    filename: str = ""
    #: fields the form could not read (e.g. a date that is not one), by name
    unreadable: dict[str, str] = {}


class ItemView(Struct, kw_only=True):
    id: int
    kind: str
    owner: str
    due_on: date
    state: str
    done_on: date | None
    done_by_name: str
    note: str
    has_document: bool
    document_name: str
    late: bool
    #: the viewer may mark it done / undo it
    can_mark: bool
    can_undo: bool


class ReportDraft(Struct, kw_only=True):
    days_on_site: int | None = None
    patients: dict[str, int] = {}
    procedures: str = ""
    staff_trained: list[int] = []
    gaps: str = ""
    unreadable: dict[str, str] = {}


class PersonChoice(Struct, kw_only=True):
    id: int
    name_en: str
    name_ar: str


class ReportView(Struct, kw_only=True):
    state: str
    days_on_site: int
    patients: dict[str, int]
    procedures: str
    staff_trained: list[int]
    staff: list[PersonChoice]
    gaps: str
    head_note: str


class MissionView(Struct, kw_only=True):
    """A mission as the viewer may see it."""

    pairing_id: int
    pairing_state: str
    need_title: str
    facility_en: str
    facility_ar: str
    doctor_name: str
    starts_on: date
    ends_on: date
    #: the viewer's part: "doctor", "head" or "coordinator"
    viewer: str
    items: list[ItemView]
    ready: bool
    ended: bool
    report: ReportView | None
    people: list[PersonChoice]
    #: sides ("doctor", "facility") that left feedback, with their ratings
    feedback: dict[str, int]
    #: the viewer's side may leave feedback now
    can_leave_feedback: bool


class LateItem(Struct, kw_only=True):
    """A checklist item past its due date, for its owner's reminder."""

    item_id: int
    pairing_id: int
    kind: str
    owner: str
    due_on: date
    need_title: str
    #: the accounts that own it (the doctor, the facility's heads or the coordinators)
    user_ids: list[int]
