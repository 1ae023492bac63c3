"""Language level and the Syrian permission as hard rules, on arrays (no database)."""

from __future__ import annotations

from datetime import date, time

import numpy as np
import pytest

from benchmarks.ranking_reference import reference_pair
from matching.availability import DateRange, WeeklyWindow
from matching.ranking import DoctorInput, NeedInput, build_arrays, rank
from matching.ranking.arrays import LanguageIndex, doctor_level_bits, levels_meet, need_level_bits
from matching.ranking.engine import level_rule, permission_rule, rule_counts
from matching.ranking.weights import HARD_RULES, LANGUAGE_LEVELS
from matching.taxonomy import load_taxonomy

TODAY = date(2026, 1, 5)
MISSION_DATES = DateRange(date(2026, 3, 10), date(2026, 3, 20))


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy()


def _doctor(id: int, **kw) -> DoctorInput:
    base = dict(
        id=id,
        modes=frozenset({"mission", "mentorship", "training"}),
        languages=frozenset({"ar", "en"}),
        language_levels=(("ar", "native"), ("en", "fluent")),
        specialties=(("general_surgery", "consultant"),),
        skills=("war_wound_management",),
        years_experience=10,
        timezone="Europe/Berlin",
        travel_windows=(DateRange(date(2026, 3, 1), date(2026, 3, 31)),),
        weekly_slots=(WeeklyWindow(1, time(18), time(21)),),
        max_mentees=2,
        licence_verified_until=date(2027, 1, 1),
        syria_permission_until=date(2027, 1, 1),
    )
    base.update(kw)
    return DoctorInput(**base)


def _need(id: int = 1, **kw) -> NeedInput:
    base = dict(
        id=id,
        facility_id=1,
        kind="mission",
        specialty="general_surgery",
        skills=("war_wound_management",),
        required_languages=frozenset({"ar"}),
        period=MISSION_DATES,
    )
    base.update(kw)
    return NeedInput(**base)


def test_level_matrix_orders_levels_per_language() -> None:
    index = LanguageIndex()
    index.add(frozenset({"ar", "en", "fr"}))
    ar, en = 1 << index.bits["ar"], 1 << index.bits["en"]
    doctors = doctor_level_bits(
        [[("ar", "basic"), ("en", "native")], [("ar", "fluent")], [("de", "native")]], index
    )
    assert doctors.shape == (3, len(LANGUAGE_LEVELS)) and doctors.dtype == np.uint64
    # Column t: languages spoken at level t or above.
    assert [int(v) for v in doctors[0]] == [ar | en, en, en, en]
    assert [int(v) for v in doctors[1]] == [ar, ar, ar, 0]
    assert not doctors[2].any(), "a language no need or doctor index knows matches nobody"
    needs = need_level_bits(
        [
            _need(language_levels=(("ar", "fluent"),)),
            _need(required_languages=frozenset({"ar", "en"}), language_levels=(("en", "working"),)),
            _need(),
        ],
        index,
    )
    # Column t: the need's languages whose minimum is t (column 0: any level).
    assert [int(v) for v in needs[0]] == [0, 0, ar, 0]
    assert [int(v) for v in needs[1]] == [ar, en, 0, 0]
    assert [int(v) for v in needs[2]] == [ar, 0, 0, 0]
    met = np.array([levels_meet(doctors, row) for row in needs])
    assert met.tolist() == [
        [False, True, False],  # fluent Arabic: the basic speaker fails
        [True, True, False],  # any Arabic, or working English
        [True, True, False],  # any Arabic
    ]


def test_level_rule_alone_blames_only_who_speaks_the_language() -> None:
    index = LanguageIndex()
    index.add(frozenset({"ar", "en"}))
    doctors = doctor_level_bits([[("ar", "basic")], [("en", "native")], [("ar", "native")]], index)
    (need,) = need_level_bits([_need(language_levels=(("ar", "fluent"),))], index)
    # The English speaker fails "language", not "language_level".
    assert level_rule(doctors, need, True).tolist() == [False, True, True]
    assert level_rule(doctors, need, False).tolist() == [True, True, True]
    syria = np.array([-1, 10, 5])
    licence = np.array([20, 20, 0])
    # Holding no valid licence at all fails "licence", not "syria_permission".
    assert permission_rule(syria, licence, 8).tolist() == [False, True, True]
    assert permission_rule(syria, licence, -1).tolist() == [True, True, True]


def test_fluent_arabic_changes_who_is_proposed(taxonomy) -> None:
    doctors = [
        _doctor(1, years_experience=30, language_levels=(("ar", "basic"), ("en", "native"))),
        _doctor(2, years_experience=3, language_levels=(("ar", "fluent"),)),
    ]
    anyone = rank(doctors, [_need()], taxonomy, today=TODAY)
    assert [p.doctor_id for p in anyone.proposals] == [1], "the senior doctor wins without levels"
    fluent = rank(doctors, [_need(language_levels=(("ar", "fluent"),))], taxonomy, today=TODAY)
    assert [p.doctor_id for p in fluent.proposals] == [2]
    assert "language_level" in fluent.proposals[0].explanation.rules_passed
    native = rank(doctors, [_need(language_levels=(("ar", "native"),))], taxonomy, today=TODAY)
    assert native.proposals == []
    (unf,) = native.unfillable
    assert unf.reasons == ("language_level",)
    assert unf.eliminated["language_level"] == 2 and unf.eliminated["language"] == 0
    assert unf.language_gaps == (("ar", "native", "fluent"),)


def test_one_language_at_its_level_is_enough(taxonomy) -> None:
    # Arabic fluent or English at any level: an English-only doctor passes.
    doctor = _doctor(1, languages=frozenset({"en"}), language_levels=(("en", "basic"),))
    need = _need(required_languages=frozenset({"ar", "en"}), language_levels=(("ar", "fluent"),))
    res = rank([doctor], [need], taxonomy, today=TODAY)
    assert [p.doctor_id for p in res.proposals] == [1]


def test_doctor_language_without_level_counts_as_fluent(taxonomy) -> None:
    doctor = _doctor(1, language_levels=())
    fluent = rank([doctor], [_need(language_levels=(("ar", "fluent"),))], taxonomy, today=TODAY)
    native = rank([doctor], [_need(language_levels=(("ar", "native"),))], taxonomy, today=TODAY)
    assert len(fluent.proposals) == 1 and native.proposals == []


def test_in_person_needs_a_syrian_permission_remote_any_licence(taxonomy) -> None:
    foreign = _doctor(1, years_experience=30, syria_permission_until=None)
    permit = _doctor(2, years_experience=3)
    short_permit = _doctor(3, years_experience=20, syria_permission_until=date(2026, 3, 15))
    doctors = [foreign, permit, short_permit]
    mission = _need(1, requires_licence=True)
    res = rank(doctors, [mission], taxonomy, today=TODAY)
    assert [p.doctor_id for p in res.proposals] == [2]
    assert [c.doctor_id for c in res.proposals[0].explanation.runners_up] == []
    # A remote mentorship asking for a licence: the foreign licence is enough.
    mentorship = _need(
        2,
        kind="mentorship",
        requires_licence=True,
        period=None,
        weekly_hours=1.0,
        local_slots=(WeeklyWindow(1, time(19), time(22)),),
    )
    res = rank(doctors, [mentorship], taxonomy, today=TODAY)
    assert res.proposals[0].doctor_id == 1
    # An in-person workshop is in-person work in Syria too.
    workshop = _need(3, kind="training", requires_licence=True)
    res = rank([foreign, short_permit], [workshop], taxonomy, today=TODAY)
    (unf,) = res.unfillable
    assert unf.reasons == ("syria_permission",) and unf.eliminated["syria_permission"] == 2
    assert unf.eliminated["licence"] == 0


def test_rule_counts_match_each_rule_alone_on_a_mixed_population(taxonomy) -> None:
    rng = np.random.default_rng(3)
    doctors = [
        _doctor(
            i + 1,
            language_levels=(
                ("ar", LANGUAGE_LEVELS[int(rng.integers(0, 4))]),
                ("en", LANGUAGE_LEVELS[int(rng.integers(0, 4))]),
            ),
            licence_verified_until=None if rng.random() < 0.2 else date(2027, 1, 1),
            syria_permission_until=None if rng.random() < 0.5 else date(2026, 3, 12 + i % 15),
        )
        for i in range(60)
    ]
    needs = [
        _need(
            j + 1,
            requires_licence=bool(j % 2),
            language_levels=((("ar", LANGUAGE_LEVELS[j % 4]),) if j % 3 else ()),
        )
        for j in range(8)
    ]
    da, na = build_arrays(doctors, needs, taxonomy, TODAY)
    counts = rule_counts(da, na, np.arange(na.n))
    for j, need in enumerate(needs):
        verdicts = [reference_pair(d, need, taxonomy, {}, {}, TODAY)[0] for d in doctors]
        for r, rule in enumerate(HARD_RULES):
            assert counts.alone[j, r] == sum(v[rule] for v in verdicts), (need.id, rule)
