"""The mission forms decoded into the domain's commands (one decoder per form)."""

from __future__ import annotations

from datetime import date
from typing import Any

from matching.feedback.schemas import FeedbackDraft
from matching.i18n import N_
from matching.missions.schemas import PATIENT_CATEGORIES, ItemDone, ReportDraft


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _whole(unreadable: dict[str, str], name: str, value: Any, default: int | None) -> int | None:
    text = _text(value).strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        unreadable[name] = N_("must be a whole number")
        return default


def item_done(form: dict[str, Any], document: bytes | None, filename: str) -> ItemDone:
    unreadable: dict[str, str] = {}
    done_on = None
    text = _text(form.get("done_on")).strip()
    if text:
        try:
            done_on = date.fromisoformat(text)
        except ValueError:
            unreadable["done_on"] = N_("must be a date (YYYY-MM-DD)")
    return ItemDone(
        done_on=done_on,
        note=_text(form.get("note")),
        document=document,
        filename=filename,
        unreadable=unreadable,
    )


def report_draft(form: dict[str, Any]) -> ReportDraft:
    unreadable: dict[str, str] = {}
    patients: dict[str, int] = {}
    for category in PATIENT_CATEGORIES:
        name = f"patients_{category}"
        count = _whole(unreadable, name, form.get(name), 0)
        patients[category] = count or 0
    raw_staff = form.get("staff_trained") or []
    if not isinstance(raw_staff, list):
        raw_staff = [raw_staff]
    staff: list[int] = []
    for value in raw_staff:
        number = _whole(unreadable, "staff_trained", value, None)
        if number is not None:
            staff.append(number)
    return ReportDraft(
        days_on_site=_whole(unreadable, "days_on_site", form.get("days_on_site"), None),
        patients=patients,
        procedures=_text(form.get("procedures")),
        staff_trained=staff,
        gaps=_text(form.get("gaps")),
        unreadable=unreadable,
    )


def feedback_draft(form: dict[str, Any]) -> FeedbackDraft:
    unreadable: dict[str, str] = {}
    rating = _whole(unreadable, "rating", form.get("rating"), 0)
    if "rating" in unreadable:
        unreadable["rating"] = N_("choose a rating from 1 to 5")
    return FeedbackDraft(
        rating=rating or 0, comment=_text(form.get("comment")), unreadable=unreadable
    )
