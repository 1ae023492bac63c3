"""A confirmed mentorship pairing with a mentee who has an account, for the tests."""

from __future__ import annotations

from datetime import date

from matching.accounts.tables import Role
from matching.mentorship.schemas import MentorshipStart
from matching.mentorship.services import start_mentorship
from matching.pairings.tables import Proposal
from matching.people.schemas import PersonDraft
from matching.people.services import add_person, link_account
from tests.factories import make_account, scene


async def confirmed_mentorship(
    *, start: bool = True, starts_on: date | None = None, ends_on: date | None = None
) -> dict:
    """scene("mentorship") confirmed, with ``person`` (a resident of the facility) and
    ``clinician`` (her account); started (``mentorship``) unless ``start=False``.

    The need's slot: Tuesdays 19:00-21:00 Asia/Damascus, from 2026-03-02 for 60 days.
    """
    world = await scene("mentorship")
    await (
        Proposal.update({Proposal.state: "confirmed"}).where(Proposal.id == world["proposal"]).run()
    )
    person = await add_person(
        world["head"],
        world["facility"],
        PersonDraft(name_en="Dr. Ahmad Shami", name_ar="د. أحمد الشامي", clinical_role="resident"),
    )
    clinician = await make_account(Role.LOCAL_CLINICIAN, name="Ahmad Shami", language="ar")
    await link_account(person.id, clinician.id)
    world.update(person=person, clinician=clinician)
    if start:
        world["mentorship"] = await start_mentorship(
            world["head"],
            world["proposal"],
            MentorshipStart(
                mentee_id=person.id,
                starts_on=starts_on,
                ends_on=ends_on,
                goals=["Manage neonatal resuscitation alone", "Read a neonatal X-ray"],
            ),
            today=date(2026, 3, 1),
        )
    return world
