"""The loader: tables -> DoctorInput / NeedInput."""

from __future__ import annotations

from datetime import time, timedelta

from matching.availability import DateRange, WeeklyWindow
from matching.doctors.tables import Licence, LicenceState, WeeklySlot
from matching.facilities.tables import LocalSlot, Need, NeedSkill
from matching.pairings.loader import load_decided_pairs, load_doctors, load_inputs, load_needs
from matching.pairings.tables import Proposal
from tests.factories import TODAY, make_facility, make_rankable_doctor, make_rankable_need


async def _proposal(need: int, doctor: int, state: str) -> None:
    await Proposal.insert(Proposal(need=need, doctor=doctor, state=state)).run()


async def test_doctor_fields(db: str) -> None:
    doctor = await make_rankable_doctor(languages=("ar", "en"), licence=LicenceState.VERIFIED)
    later = TODAY + timedelta(days=900)
    for state, expires in (
        (LicenceState.VERIFIED, later),
        (LicenceState.PENDING, TODAY + timedelta(days=2000)),  # not verified: ignored
        (LicenceState.VERIFIED, TODAY - timedelta(days=1)),  # expired: ignored
    ):
        await Licence.insert(
            Licence(
                doctor=doctor,
                issuer_country="DE",
                authority="x",
                number="n",
                expires_on=expires,
                state=state,
            )
        ).run()
    await WeeklySlot.insert(
        WeeklySlot(doctor=doctor, weekday=1, starts_at=time(18), ends_at=time(20)),
        WeeklySlot(doctor=doctor, weekday=2, starts_at=time(18, 7), ends_at=time(20)),  # bad
    ).run()
    (d,) = await load_doctors()
    assert d.id == doctor
    assert d.modes == frozenset({"mission"})
    assert d.languages == frozenset({"ar", "en"})
    assert d.specialties == (("emergency_medicine", "consultant"),)
    assert d.licence_verified_until == later
    assert d.weekly_slots == (WeeklyWindow(1, time(18), time(20)),)
    assert d.travel_windows == (DateRange(TODAY + timedelta(days=10), TODAY + timedelta(days=100)),)
    assert d.timezone == "Europe/Berlin" and d.years_experience == 10


async def test_commitments_from_decided_proposals(db: str) -> None:
    doctor = await make_rankable_doctor()
    mission = await make_rankable_need(starts_in=30, days=5)
    facility = await make_facility()
    rows = (
        await Need.insert(
            Need(
                facility=facility,
                kind="mentorship",
                title="m",
                specialty="neonatology",
                status="open",
                places=1,
            )
        )
        .returning(Need.id)
        .run()
    )
    mentorship = rows[0]["id"]
    await _proposal(mission, doctor, "accepted")
    await _proposal(mentorship, doctor, "confirmed")
    (d,) = await load_doctors()
    assert d.current_mentees == 1
    assert d.committed_missions == (
        DateRange(TODAY + timedelta(days=30), TODAY + timedelta(days=34)),
    )


async def test_needs_open_with_places_left(db: str) -> None:
    doctor = await make_rankable_doctor()
    other = await make_rankable_doctor()
    open_need = await make_rankable_need(places=3, languages="ar, en")
    await make_rankable_need(status="draft")
    await make_rankable_need(status="filled")
    partly = await make_rankable_need(status="partly_filled", places=1)
    await NeedSkill.insert(NeedSkill(need=open_need, code="triage")).run()
    await LocalSlot.insert(
        LocalSlot(need=open_need, weekday=0, starts_at=time(9), ends_at=time(11))
    ).run()
    await _proposal(open_need, doctor, "approved")
    await _proposal(open_need, other, "rejected")  # holds no place
    await _proposal(partly, doctor, "confirmed")  # no place left: not ranked

    (n,) = await load_needs()
    assert n.id == open_need
    assert n.places_left == 2
    assert n.required_languages == frozenset({"ar", "en"})
    assert n.skills == ("triage",)
    assert n.local_slots == (WeeklyWindow(0, time(9), time(11)),)
    assert n.rural is True and n.facility_state == "partial"
    assert n.period == DateRange(TODAY + timedelta(days=20), TODAY + timedelta(days=29))
    assert await load_decided_pairs() == {(open_need, doctor), (open_need, other), (partly, doctor)}
    inputs = await load_inputs([open_need])
    assert [x.id for x in inputs.needs] == [open_need] and len(inputs.doctors) == 2
    assert inputs.decided_pairs == {(open_need, doctor), (open_need, other)}


async def test_held_pairings_take_capacity_approved_included(db: str) -> None:
    """Approved (not yet accepted) pairings hold the doctor too: a mentee place, and the
    dates of a mission or in-person workshop."""
    doctor = await make_rankable_doctor()
    mission = await make_rankable_need(starts_in=30, days=5)
    facility = await make_facility()
    rows = (
        await Need.insert(
            Need(
                facility=facility,
                kind="mentorship",
                title="m",
                specialty="neonatology",
                status="open",
                places=1,
            ),
            Need(
                facility=facility,
                kind="training",
                title="w",
                specialty="neonatology",
                status="open",
                places=1,
                starts_on=TODAY + timedelta(days=50),
                ends_on=TODAY + timedelta(days=51),
            ),
            Need(
                facility=facility,
                kind="training",
                title="r",
                specialty="neonatology",
                status="open",
                places=1,
                remote=True,
                starts_on=TODAY + timedelta(days=60),
                ends_on=TODAY + timedelta(days=60),
            ),
        )
        .returning(Need.id)
        .run()
    )
    mentorship, workshop, remote = (r["id"] for r in rows)
    await _proposal(mission, doctor, "approved")
    await _proposal(mentorship, doctor, "approved")
    await _proposal(workshop, doctor, "accepted")
    await _proposal(remote, doctor, "approved")  # remote: no travel dates to block
    (d,) = await load_doctors()
    assert d.current_mentees == 1
    assert sorted(d.committed_missions, key=lambda r: r.start) == [
        DateRange(TODAY + timedelta(days=30), TODAY + timedelta(days=34)),
        DateRange(TODAY + timedelta(days=50), TODAY + timedelta(days=51)),
    ]


async def test_need_specialty_floor_fields(db: str) -> None:
    usual = await make_rankable_need()
    chosen = await make_rankable_need()
    anyone = await make_rankable_need()
    await (
        Need.update({Need.acceptable_specialties: "emergency_medicine,general_surgery"})
        .where(Need.id == chosen)
        .run()
    )
    await Need.update({Need.any_specialty: True}).where(Need.id == anyone).run()
    got = {n.id: (n.acceptable_specialties, n.any_specialty) for n in await load_needs()}
    assert got == {
        usual: (None, False),
        chosen: (("emergency_medicine", "general_surgery"), False),
        anyone: (None, True),
    }
