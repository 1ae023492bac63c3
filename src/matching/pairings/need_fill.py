"""A need's fill: its confirmed doctors against its places.

open -> partly_filled -> filled follows the confirmed pairings; drafts, closed
and cancelled needs keep their status. The pairings count; the facilities'
transition table (``facilities.need_transitions.settle_fill``) moves the status.
``pairings.transitions`` (accept, cancel) and ``pairings.need_lifecycle``
(reopen, edit) call :func:`refresh` inside their own transaction.
"""

from __future__ import annotations

from matching.accounts.services import Account
from matching.db import write_transaction
from matching.facilities.need_transitions import LIVE_STATUSES, lock_need, settle_fill
from matching.facilities.schemas import ConfirmedDoctor
from matching.pairings.tables import Proposal, ProposalState


async def confirmed_count(need_id: int) -> int:
    """The need's places filled: confirmed pairings and completed missions."""
    return await Proposal.count().where(
        Proposal.need == need_id,
        Proposal.state.is_in([ProposalState.CONFIRMED.value, ProposalState.COMPLETED.value]),
    )


async def confirmed_doctors(need_id: int) -> list[ConfirmedDoctor]:
    """The need's confirmed pairings with their doctors' names, oldest first."""
    rows = await (
        Proposal.select(Proposal.id, Proposal.doctor.user.full_name.as_alias("doctor_name"))
        .where(Proposal.need == need_id, Proposal.state == ProposalState.CONFIRMED.value)
        .order_by(Proposal.id)
        .run()
    )
    return [
        ConfirmedDoctor(proposal_id=int(row["id"]), doctor_name=row["doctor_name"] or "")
        for row in rows
    ]


async def refresh(need_id: int, actor: Account | None) -> str:
    """Recompute the status inside the caller's transaction (the need locked); returns it."""
    need = await lock_need(need_id)
    if need["status"] not in LIVE_STATUSES:
        return str(need["status"])
    return await settle_fill(need, await confirmed_count(need_id), actor)


async def refresh_need_status(need_id: int, *, actor: Account | None = None) -> str:
    """Recompute open / partly_filled / filled from the CONFIRMED proposals vs places.

    Drafts, closed and cancelled needs keep their status. Safe to call inside the
    caller's transaction (it joins it); returns the status now stored.
    """
    async with write_transaction():
        return await refresh(need_id, actor)
