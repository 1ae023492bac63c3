"""Continuity and fairness over time (issue 16): on arrays, through the engine, and
through a ranking run on the real database (both engines)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from benchmarks.eval_set import CONTESTED, DOCTORS, EXPECTED, NEEDS, OUTBID, TODAY
from matching.availability import DateRange
from matching.facilities.tables import Facility
from matching.pairings import runs
from matching.pairings.tables import Proposal, RunStatus
from matching.ranking import DoctorInput, NeedInput, PastWork, rank
from matching.ranking.arrays import build_arrays
from matching.ranking.weights import (
    CONTINUITY_BASE,
    FAIRNESS_CAP,
    WEIGHTS,
    continuity,
    fairness_multiplier,
)
from matching.taxonomy import load_taxonomy
from tests.factories import make_facility, make_proposal, make_rankable_doctor, make_rankable_need

DAY = date(2026, 3, 2)


def _doctor(i: int) -> DoctorInput:
    return DoctorInput(
        id=i,
        modes=frozenset({"mission"}),
        languages=frozenset({"ar"}),
        specialties=(("general_surgery", "consultant"),),
        travel_windows=(DateRange(DAY, DAY + timedelta(days=60)),),
        years_experience=10,
    )


def _need(i: int, facility: int = 1, **kw: object) -> NeedInput:
    base: dict[str, object] = {
        "facility_id": facility,
        "kind": "mission",
        "specialty": "general_surgery",
        "rural": True,
        "period": DateRange(DAY + timedelta(days=10), DAY + timedelta(days=14)),
    }
    base.update(kw)
    return NeedInput(id=i, **base)  # type: ignore[arg-type]


# --- weights --------------------------------------------------------------------------


def test_continuity_value_and_fairness_multiplier() -> None:
    assert continuity() == CONTINUITY_BASE == 0.5
    assert continuity(2.0) == 1.0 and continuity(5.0) == 1.0  # good feedback: full marks
    assert continuity(0.0) == 0.0
    assert [fairness_multiplier(k) for k in range(7)] == pytest.approx(
        [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.5]
    )
    assert fairness_multiplier(99) == FAIRNESS_CAP
    assert abs(sum(WEIGHTS.values()) - 1.0) < 1e-12


# --- arrays ---------------------------------------------------------------------------


def test_continuity_is_a_sparse_need_by_doctor_array() -> None:
    doctors = [_doctor(10), _doctor(11), _doctor(12)]
    needs = [
        _need(1, past_work=(PastWork(11, "mentorship", 2025), PastWork(99, "mission", 2024))),
        _need(2, facility=2),
        _need(3, past_work=(PastWork(12, "mission", 2026, quality=1.6),)),
    ]
    _, na = build_arrays(doctors, needs, load_taxonomy(), DAY)
    assert na.continuity.shape == (3, 3)
    assert na.continuity.nnz == 2  # doctor 99 is unknown: ignored
    dense = na.continuity.toarray()
    assert dense[0].tolist() == [0.0, 0.5, 0.0]
    assert dense[1].tolist() == [0.0, 0.0, 0.0]
    assert dense[2].tolist() == pytest.approx([0.0, 0.0, 0.8])
    label = na.continuity_label.toarray()
    assert na.continuity_labels[label[0, 1] - 1] == ("mentorship", 2025)
    assert na.continuity_labels[label[2, 2] - 1] == ("mission", 2026)


def test_waited_runs_multiply_the_need_weight_capped_at_one() -> None:
    doctors = [_doctor(10)]
    needs = [
        _need(1),  # rural, routine, working: 0.3
        _need(2, waited_runs=3),  # x1.3
        _need(3, urgency="critical", facility_state="none", waited_runs=5),  # 1.0 x1.5 -> 1
    ]
    _, na = build_arrays(doctors, needs, load_taxonomy(), DAY)
    assert na.waited_runs.tolist() == [0, 3, 5]
    assert na.weight_multiplier.tolist() == pytest.approx([1.0, 1.3, 1.5])
    assert na.need_weight.tolist() == pytest.approx([0.3, 0.39, 1.0])


# --- engine ---------------------------------------------------------------------------


def test_former_mentor_ranks_above_an_equal_stranger_and_is_explained() -> None:
    doctors = [_doctor(10), _doctor(11)]
    stranger_first = rank(doctors, [_need(1)], today=DAY)
    assert [c.doctor_id for c in stranger_first.candidates(1)] == [10, 11]  # tie: lower row

    res = rank(doctors, [_need(1, past_work=(PastWork(11, "mission", 2025),))], today=DAY)
    assert [c.doctor_id for c in res.candidates(1)] == [11, 10]
    (p,) = res.proposals
    assert p.doctor_id == 11
    e = p.explanation
    assert e.signals["continuity"].value == 0.5
    assert e.signals["continuity"].contribution == pytest.approx(WEIGHTS["continuity"] * 0.5)
    assert p.score == pytest.approx(sum(s.contribution for s in e.signals.values()))
    assert p.score == pytest.approx(res.candidates(1)[0].score)
    assert e.continuity == ("mission", 2025)
    (runner,) = e.runners_up
    assert runner.doctor_id == 10 and runner.continuity is None
    assert runner.signals["continuity"].value == 0.0
    stored = e.as_dict()
    assert stored["continuity"] == {"kind": "mission", "year": 2025}
    assert "continuity" not in stored["runners_up"][0]
    assert "fairness" not in stored


def test_a_facility_that_waited_gets_the_contested_doctor_and_it_is_explained() -> None:
    doctors = [_doctor(10)]
    # Need 2's facility partly works (0.40) and wins the doctor ...
    needs = [_need(1), _need(2, facility=2, facility_state="partial")]
    assert [p.need_id for p in rank(doctors, needs, today=DAY).proposals] == [2]
    # ... until need 1's facility has waited two runs: 0.30 x 1.2 = 0.36 < 0.40, then
    # four: 0.30 x 1.4 = 0.42.
    waited2 = [replace(needs[0], waited_runs=2), needs[1]]
    assert [p.need_id for p in rank(doctors, waited2, today=DAY).proposals] == [2]
    waited4 = [replace(needs[0], waited_runs=4), needs[1]]
    (p,) = rank(doctors, waited4, today=DAY).proposals
    assert p.need_id == 1
    assert p.explanation.waited_runs == 4
    assert p.explanation.weight_multiplier == pytest.approx(1.4)
    assert p.explanation.signals["need_weight"].value == pytest.approx(0.42)
    assert p.explanation.as_dict()["fairness"] == {"waited_runs": 4, "multiplier": 1.4}


def test_eval_set_continuity_and_fairness_labels() -> None:
    res = rank(DOCTORS, NEEDS, today=TODAY, top_k=10)
    for need_id in (60, 61, 62):
        assert res.candidates(need_id)[0].doctor_id == EXPECTED[need_id]
    chosen = {p.need_id: p.doctor_id for p in res.proposals}
    for need_id, doctor_id in CONTESTED.items():
        assert chosen[need_id] == doctor_id
    assert not set(OUTBID) & set(chosen)
    # Without the history the labels flip: the tie goes to the stranger, the
    # contested doctor to the better-weighted centre.
    plain = [replace(n, past_work=(), waited_runs=0) for n in NEEDS]
    res = rank(DOCTORS, plain, today=TODAY, top_k=10)
    assert res.candidates(60)[0].doctor_id == 60
    assert {p.need_id for p in res.proposals} >= set(OUTBID)
    assert not set(CONTESTED) & {p.need_id for p in res.proposals}


def test_continuity_joins_a_learned_model_too() -> None:
    from matching.ranking.learned import FEATURES, LearnedModel

    coef = np.zeros(len(FEATURES))
    coef[FEATURES.index("continuity")] = 4.0
    model = LearnedModel(coef, 0.0, 0.3, 100, 50)
    doctors = [_doctor(10), _doctor(11)]
    res = rank(
        doctors, [_need(1, past_work=(PastWork(11, "mission", 2025),))], today=DAY, learned=model
    )
    (p,) = res.proposals
    assert p.doctor_id == 11
    assert p.score == pytest.approx(res.candidates(1)[0].score)
    assert p.score == pytest.approx(sum(s.contribution for s in p.explanation.signals.values()))


# --- through a ranking run on the database ---------------------------------------------


async def _run() -> list[dict]:
    run_id = await runs.create_run("full")
    run = await runs.execute_run(run_id)
    assert run["status"] == RunStatus.SUCCEEDED
    return await Proposal.select().where(Proposal.run == run_id).order_by(Proposal.id).run()


async def test_run_proposes_the_former_mission_doctor_over_an_equal_stranger(db: str) -> None:
    stranger = await make_rankable_doctor()
    former = await make_rankable_doctor()
    facility = await make_facility()
    earlier = await make_rankable_need(facility, status="filled", starts_in=-200, days=7)
    pairing = await make_proposal(earlier, former, state="confirmed")
    new = await make_rankable_need(facility)

    (row,) = await _run()
    assert (row["need"], row["doctor"]) == (new, former)
    explanation = json.loads(row["explanation"])
    year = (date.today() - timedelta(days=200)).year
    assert explanation["continuity"] == {"kind": "mission", "year": year}
    assert explanation["signals"]["continuity"]["value"] == 0.5
    assert explanation["runners_up"][0]["doctor_id"] == stranger

    # A cancelled pairing does not count: the tie goes back to the stranger.
    await Proposal.update({Proposal.state: "cancelled"}).where(Proposal.id == pairing).run()
    (row,) = await _run()
    assert row["doctor"] == stranger
    assert "continuity" not in json.loads(row["explanation"])


async def test_a_facility_unserved_in_two_runs_is_proposed_first_in_the_third(db: str) -> None:
    await make_rankable_doctor()
    waiting = await make_facility(name="Tall Kalakh Hospital")
    favoured = await make_facility(name="Tadmur Hospital")
    # Both rural and urgent; the favoured one does not work at all (0.75), the other
    # partly (0.65): 0.65 x 1.1 = 0.715 after one run, 0.65 x 1.2 = 0.78 after two.
    await Facility.update({Facility.functional_state: "none"}).where(Facility.id == favoured).run()
    need_waiting = await make_rankable_need(waiting)
    need_favoured = await make_rankable_need(favoured)

    for _ in range(2):
        (row,) = await _run()
        assert row["need"] == need_favoured
        assert "fairness" not in json.loads(row["explanation"])
    (row,) = await _run()
    assert row["need"] == need_waiting
    explanation = json.loads(row["explanation"])
    assert explanation["fairness"] == {"waited_runs": 2, "multiplier": 1.2}
    assert explanation["signals"]["need_weight"]["value"] == pytest.approx(0.78)
    # Served: the count starts again, and the other facility now waits.
    (row,) = await _run()
    assert row["need"] == need_favoured
    assert json.loads(row["explanation"])["fairness"] == {"waited_runs": 1, "multiplier": 1.1}


async def test_one_need_run_proposes_the_former_mentor_too(db: str) -> None:
    await make_rankable_doctor()  # the stranger, first in a tie
    former = await make_rankable_doctor()
    facility = await make_facility()
    earlier = await make_rankable_need(facility, status="closed", starts_in=-400, days=7)
    await make_proposal(earlier, former, state="confirmed")
    new = await make_rankable_need(facility)
    run_id = await runs.create_run("one_need", need_id=new)
    assert (await runs.execute_run(run_id))["status"] == RunStatus.SUCCEEDED
    (row,) = await Proposal.select().where(Proposal.run == run_id).run()
    assert row["doctor"] == former
    year = (date.today() - timedelta(days=400)).year
    assert json.loads(row["explanation"])["continuity"] == {"kind": "mission", "year": year}
