"""Learning from decisions over the real database: what is read, and what a run records."""

from __future__ import annotations

import json
from datetime import timedelta

import numpy as np
import pytest

from matching.pairings import runs
from matching.pairings.decisions import load_decisions
from matching.pairings.tables import Proposal, ProposalState, RunStatus
from matching.ranking.learned import FEATURES, MIN_DECISIONS
from matching.ranking.weights import LEARNED_SIGNAL, LEARNED_WEIGHT, SIGNALS
from tests.factories import (
    DECISIONS_START,
    make_decisions,
    make_rankable_doctor,
    make_rankable_need,
    signals_explanation,
)


async def _proposals(run_id: int) -> list[dict]:
    return await Proposal.select().where(Proposal.run == run_id).order_by(Proposal.id).run()


async def test_load_decisions_labels_states_and_orders_by_decision_time(db: str) -> None:
    need = await make_rankable_need(status="closed")

    at = DECISIONS_START

    async def put(state: str, hour: int, *, responded: int | None = None, **values: float) -> None:
        signals = {s: values.get(s, 0.5) for s in SIGNALS}
        await Proposal.insert(
            Proposal(
                need=need,
                doctor=await make_rankable_doctor(),  # one live proposal per (need, doctor)
                explanation=signals_explanation(signals),
                state=state,
                decided_at=at + timedelta(hours=hour),
                responded_at=None if responded is None else at + timedelta(hours=responded),
            )
        ).run()

    await put(ProposalState.CONFIRMED, 1, responded=2, skills=0.1)
    await put(ProposalState.DECLINED, 3, responded=9, skills=0.2)  # the doctor said no at hour 9
    await put(ProposalState.REJECTED, 4, skills=0.3)
    await put(ProposalState.APPROVED, 5, skills=0.4)
    await put(ProposalState.ACCEPTED, 6, skills=0.5)
    for state in (
        ProposalState.PROPOSED,
        ProposalState.SUPERSEDED,
        ProposalState.WITHDRAWN,
    ):  # nobody decided on the doctor
        await put(state, 7)
    # Decided, but nothing stored to learn from (stable mode, an old swap).
    await Proposal.insert(
        Proposal(need=need, doctor=await make_rankable_doctor(),
                 explanation=json.dumps({"mode": "stable"}), state=ProposalState.APPROVED,
                 decided_at=at),
        Proposal(need=need, doctor=None, explanation=json.dumps({"swapped_from": 1}),
                 state=ProposalState.REJECTED, decided_at=at),
    ).run()  # fmt: skip

    d = await load_decisions()
    assert d.n == 5 and d.values.shape == (5, len(FEATURES))
    skills = d.values[:, FEATURES.index("skills")]
    assert np.allclose(skills, [0.1, 0.3, 0.4, 0.5, 0.2])  # the decline counts at hour 9
    assert d.approved.tolist() == [True, False, True, True, False]
    assert d.need_ids.tolist() == [need] * 5
    assert np.all(np.diff(d.decided_at) > 0)


async def test_run_below_the_minimum_scores_exactly_as_before(db: str) -> None:
    await make_rankable_doctor()
    await make_rankable_doctor(years=3)
    await make_rankable_need(places=2)
    closed = await make_rankable_need(status="closed")
    first = await runs.execute_run(await runs.create_run("full"))
    assert first["outcome"]["learned"] == {
        "used": False,
        "decisions": 0,
        "approvals": 0,
        "minimum": MIN_DECISIONS,
    }
    await make_decisions(MIN_DECISIONS - 1, closed, None)
    second = await runs.execute_run(await runs.create_run("full"))
    assert second["outcome"]["learned"]["used"] is False
    assert second["outcome"]["learned"]["decisions"] == MIN_DECISIONS - 1
    before, after = await _proposals(first["id"]), await _proposals(second["id"])
    assert len(after) == 2
    assert [(r["doctor"], r["score"], r["rank"]) for r in after] == [
        (r["doctor"], r["score"], r["rank"]) for r in before
    ]
    assert [json.loads(r["explanation"]) for r in after] == [
        json.loads(r["explanation"]) for r in before
    ]
    assert LEARNED_SIGNAL not in json.loads(after[0]["explanation"])["signals"]


async def test_run_with_enough_decisions_uses_and_records_the_model(db: str) -> None:
    await make_rankable_doctor()
    await make_rankable_doctor(years=3)
    open_need = await make_rankable_need(places=2)
    closed = await make_rankable_need(status="closed")
    approvals = await make_decisions(80, closed, None, seed=7)
    assert 0 < approvals < 80

    run = await runs.execute_run(await runs.create_run("full"))
    assert run["status"] == RunStatus.SUCCEEDED
    learned = run["outcome"]["learned"]
    assert learned["used"] is True
    assert (learned["decisions"], learned["approvals"]) == (80, approvals)
    assert learned["weight"] == LEARNED_WEIGHT
    held = learned["heldout"]
    assert (held["train"], held["test"]) == (64, 16)
    # These coordinators approve on availability alone: the model finds it.
    assert learned["coefficients"]["availability"] > 0
    assert held["auc_learned"] is not None and held["auc_base"] is not None
    assert held["auc_learned"] > held["auc_base"]

    rows = await _proposals(run["id"])
    assert {r["need"] for r in rows} == {open_need} and len(rows) == 2
    for row in rows:
        signals = json.loads(row["explanation"])["signals"]
        assert tuple(signals) == (*SIGNALS, LEARNED_SIGNAL)
        assert signals[LEARNED_SIGNAL]["weight"] == LEARNED_WEIGHT
        total = sum(s["contribution"] for s in signals.values())
        assert total == pytest.approx(row["score"], abs=1e-12)

    # A one-need run learns the same way.
    one = await runs.get_run(await runs.rank_single_need(open_need))
    assert one["outcome"]["learned"]["used"] is True
    assert one["outcome"]["learned"]["heldout"] == held
