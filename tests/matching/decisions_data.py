"""Decided proposals written straight into the table, for the learned-model tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np

from matching.pairings.tables import Proposal, ProposalState
from matching.ranking.weights import SIGNALS, WEIGHTS

START = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)


def explanation(values: dict[str, float]) -> str:
    """A stored explanation as a ranking run writes it (signals with their values)."""
    return json.dumps(
        {
            "signals": {
                s: {"value": v, "weight": WEIGHTS[s], "contribution": WEIGHTS[s] * v}
                for s, v in values.items()
            },
            "rules_passed": [],
            "shared_skills": [],
            "details": {},
            "runners_up": [],
        }
    )


async def make_decisions(n: int, need_id: int, doctor_id: int | None, seed: int = 0) -> int:
    """``n`` decided proposals, one an hour from :data:`START`, on ``need_id``.

    These coordinators approve when availability is above one half. Returns the
    number approved.
    """
    rng = np.random.default_rng(seed)
    rows = []
    approved = 0
    for i in range(n):
        values = {s: float(rng.random()) for s in SIGNALS}
        ok = values["availability"] > 0.5
        approved += ok
        rows.append(
            Proposal(
                need=need_id,
                doctor=doctor_id,
                score=sum(WEIGHTS[s] * v for s, v in values.items()),
                rank=1,
                explanation=explanation(values),
                state=ProposalState.APPROVED if ok else ProposalState.REJECTED,
                decision_reason="" if ok else "availability does not fit",
                decided_at=START + timedelta(hours=i),
            )
        )
    if rows:
        await Proposal.insert(*rows).run()
    return approved
