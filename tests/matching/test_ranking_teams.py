"""Team missions on arrays: all roles filled together or none, exact against brute force."""

from __future__ import annotations

import itertools
from datetime import date

import numpy as np
import pytest

from matching.availability import DateRange
from matching.ranking import DoctorInput, NeedInput, rank
from matching.ranking.data import TeamRole
from matching.ranking.teams import solve_with_teams
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)
MARCH = DateRange(date(2026, 3, 1), date(2026, 3, 31))
THEATRE = (
    TeamRole("orthopaedics_trauma", 1),
    TeamRole("anaesthesia", 1),
    TeamRole("nursing_education", 1),
)


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def _doctor(did: int, specialty: str, **kw) -> DoctorInput:
    base = dict(
        id=did,
        modes=frozenset({"mission"}),
        languages=frozenset({"ar", "en"}),
        specialties=((specialty, "consultant"),),
        years_experience=10,
        travel_windows=(MARCH,),
        licence_verified_until=date(2027, 1, 1),
    )
    base.update(kw)
    return DoctorInput(**base)


def _team(nid: int, roles=THEATRE, **kw) -> NeedInput:
    base = dict(
        id=nid,
        facility_id=1,
        kind="mission",
        specialty=roles[0].specialty,
        required_languages=frozenset({"ar"}),
        period=DateRange(date(2026, 3, 10), date(2026, 3, 20)),
        places_left=sum(r.count for r in roles),
        roles=roles,
    )
    base.update(kw)
    return NeedInput(**base)


def test_a_team_gets_one_doctor_per_role_and_the_explanation_names_each_role(taxonomy):
    doctors = [
        _doctor(1, "orthopaedics_trauma"),
        _doctor(2, "orthopaedics_trauma"),  # a second surgeon never fills another role
        _doctor(3, "anaesthesia"),
        _doctor(4, "nursing_education"),
    ]
    res = rank(doctors, [_team(10)], taxonomy, TODAY)
    roles = {p.explanation.role: p.doctor_id for p in res.proposals}
    assert set(roles) == {"orthopaedics_trauma", "anaesthesia", "nursing_education"}
    assert roles["anaesthesia"] == 3 and roles["nursing_education"] == 4
    assert roles["orthopaedics_trauma"] in (1, 2)
    seats = res.proposals[0].explanation.as_dict()["team"]
    assert [(s["role"], s["count"], len(s["doctor_ids"])) for s in seats] == [
        ("orthopaedics_trauma", 1, 1),
        ("anaesthesia", 1, 1),
        ("nursing_education", 1, 1),
    ]
    assert res.unfillable == []


def test_a_team_with_one_role_unfillable_gets_nobody_and_the_report_names_the_role(taxonomy):
    doctors = [_doctor(1, "orthopaedics_trauma"), _doctor(3, "anaesthesia")]
    plain = NeedInput(
        id=11,
        facility_id=2,
        kind="mission",
        specialty="anaesthesia",
        required_languages=frozenset({"ar"}),
        period=DateRange(date(2026, 3, 1), date(2026, 3, 5)),
    )
    res = rank(doctors, [_team(10), plain], taxonomy, TODAY)
    assert [p.need_id for p in res.proposals] == [11]  # the anaesthetist goes elsewhere
    (u,) = res.unfillable
    assert (u.need_id, u.role, u.eligible) == (10, "nursing_education", 0)
    assert "specialty" in u.reasons


def test_a_member_must_be_free_on_the_mission_dates(taxonomy):
    away = DateRange(date(2026, 4, 1), date(2026, 4, 30))
    doctors = [
        _doctor(1, "orthopaedics_trauma"),
        _doctor(3, "anaesthesia", travel_windows=(away,)),
        _doctor(4, "nursing_education"),
    ]
    res = rank(doctors, [_team(10)], taxonomy, TODAY)
    assert res.proposals == []
    (u,) = res.unfillable
    assert u.role == "anaesthesia" and "availability" in u.reasons


def test_two_teams_sharing_doctors_the_optimum_fills_the_one_it_can_complete(taxonomy):
    # Two theatres, one anaesthetist: exactly one team is filled, whole.
    doctors = [
        _doctor(1, "orthopaedics_trauma"),
        _doctor(2, "orthopaedics_trauma"),
        _doctor(3, "anaesthesia"),
        _doctor(4, "nursing_education"),
        _doctor(5, "nursing_education"),
    ]
    res = rank(doctors, [_team(10), _team(20, urgency="critical")], taxonomy, TODAY)
    assert {p.need_id for p in res.proposals} == {20}  # the critical one weighs more
    assert len(res.proposals) == 3
    assert len({p.doctor_id for p in res.proposals}) == 3


def _brute_force(need, doctor, score, places, team, n_doctors):
    best = 0.0
    e = need.size
    for mask in itertools.product((0, 1), repeat=e):
        x = np.array(mask, dtype=bool)
        if np.bincount(doctor[x], minlength=n_doctors).max(initial=0) > 1:
            continue
        per_need = np.bincount(need[x], minlength=places.size)
        ok = True
        for t in np.unique(team[team >= 0]):
            rows = np.flatnonzero(team == t)
            filled = per_need[rows] == places[rows]
            empty = per_need[rows] == 0
            ok &= bool(filled.all() or empty.all())
        ok &= bool((per_need[team < 0] <= places[team < 0]).all())
        if ok:
            best = max(best, float(score[x].sum()))
    return best


@pytest.mark.parametrize("seed", range(12))
def test_team_assignment_equals_brute_force_on_small_random_graphs(seed):
    rng = np.random.default_rng(seed)
    n_doctors = 6
    # Rows 0-1: team 0 (counts 1 and 2); rows 2-3: team 1; rows 4-5: plain needs.
    team = np.array([0, 0, 1, 1, -1, -1])
    places = np.array([1, 2, 1, 1, 1, 2])
    pairs = [(n, d) for n in range(6) for d in range(n_doctors) if rng.random() < 0.35]
    need = np.array([p[0] for p in pairs], dtype=np.int64)
    doctor = np.array([p[1] for p in pairs], dtype=np.int64)
    score = rng.random(need.size) + 0.1
    pool = np.zeros(need.size, dtype=np.int64)
    capacity = np.ones((n_doctors, 3), dtype=np.int64)
    got = solve_with_teams(need, doctor, pool, score, places, capacity, team)
    assert got.total == pytest.approx(_brute_force(need, doctor, score, places, team, n_doctors))
    chosen_need = np.bincount(need[got.chosen], minlength=6)
    for t in (0, 1):
        rows = np.flatnonzero(team == t)
        assert (chosen_need[rows] == places[rows]).all() or (chosen_need[rows] == 0).all()
