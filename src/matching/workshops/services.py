"""The one writer of the workshops tables, and the reads its pages need.

A workshop is a confirmed pairing on a training need. Who does what:

* the trainer (the pairing's doctor): agenda and materials, attendance, the pre- and
  post-test questions, paper scores, certificates;
* the facility's heads (and staff): all of that, and registering attendees from the
  facility's people (``matching.people``); a head also acts for clinicians without an
  account;
* a registered attendee with an account (local clinician): sees the workshop, its
  materials, their own scores and certificate, and takes each test once.

Anybody else gets ``NotFound``: a stranger learns nothing, not even that it exists.
Every change is one transaction with its audit event; the unique indexes of the
migration make a second test submission or a double certificate impossible even when
two requests arrive at once.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from statistics import fmean
from typing import Any

from matching.accounts.services import Account
from matching.accounts.tables import Role
from matching.audit.services import record_event
from matching.db import write_transaction
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.facilities.membership import is_head_of, is_staff
from matching.facilities.tables import NeedKind
from matching.i18n import N_
from matching.pairings.tables import Proposal, ProposalState
from matching.people.services import check_people_in_facility, people_by_id, person_of_user
from matching.workshops.materials import (
    DocumentRejected,
    material_path,
    remove_material,
    store_material,
)
from matching.workshops.schemas import (
    AttendanceSheet,
    AttendeeChoice,
    AttendeeView,
    CertificateView,
    ClinicianWorkshop,
    DayMark,
    MaterialView,
    PaperScores,
    QuestionView,
    TestAnswers,
    TestDraft,
    Viewer,
    WorkshopPlan,
    WorkshopView,
)
from matching.workshops.tables import (
    Phase,
    ScoreSource,
    Workshop,
    WorkshopAttendance,
    WorkshopAttendee,
    WorkshopCertificate,
    WorkshopMaterial,
    WorkshopScore,
    WorkshopTest,
)

AGENDA_MAX = 5000
MAX_DAYS = 31
MAX_QUESTIONS = 20
QUESTION_MAX = 500
OPTION_MAX = 200
MIN_OPTIONS, MAX_OPTIONS = 2, 5
#: ``secrets.token_urlsafe(24)``: 32 url-safe characters, 192 random bits.
CODE_BYTES = 24
CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
NO_WORKSHOP = N_("No such workshop")


# ------------------------------------------------------------------ who is who


async def _pairing(pairing_id: int) -> dict[str, Any]:
    row = (
        await Proposal.select(
            Proposal.id,
            Proposal.need.title.as_alias("title"),
            Proposal.need.topic.as_alias("topic"),
            Proposal.need.specialty.as_alias("specialty"),
            Proposal.need.starts_on.as_alias("starts_on"),
            Proposal.need.ends_on.as_alias("ends_on"),
            Proposal.need.facility.as_alias("facility_id"),
            Proposal.need.facility.name_en.as_alias("facility_en"),
            Proposal.need.facility.name_ar.as_alias("facility_ar"),
            Proposal.doctor.user.as_alias("doctor_user_id"),
            Proposal.doctor.user.full_name.as_alias("trainer_name"),
        )
        .where(
            Proposal.id == pairing_id,
            Proposal.state == ProposalState.CONFIRMED,
            Proposal.need.kind == NeedKind.TRAINING,
        )
        .first()
        .run()
    )
    if row is None:
        raise NotFound(NO_WORKSHOP)
    return row


async def _workshop_row(pairing_id: int) -> dict[str, Any] | None:
    return await Workshop.select().where(Workshop.pairing == pairing_id).first().run()


async def _viewer(account: Account, pairing: dict[str, Any], workshop_id: int | None) -> Viewer:
    attendee_id = None
    if workshop_id is not None and account.role == Role.LOCAL_CLINICIAN:
        person = await person_of_user(account.id)
        if person is not None:
            row = (
                await WorkshopAttendee.select(WorkshopAttendee.id)
                .where(
                    WorkshopAttendee.workshop == workshop_id,
                    WorkshopAttendee.person == person.id,
                )
                .first()
                .run()
            )
            attendee_id = row["id"] if row else None
    return Viewer(
        is_trainer=pairing["doctor_user_id"] == account.id,
        is_head=account.role == Role.FACILITY_HEAD
        and await is_head_of(account.id, pairing["facility_id"]),
        is_staff=is_staff(account),
        attendee_id=attendee_id,
    )


async def check_viewer(
    account: Account, pairing_id: int
) -> tuple[dict[str, Any], dict[str, Any] | None, Viewer]:
    """The pairing, its workshop row (None before anything was saved) and what the
    account is to it; ``NotFound`` for anyone who is none of its parties."""
    pairing = await _pairing(pairing_id)
    workshop = await _workshop_row(pairing_id)
    viewer = await _viewer(account, pairing, workshop["id"] if workshop else None)
    if not (viewer.is_trainer or viewer.is_head or viewer.is_staff or viewer.attendee_id):
        raise NotFound(NO_WORKSHOP)
    return pairing, workshop, viewer


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise Forbidden(message)


async def _ensure_workshop(pairing: dict[str, Any], account: Account) -> int:
    """The workshop's id, its row made (days from the need's dates) on first write.
    Call inside a write transaction."""
    await (
        Workshop.insert(
            Workshop(
                pairing=pairing["id"],
                days=",".join(d.isoformat() for d in default_days(pairing)),
                updated_by=account.id,
            )
        )
        .on_conflict(action="DO NOTHING")
        .run()
    )
    row = await Workshop.select(Workshop.id).where(Workshop.pairing == pairing["id"]).first().run()
    assert row is not None
    return int(row["id"])


def default_days(pairing: dict[str, Any]) -> list[date]:
    """The need's dates, day by day (at most :data:`MAX_DAYS`)."""
    start, end = pairing["starts_on"], pairing["ends_on"] or pairing["starts_on"]
    if start is None:
        return []
    count = min(max((end - start).days + 1, 1), MAX_DAYS)
    return [start + timedelta(days=n) for n in range(count)]


def _days_of(pairing: dict[str, Any], workshop: dict[str, Any] | None) -> list[date]:
    if workshop is None:
        return default_days(pairing)
    return [date.fromisoformat(d) for d in workshop["days"].split(",") if d]


# ------------------------------------------------------------------ agenda and days


def validate_plan(plan: WorkshopPlan) -> tuple[str, list[date], int | None]:
    errors: dict[str, str] = dict(plan.unreadable)
    params: dict[str, dict[str, Any]] = {}
    agenda = plan.agenda.strip()
    if len(agenda) > AGENDA_MAX:
        errors["agenda"] = N_("must be at most %(max)s characters")
        params["agenda"] = {"max": AGENDA_MAX}
    days: set[date] = set()
    for text in plan.days:
        if not text.strip():
            continue
        try:
            days.add(date.fromisoformat(text.strip()))
        except ValueError:
            errors["days"] = N_("give each day as a date (YYYY-MM-DD)")
    if "days" not in errors and not 1 <= len(days) <= MAX_DAYS:
        errors["days"] = N_("give between 1 and %(max)s days")
        params["days"] = {"max": MAX_DAYS}
    min_days: int | None = None
    if plan.min_days.strip():
        try:
            min_days = int(plan.min_days.strip())
        except ValueError:
            min_days = -1
        if not 1 <= min_days <= max(len(days), 1):
            errors["min_days"] = N_("must be a whole number from 1 to the number of days")
    if errors:
        raise ValidationFailed(errors, params=params)
    return agenda, sorted(days), (None if min_days == len(days) else min_days)


async def save_plan(account: Account, pairing_id: int, plan: WorkshopPlan) -> None:
    """Save the agenda, the days and the certificate threshold (trainer, heads, staff)."""
    pairing, _, viewer = await check_viewer(account, pairing_id)
    _require(
        viewer.is_trainer or viewer.manages,
        N_("Only the trainer and the facility's heads change the agenda."),
    )
    agenda, days, min_days = validate_plan(plan)
    values = {
        Workshop.agenda: agenda,
        Workshop.days: ",".join(d.isoformat() for d in days),
        Workshop.min_days: min_days,
        Workshop.updated_by: account.id,
    }
    async with write_transaction():
        workshop_id = await _ensure_workshop(pairing, account)
        await Workshop.update(values).where(Workshop.id == workshop_id).run()
        await _audit(account, "workshop.plan", pairing_id, {"days": len(days), "min": min_days})


async def _audit(account: Account, action: str, pairing_id: int, after: dict[str, Any]) -> None:
    await record_event(
        actor_id=account.id,
        actor_label=account.email,
        action=action,
        subject_type="proposal",
        subject_id=pairing_id,
        after=after,
    )


# ------------------------------------------------------------------ materials


async def add_material(
    account: Account, pairing_id: int, content: bytes | None, filename: str, *, uploads_dir: Path
) -> int:
    """Store an uploaded material (checked by content like a licence document)."""
    pairing, _, viewer = await check_viewer(account, pairing_id)
    _require(
        viewer.is_trainer or viewer.manages,
        N_("Only the trainer and the facility's heads add materials."),
    )
    if not content:
        raise ValidationFailed({"file": N_("choose a file")})
    try:
        stored = store_material(uploads_dir, content, filename)
    except DocumentRejected as exc:
        raise ValidationFailed({"file": str(exc)}) from exc
    try:
        async with write_transaction():
            workshop_id = await _ensure_workshop(pairing, account)
            rows = (
                await WorkshopMaterial.insert(
                    WorkshopMaterial(
                        workshop=workshop_id,
                        name=stored.name,
                        path=stored.path,
                        mime=stored.mime,
                        uploaded_by=account.id,
                    )
                )
                .returning(WorkshopMaterial.id)
                .run()
            )
            await _audit(account, "workshop.material", pairing_id, {"name": stored.name})
    except BaseException:
        remove_material(uploads_dir, stored.path)
        raise
    return int(rows[0]["id"])


async def material_file(
    account: Account, pairing_id: int, material_id: int, *, uploads_dir: Path
) -> tuple[Path, str, str]:
    """(path, mime, name) of a material, for its trainer, heads, staff and attendees."""
    _, workshop, _ = await check_viewer(account, pairing_id)
    row = None
    if workshop is not None:
        row = (
            await WorkshopMaterial.select()
            .where(WorkshopMaterial.id == material_id, WorkshopMaterial.workshop == workshop["id"])
            .first()
            .run()
        )
    path = material_path(uploads_dir, row["path"]) if row else None
    if row is None or path is None:
        raise NotFound(N_("No such material"))
    return path, row["mime"], row["name"]


# ------------------------------------------------------------------ attendees


async def register_attendees(account: Account, pairing_id: int, choice: AttendeeChoice) -> int:
    """Register people of the facility (heads and staff); how many were new.

    A person of another facility (or archived) is refused (422, field ``people``) and
    nothing is stored.
    """
    pairing, _, viewer = await check_viewer(account, pairing_id)
    _require(viewer.manages, N_("Only the facility's heads register attendees."))
    if choice.unreadable:
        raise ValidationFailed(dict(choice.unreadable))
    ids = sorted(set(choice.person_ids))
    if not ids:
        raise ValidationFailed({"people": N_("choose at least one person")})
    await check_people_in_facility(pairing["facility_id"], ids)
    async with write_transaction():
        workshop_id = await _ensure_workshop(pairing, account)
        rows = (
            await WorkshopAttendee.insert(
                *(
                    WorkshopAttendee(workshop=workshop_id, person=pid, registered_by=account.id)
                    for pid in ids
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(WorkshopAttendee.id)
            .run()
        )
        await _audit(account, "workshop.attendees", pairing_id, {"people": ids})
    return len(rows)


async def _attendee_ids(workshop_id: int) -> set[int]:
    rows = (
        await WorkshopAttendee.select(WorkshopAttendee.id)
        .where(WorkshopAttendee.workshop == workshop_id)
        .run()
    )
    return {row["id"] for row in rows}


# ------------------------------------------------------------------ attendance


async def take_attendance(account: Account, pairing_id: int, sheet: AttendanceSheet) -> int:
    """Save one day's list (trainer, heads, staff): the ticked attendees present, every
    other attendee absent; who entered it is recorded. Returns how many were present."""
    pairing, workshop, viewer = await check_viewer(account, pairing_id)
    _require(
        viewer.is_trainer or viewer.manages,
        N_("Only the trainer and the facility's heads take attendance."),
    )
    errors: dict[str, str] = dict(sheet.unreadable)
    days = _days_of(pairing, workshop)
    try:
        day = date.fromisoformat(sheet.day.strip())
    except ValueError:
        day = None
    if day is None or day not in days:
        errors.setdefault("day", N_("choose one of the workshop's days"))
    attendees = await _attendee_ids(workshop["id"]) if workshop else set()
    if not attendees:
        errors.setdefault("present", N_("register attendees first"))
    elif not set(sheet.present) <= attendees:
        errors.setdefault("present", N_("tick only attendees of this workshop"))
    if errors:
        raise ValidationFailed(errors)
    assert workshop is not None and day is not None
    present = set(sheet.present)
    now = datetime.now(UTC)
    async with write_transaction():
        await (
            WorkshopAttendance.insert(
                *(
                    WorkshopAttendance(
                        attendee=attendee_id,
                        day=day,
                        present=attendee_id in present,
                        entered_by=account.id,
                        entered_at=now,
                    )
                    for attendee_id in sorted(attendees)
                )
            )
            .on_conflict(
                target=(WorkshopAttendance.attendee, WorkshopAttendance.day),
                action="DO UPDATE",
                values=[
                    WorkshopAttendance.present,
                    WorkshopAttendance.entered_by,
                    WorkshopAttendance.entered_at,
                ],
            )
            .run()
        )
        await _audit(
            account,
            "workshop.attendance",
            pairing_id,
            {"day": day.isoformat(), "present": sorted(present)},
        )
    return len(present)


# ------------------------------------------------------------------ tests and scores


def _phase(value: str) -> Phase:
    try:
        return Phase(value)
    except ValueError:
        raise NotFound(N_("No such test")) from None


def validate_test(draft: TestDraft) -> list[QuestionView]:
    """The questions checked; ``ValidationFailed`` names each bad one (``q<n>_...``)."""
    errors: dict[str, str] = dict(draft.unreadable)
    params: dict[str, dict[str, Any]] = {}
    questions: list[QuestionView] = []
    for index, item in enumerate(draft.questions):
        text = item.question.strip()
        options = [o.strip() for o in item.options if o.strip()]
        if not text and not options:
            continue  # an empty block of the form
        key = f"q{index}"
        if not text:
            errors[f"{key}_question"] = N_("write the question")
        elif len(text) > QUESTION_MAX:
            errors[f"{key}_question"] = N_("must be at most %(max)s characters")
            params[f"{key}_question"] = {"max": QUESTION_MAX}
        if not MIN_OPTIONS <= len(options) <= MAX_OPTIONS:
            errors[f"{key}_options"] = N_("give from 2 to 5 options")
        elif any(len(o) > OPTION_MAX for o in options):
            errors[f"{key}_options"] = N_("must be at most %(max)s characters")
            params[f"{key}_options"] = {"max": OPTION_MAX}
        elif item.answer is None or not 0 <= item.answer < len(options):
            errors[f"{key}_answer"] = N_("mark the right option")
        questions.append(QuestionView(question=text, options=options, answer=item.answer or 0))
    if not questions and not errors:
        errors["q0_question"] = N_("write at least one question")
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = N_("at most %(max)s questions")
        params["questions"] = {"max": MAX_QUESTIONS}
    if errors:
        raise ValidationFailed(errors, params=params)
    return questions


async def write_test(account: Account, pairing_id: int, phase: str, draft: TestDraft) -> None:
    """Write (or rewrite) a test's questions: the trainer (or staff); refused (409) once
    somebody has a score for this phase."""
    pairing, _, viewer = await check_viewer(account, pairing_id)
    which = _phase(phase)
    _require(viewer.teaches, N_("Only the trainer writes the tests."))
    questions = validate_test(draft)
    encoded = json.dumps(
        [{"question": q.question, "options": q.options, "answer": q.answer} for q in questions],
        ensure_ascii=False,
    )
    async with write_transaction():
        workshop_id = await _ensure_workshop(pairing, account)
        taken = (
            await WorkshopScore.exists()
            .where(WorkshopScore.attendee.workshop == workshop_id, WorkshopScore.phase == which)
            .run()
        )
        if taken:
            raise Conflict(N_("Scores exist for this test already: its questions are kept."))
        await (
            WorkshopTest.insert(
                WorkshopTest(
                    workshop=workshop_id, phase=which, questions=encoded, written_by=account.id
                )
            )
            .on_conflict(
                target=(WorkshopTest.workshop, WorkshopTest.phase),
                action="DO UPDATE",
                values=[WorkshopTest.questions, WorkshopTest.written_by],
            )
            .run()
        )
        await _audit(account, "workshop.test", pairing_id, {"phase": which, "n": len(questions)})


async def _questions(workshop_id: int, phase: Phase) -> list[QuestionView] | None:
    row = (
        await WorkshopTest.select(WorkshopTest.questions)
        .where(WorkshopTest.workshop == workshop_id, WorkshopTest.phase == phase)
        .first()
        .run()
    )
    if row is None:
        return None
    return [QuestionView(**item) for item in json.loads(row["questions"])]


async def enter_paper_scores(
    account: Account, pairing_id: int, phase: str, scores: PaperScores
) -> int:
    """Scores of a paper test, 0-100 per attendee (trainer, heads acting for clinicians,
    staff). A score the attendee got online is never overwritten; an earlier paper score
    is corrected. Returns how many were saved."""
    _, workshop, viewer = await check_viewer(account, pairing_id)
    which = _phase(phase)
    _require(
        viewer.is_trainer or viewer.manages,
        N_("Only the trainer and the facility's heads enter scores."),
    )
    attendees = await _attendee_ids(workshop["id"]) if workshop else set()
    errors: dict[str, str] = {}
    clean: dict[int, int] = {}
    for attendee_id, text in scores.scores.items():
        if not text.strip():
            continue
        if attendee_id not in attendees:
            errors[f"score_{attendee_id}"] = N_("not an attendee of this workshop")
            continue
        try:
            value = int(text.strip())
        except ValueError:
            value = -1
        if not 0 <= value <= 100:
            errors[f"score_{attendee_id}"] = N_("give a score from 0 to 100")
        else:
            clean[attendee_id] = value
    if not errors and not clean:
        errors["scores"] = N_("enter at least one score")
    if errors:
        raise ValidationFailed(errors)
    async with write_transaction():
        for attendee_id, value in clean.items():
            await (
                WorkshopScore.insert(
                    WorkshopScore(
                        attendee=attendee_id,
                        phase=which,
                        score=value,
                        source=ScoreSource.PAPER,
                        entered_by=account.id,
                    )
                )
                .on_conflict(
                    target=(WorkshopScore.attendee, WorkshopScore.phase),
                    action="DO UPDATE",
                    values=[WorkshopScore.score, WorkshopScore.entered_by],
                    where=WorkshopScore.source == ScoreSource.PAPER,
                )
                .run()
            )
        await _audit(
            account, "workshop.paper_scores", pairing_id, {"phase": which, "scores": clean}
        )
    return len(clean)


async def test_for_attendee(account: Account, pairing_id: int, phase: str) -> list[QuestionView]:
    """The questions an attendee answers (the right answers left out); 409 when they
    already have a score for this phase."""
    _, workshop, viewer = await check_viewer(account, pairing_id)
    which = _phase(phase)
    _require(viewer.attendee_id is not None, N_("Only attendees take the test."))
    assert workshop is not None
    questions = await _questions(workshop["id"], which)
    if not questions:
        raise NotFound(N_("No such test"))
    if await _has_score(viewer.attendee_id, which):  # type: ignore[arg-type]
        raise Conflict(N_("You have already taken this test."))
    return [QuestionView(question=q.question, options=q.options, answer=-1) for q in questions]


async def _has_score(attendee_id: int, phase: Phase) -> bool:
    return bool(
        await WorkshopScore.exists()
        .where(WorkshopScore.attendee == attendee_id, WorkshopScore.phase == phase)
        .run()
    )


async def take_test(account: Account, pairing_id: int, phase: str, answers: TestAnswers) -> int:
    """Score an attendee's answers (0-100) and keep it; a second submission is refused
    (409), also when two arrive at once (unique index ``workshop_score_phase``)."""
    _, workshop, viewer = await check_viewer(account, pairing_id)
    which = _phase(phase)
    _require(viewer.attendee_id is not None, N_("Only attendees take the test."))
    assert workshop is not None and viewer.attendee_id is not None
    questions = await _questions(workshop["id"], which)
    if not questions:
        raise NotFound(N_("No such test"))
    given = list(answers.answers) + [None] * (len(questions) - len(answers.answers))
    errors = {
        f"q{i}": N_("choose an answer")
        for i, (q, a) in enumerate(zip(questions, given, strict=False))
        if a is None or not 0 <= a < len(q.options)
    }
    if errors:
        raise ValidationFailed(errors)
    right = sum(1 for q, a in zip(questions, given, strict=False) if a == q.answer)
    score = round(100 * right / len(questions))
    async with write_transaction():
        rows = (
            await WorkshopScore.insert(
                WorkshopScore(
                    attendee=viewer.attendee_id,
                    phase=which,
                    score=score,
                    source=ScoreSource.ONLINE,
                    entered_by=account.id,
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(WorkshopScore.id)
            .run()
        )
        if not rows:
            raise Conflict(N_("You have already taken this test."))
        await _audit(account, "workshop.test_taken", pairing_id, {"phase": which, "score": score})
    return score


# ------------------------------------------------------------------ certificates


async def issue_certificates(account: Account, pairing_id: int) -> int:
    """A certificate (with a fresh, unguessable code) for every attendee present on
    enough days who has none yet (trainer, heads, staff). Returns how many were made."""
    pairing, workshop, viewer = await check_viewer(account, pairing_id)
    _require(
        viewer.is_trainer or viewer.manages,
        N_("Only the trainer and the facility's heads issue certificates."),
    )
    if workshop is None:
        raise Conflict(N_("Nobody has attended yet: take the attendance first."))
    days = _days_of(pairing, workshop)
    required = min(workshop["min_days"] or len(days), len(days))
    present = await _days_present(workshop["id"], days)
    eligible = sorted(a for a, n in present.items() if days and n >= required)
    if not eligible:
        raise Conflict(N_("No attendee was present on enough days for a certificate yet."))
    async with write_transaction():
        rows = (
            await WorkshopCertificate.insert(
                *(
                    WorkshopCertificate(
                        attendee=attendee_id,
                        code=secrets.token_urlsafe(CODE_BYTES),
                        days_present=present[attendee_id],
                        issued_by=account.id,
                    )
                    for attendee_id in eligible
                )
            )
            .on_conflict(action="DO NOTHING")
            .returning(WorkshopCertificate.id)
            .run()
        )
        await _audit(account, "workshop.certificates", pairing_id, {"issued": len(rows)})
    return len(rows)


async def _days_present(workshop_id: int, days: Iterable[date]) -> dict[int, int]:
    """Attendee id -> days marked present among ``days`` (every attendee, 0 included)."""
    wanted = set(days)
    counts = dict.fromkeys(await _attendee_ids(workshop_id), 0)
    rows = (
        await WorkshopAttendance.select(WorkshopAttendance.attendee, WorkshopAttendance.day)
        .where(
            WorkshopAttendance.attendee.workshop == workshop_id,
            WorkshopAttendance.present.eq(True),
        )
        .run()
    )
    for row in rows:
        if _as_date(row["day"]) in wanted:
            counts[row["attendee"]] = counts.get(row["attendee"], 0) + 1
    return counts


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _certificate_query():  # type: ignore[no-untyped-def]
    return WorkshopCertificate.select(
        WorkshopCertificate.id,
        WorkshopCertificate.code,
        WorkshopCertificate.days_present,
        WorkshopCertificate.issued_at,
        WorkshopCertificate.attendee.person.name_en.as_alias("name_en"),
        WorkshopCertificate.attendee.person.name_ar.as_alias("name_ar"),
        WorkshopCertificate.attendee.workshop.pairing.as_alias("pairing_id"),
        WorkshopCertificate.attendee.workshop.days.as_alias("days"),
    )


async def _certificate_view(row: dict[str, Any]) -> CertificateView:
    pairing = await _pairing(row["pairing_id"])
    days = [date.fromisoformat(d) for d in row["days"].split(",") if d]
    return CertificateView(
        id=row["id"],
        code=row["code"],
        pairing_id=row["pairing_id"],
        name_en=row["name_en"],
        name_ar=row["name_ar"],
        title=pairing["title"],
        topic=pairing["topic"],
        facility_en=pairing["facility_en"],
        facility_ar=pairing["facility_ar"],
        trainer_name=pairing["trainer_name"],
        first_day=days[0] if days else None,
        last_day=days[-1] if days else None,
        days_present=row["days_present"],
        issued_at=row["issued_at"],
    )


async def certificate_for(
    account: Account, pairing_id: int, certificate_id: int
) -> CertificateView:
    """A certificate of this workshop, for its trainer, heads, staff and its own holder."""
    _, workshop, viewer = await check_viewer(account, pairing_id)
    row = None
    if workshop is not None:
        row = (
            await _certificate_query()
            .where(
                WorkshopCertificate.id == certificate_id,
                WorkshopCertificate.attendee.workshop == workshop["id"],
            )
            .first()
            .run()
        )
    if row is None:
        raise NotFound(N_("No such certificate"))
    if not (viewer.is_trainer or viewer.manages):
        holder = (
            await WorkshopCertificate.select(WorkshopCertificate.attendee)
            .where(WorkshopCertificate.id == certificate_id)
            .first()
            .run()
        )
        if holder is None or holder["attendee"] != viewer.attendee_id:
            raise NotFound(N_("No such certificate"))
    return await _certificate_view(row)


async def verify_certificate(code: str) -> CertificateView:
    """The certificate with this code, for the public page; ``NotFound`` otherwise (a
    malformed code is not even looked up)."""
    if not CODE_PATTERN.fullmatch(code or ""):
        raise NotFound(N_("No such certificate"))
    row = await _certificate_query().where(WorkshopCertificate.code == code).first().run()
    if row is None:
        raise NotFound(N_("No such certificate"))
    return await _certificate_view(row)


# ------------------------------------------------------------------ the page


async def get_workshop(account: Account, pairing_id: int) -> tuple[WorkshopView, Viewer]:
    """Everything the workshop page shows to this account. An attendee sees only their
    own line (scores, attendance, certificate) and never the tests' right answers."""
    pairing, workshop, viewer = await check_viewer(account, pairing_id)
    days = _days_of(pairing, workshop)
    materials: list[MaterialView] = []
    attendees: list[AttendeeView] = []
    marks: list[DayMark] = []
    tests: dict[str, list[QuestionView]] = {}
    if workshop is not None:
        workshop_id = workshop["id"]
        materials = [
            MaterialView(id=r["id"], name=r["name"], mime=r["mime"], created_at=r["created_at"])
            for r in await WorkshopMaterial.select()
            .where(WorkshopMaterial.workshop == workshop_id)
            .order_by(WorkshopMaterial.id)
            .run()
        ]
        attendees, marks = await _attendees(workshop, days)
        for phase in Phase:
            questions = await _questions(workshop_id, phase)
            if questions:
                tests[phase.value] = questions
    both = [a for a in attendees if a.change is not None]
    pre = [a.pre for a in attendees if a.pre is not None]
    post = [a.post for a in attendees if a.post is not None]
    if not (viewer.is_trainer or viewer.manages):
        attendees = [a for a in attendees if a.id == viewer.attendee_id]
        tests = {
            phase: [QuestionView(question=q.question, options=q.options, answer=-1) for q in qs]
            for phase, qs in tests.items()
        }
    view = WorkshopView(
        pairing_id=pairing_id,
        workshop_id=workshop["id"] if workshop else None,
        title=pairing["title"],
        topic=pairing["topic"],
        specialty=pairing["specialty"],
        facility_id=pairing["facility_id"],
        facility_en=pairing["facility_en"],
        facility_ar=pairing["facility_ar"],
        trainer_name=pairing["trainer_name"],
        agenda=workshop["agenda"] if workshop else "",
        days=days,
        min_days=workshop["min_days"] if workshop else None,
        materials=materials,
        attendees=attendees,
        day_marks=marks,
        tests=tests,
        mean_pre=fmean(pre) if pre else None,
        mean_post=fmean(post) if post else None,
        mean_change=fmean(a.change for a in both) if both else None,  # type: ignore[misc]
    )
    return view, viewer


async def _attendees(
    workshop: dict[str, Any], days: list[date]
) -> tuple[list[AttendeeView], list[DayMark]]:
    workshop_id = workshop["id"]
    rows = (
        await WorkshopAttendee.select(WorkshopAttendee.id, WorkshopAttendee.person)
        .where(WorkshopAttendee.workshop == workshop_id)
        .run()
    )
    people = await people_by_id(row["person"] for row in rows)
    marks = (
        await WorkshopAttendance.select(
            WorkshopAttendance.attendee,
            WorkshopAttendance.day,
            WorkshopAttendance.present,
            WorkshopAttendance.entered_at,
            WorkshopAttendance.entered_by.full_name.as_alias("entered_by_name"),
        )
        .where(WorkshopAttendance.attendee.workshop == workshop_id)
        .run()
    )
    scores = (
        await WorkshopScore.select(WorkshopScore.attendee, WorkshopScore.phase, WorkshopScore.score)
        .where(WorkshopScore.attendee.workshop == workshop_id)
        .run()
    )
    certificates = {
        row["attendee"]: row
        for row in await WorkshopCertificate.select(
            WorkshopCertificate.id, WorkshopCertificate.attendee, WorkshopCertificate.code
        )
        .where(WorkshopCertificate.attendee.workshop == workshop_id)
        .run()
    }
    wanted = set(days)
    attendance: dict[int, dict[str, bool]] = {}
    last: dict[date, tuple[datetime, str]] = {}
    for mark in marks:
        day = _as_date(mark["day"])
        if day not in wanted:
            continue
        attendance.setdefault(mark["attendee"], {})[day.isoformat()] = bool(mark["present"])
        if day not in last or mark["entered_at"] > last[day][0]:
            last[day] = (mark["entered_at"], mark["entered_by_name"] or "")
    by_phase: dict[tuple[int, str], int] = {(s["attendee"], s["phase"]): s["score"] for s in scores}
    required = min(workshop["min_days"] or len(days), len(days))
    views = []
    for row in rows:
        person = people[row["person"]]
        own = attendance.get(row["id"], {})
        present = sum(own.values())
        certificate = certificates.get(row["id"])
        views.append(
            AttendeeView(
                id=row["id"],
                person_id=person.id,
                name_en=person.name_en,
                name_ar=person.name_ar,
                clinical_role=person.clinical_role,
                has_account=person.user_id is not None,
                attendance=own,
                days_present=present,
                pre=by_phase.get((row["id"], Phase.PRE)),
                post=by_phase.get((row["id"], Phase.POST)),
                eligible=bool(days) and present >= required,
                certificate_id=certificate["id"] if certificate else None,
                certificate_code=certificate["code"] if certificate else None,
            )
        )
    views.sort(key=lambda a: (a.name_en.lower(), a.id))
    day_marks = [
        DayMark(
            day=d,
            entered_by=last[d][1],
            entered_at=last[d][0],
            present=sum(1 for own in attendance.values() if own.get(d.isoformat())),
        )
        for d in days
        if d in last
    ]
    return views, day_marks


async def workshops_of_clinician(account: Account) -> list[ClinicianWorkshop]:
    """A local clinician's own workshops, with their attendance, scores, certificate."""
    person = await person_of_user(account.id)
    if person is None:
        return []
    rows = (
        await WorkshopAttendee.select(
            WorkshopAttendee.id,
            WorkshopAttendee.workshop.pairing.as_alias("pairing_id"),
        )
        .where(WorkshopAttendee.person == person.id)
        .run()
    )
    out = []
    for row in rows:
        view, _ = await get_workshop(account, row["pairing_id"])
        own = next((a for a in view.attendees if a.id == row["id"]), None)
        out.append(
            ClinicianWorkshop(
                pairing_id=view.pairing_id,
                title=view.title,
                facility_en=view.facility_en,
                facility_ar=view.facility_ar,
                days=view.days,
                days_present=own.days_present if own else 0,
                pre=own.pre if own else None,
                post=own.post if own else None,
                certificate_id=own.certificate_id if own else None,
                certificate_code=own.certificate_code if own else None,
            )
        )
    out.sort(key=lambda w: w.days[0] if w.days else date.max, reverse=True)
    return out


async def attendee_people(pairing_id: int) -> set[int]:
    """Person ids already registered (for the registration form's list)."""
    workshop = await _workshop_row(pairing_id)
    if workshop is None:
        return set()
    rows = (
        await WorkshopAttendee.select(WorkshopAttendee.person)
        .where(WorkshopAttendee.workshop == workshop["id"])
        .run()
    )
    return {row["person"] for row in rows}
