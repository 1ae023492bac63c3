"""Where outcome facts come from. Each source is ``async (filters) -> list[Fact]``; the
report (:mod:`matching.outcomes.report`) asks every source of :func:`all_sources` and keeps
the facts in the filters' period and places.

The needs are counted as a cohort: the needs posted in the period, how many of them
were filled, how many were not (and why, from the latest ranking run).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from matching.facilities.tables import Need, NeedKind, NeedStatus
from matching.outcomes.after_match import (
    case_facts,
    mentorship_facts,
    mission_facts,
    service_facts,
    workshop_facts,
)
from matching.outcomes.schemas import Fact, OutcomeFilters
from matching.pairings.tables import Proposal, ProposalState

Source = Callable[[OutcomeFilters], Awaitable[list[Fact]]]

#: A pairing that happened (a later "completed" state counts too, when it exists).
HELD = [ProposalState.CONFIRMED.value, "completed"]
UNFILLED = [NeedStatus.OPEN.value, NeedStatus.PARTLY_FILLED.value]


async def need_facts(filters: OutcomeFilters) -> list[Fact]:
    """needs_posted, needs_filled, needs_unfilled: one fact per need, on its posting day."""
    rows = (
        await Need.select(Need.id, Need.facility, Need.specialty, Need.status, Need.created_at)
        .where(Need.status != NeedStatus.DRAFT)
        .run()
    )
    facts = []
    for row in rows:
        common = {
            "facility_id": row["facility"],
            "on": row["created_at"].date(),
            "specialty": row["specialty"],
            "subject": f"need:{row['id']}",
        }
        facts.append(Fact(metric="needs_posted", **common))
        if row["status"] == NeedStatus.FILLED:
            facts.append(Fact(metric="needs_filled", **common))
        elif row["status"] in UNFILLED:
            facts.append(Fact(metric="needs_unfilled", **common))
    return facts


async def deployment_facts(filters: OutcomeFilters) -> list[Fact]:
    """doctors_deployed: each doctor of a held in-person mission, on its first day."""
    rows = (
        await Proposal.select(
            Proposal.doctor,
            Proposal.need.facility.as_alias("facility"),
            Proposal.need.specialty.as_alias("specialty"),
            Proposal.need.starts_on.as_alias("starts_on"),
            Proposal.need.created_at.as_alias("created_at"),
        )
        .where(
            Proposal.state.is_in(HELD),
            Proposal.need.kind == NeedKind.MISSION,
            Proposal.doctor.is_not_null(),
        )
        .run()
    )
    return [
        Fact(
            metric="doctors_deployed",
            facility_id=row["facility"],
            on=row["starts_on"] or row["created_at"].date(),
            specialty=row["specialty"],
            subject=f"doctor:{row['doctor']}",
        )
        for row in rows
    ]


def all_sources() -> list[Source]:
    """Every source: the needs and deployments here, and the after-match domains'."""
    return [
        need_facts,
        deployment_facts,
        mentorship_facts,
        mission_facts,
        workshop_facts,
        case_facts,
        service_facts,
    ]
