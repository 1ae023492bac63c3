"""How long a facility has waited: full runs in a row that gave its open needs no
proposal (fairness over time; see ``need_weight`` in :mod:`matching.ranking.weights`)."""

from __future__ import annotations

from dataclasses import dataclass

from piccolo.query.methods.select import Min

from matching.facilities.tables import Need
from matching.pairings.loader import OPEN_STATUSES, load_waited_runs
from matching.ranking.weights import fairness_multiplier


@dataclass(frozen=True, slots=True)
class FacilityWait:
    """Full runs in a row without a proposal, and the need weight's multiplier for them."""

    waited_runs: int
    multiplier: float


async def facility_wait(facility_id: int) -> FacilityWait:
    """The wait of one facility's open needs (0 runs, x1.0 when it has none open)."""
    rows = (
        await Need.select(Min(Need.created_at).as_alias("oldest"))
        .where((Need.facility == facility_id) & Need.status.is_in(list(OPEN_STATUSES)))
        .run()
    )
    oldest = rows[0]["oldest"] if rows else None
    if oldest is None:
        return FacilityWait(0, 1.0)
    waited = (await load_waited_runs({facility_id: oldest})).get(facility_id, 0)
    return FacilityWait(waited, fairness_multiplier(waited))


__all__ = ["FacilityWait", "facility_wait"]
