"""The worker's prepared doctor arrays stay exactly what a cold load builds, after any edit.

One :class:`PreparedDoctors` lives through a series of edits of every kind (made in
the tables, as every service does, so the triggers of the change log see them);
after each, its arrays and the one-need plans ranked on them must equal those of a
cold load (``load_doctors`` + ``build_doctor_arrays``, the full run's path), the
edit must change some plan (else the check proves nothing), and the refresh must
have been the incremental one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import time, timedelta
from typing import Any

import numpy as np
import pytest

from matching.accounts.tables import User
from matching.doctors.tables import (
    DoctorLanguage,
    DoctorProfile,
    DoctorSkill,
    DoctorSpecialty,
    Licence,
    LicenceState,
    TravelWindow,
)
from matching.doctors.tables import WeeklySlot as WeeklySlotRow
from matching.facilities.tables import LocalSlot, Need, NeedSkill
from matching.pairings.loader import load_decided_pairs, load_doctors, load_needs
from matching.pairings.prepared_doctors import PreparedDoctors
from matching.pairings.run_plans import plan_one_need
from matching.pairings.tables import Proposal
from matching.ranking import DoctorArrays, build_doctor_arrays
from matching.taxonomy import load_taxonomy
from tests.factories import TODAY, make_facility, make_rankable_doctor, make_rankable_need

#: A registration with the Syrian authorities: valid for the in-person mission.
SYRIA = "syria_registration"


def _languages(arrays: DoctorArrays) -> list[frozenset[str]]:
    bits = arrays.languages.bits
    return [frozenset(c for c, b in bits.items() if int(v) >> b & 1) for v in arrays.lang_bits]


def assert_same_arrays(warm: DoctorArrays, cold: DoctorArrays) -> None:
    """Field by field (language bits decoded: their order may differ)."""
    for name in (
        "ids",
        "mode_bits",
        "spec_bits",
        "fit_t",
        "experience_t",
        "base_t",
        "licence_until",
        "mentee_room",
        "windows",
        "committed",
        "travellers",
        "trainers",
        "trainers_travelling",
    ):
        np.testing.assert_array_equal(getattr(warm, name), getattr(cold, name), err_msg=name)
    assert _languages(warm) == _languages(cold)
    assert warm.tz_names == cold.tz_names
    np.testing.assert_array_equal(warm.tz_index, cold.tz_index)
    np.testing.assert_array_equal(warm.slots.toarray(), cold.slots.toarray())
    np.testing.assert_array_equal(warm.skill.toarray(), cold.skill.toarray())
    assert [(g.tz, g.rows.tolist()) for g in warm.mentor_groups] == [
        (g.tz, g.rows.tolist()) for g in cold.mentor_groups
    ]
    for a, b in zip(warm.mentor_groups, cold.mentor_groups, strict=True):
        np.testing.assert_array_equal(a.slots.toarray(), b.slots.toarray())


async def plans(arrays: DoctorArrays) -> list[Any]:
    """Every open need ranked alone on ``arrays``: proposals and outcome."""
    out = []
    for need in await load_needs():
        decided = await load_decided_pairs([need.id])
        plan = plan_one_need(need, arrays, decided, 20, TODAY)
        out.append((need.id, [vars_of(p) for p in plan.proposals], plan.outcome, plan.doctors))
    return out


def vars_of(p: Any) -> tuple[Any, ...]:
    return (p.need_id, p.doctor_id, p.score, p.rank, p.explanation)


async def cold_arrays() -> DoctorArrays:
    return build_doctor_arrays(await load_doctors(TODAY), load_taxonomy())


async def _mentor(doctor: int, weekday: int = 0) -> None:
    await (
        DoctorProfile.update({DoctorProfile.offers_mentorship: True, DoctorProfile.max_mentees: 1})
        .where(DoctorProfile.id == doctor)
        .run()
    )
    await WeeklySlotRow.insert(
        WeeklySlotRow(doctor=doctor, weekday=weekday, starts_at=time(15), ends_at=time(20))
    ).run()


async def _mentorship_need() -> int:
    facility = await make_facility()
    rows = (
        await Need.insert(
            Need(
                facility=facility,
                kind="mentorship",
                title="Mentor our ER resident",
                specialty="emergency_medicine",
                description="triage and trauma resuscitation",
                languages="ar",
                status="open",
                places=4,
                weekly_hours=2.0,
                months=3,
                starts_on=TODAY + timedelta(days=14),
                local_timezone="Asia/Damascus",
            )
        )
        .returning(Need.id)
        .run()
    )
    need = int(rows[0]["id"])
    await LocalSlot.insert(
        LocalSlot(need=need, weekday=0, starts_at=time(17), ends_at=time(21))
    ).run()
    return need


async def _population() -> dict[str, int]:
    ids = {
        "a": await make_rankable_doctor(years=25, licence_scope=SYRIA),
        "b": await make_rankable_doctor(years=12, languages=("ar",), licence_scope=SYRIA),
        "c": await make_rankable_doctor(years=5, licence=LicenceState.PENDING, licence_scope=SYRIA),
        "d": await make_rankable_doctor(years=8, specialty="general_surgery", licence_scope=SYRIA),
        "e": await make_rankable_doctor(years=3, travel=False, licence_scope=SYRIA),
    }
    for key in ("a", "b", "e"):
        await _mentor(ids[key])
    await DoctorSkill.insert(DoctorSkill(doctor=ids["b"], code="mass_casualty_triage")).run()
    ids["mission"] = await make_rankable_need(places=5, requires_licence=True)
    # The mission asks for fluent Arabic (every doctor's language is fluent by default).
    await _set(Need, {Need.language_levels: "ar:fluent"}, Need.id == ids["mission"])
    ids["mentorship"] = await _mentorship_need()
    for need in (ids["mission"], ids["mentorship"]):
        await NeedSkill.insert(NeedSkill(need=need, code="mass_casualty_triage")).run()
    return ids


async def _set(table: Any, values: dict[Any, Any], *where: Any) -> None:
    query = table.update(values)
    for condition in where:
        query = query.where(condition)
    await query.run()


def edits(ids: dict[str, int]) -> list[tuple[str, Callable[[], Awaitable[None]]]]:
    a, b, c, d, e = (ids[k] for k in "abcde")

    async def profile() -> None:  # the top doctor stops offering missions
        await _set(DoctorProfile, {DoctorProfile.offers_mission: False}, DoctorProfile.id == a)

    async def language() -> None:
        await (
            DoctorLanguage.delete()
            .where((DoctorLanguage.doctor == b) & (DoctorLanguage.code == "ar"))
            .run()
        )

    async def specialty() -> None:
        await _set(
            DoctorSpecialty,
            {DoctorSpecialty.code: "emergency_medicine"},
            DoctorSpecialty.doctor == d,
        )

    async def skill() -> None:
        await DoctorSkill.insert(DoctorSkill(doctor=e, code="mass_casualty_triage")).run()
        await _set(
            DoctorProfile,
            {DoctorProfile.free_text_skills: "trauma resuscitation, triage"},
            DoctorProfile.id == e,
        )

    async def licence_verified() -> None:  # a coordinator verifies c's licence
        await _set(Licence, {Licence.state: LicenceState.VERIFIED}, Licence.doctor == c)

    async def licence_scope() -> None:  # c's licence is found valid abroad only
        await _set(Licence, {Licence.scope: "foreign"}, Licence.doctor == c)

    async def language_level() -> None:  # d's Arabic is basic: below the mission's level
        await _set(
            DoctorLanguage,
            {DoctorLanguage.level: "basic"},
            (DoctorLanguage.doctor == d) & (DoctorLanguage.code == "ar"),
        )

    async def travel_window() -> None:  # one doctor loses hers, another gets three
        await TravelWindow.delete().where(TravelWindow.doctor == d).run()
        await TravelWindow.insert(
            *(
                TravelWindow(
                    doctor=c,
                    starts_on=TODAY + timedelta(days=start),
                    ends_on=TODAY + timedelta(days=start + 3),
                )
                for start in (150, 160, 170)
            )
        ).run()

    async def weekly_slot() -> None:
        await WeeklySlotRow.delete().where(WeeklySlotRow.doctor == a).run()
        await WeeklySlotRow.insert(
            WeeklySlotRow(doctor=a, weekday=0, starts_at=time(16), ends_at=time(19))
        ).run()
        await _set(DoctorProfile, {DoctorProfile.timezone: "Asia/Damascus"}, DoctorProfile.id == a)

    async def new_doctor() -> None:
        ids["f"] = await make_rankable_doctor(years=40, languages=("ar", "fr"), licence_scope=SYRIA)

    async def held_pairing() -> None:  # holds are not doctor edits: read per job
        await Proposal.insert(Proposal(need=ids["mentorship"], doctor=e, state="approved")).run()

    async def account_deletion() -> None:
        user = await DoctorProfile.select(DoctorProfile.user).where(DoctorProfile.id == ids["f"])
        await User.delete().where(User.id == user[0]["user"]).run()

    return [
        ("profile", profile),
        ("language", language),
        ("specialty", specialty),
        ("skill", skill),
        ("licence verified", licence_verified),
        ("licence scope", licence_scope),
        ("language level", language_level),
        ("travel window", travel_window),
        ("weekly slot and time zone", weekly_slot),
        ("new doctor", new_doctor),
        ("held pairing", held_pairing),
        ("account deletion", account_deletion),
    ]


async def test_every_kind_of_edit_refreshes_the_arrays_exactly(db: str) -> None:
    ids = await _population()
    prepared = PreparedDoctors()
    async with prepared.use(TODAY) as arrays:
        assert prepared.last is not None and prepared.last.how == "cold"
        assert_same_arrays(arrays, await cold_arrays())
        before = await plans(arrays)
    assert all(proposals for _, proposals, _, _ in before), "both needs have candidates"

    for label, edit in edits(ids):
        await edit()
        async with prepared.use(TODAY) as arrays:
            expected_how = "same" if label == "held pairing" else "changed"
            assert prepared.last is not None and prepared.last.how == expected_how, label
            cold = await cold_arrays()
            assert_same_arrays(arrays, cold)
            warm_plans = await plans(arrays)
        assert warm_plans == await plans(cold), label
        assert warm_plans != before, f"{label}: the edit changed no plan, so proves nothing"
        before = warm_plans


async def test_nothing_changed_reuses_the_arrays(db: str) -> None:
    await _population()
    prepared = PreparedDoctors()
    async with prepared.use(TODAY) as first:
        pass
    async with prepared.use(TODAY) as second:
        assert prepared.last is not None and prepared.last.how == "same"
    assert second is first


async def test_another_day_loads_every_doctor_again(db: str) -> None:
    await _population()
    prepared = PreparedDoctors()
    async with prepared.use(TODAY):
        pass
    async with prepared.use(TODAY + timedelta(days=1)):
        assert prepared.last is not None and prepared.last.how == "cold"


@pytest.mark.parametrize("table", ["doctor_profile", "licence", "weekly_slot"])
async def test_the_change_log_names_the_doctor(db: str, table: str) -> None:
    doctor = await make_rankable_doctor()
    await _mentor(doctor)
    rows = await Need.raw('SELECT "seq" FROM "doctor_change" WHERE "doctor_id" = {}', doctor).run()
    seq = rows[0]["seq"]
    if table == "doctor_profile":
        await _set(DoctorProfile, {DoctorProfile.years_experience: 30}, DoctorProfile.id == doctor)
    elif table == "licence":
        await _set(Licence, {Licence.state: LicenceState.REJECTED}, Licence.doctor == doctor)
    else:
        await WeeklySlotRow.delete().where(WeeklySlotRow.doctor == doctor).run()
    rows = await Need.raw('SELECT "seq" FROM "doctor_change" WHERE "doctor_id" = {}', doctor).run()
    assert rows[0]["seq"] > seq
