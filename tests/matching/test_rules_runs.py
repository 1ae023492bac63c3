"""Language level and the Syrian permission through the product path: tables -> loader ->
engine -> proposals and the unfillable report, on both database engines."""

from __future__ import annotations

from matching.doctors.tables import DoctorLanguage
from matching.facilities.tables import Need
from matching.pairings import runs
from matching.pairings.tables import NeedInterest, Proposal
from tests.factories import make_rankable_doctor, make_rankable_need

SYRIA = "syria_registration"


async def _arabic(doctor: int, level: str) -> None:
    await (
        DoctorLanguage.update({DoctorLanguage.level: level})
        .where((DoctorLanguage.doctor == doctor) & (DoctorLanguage.code == "ar"))
        .run()
    )


async def _asks(need: int, levels: str) -> None:
    await Need.update({Need.language_levels: levels}).where(Need.id == need).run()


async def _pairs(run_id: int) -> set[tuple[int, int]]:
    rows = await Proposal.select(Proposal.need, Proposal.doctor).where(Proposal.run == run_id)
    return {(int(r["need"]), int(r["doctor"])) for r in rows}


async def _population() -> dict[str, int]:
    ids = {
        # The most experienced speaks basic Arabic; the next holds a foreign licence only.
        "basic": await make_rankable_doctor(years=30, languages=("ar",), licence_scope=SYRIA),
        "foreign": await make_rankable_doctor(years=20, languages=("ar",)),
        "fluent": await make_rankable_doctor(years=3, languages=("ar",), licence_scope=SYRIA),
    }
    await _arabic(ids["basic"], "basic")
    await _arabic(ids["foreign"], "native")
    await _arabic(ids["fluent"], "fluent")
    ids["mission"] = await make_rankable_need(requires_licence=True)
    await _asks(ids["mission"], "ar:fluent")
    return ids


async def test_full_run_proposes_the_doctor_who_meets_both_rules(db: str) -> None:
    ids = await _population()
    before = await runs.execute_run(await runs.create_run("full"))
    assert await _pairs(before["id"]) == {(ids["mission"], ids["fluent"])}
    # The same need without the two rules goes to the most experienced doctor.
    await _asks(ids["mission"], "")
    await Need.update({Need.requires_licence: False}).where(Need.id == ids["mission"]).run()
    after = await runs.execute_run(await runs.create_run("full"))
    assert await _pairs(after["id"]) == {(ids["mission"], ids["basic"])}


async def test_one_need_run_and_its_unfillable_report(db: str) -> None:
    await _population()
    native = await make_rankable_need(requires_licence=True)
    await _asks(native, "ar:native")
    run = await runs.execute_run(await runs.create_run("one_need", need_id=native))
    assert await _pairs(run["id"]) == set()
    (entry,) = run["outcome"]["unfillable"]
    assert entry["need_id"] == native
    # Only the foreign-licensed doctor speaks native Arabic; the others speak it lower.
    assert entry["reasons"] == ["language_level", "syria_permission"]
    assert entry["eliminated"]["language_level"] == 2
    assert entry["eliminated"]["syria_permission"] == 1
    assert entry["language_gaps"] == [["ar", "native", "native"]]


async def test_stable_run_keeps_the_rules(db: str) -> None:
    ids = await _population()
    other = await make_rankable_need()
    # The basic speaker wants the mission asking for fluent Arabic: not eligible there.
    await NeedInterest.insert(
        NeedInterest(doctor=ids["basic"], need=ids["mission"], position=1),
        NeedInterest(doctor=ids["basic"], need=other, position=2),
        NeedInterest(doctor=ids["fluent"], need=ids["mission"], position=1),
    ).run()
    run = await runs.execute_run(await runs.create_run("stable"))
    pairs = await _pairs(run["id"])
    assert (ids["mission"], ids["basic"]) not in pairs
    assert (ids["mission"], ids["fluent"]) in pairs
