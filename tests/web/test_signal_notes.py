"""Continuity and fairness over time, as coordinators and heads read them (issue 16):
the explanation's notes and the need page, in English and Arabic."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from litestar.testing import AsyncTestClient

from matching.pairings.tables import Proposal, RankingRun
from matching.ranking.weights import WEIGHTS
from tests.factories import login, make_facility, make_rankable_need, scene
from tests.pages import switch_language


def _signal(value: float, name: str) -> dict[str, float]:
    return {"value": value, "weight": WEIGHTS[name], "contribution": WEIGHTS[name] * value}


async def test_explanation_shows_earlier_work_and_the_wait(client: AsyncTestClient) -> None:
    s = await scene()
    explanation = {
        "signals": {
            "need_weight": _signal(0.78, "need_weight"),
            "continuity": _signal(0.5, "continuity"),
        },
        "rules_passed": ["mode"],
        "shared_skills": [],
        "details": {},
        "runners_up": [],
        "continuity": {"kind": "mentorship", "year": 2025},
        "fairness": {"waited_runs": 3, "multiplier": 1.3},
    }
    await (
        Proposal.update({Proposal.explanation: json.dumps(explanation)})
        .where(Proposal.id == s["proposal"])
        .run()
    )
    await login(client, s["coordinator"])
    await switch_language(client, "en")
    text = (await client.get("/coordinator/review")).text
    assert "Worked with this facility before: mentorship, 2025" in text
    assert "Waited 3 runs without a proposal: weight ×1.3" in text
    await switch_language(client, "ar")
    arabic = (await client.get("/coordinator/review")).text
    assert "عمل مع هذه المنشأة من قبل: إرشاد، 2025" in arabic
    assert "انتظرت 3 جولات ترتيب دون أي اقتراح: الوزن ×1٫3" in arabic or (
        "انتظرت 3 جولات ترتيب دون أي اقتراح: الوزن ×1.3" in arabic
    )


async def test_explanation_without_history_has_no_notes(client: AsyncTestClient) -> None:
    s = await scene()
    await login(client, s["coordinator"])
    await switch_language(client, "en")
    text = (await client.get("/coordinator/review")).text
    assert "Worked with this facility before:" not in text
    assert "without a proposal" not in text


async def test_need_page_shows_the_runs_its_facility_waited(client: AsyncTestClient) -> None:
    s = await scene()
    facility = await make_facility(name="Tall Kalakh Hospital")
    need = await make_rankable_need(facility)
    await login(client, s["coordinator"])
    await switch_language(client, "en")
    assert "without a proposal" not in (await client.get(f"/needs/{need}")).text
    later = datetime.now(UTC) + timedelta(seconds=5)
    for i in range(2):
        await RankingRun.insert(
            RankingRun(kind="full", status="succeeded", started_at=later + timedelta(seconds=i))
        ).run()
    text = (await client.get(f"/needs/{need}")).text
    assert "Waited 2 runs without a proposal: weight ×1.2" in text
    await switch_language(client, "ar")
    arabic = (await client.get(f"/needs/{need}")).text
    assert "انتظرت جولتَي ترتيب دون أي اقتراح" in arabic
    # The facility of the scene's proposal was served in neither run's eyes: its
    # proposal is older than both runs, so it waited too; a proposal after them serves it.
    await switch_language(client, "en")
    served = (await client.get(f"/needs/{s['need']}")).text
    assert "Waited 2 runs" in served
    await (
        Proposal.update({Proposal.created_at: later + timedelta(seconds=10)})
        .where(Proposal.id == s["proposal"])
        .run()
    )
    assert "without a proposal" not in (await client.get(f"/needs/{s['need']}")).text
