"""The after-match measures in the outcome report: a confirmed mission report, a
workshop with its attendance and tests, an answered case, a service area restored
(rows as their domains write them; both engines)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from matching.cases.tables import CaseDiscussion
from matching.missions.tables import MissionReport
from matching.outcomes.report import build_report
from matching.outcomes.schemas import OutcomeFilters
from matching.people.tables import FacilityPerson
from matching.services.tables import FacilityService
from matching.workshops.tables import (
    Workshop,
    WorkshopAttendance,
    WorkshopAttendee,
    WorkshopScore,
)
from tests.factories import make_doctor, make_facility, make_need, make_proposal


async def _person(facility: int, name: str) -> int:
    rows = (
        await FacilityPerson.insert(
            FacilityPerson(facility=facility, name_en=name, name_ar=name, clinical_role="nurse")
        )
        .returning(FacilityPerson.id)
        .run()
    )
    return rows[0]["id"]


async def _insert(table: type, **values: object) -> int:
    rows = await table.insert(table(**values)).returning(table.id).run()
    return rows[0]["id"]


async def test_after_match_measures_are_counted(db: str) -> None:
    facility = await make_facility()
    _, doctor = await make_doctor()
    nurses = [await _person(facility, f"Nurse {n}") for n in range(3)]

    mission = await make_proposal(await make_need(facility), doctor, state="completed")
    await _insert(
        MissionReport,
        pairing=mission,
        state="confirmed",
        days_on_site=10,
        patients=json.dumps({"emergency": 5, "surgery": 3}),
        staff_trained=json.dumps(nurses[:2]),
    )
    # A report the head has not confirmed yet counts for nothing.
    other = await make_proposal(await make_need(facility), doctor, state="confirmed")
    await _insert(MissionReport, pairing=other, days_on_site=99, patients="{}")

    training = await make_proposal(
        await make_need(facility, kind="training"), doctor, state="confirmed"
    )
    workshop = await _insert(Workshop, pairing=training, days="2026-04-01,2026-04-02")
    for nurse, (pre, post), came in zip(
        nurses, [(40, 70), (50, 60), (30, 90)], [1, 1, 0], strict=True
    ):
        attendee = await _insert(WorkshopAttendee, workshop=workshop, person=nurse)
        await _insert(
            WorkshopAttendance, attendee=attendee, day=date(2026, 4, 1), present=bool(came)
        )
        await _insert(WorkshopScore, attendee=attendee, phase="pre", score=pre, source="paper")
        await _insert(WorkshopScore, attendee=attendee, phase="post", score=post, source="paper")

    mentorship = await make_proposal(
        await make_need(facility, kind="mentorship"), doctor, state="confirmed"
    )
    for answered in (True, False):
        await _insert(
            CaseDiscussion,
            pairing=mentorship,
            age_band="years_25_44",
            sex="female",
            presenting_problem="Fever",
            question="Next?",
            consent_text="Yes",
            status="answered" if answered else "submitted",
            answered_at=datetime.now(UTC) if answered else None,
        )

    for status in ("not_available", "partly", "available", "available"):
        await _insert(
            FacilityService,
            facility=facility,
            area="surgery",
            status=status,
            cause="" if status == "available" else "no_staff",
        )

    totals = (await build_report(OutcomeFilters())).totals
    assert totals["mission_days"] == 10
    assert totals["patients_seen"] == 8
    assert totals["staff_trained"] == 2
    assert totals["workshops_held"] == 1
    assert totals["people_trained"] == 2  # the third never came
    assert totals["score_change"] == (30 + 10 + 60) / 3
    assert totals["cases_discussed"] == 1
    assert totals["services_restored"] == 1
    april = await build_report(
        OutcomeFilters(starts_on=date(2026, 4, 1), ends_on=date(2026, 4, 30))
    )
    assert april.totals["workshops_held"] == 1 and april.totals["mission_days"] == 0
