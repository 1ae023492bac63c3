"""The ``district_open`` hard rule: on arrays (the engine alone) and through the product
path (tables -> loader -> engine -> proposals and the "needs no doctor can fill" report)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import numpy as np

from matching.accounts.tables import Role
from matching.availability import DateRange
from matching.districts.schemas import AccessCommand
from matching.doctors.tables import DoctorProfile
from matching.facilities.tables import Need
from matching.i18n import gettext
from matching.pairings import runs
from matching.pairings.district_flags import set_district_access
from matching.pairings.tables import Proposal
from matching.pairings.why_unfilled import reason_message
from matching.ranking import DoctorInput, NeedInput, rank
from matching.ranking.arrays import build_arrays
from matching.ranking.engine import rule_counts
from matching.ranking.weights import HARD_RULES
from matching.taxonomy import load_taxonomy
from tests.factories import make_account, make_facility, make_rankable_doctor, make_rankable_need

TODAY = date(2026, 3, 1)


def _doctor(i: int) -> DoctorInput:
    return DoctorInput(
        id=i,
        specialties=(("emergency_medicine", "consultant"),),
        languages=frozenset({"ar"}),
        modes=frozenset({"mission", "training"}),
        years_experience=10,
        travel_windows=(DateRange(TODAY, TODAY + timedelta(days=90)),),
        timezone="Europe/Berlin",
        licence_verified_until=TODAY + timedelta(days=400),
    )


def _mission(i: int, *, closed: bool, kind: str = "mission", remote: bool = False) -> NeedInput:
    return NeedInput(
        id=i,
        facility_id=1,
        kind=kind,
        specialty="emergency_medicine",
        required_languages=frozenset({"ar"}),
        period=DateRange(TODAY + timedelta(days=10), TODAY + timedelta(days=15)),
        remote=remote,
        district_closed=closed,
    )


def test_engine_marks_in_person_needs_of_a_closed_district_infeasible() -> None:
    taxonomy = load_taxonomy()
    doctors = [_doctor(i) for i in range(1, 6)]
    needs = [
        _mission(1, closed=True),
        _mission(2, closed=False),
        _mission(3, closed=True, kind="training", remote=True),
        _mission(4, closed=True, kind="training", remote=False),
    ]
    result = rank(doctors, needs, taxonomy, TODAY)
    proposed = {p.need_id for p in result.proposals}
    assert proposed == {2, 3}
    by_need = {u.need_id: u for u in result.unfillable}
    assert set(by_need) == {1, 4}
    assert by_need[1].reasons == ("district_open",)
    assert by_need[1].eliminated["district_open"] == 5
    # The rule's counts agree with the engine: nobody passes it in a closed district.
    da, na = build_arrays(doctors, needs, taxonomy, TODAY)
    counts = rule_counts(da, na, np.arange(na.n))
    col = HARD_RULES.index("district_open")
    assert counts.alone[:, col].tolist() == [0, 5, 5, 0]
    assert na.closed.tolist() == [True, False, False, True]
    # Reopened: the same mission is proposed again.
    reopened = rank(doctors, [replace(needs[0], district_closed=False)], taxonomy, TODAY)
    assert [p.need_id for p in reopened.proposals] == [1]


def test_the_reason_reads_in_both_languages() -> None:
    english = reason_message("district_open")
    assert english.startswith("The district is closed")
    arabic = gettext("ar", english)
    assert arabic != english


async def test_product_path_closed_mission_unfillable_remote_work_still_proposed(db: str) -> None:
    coordinator = await make_account(Role.COORDINATOR)
    rastan = await make_facility(district="al_rastan")
    homs = await make_facility(name="Homs Clinic", district="homs", rural=False)
    doctors = [await make_rankable_doctor() for _ in range(2)]
    await (
        DoctorProfile.update({DoctorProfile.offers_training: True})
        .where(DoctorProfile.id.is_in(doctors))
        .run()
    )
    closed_mission = await make_rankable_need(rastan)
    open_mission = await make_rankable_need(homs)
    remote_workshop = await make_rankable_need(rastan)
    await (
        Need.update(
            {Need.kind: "training", Need.remote: True, Need.topic: "Triage", Need.audience_size: 20}
        )
        .where(Need.id == remote_workshop)
        .run()
    )
    await set_district_access(
        AccessCommand(district="al_rastan", status="closed", effective_on=TODAY),
        actor=coordinator,
        today=TODAY,
    )
    run = await runs.execute_run(await runs.create_run("full"))
    proposed = {
        int(r["need"])
        for r in await Proposal.select(Proposal.need).where(Proposal.run == run["id"])
    }
    assert proposed == {open_mission, remote_workshop}
    unfillable = {u["need_id"]: u for u in run["outcome"]["unfillable"]}
    assert set(unfillable) == {closed_mission}
    assert unfillable[closed_mission]["reasons"] == ["district_open"]
    # Reopened: the mission is proposed by the next run.
    await set_district_access(
        AccessCommand(district="al_rastan", status="open", effective_on=TODAY),
        actor=coordinator,
        today=TODAY,
    )
    again = await runs.execute_run(await runs.create_run("one_need", need_id=closed_mission))
    assert await Proposal.count().where(Proposal.run == again["id"]) == 1
