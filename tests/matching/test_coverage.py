"""Coverage counts by district, specialty, urban/rural, and unfillable needs."""

from __future__ import annotations

import json

from matching.pairings.coverage import coverage
from matching.pairings.tables import RankingRun
from tests.factories import make_doctor, make_facility, make_need, make_proposal


async def test_counts_each_need_once_in_its_best_bucket(db: str) -> None:
    rural = await make_facility()
    urban = await make_facility(name="Homs National Hospital", district="homs", rural=False)
    _, doctor = await make_doctor()
    _, second = await make_doctor(name="Dr. Omar Saleh")  # one live proposal per doctor
    confirmed = await make_need(rural)
    await make_proposal(confirmed, doctor, state="confirmed")
    await make_proposal(confirmed, second, state="proposed")
    proposed = await make_need(urban, specialty="pediatrics")
    await make_proposal(proposed, doctor)
    await make_need(urban, specialty="pediatrics")  # open, no proposal
    result = await coverage()
    districts = {b.label: b.counts for b in result.by_district}
    assert districts == {
        "homs": {"open": 1, "proposed": 1, "confirmed": 0},
        "al_rastan": {"open": 0, "proposed": 0, "confirmed": 1},
    }
    setting = {b.label: b.total for b in result.by_setting}
    assert setting == {"urban": 2, "rural": 1}
    assert [b.label for b in result.by_specialty] == ["pediatrics", "neonatology"]
    assert result.unfillable == [] and result.unfillable_note == "No ranking run has finished yet."


async def test_unfillable_needs_come_from_the_latest_full_run(db: str) -> None:
    facility = await make_facility()
    need = await make_need(facility)
    outcome = {
        "unfillable": [{"need_id": need, "reasons": ["language"], "eliminated": {"language": 7}}]
    }
    await RankingRun.insert(
        RankingRun(kind="full", status="succeeded", outcome=json.dumps(outcome))
    ).run()
    await RankingRun.insert(
        RankingRun(kind="one_need", status="succeeded", outcome=json.dumps({"unfillable": []}))
    ).run()
    result = await coverage()
    assert [u["need"]["id"] for u in result.unfillable] == [need]
    assert result.unfillable[0]["eliminated"] == {"language": 7}
