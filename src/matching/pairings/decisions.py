"""Decided proposals -> :class:`~matching.ranking.learned.Decisions` (what the model learns from).

Every proposal a ranking run writes stores, in its explanation, the value of each
signal (``explanation["signals"][name]["value"]``); a runner-up swapped in by a
coordinator stores the runner-up's own signals. Those stored values are the
features: they are what the coordinator saw when deciding. Proposals without
them (stable-mode proposals; runner-ups swapped in before runner-up signals were
recorded) are skipped.

Labels and which states count: see :mod:`matching.ranking.learned` and
:data:`LABELS`. The time of a decision is the latest of ``decided_at`` (the
coordinator) and ``responded_at`` (the doctor), so a decline counts when the
doctor said it; proposals with neither fall back to ``created_at``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final

import numpy as np

from matching.db import json_object
from matching.pairings.tables import Proposal, ProposalState
from matching.ranking.learned import FEATURES, Decisions
from matching.ranking.weights import ADDED_SIGNALS

#: Decided states and their label: True, the pairing went ahead; False, it did not.
LABELS: Final[dict[str, bool]] = {
    ProposalState.APPROVED.value: True,
    ProposalState.ACCEPTED.value: True,
    ProposalState.CONFIRMED.value: True,
    ProposalState.COMPLETED.value: True,
    ProposalState.REJECTED.value: False,
    ProposalState.DECLINED.value: False,
}


def signal_values(explanation: Any) -> list[float] | None:
    """The stored values of the model's features, or None if any is missing."""
    signals = json_object(explanation).get("signals")
    if not isinstance(signals, dict):
        return None
    out = []
    for name in FEATURES:
        entry = signals.get(name)
        value = entry.get("value") if isinstance(entry, dict) else None
        if entry is None and name in ADDED_SIGNALS:
            value = ADDED_SIGNALS[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if not np.isfinite(value):
            return None
        out.append(float(value))
    return out


def _seconds(value: Any) -> float | None:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return None
    return None


async def load_decisions() -> Decisions:
    """Every decided proposal with stored signal values, oldest decision first.

    One query; ties in time keep the proposal id order.
    """
    rows = (
        await Proposal.select(
            Proposal.id,
            Proposal.need,
            Proposal.state,
            Proposal.explanation,
            Proposal.decided_at,
            Proposal.responded_at,
            Proposal.created_at,
        )
        .where(Proposal.state.is_in(list(LABELS)))
        .order_by(Proposal.id)
        .run()
    )
    values: list[list[float]] = []
    approved: list[bool] = []
    when: list[float] = []
    needs: list[int] = []
    for row in rows:
        v = signal_values(row["explanation"])
        if v is None:
            continue
        times = [t for t in (_seconds(row["decided_at"]), _seconds(row["responded_at"])) if t]
        at = max(times) if times else _seconds(row["created_at"])
        values.append(v)
        approved.append(LABELS[str(row["state"])])
        when.append(at if at is not None else 0.0)
        needs.append(int(row["need"]))
    return Decisions.build(
        np.array(values, dtype=np.float64).reshape(-1, len(FEATURES)),
        np.array(approved, dtype=bool),
        np.array(when, dtype=np.float64),
        np.array(needs, dtype=np.int64),
    )


__all__ = ["LABELS", "load_decisions", "signal_values"]
