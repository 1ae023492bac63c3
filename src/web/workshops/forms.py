"""The workshop forms (multidicts from ``web.forms.form_data``) decoded into the
domain's commands, which validate them once."""

from __future__ import annotations

import re
from typing import Any

from matching.i18n import N_
from matching.workshops.schemas import (
    AttendanceSheet,
    AttendeeChoice,
    PaperScores,
    QuestionDraft,
    TestAnswers,
    TestDraft,
    WorkshopPlan,
)
from matching.workshops.services import MAX_OPTIONS, MAX_QUESTIONS

_SPLIT = re.compile(r"[\s,;]+")
_SCORE = re.compile(r"score_(\d+)")


def _text(data: dict[str, Any], key: str) -> str:
    value = data.get(key, "")
    value = value[-1] if isinstance(value, list) else value
    return value if isinstance(value, str) else ""


def _list(data: dict[str, Any], key: str) -> list[str]:
    value = data.get(key, [])
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, str) and v != ""]


def _ids(values: list[str]) -> list[int] | None:
    try:
        return [int(v) for v in values]
    except ValueError:
        return None


def plan_from_form(data: dict[str, Any]) -> WorkshopPlan:
    return WorkshopPlan(
        agenda=_text(data, "agenda"),
        days=[d for d in _SPLIT.split(_text(data, "days")) if d],
        min_days=_text(data, "min_days"),
    )


def attendees_from_form(data: dict[str, Any]) -> AttendeeChoice:
    ids = _ids(_list(data, "people"))
    if ids is None:
        return AttendeeChoice(
            person_ids=[], unreadable={"people": N_("choose people of this facility")}
        )
    return AttendeeChoice(person_ids=ids)


def attendance_from_form(data: dict[str, Any]) -> AttendanceSheet:
    ids = _ids(_list(data, "present"))
    if ids is None:
        return AttendanceSheet(
            day=_text(data, "day"),
            present=[],
            unreadable={"present": N_("tick only attendees of this workshop")},
        )
    return AttendanceSheet(day=_text(data, "day"), present=ids)


def test_from_form(data: dict[str, Any]) -> TestDraft:
    """Blocks ``q<i>_question``, ``q<i>_option<j>`` and the radio ``q<i>_answer`` (the
    raw option number, mapped here to its place among the options filled in)."""
    questions = []
    for index in range(MAX_QUESTIONS):
        raw = [_text(data, f"q{index}_option{j}") for j in range(MAX_OPTIONS)]
        filled = [j for j, option in enumerate(raw) if option.strip()]
        chosen = _text(data, f"q{index}_answer")
        answer = filled.index(int(chosen)) if chosen.isdigit() and int(chosen) in filled else None
        questions.append(
            QuestionDraft(
                question=_text(data, f"q{index}_question"),
                options=[raw[j] for j in filled],
                answer=answer,
            )
        )
    return TestDraft(questions=questions)


def scores_from_form(data: dict[str, Any]) -> PaperScores:
    scores = {}
    for key in data:
        match = _SCORE.fullmatch(key)
        if match:
            scores[int(match.group(1))] = _text(data, key)
    return PaperScores(scores=scores)


def answers_from_form(data: dict[str, Any], count: int) -> TestAnswers:
    answers: list[int | None] = []
    for index in range(count):
        value = _text(data, f"q{index}")
        answers.append(int(value) if value.isdigit() else None)
    return TestAnswers(answers=answers)


def test_form_values(questions: list[Any]) -> dict[str, Any]:
    """Stored questions as the values of the question form."""
    values: dict[str, Any] = {}
    for index, question in enumerate(questions):
        values[f"q{index}_question"] = question.question
        for j, option in enumerate(question.options):
            values[f"q{index}_option{j}"] = option
        values[f"q{index}_answer"] = str(question.answer)
    return values
