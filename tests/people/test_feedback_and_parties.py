"""Feedback on a pairing (one per side, even when two arrive at once) and the parties of a
mentorship (who may see it), on both engines."""

from __future__ import annotations

import asyncio

import pytest

from matching.accounts.tables import Role
from matching.errors import Conflict, Forbidden, NotFound, ValidationFailed
from matching.feedback.schemas import FeedbackDraft
from matching.feedback.services import feedback_of, leave_feedback
from matching.feedback.tables import PairingFeedback
from matching.mentorship.parties import check_parties
from matching.mentorship.tables import Mentorship
from matching.pairings.tables import Proposal
from matching.people.schemas import PersonDraft
from matching.people.services import add_person
from matching.people.tables import FacilityPerson
from tests.factories import make_account, make_facility, make_head, scene

pytestmark = pytest.mark.slow  # started first: see tests/conftest.py


async def _confirmed(kind: str = "mentorship") -> dict:
    world = await scene(kind)
    await (
        Proposal.update({Proposal.state: "confirmed"}).where(Proposal.id == world["proposal"]).run()
    )
    return world


async def test_each_side_leaves_one_rating(db: str) -> None:
    world = await _confirmed()
    pairing = world["proposal"]
    await leave_feedback(world["doctor"], pairing, FeedbackDraft(rating=5, comment=" Great "))
    await leave_feedback(world["head"], pairing, FeedbackDraft(rating=4))
    with pytest.raises(Conflict):
        await leave_feedback(world["doctor"], pairing, FeedbackDraft(rating=1))
    stored = await feedback_of(pairing)
    assert {side: view.rating for side, view in stored.items()} == {"doctor": 5, "facility": 4}
    assert stored["doctor"].comment == "Great"


async def test_bad_rating_and_strangers_change_nothing(db: str) -> None:
    world = await _confirmed()
    with pytest.raises(ValidationFailed) as caught:
        await leave_feedback(world["doctor"], world["proposal"], FeedbackDraft(rating=6))
    assert set(caught.value.errors) == {"rating"}
    stranger = await make_head(await make_facility())
    with pytest.raises(Forbidden):
        await leave_feedback(stranger, world["proposal"], FeedbackDraft(rating=3))
    assert await PairingFeedback.count().run() == 0


async def test_two_heads_at_once_leave_one_facility_rating(db: str) -> None:
    for _ in range(20):
        world = await _confirmed()
        other_head = await make_head(world["facility"])
        results = await asyncio.gather(
            leave_feedback(world["head"], world["proposal"], FeedbackDraft(rating=4)),
            leave_feedback(other_head, world["proposal"], FeedbackDraft(rating=2)),
            return_exceptions=True,
        )
        assert sum(isinstance(r, Conflict) for r in results) == 1
        count = (
            await PairingFeedback.count().where(PairingFeedback.pairing == world["proposal"]).run()
        )
        assert count == 1


async def test_mentorship_parties(db: str) -> None:
    world = await _confirmed()
    pairing = world["proposal"]
    person = await add_person(
        world["head"],
        world["facility"],
        PersonDraft(name_en="Sami", name_ar="سامي", clinical_role="resident"),
    )
    clinician = await make_account(Role.LOCAL_CLINICIAN)
    await (
        FacilityPerson.update({FacilityPerson.user: clinician.id})
        .where(FacilityPerson.id == person.id)
        .run()
    )
    with pytest.raises(NotFound):  # not yet the mentee
        await check_parties(clinician, pairing)
    await Mentorship.insert(Mentorship(pairing=pairing, mentee=person.id)).run()
    parties, viewer = await check_parties(clinician, pairing)
    assert viewer.is_mentee and parties.mentee_person_id == person.id
    _, viewer = await check_parties(world["doctor"], pairing)
    assert viewer.is_doctor
    _, viewer = await check_parties(world["coordinator"], pairing)
    assert viewer.is_staff
    stranger = await make_head(await make_facility())
    with pytest.raises(NotFound):
        await check_parties(stranger, pairing)
    mission = await _confirmed("mission")
    with pytest.raises(NotFound):  # a mission is not a mentorship
        await check_parties(mission["doctor"], mission["proposal"])
