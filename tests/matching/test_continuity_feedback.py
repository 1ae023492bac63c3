"""Continuity with feedback: the facility's rating of an earlier pairing sets the
continuity quality the ranking uses (both engines)."""

from __future__ import annotations

from matching.feedback.schemas import FeedbackDraft
from matching.feedback.services import leave_feedback
from matching.pairings.loader import load_past_work
from matching.ranking.weights import continuity
from tests.factories import make_doctor, make_facility, make_head, make_need, make_proposal


async def test_the_facilitys_rating_sets_the_continuity_quality(db: str) -> None:
    facility = await make_facility()
    head = await make_head(facility)
    doctors = [await make_doctor(name=f"Dr. {n}") for n in ("Good", "Poor", "Unrated")]
    pairings = []
    for _, doctor_id in doctors:
        need = await make_need(facility, kind="mentorship")
        pairings.append(await make_proposal(need, doctor_id, state="confirmed"))
    await leave_feedback(head, pairings[0], FeedbackDraft(rating=5))
    await leave_feedback(head, pairings[1], FeedbackDraft(rating=1))
    # The doctor's own rating of the facility does not change the facility's view.
    await leave_feedback(doctors[2][0], pairings[2], FeedbackDraft(rating=1))

    past = (await load_past_work([facility]))[facility]
    quality = {doctor_id: past[doctor_id].quality for _, doctor_id in doctors}
    good, poor, unrated = (doctor_id for _, doctor_id in doctors)
    assert quality == {good: 2.0, poor: 0.0, unrated: 1.0}
    assert [continuity(quality[d]) for d in (good, poor, unrated)] == [1.0, 0.0, 0.5]
