"""A confirmed mission (the factories' need: 2026-03-02 to 2026-03-11) and the doctor's
Syrian permit, for the missions tests."""

from __future__ import annotations

from datetime import date

from matching.doctors.tables import Licence
from matching.pairings.tables import Proposal
from tests.factories import make_doctor, scene

#: Before the mission: checklist items are due on 2026-02-16 (14 days before).
BEFORE = date(2026, 2, 10)
AFTER = date(2026, 3, 12)


async def confirmed_mission(*, runners_up: bool = False, places: int = 1) -> dict:
    """``scene("mission")`` with its proposal confirmed (and, with ``runners_up``, a
    second doctor stored as its runner-up: key ``runner_doctor_id``)."""
    world = await scene("mission")
    values: dict = {Proposal.state: "confirmed"}
    if runners_up:
        _, other = await make_doctor(name="Dr. Omar Kassab")
        world["runner_doctor_id"] = other
        import json

        values[Proposal.explanation] = json.dumps(
            {"runners_up": [{"doctor_id": other, "score": 0.6, "rank": 2}]}
        )
    await Proposal.update(values).where(Proposal.id == world["proposal"]).run()
    if places != 1:
        from matching.facilities.tables import Need

        await Need.update({Need.places: places}).where(Need.id == world["need"]).run()
    return world


async def add_permit(
    doctor_id: int,
    *,
    expires_on: date = date(2027, 1, 1),
    scope: str = "syria_temporary_permit",
    state: str = "verified",
    country: str = "SY",
) -> int:
    rows = (
        await Licence.insert(
            Licence(
                doctor=doctor_id,
                issuer_country=country,
                authority="Syrian Ministry of Health",
                number=f"P-{expires_on.isoformat()}-{scope[:5]}",
                expires_on=expires_on,
                state=state,
                scope=scope,
            )
        )
        .returning(Licence.id)
        .run()
    )
    return int(rows[0]["id"])
