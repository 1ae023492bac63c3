"""The workshops domain on both engines: attendees, attendance, tests and scores,
certificates, and who may do what; every refusal leaves nothing behind."""

from __future__ import annotations

import asyncio
import re
from datetime import date

import pytest

from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.workshops import services
from matching.workshops.schemas import (
    AttendanceSheet,
    AttendeeChoice,
    PaperScores,
    QuestionDraft,
    WorkshopPlan,
)
from matching.workshops.schemas import (
    TestAnswers as Answers,
)
from matching.workshops.schemas import (
    TestDraft as Questions,
)
from matching.workshops.tables import (
    WorkshopAttendance,
    WorkshopAttendee,
    WorkshopCertificate,
    WorkshopScore,
)
from tests.workshops.scene import FIRST_DAY, Scene, training_scene

DAY1, DAY2 = "2026-03-02", "2026-03-03"


async def _registered(scene: Scene) -> list[int]:
    """Register every person of the scene; the attendee ids in the people's order."""
    await services.register_attendees(
        scene.head, scene.pairing_id, AttendeeChoice(person_ids=scene.people)
    )
    view, _ = await services.get_workshop(scene.head, scene.pairing_id)
    by_person = {a.person_id: a.id for a in view.attendees}
    return [by_person[p] for p in scene.people]


async def test_days_come_from_the_need_and_the_plan_changes_them(db: str) -> None:
    scene = await training_scene(people=1, accounts=0)
    view, viewer = await services.get_workshop(scene.head, scene.pairing_id)
    assert view.days == [FIRST_DAY, date(2026, 3, 3)] and viewer.is_head
    await services.save_plan(
        scene.trainer,
        scene.pairing_id,
        WorkshopPlan(agenda="Day 1: airway\nDay 2: practice", days=[DAY2, DAY1, "2026-03-04"]),
    )
    view, _ = await services.get_workshop(scene.head, scene.pairing_id)
    assert [d.isoformat() for d in view.days] == [DAY1, DAY2, "2026-03-04"]
    assert view.agenda.startswith("Day 1") and view.required_days == 3
    with pytest.raises(ValidationFailed) as refused:
        await services.save_plan(
            scene.head, scene.pairing_id, WorkshopPlan(agenda="x", days=["3/2/2026"], min_days="9")
        )
    assert set(refused.value.errors) == {"days", "min_days"}
    view, _ = await services.get_workshop(scene.head, scene.pairing_id)
    assert len(view.days) == 3 and view.agenda.startswith("Day 1")


async def test_attendees_and_attendance_per_day(db: str) -> None:
    scene = await training_scene()
    attendees = await _registered(scene)
    assert len(attendees) == 12
    # Registering again adds nobody twice.
    assert (
        await services.register_attendees(
            scene.head, scene.pairing_id, AttendeeChoice(person_ids=scene.people[:3])
        )
        == 0
    )
    await services.take_attendance(
        scene.trainer, scene.pairing_id, AttendanceSheet(day=DAY1, present=attendees[:11])
    )
    await services.take_attendance(
        scene.head, scene.pairing_id, AttendanceSheet(day=DAY2, present=attendees[:10])
    )
    # The trainer corrects day 2: one more was there after all.
    await services.take_attendance(
        scene.trainer,
        scene.pairing_id,
        AttendanceSheet(day=DAY2, present=attendees[:9] + attendees[10:11]),
    )
    view, _ = await services.get_workshop(scene.head, scene.pairing_id)
    marks = {m.day.isoformat(): m for m in view.day_marks}
    assert marks[DAY1].present == 11 and marks[DAY2].present == 10
    assert marks[DAY2].entered_by == scene.trainer.full_name
    by_id = {a.id: a for a in view.attendees}
    assert by_id[attendees[0]].days_present == 2 and by_id[attendees[0]].eligible
    assert by_id[attendees[9]].attendance == {DAY1: True, DAY2: False}
    assert by_id[attendees[11]].days_present == 0
    assert await WorkshopAttendance.count().run() == 24


async def test_an_attendee_of_another_facility_is_refused_and_nothing_is_stored(db: str) -> None:
    scene = await training_scene(people=3, accounts=0)
    with pytest.raises(ValidationFailed) as refused:
        await services.register_attendees(
            scene.head,
            scene.pairing_id,
            AttendeeChoice(person_ids=[scene.people[0], scene.stranger_person]),
        )
    assert refused.value.status_code == 422 and list(refused.value.errors) == ["people"]
    assert await WorkshopAttendee.count().run() == 0


async def test_attendance_for_a_day_outside_the_workshop_is_refused(db: str) -> None:
    scene = await training_scene(people=2, accounts=0)
    attendees = await _registered(scene)
    for sheet, field in (
        (AttendanceSheet(day="2026-03-09", present=attendees), "day"),
        (AttendanceSheet(day="tomorrow", present=attendees), "day"),
        (AttendanceSheet(day=DAY1, present=[attendees[0], 999_999]), "present"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            await services.take_attendance(scene.trainer, scene.pairing_id, sheet)
        assert field in refused.value.errors
    assert await WorkshopAttendance.count().run() == 0


async def test_paper_scores_and_the_change_from_pre_to_post(db: str) -> None:
    scene = await training_scene(people=4, accounts=0)
    a = await _registered(scene)
    await services.enter_paper_scores(
        scene.trainer,
        scene.pairing_id,
        "pre",
        PaperScores(scores={a[0]: "40", a[1]: "55", a[2]: "70", a[3]: ""}),
    )
    await services.enter_paper_scores(
        scene.head,
        scene.pairing_id,
        "post",
        PaperScores(scores={a[0]: "80", a[1]: "60", a[2]: "65", a[3]: "90"}),
    )
    view, _ = await services.get_workshop(scene.head, scene.pairing_id)
    change = {x.id: x.change for x in view.attendees}
    assert change == {a[0]: 40, a[1]: 5, a[2]: -5, a[3]: None}
    assert view.mean_change == pytest.approx(40 / 3)
    assert view.mean_pre == pytest.approx(55) and view.mean_post == pytest.approx(73.75)
    # A score of 120 (or words) is refused, and the stored scores stay as they were.
    with pytest.raises(ValidationFailed) as refused:
        await services.enter_paper_scores(
            scene.trainer,
            scene.pairing_id,
            "post",
            PaperScores(scores={a[0]: "120", a[1]: "sixty", a[2]: "100"}),
        )
    assert set(refused.value.errors) == {f"score_{a[0]}", f"score_{a[1]}"}
    rows = await WorkshopScore.select(WorkshopScore.attendee, WorkshopScore.score).where(
        WorkshopScore.phase == "post"
    )
    assert {r["attendee"]: r["score"] for r in rows}[a[2]] == 65


def _questions() -> Questions:
    return Questions(
        questions=[
            QuestionDraft(question="First step?", options=["Dry", "Wait", "Call"], answer=0),
            QuestionDraft(question="Breaths a minute?", options=["10", "40-60"], answer=1),
            QuestionDraft(question="", options=["", ""], answer=None),  # an empty block
        ]
    )


async def test_questions_are_checked(db: str) -> None:
    scene = await training_scene(people=1, accounts=0)
    bad = Questions(
        questions=[
            QuestionDraft(question="Only one option?", options=["yes"], answer=0),
            QuestionDraft(question="", options=["a", "b"], answer=0),
            QuestionDraft(question="No right one?", options=["a", "b"], answer=None),
        ]
    )
    with pytest.raises(ValidationFailed) as refused:
        await services.write_test(scene.trainer, scene.pairing_id, "pre", bad)
    assert set(refused.value.errors) == {"q0_options", "q1_question", "q2_answer"}
    with pytest.raises(Forbidden):  # the head does not write the trainer's questions
        await services.write_test(scene.head, scene.pairing_id, "pre", _questions())
    with pytest.raises(NotFound):
        await services.write_test(scene.trainer, scene.pairing_id, "mid", _questions())


async def test_an_attendee_takes_the_test_once(db: str) -> None:
    scene = await training_scene(people=3, accounts=1)
    await _registered(scene)
    await services.write_test(scene.trainer, scene.pairing_id, "pre", _questions())
    clinician = scene.clinicians[0]
    shown = await services.test_for_attendee(clinician, scene.pairing_id, "pre")
    assert [q.answer for q in shown] == [-1, -1]  # the right answers are not sent
    with pytest.raises(ValidationFailed) as refused:
        await services.take_test(clinician, scene.pairing_id, "pre", Answers(answers=[0]))
    assert list(refused.value.errors) == ["q1"]
    score = await services.take_test(clinician, scene.pairing_id, "pre", Answers(answers=[0, 0]))
    assert score == 50
    with pytest.raises(Conflict):
        await services.take_test(clinician, scene.pairing_id, "pre", Answers(answers=[0, 1]))
    with pytest.raises(Conflict):
        await services.test_for_attendee(clinician, scene.pairing_id, "pre")
    # The questions cannot change under a score any more; a paper score never
    # overwrites the score the attendee got online.
    with pytest.raises(Conflict):
        await services.write_test(scene.trainer, scene.pairing_id, "pre", _questions())
    view, _ = await services.get_workshop(clinician, scene.pairing_id)
    own = view.attendees[0]
    await services.enter_paper_scores(
        scene.trainer, scene.pairing_id, "pre", PaperScores(scores={own.id: "100"})
    )
    assert [r["score"] for r in await WorkshopScore.select(WorkshopScore.score)] == [50]


async def test_two_submissions_at_once_keep_one_score(db: str) -> None:
    if not db.startswith("postgres"):
        pytest.skip("a race needs two connections: PostgreSQL")
    scene = await training_scene(people=1, accounts=1)
    await _registered(scene)
    await services.write_test(scene.trainer, scene.pairing_id, "post", _questions())
    clinician = scene.clinicians[0]
    for _ in range(20):
        await WorkshopScore.delete(force=True).run()
        outcomes = await asyncio.gather(
            *(
                services.take_test(clinician, scene.pairing_id, "post", Answers(answers=[0, 1]))
                for _ in range(2)
            ),
            return_exceptions=True,
        )
        assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "int"], outcomes
        assert await WorkshopScore.count().run() == 1


async def test_certificates_for_those_present_every_day(db: str) -> None:
    scene = await training_scene(people=4, accounts=1)
    a = await _registered(scene)
    with pytest.raises(Conflict):  # nobody present yet
        await services.issue_certificates(scene.head, scene.pairing_id)
    await services.take_attendance(
        scene.head, scene.pairing_id, AttendanceSheet(day=DAY1, present=a[:3])
    )
    await services.take_attendance(
        scene.head, scene.pairing_id, AttendanceSheet(day=DAY2, present=a[:2])
    )
    assert await services.issue_certificates(scene.trainer, scene.pairing_id) == 2
    assert await services.issue_certificates(scene.head, scene.pairing_id) == 0  # none twice
    codes = [r["code"] for r in await WorkshopCertificate.select(WorkshopCertificate.code)]
    assert len(set(codes)) == 2
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", code) for code in codes)
    # A threshold of one day brings the third attendee in.
    await services.save_plan(
        scene.head, scene.pairing_id, WorkshopPlan(agenda="", days=[DAY1, DAY2], min_days="1")
    )
    assert await services.issue_certificates(scene.head, scene.pairing_id) == 1
    view, _ = await services.get_workshop(scene.head, scene.pairing_id)
    holder = next(x for x in view.attendees if x.id == a[0])
    public = await services.verify_certificate(holder.certificate_code)
    assert (public.name_en, public.title, public.facility_en) == (
        "Sara Al-Khatib",
        "Neonatal resuscitation",
        "Al-Rastan National Hospital",
    )
    assert (public.first_day, public.last_day) == (FIRST_DAY, date(2026, 3, 3))
    for code in ("", "nope", "A" * 32, holder.certificate_code[:-1] + "!"):
        with pytest.raises(NotFound):
            await services.verify_certificate(code)
    # Its holder reaches it; another attendee does not.
    mine = await services.certificate_for(
        scene.clinicians[0], scene.pairing_id, holder.certificate_id
    )
    assert mine.code == holder.certificate_code
    other = next(x for x in view.attendees if x.id == a[2])
    with pytest.raises(NotFound):
        await services.certificate_for(scene.clinicians[0], scene.pairing_id, other.certificate_id)


async def test_who_sees_and_who_manages(db: str) -> None:
    scene = await training_scene(people=3, accounts=2)
    await services.register_attendees(
        scene.head, scene.pairing_id, AttendeeChoice(person_ids=scene.people[:1])
    )
    for stranger in (scene.other_head, scene.clinicians[1]):  # not an attendee
        with pytest.raises(NotFound):
            await services.get_workshop(stranger, scene.pairing_id)
    attendee = scene.clinicians[0]
    view, viewer = await services.get_workshop(attendee, scene.pairing_id)
    assert viewer.attendee_id and not viewer.manages and len(view.attendees) == 1
    with pytest.raises(Forbidden):
        await services.register_attendees(
            attendee, scene.pairing_id, AttendeeChoice(person_ids=scene.people)
        )
    with pytest.raises(Forbidden):  # the trainer does not register attendees
        await services.register_attendees(
            scene.trainer, scene.pairing_id, AttendeeChoice(person_ids=scene.people)
        )
    with pytest.raises(Forbidden):
        await services.take_attendance(
            attendee, scene.pairing_id, AttendanceSheet(day=DAY1, present=[])
        )
    staff_view, staff = await services.get_workshop(scene.coordinator, scene.pairing_id)
    assert staff.is_staff and len(staff_view.attendees) == 1
    mine = await services.workshops_of_clinician(attendee)
    assert [w.pairing_id for w in mine] == [scene.pairing_id]
    assert await services.workshops_of_clinician(scene.clinicians[1]) == []
